"""Tier 0's daily summary of the answers (analytics/rollup.py) changes speed, never an answer.

Which questions the summary takes, that it gives the numbers the fact rows give (on DuckDB and
on SQLite), and that it stays exact through appends, updates, deletes and folding. The mirror
tests (test_mirror.py) check after every write pattern there that the summary equals a fresh
count of the mirrored rows.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from test_kpis import _keyed
from test_mirror import END, _sql, assert_mirrored, demo, sqlite_store  # noqa: F401  (the mirror tests' small demo)

from cxlens.analytics.kpis import SPECS, kpi
from cxlens.analytics.rollup import ROLLUPS

SUMMARY = ROLLUPS["responses"]


def _summary_used(k, metric: str, **options) -> bool:
    return f'"{SUMMARY.table}"' in k.engine.sql(k.expression(metric, **options), "duckdb")


def test_the_summary_answers_survey_sums_over_whole_days_by_journey_dimensions(demo):
    k = kpi(demo, tier="duckdb")
    assert _summary_used(k, "nps", by=["touchpoint", "channel"], grain="month", since="2026-01-01", until="2026-04-01")
    assert _summary_used(k, "response_count", where={"journey": ["buy"]}, grain="week")
    assert _summary_used(k, "ces_mean", by=["survey", "stage"])
    assert _summary_used(k, "nps", by=["team"], where={"team": ["support"]})
    assert _summary_used(k, "csat", by=["segment"], where={"channel": ["email"]})
    # The summary keeps no other customer column, no language or text columns, no values of a
    # duration, and only whole UTC days.
    assert not _summary_used(k, "nps", by=["plan"])
    assert not _summary_used(k, "csat", by=["language"])
    assert not _summary_used(k, "sentiment", by=["touchpoint"])
    assert not _summary_used(k, "first_contact_resolution", by=["channel"])
    assert not _summary_used(k, "nps", since=datetime(2026, 1, 1, 12, tzinfo=timezone.utc))
    assert not _summary_used(kpi(demo), "nps", by=["touchpoint"])  # no mirror, no summary


@pytest.mark.parametrize("metric", [m for m, s in SPECS.items() if s.source == "answers" and not s.needs])
@pytest.mark.parametrize(
    "options",
    [
        {"by": ["touchpoint"], "grain": "month", "since": "2025-09-01", "until": "2026-06-01", "compare": "previous"},
        {"by": ["journey", "channel"], "grain": "quarter"},
        {"by": ["segment"], "where": {"touchpoint": ["checkout", "delivery", "support-chat"]}, "grain": "month"},
        {"by": ["team"], "where": {"journey": ["get-help", "buy"]}, "grain": "month"},
        {"by": ["stage"], "grain": "week", "since": "2026-03-02", "until": "2026-05-04", "compare": "year"},
        {"where": {"survey": ["relationship-nps", "checkout-ces"]}, "grain": "day", "since": "2026-06-01"},
        {},
    ],
)
def test_the_summary_gives_the_numbers_the_fact_rows_give(demo, metric, options):
    on_duckdb = kpi(demo, tier="duckdb")
    assert _summary_used(on_duckdb, metric, **{k: v for k, v in options.items() if k != "compare"})
    summarised = _keyed(on_duckdb.compute(metric, **options))
    assert summarised == _keyed(kpi(demo).compute(metric, **options))


@pytest.mark.parametrize("few", [1000, 0])  # customers named in the lookup, or all joined
def test_updates_deletes_and_appends_are_counted_out_and_in(demo, monkeypatch, few):
    monkeypatch.setattr("cxlens.analytics.rollup.FEW_CUSTOMERS", few)
    k = kpi(demo, tier="duckdb")
    question = {"by": ["touchpoint"], "grain": "month"}
    before = _keyed(k.compute("nps", **question))
    _sql(demo, "UPDATE responses SET score = 0 WHERE metric = 'nps' AND id % 7 = 0")
    _sql(demo, "UPDATE responses SET submitted_at = '2024-02-03 04:05:06.000000' WHERE metric = 'nps' AND id % 11 = 0")
    _sql(demo, "DELETE FROM responses WHERE metric = 'nps' AND id % 13 = 0")
    _sql(
        demo,
        "INSERT INTO responses (survey_id, customer_id, touchpoint_id, channel, submitted_at, metric, score, scale_min, scale_max) "
        "SELECT survey_id, customer_id, touchpoint_id, channel, '2026-06-29 23:59:59.000000', metric, 10, scale_min, scale_max "
        "FROM responses WHERE metric = 'nps' AND id % 5 = 0",
    )
    k.sync()
    assert_mirrored(demo, k.mirror)
    after = _keyed(k.compute("nps", **question))
    assert after != before
    assert after == _keyed(kpi(demo).compute("nps", **question))
    # The summary holds rows of negative weight until it is folded.
    assert k.mirror.db.execute(f'SELECT count(*) FROM "{SUMMARY.table}" WHERE weight < 0').fetchone()[0] > 0


@pytest.mark.parametrize("few", [1000, 0])
def test_a_customer_whose_segment_changes_moves_their_answers(demo, monkeypatch, few):
    monkeypatch.setattr("cxlens.analytics.rollup.FEW_CUSTOMERS", few)
    k = kpi(demo, tier="duckdb")
    question = {"by": ["segment"], "grain": "quarter"}
    before = _keyed(k.compute("nps", **question))
    _sql(demo, "UPDATE customers SET segment = 'enterprise' WHERE id % 9 = 0")
    _sql(demo, "DELETE FROM responses WHERE customer_id % 9 = 1")
    _sql(demo, "UPDATE customers SET segment = 'smb' WHERE id % 9 = 1")
    k.sync()
    assert_mirrored(demo, k.mirror)
    after = _keyed(k.compute("nps", **question))
    assert after != before
    assert after == _keyed(kpi(demo).compute("nps", **question))


def test_customers_copied_whole_rebuild_the_summary(demo):
    k = kpi(demo, tier="duckdb")
    _sql(demo, "UPDATE customers SET segment = 'consumer' WHERE id % 2 = 0")  # over a quarter: copied whole
    result = k.sync()
    assert "customers" in result.whole and "responses" not in result.whole
    assert_mirrored(demo, k.mirror)
    assert _keyed(k.compute("csat", by=["segment"])) == _keyed(kpi(demo).compute("csat", by=["segment"]))


def test_a_grown_summary_is_folded_without_changing_a_number(demo, monkeypatch):
    k = kpi(demo, tier="duckdb")
    for i in range(3):
        _sql(demo, "UPDATE responses SET score = (score + 1) % 11 WHERE metric = 'nps' AND id % 23 = 0")
        k.sync()
    db = k.mirror.db
    grown = db.execute(f'SELECT count(*) FROM "{SUMMARY.table}"').fetchone()[0]
    SUMMARY.fold(db, force=True)
    folded = db.execute(f'SELECT count(*) FROM "{SUMMARY.table}"').fetchone()[0]
    assert folded < grown
    assert db.execute(f'SELECT count(*) FROM "{SUMMARY.table}" WHERE weight <= 0').fetchone()[0] == 0
    assert_mirrored(demo, k.mirror)
    assert _keyed(k.compute("nps", by=["channel"], grain="quarter")) == _keyed(
        kpi(demo).compute("nps", by=["channel"], grain="quarter")
    )


@pytest.mark.parametrize(
    "older", [f'DROP TABLE "{SUMMARY.table}"', f'ALTER TABLE "{SUMMARY.table}" DROP COLUMN segment']
)
def test_a_mirror_file_from_before_this_summary_gets_it(demo, tmp_path, older):
    from cxlens.analytics.mirror import Mirror

    path = str(tmp_path / "mirror.duckdb")
    m = Mirror(demo, path)
    m.sync()
    m.db.execute(older)
    assert not SUMMARY.fits(m.db)
    m.close()
    again = Mirror(demo, path)
    assert SUMMARY.fits(again.db)
    _sql(demo, "UPDATE responses SET score = 1 WHERE id = 5")
    again.sync()
    assert_mirrored(demo, again)
    again.close()


def test_the_summary_is_far_smaller_than_the_answers(demo):
    k = kpi(demo, tier="duckdb")
    db = k.mirror.db
    answers = db.execute("SELECT count(*) FROM responses").fetchone()[0]
    summary = db.execute(f'SELECT count(*) FROM "{SUMMARY.table}"').fetchone()[0]
    # On a small demo each day has few answers per group; the ratio grows with the data.
    assert 0 < summary < answers
    day = db.execute(f'SELECT max(day) FROM "{SUMMARY.table}"').fetchone()[0]
    assert END - timedelta(days=3) <= day <= END
