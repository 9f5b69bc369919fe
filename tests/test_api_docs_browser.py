"""The API reference at /docs renders in Chromium with every request off this machine refused:
the viewer (Swagger UI) is vendored, its page has a strict CSP, and it lists the operations."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)

from cxlens.web import create_app

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "api-docs"


@pytest.fixture
def server(store, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the page does not depend on the store")
    with LiveServer(create_app(store), free_port()) as live:
        yield live


def test_docs_render_offline_and_list_the_operations(server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    offsite: list[str] = []
    problems: list[str] = []

    def only_here(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            offsite.append(route.request.url)
            route.abort()

    page.route("**/*", only_here)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    answer = page.goto(f"{server.url}/docs")
    csp = answer.headers["content-security-policy"]
    assert "script-src 'self';" in csp and "cdn" not in csp and "unsafe-eval" not in csp
    page.locator(".opblock-summary-path", has_text="/api/events").first.wait_for(
        timeout=90_000
    )  # a 1.7 MB script on a loaded machine
    paths = set(page.locator(".opblock-summary-path").all_inner_texts())
    methods = {m.lower() for m in page.locator(".opblock-summary-method").all_inner_texts()}
    assert {"/api/events", "/api/responses", "/health"} <= {p.replace("\u200b", "") for p in paths}
    assert {"get", "post"} <= methods
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "docs-offline.png"))
    # An operation opens with its request body's schema (the viewer's JavaScript works, not just paints).
    page.locator(".opblock-post .opblock-summary", has_text="/api/events").first.click()
    page.get_by_text("Request body").first.wait_for()
    assert offsite == [] and problems == [], (offsite, problems)
    assert page.goto(f"{server.url}/redoc").url == f"{server.url}/docs"
