"""The dashboard's live parts and accessibility in Debian's Chromium (Playwright) against uvicorn
on 127.0.0.1: new feedback appears on the open Feedback page without a reload and stays text;
every page has labelled controls, table headers with scope, a skip link and one h1; the keyboard
reaches the Overview's filters and tiles with a visible focus; user management works on a phone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)
from test_dashboard_live import PASSWORD, _comment, _live_view

from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.web import create_app, dashboard

EVIL = "<script>document.title='owned'</script> the app froze again"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "dashboard"


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def server(mapped_store, backend, monkeypatch):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the HTTP tests cover PostgreSQL")
    monkeypatch.setattr(dashboard.feedback, "FEEDBACK_POLL_SECONDS", 1)
    generate_demo(mapped_store, customers=120, responses=800, seed=5, end=date(2026, 6, 30))
    create_user(mapped_store, "lead@example.com", PASSWORD, role="admin")
    with LiveServer(create_app(mapped_store), free_port()) as live:
        yield live, mapped_store


def _log_in(page, url: str, next_path: str):
    page.goto(f"{url}{next_path}")
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_new_feedback_appears_without_a_reload_and_stays_text(server, browser):
    live, store = server
    _comment(store, "what came in yesterday", datetime.now(UTC) - timedelta(days=1))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    _log_in(page, live.url, f"/feedback?{_live_view()}")
    page.evaluate("window.__sameDocument = true")  # gone if the page reloaded
    before = page.locator("#feedback-items li.item").count()
    first_id = page.locator("#feedback-items li.item").first.get_attribute("id") if before else None

    new_id = _comment(store, EVIL, datetime.now(UTC))
    page.wait_for_selector(f"#fb-response-{new_id}", timeout=15000)
    assert page.locator("#feedback-items li.item").first.get_attribute("id") == f"fb-response-{new_id}"
    assert page.locator(f"#fb-response-{new_id} blockquote p").inner_text() == EVIL
    assert page.title() != "owned" and page.evaluate("window.__sameDocument") is True
    assert page.locator("#feedback-items li.item").count() == before + 1
    assert first_id
    assert page.locator("#feedback-items li.item").nth(1).get_attribute("id") == first_id
    page.wait_for_timeout(2500)  # a few more polls: the item is not added twice
    assert page.locator(f"#fb-response-{new_id}").count() == 1
    assert page.locator("#feedback-items li.item").count() == before + 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "feedback-live.png"), full_page=False)
    assert errors == []


def test_a_search_that_excludes_new_feedback_does_not_show_it(server, browser):
    live, store = server
    page = browser.new_page()
    _log_in(page, live.url, f"/feedback?{_live_view()}&q=zzunlikelyword")
    assert page.locator("#feedback-empty").count() == 1
    other = _comment(store, "something else entirely", datetime.now(UTC))
    wanted = _comment(store, "zzunlikelyword arrived", datetime.now(UTC))
    page.wait_for_selector(f"#fb-response-{wanted}", timeout=15000)
    assert page.locator(f"#fb-response-{other}").count() == 0
    assert page.locator("#feedback-empty").count() == 0  # "nothing matches" went away


# --- accessibility ----------------------------------------------------------------------------------

UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea, button')]
  .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby')
               && !(e.tagName === 'BUTTON' && e.textContent.trim()))
  .map(e => e.outerHTML.slice(0, 80))"""
HEADERS_WITHOUT_SCOPE = "() => [...document.querySelectorAll('th:not([scope])')].map(e => e.outerHTML.slice(0, 80))"


def test_every_page_has_labelled_controls_scoped_headers_and_a_skip_link(server, browser):
    live, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    view = "since=2025-07-01&until=2026-06-01"
    _log_in(page, live.url, f"/?{view}")
    for path in (
        "/",
        "/journeys",
        "/touchpoints/support-chat",
        "/explorer",
        "/support",
        "/churn",
        "/feedback",
        "/surveys",
        "/customers",
        "/admin/users",
    ):
        page.goto(f"{live.url}{path}?{view}")
        page.wait_for_load_state("networkidle")
        assert page.evaluate(UNLABELLED) == [], path
        assert page.evaluate(HEADERS_WITHOUT_SCOPE) == [], path
        assert page.locator("a.skip[href='#content']").count() == 1 and page.locator("main#content").count() == 1, path
        assert page.locator("h1").count() == 1, path
    page.goto(f"{live.url}/?{view}")
    assert page.locator("#tiles[aria-live=polite]").count() == 1
    page.goto(f"{live.url}/feedback?{_live_view()}")
    assert page.locator("#feedback-items[aria-live=polite]").count() == 1


def test_the_keyboard_reaches_the_overviews_filters_and_tiles_with_visible_focus(server, browser):
    live, _ = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live.url, "/?since=2025-07-01&until=2026-06-01")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).left") != "-999px"  # shown when focused
    page.keyboard.press("Enter")
    reached: list[dict] = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName, name: e.name || '', href: e.getAttribute('href') || '',
                    tile: !!e.closest('article.tile'), outline: s.outlineStyle !== 'none' && s.outlineWidth !== '0px'}; }""")
        )
    names = [r["name"] for r in reached]
    for control in ("grain", "since", "until", "journey", "segment", "channel", "team"):
        assert control in names, control
    tile_links = [r["href"] for r in reached if r["tile"]]
    assert len(tile_links) == len(dashboard.TILES) and all(h.startswith("/explorer?") for h in tile_links)
    assert names.index("team") < reached.index(next(r for r in reached if r["tile"]))  # filters first, then tiles
    assert all(r["outline"] for r in reached if r["tag"] in ("A", "SELECT", "INPUT", "BUTTON", "SUMMARY")), [
        r for r in reached if not r["outline"]
    ][:3]


def test_user_management_in_a_phone_browser(server, browser):
    live, store = server
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    _log_in(phone, live.url, "/admin/users")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.fill("#new-email", "ann@example.com")
    phone.fill("#new-name", "<img src=x onerror=alert(1)>Ann")
    phone.select_option("#new-role", "analyst")
    phone.fill("#new-password", "a long enough password")
    phone.click("text=Add user")
    phone.wait_for_url(re.compile(r"done=created"))
    row = phone.locator('tr[data-email="ann@example.com"]')
    assert row.locator("td[data-label=name]").inner_text() == "<img src=x onerror=alert(1)>Ann"
    assert phone.locator("[role=status]").inner_text().startswith("User ann@example.com created as analyst")
    row.locator("summary").click()
    row.locator("button", has_text="Deactivate").click()
    phone.wait_for_url(re.compile(r"done=deactivated"))
    assert phone.locator('tr[data-email="ann@example.com"] td.status').inner_text() == "deactivated"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "admin-users-phone.png"), full_page=True)
