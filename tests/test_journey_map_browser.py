"""The journey map and the pages it leads to, in Debian's Chromium (Playwright) against uvicorn
on 127.0.0.1, read as a person reads them: a stage's touchpoints are alternatives whose shares
add up and whose bars are the customers the page states; targets without data are grey and say
why; the Team filter finds the helpdesk's tickets; a Finnish survey page is Finnish throughout."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)

from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.web import create_app

PASSWORD = "correct horse battery"
VIEW = "since=2025-07-01&until=2026-06-01"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "journeys"


@pytest.fixture
def demo_server(mapped_store, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the HTTP tests cover PostgreSQL")
    generate_demo(mapped_store, customers=300, responses=3000, seed=3, end=date(2026, 6, 30))
    create_user(mapped_store, "lead@example.com", PASSWORD, role="analyst")
    with LiveServer(create_app(mapped_store), free_port()) as server:
        yield server, mapped_store


def _log_in(page, url: str, next_path: str):
    page.goto(f"{url}{next_path}")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _shot(page, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_the_funnel_of_a_stage_of_alternatives_adds_up(demo_server, browser):
    server, _ = demo_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, server.url, f"/journeys?{VIEW}")
    ask = page.locator('li.stage[data-stage="ask"]')
    reached = int(ask.locator(":scope > .conversion").get_attribute("data-reached"))
    assert reached > 0
    shares = [float(s.get_attribute("data-share")) for s in ask.locator(".share").all()]
    firsts = [int(s.get_attribute("data-first-here")) for s in ask.locator(".share").all()]
    assert len(shares) == 3 and sum(shares) == pytest.approx(100, abs=0.01) and sum(firsts) == reached
    for key in ("support-chat", "support-email", "support-phone"):
        tp = page.locator(f'li[data-touchpoint="{key}"]')
        answers = int(float(tp.locator(".responses").get_attribute("data-responses")))
        customers = int(tp.locator("[data-customers]").get_attribute("data-customers"))
        assert answers > 0 and customers > 0  # answered about, so reached
    # Each journey's bars are the customers each stage says reached it.
    for journey in page.locator("section.journey-map").all():
        spec = json.loads(journey.locator('figure[data-chart] script[type="application/json"]').inner_text())
        bars = [v["reached"] for v in sorted(spec["data"]["values"], key=lambda v: v["step"])]
        stated = [int(p.get_attribute("data-reached")) for p in journey.locator(".conversion").all()]
        assert bars == stated
    # Evaluate is optional: Purchase is measured from Discover, not from the sales call.
    purchase = page.locator('li[data-touchpoint="checkout"] .conversion').inner_text()
    assert re.search(r"% of the [\d,]+ at Discover went on", purchase), purchase
    assert "optional" in page.locator('li.stage[data-stage="evaluate"] h3').inner_text()
    _shot(page, "journey-map")


def test_targets_without_data_are_grey_and_say_why_and_outcomes_are_measured(demo_server, browser):
    server, _ = demo_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, server.url, f"/journeys?{VIEW}")
    help_center = page.locator('li[data-touchpoint="help-center"]')
    assert "health-unknown" in help_center.get_attribute("class")  # its one target has no data
    why = help_center.locator(".targets .why")
    assert why.get_attribute("data-why") and "no answers about this touchpoint" in why.inner_text()
    assert page.locator('.targets li[class^="status-not-"]').count() == 0  # every target is measured or has no data
    churn = page.locator('li[data-touchpoint="renewal-notice"] .targets li').first
    assert re.search(r"Churn rate: [\d.]+ % vs target 5(\.0)? %", churn.inner_text()), churn.inner_text()
    chat = page.locator('li[data-touchpoint="support-chat"] .targets').inner_text()
    assert "First response time (median)" in chat
    # The touchpoint's page shows the same statistic next to the same target.
    page.goto(f"{server.url}/touchpoints/support-chat?{VIEW}")
    section = page.locator('section[data-metric="first_response_median"]')
    assert "target 2.0 min" in section.locator(".figure").inner_text()
    assert page.locator('section[data-metric="first_response_time"]').count() == 0
    _shot(page, "support-chat")


def test_choosing_a_journey_team_on_the_support_page_finds_its_helpdesk_teams_tickets(demo_server, browser):
    import sqlalchemy as sa

    from cxlens.store import schema

    server, store = demo_server
    t = schema.tickets.c
    with store.engine.connect() as conn:
        expected = conn.execute(
            sa.select(sa.func.count()).where(
                t.team.in_(["support-tier1", "support-tier2"]),
                t.created_at >= sa.literal(date(2025, 7, 1)),
                t.created_at < sa.literal(date(2026, 6, 1)),
            )
        ).scalar_one()
    assert expected > 0
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, server.url, f"/support?{VIEW}")
    team = page.locator("form.filters select[name=team]")
    offered = [o for o in team.locator("option").all_inner_texts() if o != "all"]
    # Teams with data, as the journeys name them: the helpdesk's tiers are inside "support".
    assert "support" in offered and "billing" in offered
    assert "support-tier1" not in offered and "support-tier2" not in offered
    team.select_option("support")
    page.wait_for_url(re.compile(r"team=support"))
    page.wait_for_load_state("networkidle")
    volume = page.locator('article.tile[data-metric="ticket_volume"] .figure')
    assert volume.count() == 1, page.locator("main").inner_text()[:500]
    assert float(volume.get_attribute("data-value")) == expected
    assert "No tickets in this view" not in page.locator("main").inner_text()
    split = {r.locator("td").first.inner_text() for r in page.locator("table.support tbody tr").all()}
    assert split == {"support-tier1", "support-tier2"}
    _shot(page, "support-team")
