"""Every dashboard page, and the survey page, on a phone: Chromium (Playwright) at 390 × 844 against
uvicorn on 127.0.0.1. Nothing may stick out of the page sideways (a wide table scrolls inside its
own box), and no page asks for a hover, which a touch screen cannot do."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)

from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.demo.alerting import evaluate_demo
from cxlens.store.schema import alerts, cases, customers
from cxlens.web import create_app

PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "phone"
PAGES = [
    "/",
    "/journeys",
    "/touchpoints/support-chat",
    "/support",
    "/support?split=channel",
    "/churn",
    "/feedback",
    "/words",
    "/surveys",
    "/customers",
    "/explorer?metric=nps&by=touchpoint",
    "/alerts",
    "/cases",
    "/admin/users",
    "/admin/audit",
]


@pytest.fixture
def demo_server(mapped_store, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: layout does not depend on the database")
    # History up to today, so that the demo's alert rules fire and the Alerts pages have alerts.
    generate_demo(mapped_store, customers=300, responses=3000, seed=3)
    evaluate_demo(mapped_store)
    create_user(mapped_store, "lead@example.com", PASSWORD, role="admin")
    with LiveServer(create_app(mapped_store), free_port()) as server:
        yield server, mapped_store


def _first_id(store, table) -> int | None:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.min(table.c.id))).scalar()


def _fits(page, path: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    body = page.evaluate("document.body.scrollWidth")
    assert width <= PHONE["width"] and body <= PHONE["width"], f"{path}: {width} px wide at {PHONE['width']} px"
    text = page.locator("body").inner_text().lower()
    assert "hover" not in text, f"{path} asks for a hover"


def test_every_page_fits_a_phone(demo_server, browser):
    server, store = demo_server
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{server.url}/login?next=/")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    details = [
        f"/customers/{_first_id(store, customers)}",
        f"/alerts/{_first_id(store, alerts)}",
        f"/cases/{_first_id(store, cases)}",
    ]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for path in PAGES + details:
        response = page.goto(f"{server.url}{path}")
        assert response.status == 200, f"{path}: {response.status}"
        page.wait_for_load_state("networkidle")
        _fits(page, path)
        name = path.strip("/").split("?")[0].replace("/", "-") or "overview"
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    # The survey a customer answers, in English and in Finnish.
    for lang in ("en", "fi"):
        path = f"/s/open/relationship-nps?lang={lang}"
        assert page.goto(f"{server.url}{path}").status == 200
        page.wait_for_load_state("networkidle")
        _fits(page, path)
        page.screenshot(path=str(ARTIFACTS / f"survey-{lang}.png"), full_page=True)


def test_the_support_page_shows_each_interval_without_a_hover(demo_server, browser):
    server, _ = demo_server
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{server.url}/login?next=/support")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{server.url}/support")
    cell = page.locator("table.support td[data-value]").first
    intervals = cell.locator(".cell-interval")
    assert intervals.last.is_visible() and intervals.last.inner_text().startswith("n = ")
    # On a phone each row is a card whose cells name their KPI.
    label = cell.evaluate("c => getComputedStyle(c, '::before').content")
    assert label.strip('"') == cell.get_attribute("data-label") and label.strip('"')
    box = page.locator("table.support").bounding_box()
    assert box["x"] + box["width"] <= PHONE["width"]
