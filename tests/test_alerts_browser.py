"""Alerts and Cases in a browser (Chromium through Playwright), on SQLite: a detractor's answer
through collection's write path opens a case by an ``answer`` rule; an analyst opens Cases,
the case, assigns it to herself, marks the customer contacted, adds a note and closes it with
the outcome recovered, and the timeline shows each step. The Alerts page with a firing alert,
its evidence chart drawn; both pages at phone width with nothing wider than the screen.
Screenshots go to /tmp/alertsweb-shots/ (CXLENS_SHOTS overrides) for people to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from alerts_helpers import NOW, monthly_nps, touchpoint_ids
from test_alerts_web import PASSWORD
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)
from test_cases_fixtures import load_cases_section
from test_cases_web import SETTINGS

from cxlens.access import create_user
from cxlens.alerts.evaluation import run_check
from cxlens.alerts.rules import parse_alerts, store_alerts
from cxlens.web import create_app

SHOTS = Path(os.environ.get("CXLENS_SHOTS", "/tmp/alertsweb-shots"))
RULES = """
alerts:
  rules:
    - {name: detractor, kind: answer, sources: [response], score_at_most: 3, open_case: true, priority: high}
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], grain: month}
"""
COMMENT = "Parcel came a week late <b>again</b> <script>document.title='owned'</script>"


@pytest.fixture
def server(collection, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the HTTP tests cover PostgreSQL")
    store = collection.store
    with store.engine.begin() as conn:
        store_alerts(conn, parse_alerts(yaml.safe_load(RULES)["alerts"], "journeys.yaml"))
    load_cases_section(store, SETTINGS)
    create_user(store, "lead@example.com", PASSWORD, role="analyst")
    tps = touchpoint_ids(store)
    monthly_nps(
        store,
        {k: tps[k] for k in ("checkout", "delivery", "sales-call", "first-use")},
        300,
        drop={"delivery": (0.4, 0.3)},
        seed=3,
    )
    assert len(run_check(store, now=NOW).fired) == 1
    # The detractor answers on the survey's write path; the answer rule opens the case there.
    token = collection.token(collection.invite("relationship-nps", "c-fi"))
    collection.answer(token, 2)
    collection.answer(token, 2, {"comment": COMMENT})
    with LiveServer(create_app(store), free_port()) as live:
        yield live, store


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _log_in(page, url: str, next_path: str) -> None:
    page.goto(f"{url}{next_path}")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _charts_drawn(page) -> None:
    page.wait_for_function(
        "document.querySelectorAll('[data-chart]').length === "
        "document.querySelectorAll('[data-chart][data-ready]').length",
        timeout=15000,
    )


def _fits(page) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= page.viewport_size["width"] + 1, (
        f"{page.url} is {wide}px wide on a {page.viewport_size['width']}px screen"
    )


def _timeline(page) -> list[str]:
    return page.eval_on_selector_all("#case-timeline li", "els => els.map(e => e.dataset.kind)")


def test_a_detractors_case_from_answer_to_closed_and_the_alerts_page(server, browser):
    live, store = server
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_default_timeout(120000)  # the first Overview syncs the DuckDB mirror; CI machines are busy
    _log_in(page, live.url, "/alerts")
    page.goto(f"{live.url}/")
    assert page.locator("#alerts-banner").inner_text().startswith("1 alert firing")
    _shot(page, "overview-banner-desktop")

    # Alerts: the firing alert with its evidence chart; acknowledge moves it to its tab.
    page.click("#alerts-banner a")
    page.wait_for_load_state("networkidle")
    _charts_drawn(page)
    card = page.locator("#alerts li.card").first
    assert "touchpoint = delivery" in card.inner_text() and "n = 300" in card.inner_text()
    _shot(page, "alerts-desktop")
    card.locator("a").first.click()
    page.wait_for_load_state("networkidle")
    _charts_drawn(page)
    _shot(page, "alert-desktop")
    page.click("button:text('Acknowledge')")
    page.wait_for_load_state("networkidle")
    assert "Acknowledged" in page.locator(".done").inner_text()
    assert "acknowledged" in page.locator("#history").inner_text()

    # Cases: the case the answer rule opened.
    page.click("header nav >> text=Cases")
    page.click("text=All open")
    page.wait_for_load_state("networkidle")
    assert page.locator("#cases tbody tr").count() == 1
    _shot(page, "cases-desktop")
    page.locator("#cases tbody tr a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.title() != "owned"
    assert (
        COMMENT in page.locator("#source-item").inner_text() and "NPS 2/10" in page.locator("#source-item").inner_text()
    )
    assert _timeline(page)[0] == "opened"

    page.select_option("#form-assign select[name=owner_id]", label="lead@example.com (me)")
    page.click("#form-assign button")
    page.wait_for_load_state("networkidle")
    assert "lead@example.com" in page.locator("#case-owner").inner_text()
    page.select_option("#form-contacted select[name=channel]", "phone")
    page.fill("#form-contacted input[name=note]", "Called Aino, apologised")
    page.click("#form-contacted button")
    page.wait_for_load_state("networkidle")
    assert page.locator("#case-status").get_attribute("data-status") == "in_progress"
    page.fill("#form-note textarea", "Refund of the shipping agreed <i>today</i>")
    page.click("#form-note button")
    page.wait_for_load_state("networkidle")
    _shot(page, "case-desktop")
    page.select_option("#form-close select[name=outcome]", "recovered")
    page.select_option("#form-close select[name=resolution]", "refund")
    page.select_option("#form-close select[name=root_cause]", "delivery_delay")
    page.click("#form-close button")
    page.wait_for_load_state("networkidle")
    kinds = _timeline(page)
    assert kinds[0] == "opened" and kinds[-1] == "closed"
    assert [k for k in kinds if k in ("assigned", "contacted", "note", "closed")][-4:] == [
        "assigned",
        "contacted",
        "note",
        "closed",
    ]
    text = page.locator("#case-timeline").inner_text()
    assert "to lead@example.com" in text and "by phone" in text and "Called Aino, apologised" in text
    assert "Refund of the shipping agreed <i>today</i>" in text and "outcome recovered" in text
    assert page.locator("#case-status").get_attribute("data-status") == "closed"
    _shot(page, "case-closed-desktop")

    # Phone width: the lists and the case fit the screen.
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
    phone.on("pageerror", lambda e: errors.append(str(e)))
    phone.set_default_timeout(120000)
    _log_in(phone, live.url, "/alerts?tab=acknowledged")
    _charts_drawn(phone)
    _fits(phone)
    _shot(phone, "alerts-phone")
    phone.goto(f"{live.url}/alerts/1")
    _charts_drawn(phone)
    _fits(phone)
    _shot(phone, "alert-phone")
    phone.goto(f"{live.url}/cases?view=closed")
    _fits(phone)
    _shot(phone, "cases-phone")
    phone.locator("#cases tbody tr a").first.click()
    phone.wait_for_load_state("networkidle")
    _fits(phone)
    _shot(phone, "case-phone")
    assert not errors, errors
