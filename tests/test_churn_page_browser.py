"""The Churn page in Debian's Chromium (Playwright) against uvicorn on 127.0.0.1: it says by a test
that the demo's churn is rising (with n, the interval and p), shows the reasons per month with
their counts, and shows the churn risk model's stored backtest against the segment-only baseline
(or, before one is stored, how to compute it)."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)

from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.web import create_app

PASSWORD = "correct horse battery"
VIEW = "since=2025-07-01&until=2026-07-01"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "churn"


@pytest.fixture
def demo_server(mapped_store, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the reads below are the same SQLAlchemy on PostgreSQL")
    generate_demo(mapped_store, customers=3000, responses=2000, seed=7, end=date(2026, 6, 30))
    create_user(mapped_store, "lead@example.com", PASSWORD, role="analyst")
    with LiveServer(create_app(mapped_store), free_port()) as server:
        yield server, mapped_store


def _log_in(page, url: str, next_path: str):
    page.goto(f"{url}{next_path}")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _store_churn_model(store):
    """What `cxlens predict churn` stores: the model, its backtest and every customer's risk."""
    from datetime import UTC, datetime, timedelta

    from cxlens import kpi
    from cxlens.predict import churn
    from cxlens.predict.churn_backtest import backtest
    from cxlens.predict.stored import save_predictions

    at = datetime(2026, 6, 30, tzinfo=UTC)
    k = kpi(store)
    model = churn.fit_churn(k, at=at)
    model.backtest = backtest(k, cutoff=at - timedelta(days=90), horizon=90)
    scored = churn.predict_churn(model, k, at=at)
    rows = [(cid, r) for cid, r in scored.drop(columns=["model"]).to_dict(orient="index").items()]
    save_predictions(store, "churn", version=model.version, summary=model.summary(), rows=rows, fitted_at=at)
    return model.backtest


def test_the_churn_page_says_churn_is_rising_and_shows_reasons_and_the_backtest(demo_server, browser):
    server, store = demo_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, server.url, f"/churn?{VIEW}")
    trend = page.locator(".trend-test")
    assert trend.get_attribute("data-direction") == "rising"
    text = trend.inner_text()
    assert text.startswith("Churn is rising.")
    assert re.search(r"95 % CI (\d\.\d{3}) to (\d\.\d{3})", text), text
    low, high = map(float, re.search(r"95 % CI (\d\.\d{3}) to (\d\.\d{3})", text).groups())
    assert 1 < low < high and float(trend.get_attribute("data-p")) < 0.05
    assert re.search(r"n = [\d,]+ customer-months, [\d,]+ churned", text), text
    assert re.search(r"It was [\d.]+ % in Jul 2025 and [\d.]+ % in Jun 2026", text), text

    # Reasons per month: a column per month, counts that add up to each reason's total.
    table = page.locator("table.reasons-over-time")
    months = table.locator("thead th").all_inner_texts()[1:-1]
    assert len(months) >= 6
    for row in table.locator("tbody tr").all():
        counts = [int(c.replace(",", "")) for c in row.locator("td").all_inner_texts()]
        assert sum(counts[:-1]) == counts[-1]
    reason_total = sum(int(r.locator("td").last.inner_text().replace(",", "")) for r in table.locator("tbody tr").all())
    listed = sum(int(n.replace(",", "")) for n in page.locator("table.reasons td.n").all_inner_texts())
    assert reason_total == listed
    assert page.locator(".reason-shift").inner_text()  # the mix changed, or no clear change, with its test

    # No model stored yet: the page says how to get one.
    risk = page.locator("#risk-model")
    assert "cxlens predict churn" in risk.inner_text()

    stored = _store_churn_model(store)
    page.reload()
    page.wait_for_load_state("networkidle")
    risk = page.locator("#risk-model")
    cells = risk.locator("table.backtest tbody tr").first.locator("td").all_inner_texts()
    assert [float(c) for c in cells] == [
        pytest.approx(stored["risk_model"]["c_index"], abs=5e-4),
        pytest.approx(stored["segment_baseline"]["c_index"], abs=5e-4),
    ]
    brier = [float(c) for c in risk.locator("table.backtest tbody tr").nth(1).locator("td").all_inner_texts()]
    assert brier[0] == pytest.approx(stored["risk_model"]["brier"], abs=5e-5)
    assert f"{stored['test_customers']:,} customers" in risk.inner_text()
    risk.locator("details.calibration summary").click()
    calibration = risk.locator("details.calibration tbody tr")
    assert calibration.count() == len(stored["risk_model"]["calibration"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "churn.png"), full_page=True)
