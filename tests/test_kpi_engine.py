"""The web app's shared KPI engine keeps an answer until a sync may have changed it.

A sync that only brings rows timed at or after an answer's ``until`` (answers arriving today,
while the dashboard shows last month) keeps it; a row placed before it, a change no time
places (a customer's segment, a table copied whole) or an answer without ``until`` does not.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from test_kpis import _keyed
from test_mirror import _sql, demo, sqlite_store  # noqa: F401  (the mirror tests' small demo)

from cxlens.analytics.kpis import kpi
from cxlens.web.kpi_engine import KPIEngine

LAST_MONTH = {"grain": "month", "since": "2026-01-01", "until": "2026-06-01"}


def _answer_at(store, when: str, score: int = 0) -> None:
    _sql(
        store,
        "INSERT INTO responses (survey_id, customer_id, touchpoint_id, channel, submitted_at, metric, score, scale_min, scale_max) "
        "SELECT survey_id, customer_id, touchpoint_id, channel, :when, 'nps', :score, 0, 10 FROM responses "
        "WHERE metric = 'nps' LIMIT 1",
        when=when,
        score=score,
    )


def _synced(engine: KPIEngine):
    engine.synced = 0.0  # the next question syncs first, however soon it comes
    return engine


def test_rows_after_until_keep_the_answer_and_drop_open_ended_ones(demo):
    engine = KPIEngine(demo)
    bounded = engine.compute("nps", **LAST_MONTH)
    open_ended = engine.compute("response_count")
    _answer_at(demo, "2026-06-15 10:00:00.000000")
    assert _synced(engine).compute("nps", **LAST_MONTH) is bounded
    again = engine.compute("response_count")
    assert again is not open_ended and again.rows[0]["n"] == open_ended.rows[0]["n"] + 1


def test_a_row_before_until_drops_the_answer(demo):
    engine = KPIEngine(demo)
    bounded = engine.compute("nps", **LAST_MONTH)
    _answer_at(demo, "2026-05-15 10:00:00.000000")
    fresh = _synced(engine).compute("nps", **LAST_MONTH)
    assert fresh is not bounded
    assert _keyed(fresh) == _keyed(kpi(demo).compute("nps", **LAST_MONTH)) != _keyed(bounded)


@pytest.mark.parametrize(
    ("was", "now"),
    [
        ("2026-06-20 00:00:00.000000", "2026-05-20 00:00:00.000000"),
        ("2026-05-20 00:00:00.000000", "2026-06-20 00:00:00.000000"),
    ],
)
def test_an_update_drops_the_answer_when_either_version_falls_before_until(demo, was, now):
    _answer_at(demo, was)
    engine = KPIEngine(demo)
    bounded = engine.compute("nps", **LAST_MONTH)
    _sql(demo, "UPDATE responses SET submitted_at = :now WHERE id = (SELECT max(id) FROM responses)", now=now)
    fresh = _synced(engine).compute("nps", **LAST_MONTH)
    assert fresh is not bounded
    assert _keyed(fresh) == _keyed(kpi(demo).compute("nps", **LAST_MONTH))


def test_an_update_after_until_keeps_the_answer(demo):
    _answer_at(demo, "2026-06-20 00:00:00.000000")
    engine = KPIEngine(demo)
    bounded = engine.compute("nps", **LAST_MONTH)
    # The follow-up comment to a score clicked today: an update of a row after `until`.
    _sql(demo, "UPDATE responses SET comment = 'late parcel' WHERE id = (SELECT max(id) FROM responses)")
    assert _synced(engine).compute("nps", **LAST_MONTH) is bounded


def test_a_change_no_time_places_drops_every_answer(demo):
    engine = KPIEngine(demo)
    bounded = engine.compute("nps", **LAST_MONTH)
    _sql(demo, "UPDATE customers SET segment = 'enterprise' WHERE id % 2 = 0")
    assert _synced(engine).compute("nps", **LAST_MONTH) is not bounded


def test_the_sync_says_where_its_rows_fall(demo):
    k = kpi(demo, tier="duckdb")
    _answer_at(demo, "2026-06-15 10:00:00.000000")
    _sql(demo, "UPDATE responses SET score = 3 WHERE id = (SELECT min(id) FROM responses WHERE metric = 'nps')")
    first = k.mirror.db.execute("SELECT min(submitted_at) FROM responses WHERE metric = 'nps'").fetchone()[0]
    result = k.sync()
    assert result.unplaced == []
    assert result.earliest["responses"] <= datetime(2026, 6, 15, 10)
    assert result.earliest["responses"] >= first
    _sql(demo, "UPDATE touchpoints SET name = 'Chat' WHERE key = 'support-chat'")
    assert k.sync().unplaced == ["touchpoints"]
