"""The dashboard's "significant" flags are Benjamini–Hochberg over the slices a page shows, at
alerting's q: many slices with no real change flag nothing, even where p < 0.05 alone would
have, and a real change is still flagged; each page says so in a footnote."""

from __future__ import annotations

import csv
import io
import math
import re
from datetime import UTC, datetime

import numpy as np
import pytest
from alerts_helpers import add_answers, touchpoint_ids
from fastapi.testclient import TestClient
from test_dashboard import PASSWORD, login, tile_html

import cxlens
from cxlens.access import create_user
from cxlens.alerts.settings import write_setting
from cxlens.analytics.detection import fdr_rows, target_p_value
from cxlens.web import create_app
from cxlens.web.dashboard.journeys import correct_targets, health_of

MAY, JUNE = datetime(2026, 5, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
VIEW = "grain=month&since=2026-05-01&until=2026-07-01"
# June's satisfied answers of 100 at twelve touchpoints that had 50 of 100 in May: chance
# wobble (two of them at p ≈ 0.045 alone), and one real drop to 15.
NULL_JUNE = [36, 64, 45, 55, 50, 42, 58, 47, 53, 40, 60]
REAL_DROP = 15


def csat_answers(store, tp_id: int, start: datetime, satisfied: int, n: int = 100) -> None:
    """n CSAT answers in the month from ``start``: ``satisfied`` of them 5, the rest 2."""
    add_answers(
        store,
        tp_id,
        start,
        28,
        [5] * satisfied + [2] * (n - satisfied),
        metric="csat",
        scale=(1, 5),
        rng=np.random.default_rng(satisfied),
    )


def app_client(store) -> TestClient:
    create_user(store, "admin@example.com", PASSWORD, role="admin")
    c = TestClient(create_app(store))
    assert login(c).status_code == 303
    return c


@pytest.fixture
def sliced(mapped_store):
    """Twelve touchpoints with CSAT in May and June; the last one's June really fell."""
    tps = touchpoint_ids(mapped_store)
    keys = sorted(tps)[:12]
    for key, june in zip(keys, [*NULL_JUNE, REAL_DROP]):
        csat_answers(mapped_store, tps[key], MAY, 50)
        csat_answers(mapped_store, tps[key], JUNE, june)
    return mapped_store, keys


def explorer_rows(html: str) -> dict[str, str]:
    """{touchpoint: its June row's HTML}."""
    found = {}
    for row in re.findall(r"<tr data-value=.*?</tr>", html, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if cells[1] == "Jun 2026":
            found[cells[0]] = row
    return found


def test_explorer_flags_only_what_survives_the_correction(sliced):
    store, keys = sliced
    api = (
        cxlens.kpi(store)
        .compute("csat", by=["touchpoint"], grain="month", since="2026-05-01", until="2026-07-01", compare="previous")
        .rows
    )
    june = {r["touchpoint"]: r for r in api if r["p_value"] is not None}
    assert len(june) == 12
    alone = {k for k, r in june.items() if r["significant"]}
    assert alone - {keys[-1]}, "the chance wobble should pass p < 0.05 on its own somewhere"
    html = app_client(store).get(f"/explorer?metric=csat&by=touchpoint&{VIEW}").text
    rows = explorer_rows(html)
    flagged = {k for k, row in rows.items() if 'data-significant="true"' in row}
    assert flagged == {keys[-1]}
    qs = fdr_rows(list(june.values()), 0.05)
    for r in qs:  # p and q beside each change
        assert f'{r["p_value"]:.3f}</td><td class="n">{r["q_value"]:.3f}</td>' in rows[r["touchpoint"]]
    assert "Significance: Benjamini–Hochberg across the 12 slices shown, false-discovery rate q = 0.05." in html


def test_the_download_carries_p_and_q_and_the_pages_flag(sliced):
    store, keys = sliced
    c = app_client(store)
    table = list(csv.DictReader(io.StringIO(c.get(f"/explorer.csv?metric=csat&by=touchpoint&{VIEW}").text)))
    june = [t for t in table if t["period"] == "2026-06-01"]
    assert len(june) == 12 and all(t["p_value"] and t["q_value"] for t in june)
    assert all(float(t["q_value"]) >= float(t["p_value"]) for t in june)
    assert [t["touchpoint"] for t in june if t["significant"] == "True"] == [keys[-1]]


def test_the_q_comes_from_the_alerting_setting(sliced):
    store, keys = sliced
    with store.begin() as conn:
        write_setting(conn, "alerts.q", 0.5)
    html = app_client(store).get(f"/explorer?metric=csat&by=touchpoint&{VIEW}").text
    assert "false-discovery rate q = 0.5." in html
    flagged = {k for k, row in explorer_rows(html).items() if 'data-significant="true"' in row}
    assert keys[-1] in flagged and len(flagged) > 1  # a looser q lets the wobble through


def overview_store(store, june_satisfied: int):
    """CSAT, NPS and CES in May and June at one touchpoint; only CSAT moves."""
    tp = touchpoint_ids(store)["checkout"]
    csat_answers(store, tp, MAY, 50)
    csat_answers(store, tp, JUNE, june_satisfied)
    for month in (MAY, JUNE):
        add_answers(store, tp, month, 28, [10] * 40 + [8] * 30 + [3] * 30, rng=np.random.default_rng(1))
        add_answers(store, tp, month, 28, [7] * 60 + [3] * 40, metric="ces", scale=(1, 7), rng=np.random.default_rng(2))


@pytest.mark.parametrize("june, flagged", [(36, False), (REAL_DROP, True)])
def test_overview_tiles_are_corrected_together(mapped_store, june, flagged):
    overview_store(mapped_store, june)
    api = (
        cxlens.kpi(mapped_store)
        .compute("csat", grain="month", since="2026-05-01", until="2026-07-01", compare="previous")
        .rows[-1]
    )
    assert api["significant"]  # on its own, both drops pass p < 0.05
    html = app_client(mapped_store).get(f"/?{VIEW}").text
    tile = tile_html(html, "csat")
    assert ('data-significant="true"' in tile) is flagged
    if flagged:
        assert re.search(r"significant \(worse, p &lt; 0\.001, q &lt; 0\.001\)", tile)
    assert 'data-significant="true"' not in tile_html(html, "nps")
    assert "Significance: Benjamini–Hochberg across the 3 tiles shown, false-discovery rate q = 0.05." in html


def test_journey_map_corrects_its_targets_and_says_so(sliced):
    store, _ = sliced
    html = app_client(store).get("/journeys?since=2026-05-01&until=2026-07-01").text
    m = re.search(
        r"Significance: Benjamini–Hochberg across the (\d+) touchpoint targets shown, false-discovery rate q = 0\.05\.",
        html,
    )
    assert m and int(m.group(1)) > 0
    assert ", surely" in html and re.search(r"\(p (=|&lt;) \d\.\d{3}, q (=|&lt;) \d\.\d{3}\)", html)


@pytest.mark.parametrize(
    "value, low, high, target",
    [
        (70.0, 61.0, 77.5, 80.0),
        (70.0, 61.0, 77.5, 77.4),
        (70.0, 61.0, 77.5, 77.6),
        (70.0, 61.0, 77.5, 60.9),
        (70.0, 61.0, 77.5, 61.1),
        (70.0, 61.0, 77.5, 70.0),
        (-5.0, -20.0, 9.0, 10.0),
    ],
)
def test_a_target_test_agrees_with_the_interval(value, low, high, target):
    p = target_p_value(value, low, high, target)
    assert (p < 0.05) == (low > target or high < target)
    assert target_p_value(None, None, None, target) is None
    assert target_p_value(value, -math.inf, high, target) is None


def target_row(touchpoint, value, low, high, target, status):
    return {
        "touchpoint": touchpoint,
        "metric": "csat",
        "target": target,
        "value": value,
        "low": low,
        "high": high,
        "status": status,
        "significant": value is not None and (low > target or high < target),
    }


def test_targets_missed_by_a_hair_among_many_are_not_surely_missed():
    # Eighteen touchpoints just below target with wide intervals, two whose intervals barely
    # clear it (p ≈ 0.04 alone), one far below.
    rows = [target_row(f"tp{i}", 78.0, 70.0, 86.0, 80.0, "missed") for i in range(18)]
    rows += [target_row(f"hair{i}", 70.0, 60.0, 79.5, 80.0, "missed") for i in range(2)]
    rows += [target_row("far", 50.0, 45.0, 55.0, 80.0, "missed"), target_row("none", None, None, None, 80.0, "no data")]
    corrected, tested = correct_targets(rows, 0.05)
    assert tested == 21 and rows[18]["significant"] and rows[19]["significant"]
    assert [r["touchpoint"] for r in corrected if r["fdr_significant"]] == ["far"]
    assert corrected[-1]["q_value"] is None and corrected[-1]["p_value"] is None
    assert health_of([corrected[18]]) == "warn" and health_of([corrected[20]]) == "bad"
    assert health_of([rows[18]]) == "bad"  # rows not corrected keep their own test
