"""The dashboard in Debian's Chromium (Playwright) against uvicorn on 127.0.0.1: log in, open
every page, apply a filter, compare shown numbers with the KPI API, open a shared URL, check a
`<script>` comment stays text, and save a screenshot of each page (desktop and phone widths)
under test-artifacts/dashboard/ for a person to look at."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)

import cxlens
from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.store.schema import responses, touchpoints
from cxlens.web import create_app
from cxlens.web.dashboard import TILES, Filters, format_value, tile_query

PASSWORD = "correct horse battery"
VIEW = "since=2025-07-01&until=2026-06-01"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "dashboard"
EVIL = "<script>document.title='owned'</script> slow chat"


@pytest.fixture
def demo_server(mapped_store, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the HTTP tests cover PostgreSQL")
    generate_demo(mapped_store, customers=300, responses=3000, seed=3, end=date(2026, 6, 30))
    with mapped_store.begin() as conn:
        tp = conn.execute(touchpoints.select().where(touchpoints.c.key == "support-chat")).one()
        conn.execute(
            responses.insert().values(
                touchpoint_id=tp.id,
                channel="chat",
                metric="csat",
                score=1,
                scale_min=1,
                scale_max=5,
                submitted_at=datetime(2026, 5, 30, 12, tzinfo=UTC),
                comment=EVIL,
            )
        )
    create_user(mapped_store, "lead@example.com", PASSWORD, role="analyst")
    with LiveServer(create_app(mapped_store), free_port()) as server:
        yield server, mapped_store


def _log_in(page, url: str, next_path: str = "/"):
    page.goto(f"{url}{next_path}")
    assert "/login" in page.url
    page.fill("input[name=email]", "lead@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def _charts_drawn(page):
    page.wait_for_function(
        "document.querySelectorAll('[data-chart]').length === "
        "document.querySelectorAll('[data-chart][data-ready]').length",
        timeout=15000,
    )


def _shot(page, name: str):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_every_page_in_a_browser(demo_server, browser):
    server, store = demo_server
    errors: list[str] = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _log_in(page, server.url, f"/?{VIEW}")
    assert page.url.endswith(f"/?{VIEW}")

    # Overview: each tile equals the KPI API for the same filter.
    _charts_drawn(page)
    k = cxlens.kpi(store)
    filters = Filters(grain="month", since=date(2025, 7, 1), until=date(2026, 6, 1))
    for metric in TILES:
        latest = max(
            (r for r in k.compute(metric, **tile_query(metric, filters)).rows if r["value"] is not None),
            key=lambda r: r["period"],
        )
        shown = page.locator(f'article[data-metric="{metric}"] .figure .value').inner_text()
        assert shown == format_value(metric, latest["value"]), metric
    assert page.locator("svg").count() >= len(TILES)  # sparklines drawn by vega-embed
    _shot(page, "overview")

    # A filter: HTMX swaps the content and the URL changes, so the view can be shared.
    page.select_option('select[name="segment"]', "smb")
    page.wait_for_url(re.compile(r"segment=smb"))
    page.wait_for_load_state("networkidle")
    _charts_drawn(page)
    smb = filters.__class__(grain="month", since=filters.since, until=filters.until, segment="smb")
    latest = k.compute("csat", **tile_query("csat", smb)).rows[-1]
    assert page.locator('article[data-metric="csat"] .figure .value').inner_text() == format_value(
        "csat", latest["value"]
    )
    shared = page.url

    # The shared URL opens the same view in a fresh context (after its own login).
    other = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(other, server.url, shared.removeprefix(server.url))
    assert other.url == shared
    assert other.locator('article[data-metric="csat"] .figure .value').inner_text() == format_value(
        "csat", latest["value"]
    )
    other.close()

    # Journey map: coloured touchpoints, response counts, funnel; click through to a touchpoint.
    page.goto(f"{server.url}/journeys?{VIEW}")
    _charts_drawn(page)
    counts = {
        r["touchpoint"]: r["value"]
        for r in k.compute("response_count", by=["touchpoint"], since="2025-07-01", until="2026-06-01").rows
    }
    chat = page.locator('li[data-touchpoint="support-chat"]')
    assert chat.locator(".responses").get_attribute("data-responses") == str(counts["support-chat"])
    _shot(page, "journeys")
    chat.locator("a").first.click()
    page.wait_for_url(re.compile(r"/touchpoints/support-chat\?"))
    _charts_drawn(page)

    # Touchpoint: the comment with a <script> stays text and never runs.
    assert page.get_by_text(EVIL).count() == 1
    assert page.title() != "owned"
    _shot(page, "touchpoint")

    # Explorer: the table equals the KPI API; the CSV downloads.
    page.goto(f"{server.url}/explorer?metric=csat&by=channel&trend=0&{VIEW}")
    _charts_drawn(page)
    rows = k.compute("csat", by=["channel"], since="2025-07-01", until="2026-06-01").rows
    cells = page.locator("table.explorer tbody tr td:nth-child(2)").all_inner_texts()
    assert cells == [format_value("csat", r["value"]) for r in rows]
    with page.expect_download() as download:
        page.click("text=Download CSV")
    assert download.value.suggested_filename.startswith("cxlens-csat-by-channel")
    _shot(page, "explorer")

    # Support and Churn & retention: every chart drawn.
    for name in ("support", "churn"):
        page.goto(f"{server.url}/{name}?{VIEW}")
        _charts_drawn(page)
        assert page.locator("[data-chart] svg").count() == page.locator("[data-chart]").count() > 0
        _shot(page, name)

    # Feedback: searching narrows the stream as one types; the <script> comment is text there too.
    page.goto(f"{server.url}/feedback?{VIEW}")
    page.fill('input[name="q"]', "slow chat")
    page.wait_for_url(re.compile(r"q=slow(\+|%20)chat"))
    page.wait_for_load_state("networkidle")
    assert page.locator("li.item").count() == 1 and page.get_by_text(EVIL).count() == 1
    assert page.title() != "owned"
    _shot(page, "feedback")
    page.goto(f"{server.url}/surveys?{VIEW}")
    assert page.locator("section[data-survey]").count() > 0
    _shot(page, "surveys")
    page.goto(f"{server.url}/customers")
    page.fill('input[name="q"]', "a")
    page.wait_for_url(re.compile(r"q=a"))
    page.locator("table.customers a").first.click()
    page.wait_for_url(re.compile(r"/customers/\d+"))
    assert page.locator("ol.timeline li").count() > 0
    _shot(page, "customer")

    # Phone width: the overview still reads (no horizontal scrolling of the page).
    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    _log_in(phone, server.url, f"/?{VIEW}")
    _charts_drawn(phone)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    _shot(phone, "overview-phone")
    phone.close()

    # Log out: the next page asks for a login again.
    page.click("text=Log out")
    page.wait_for_url(re.compile(r"/login"))
    page.goto(f"{server.url}/?{VIEW}")
    assert "/login" in page.url
    assert errors == []


def test_pages_read_without_javascript(demo_server, browser):
    server, store = demo_server
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    _log_in(page, server.url, f"/?{VIEW}")
    assert page.locator('article[data-metric="nps"] .figure .value').inner_text().strip()
    page.select_option('select[name="grain"]', "quarter")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"grain=quarter"))
    assert "Q" in page.locator('article[data-metric="nps"] .period').inner_text()
    context.close()


def test_the_keyboard_reaches_the_content_and_the_filters(demo_server, browser):
    server, _ = demo_server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, server.url, f"/explorer?{VIEW}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # the first control of the view: the KPI picker
    assert page.evaluate("document.activeElement.name") == "metric"
    page.keyboard.press("ArrowDown")  # a select changes with the arrows; HTMX loads the new view
    page.wait_for_url(re.compile(r"metric=(?!nps)"))
    page.wait_for_load_state("networkidle")
    assert page.locator("table.explorer").count() == 1 or page.locator(".empty").count() == 1
