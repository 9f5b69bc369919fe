"""An admin erases a customer from their page in Chromium at a phone's width, then reads the
audit log and the quarantine; screenshots under test-artifacts/privacy/ for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)

from cxlens.access import create_user
from cxlens.collect.guarding import quarantine
from cxlens.store import schema as s
from cxlens.web import create_app

PASSWORD = "correct horse battery"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts" / "privacy"


@pytest.fixture
def server(collection, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: the HTTP tests cover PostgreSQL")
    create_user(collection.store, "boss@example.com", PASSWORD, role="admin")
    survey = collection.catalog.by_key("relationship-nps")
    quarantine(collection.store, survey.id, "widget:1:x", {"score": 0, "answers": {}}, "no browser: no user agent")
    app = create_app(collection.store)
    app.state.collection = collection
    with LiveServer(app, free_port()) as live:
        yield live


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_an_admin_erases_a_customer_and_reads_the_audit_log(server, browser, collection):
    with collection.store.engine.connect() as conn:
        cid = conn.execute(sa.select(s.customers.c.id).where(s.customers.c.external_id == "c-fi")).scalar_one()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{server.url}/login?next=/customers/{cid}")
    page.fill("input[name=email]", "boss@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Aino &lt;Korhonen&gt;" in page.content()
    page.click("summary:has-text('Their data')")
    page.fill("input[name=confirm]", "erase")
    _shot(page, "customer-erase-phone")
    page.click("button:has-text('Erase their personal data')")
    page.wait_for_load_state("networkidle")
    assert "Korhonen" not in page.content() and f"erased-{cid}" in page.content()
    page.goto(f"{server.url}/admin/audit")
    assert "customer.erase" in page.content() and "boss@example.com" in page.content()
    _shot(page, "audit-phone")
    page.goto(f"{server.url}/admin/quarantine")
    assert "no browser: no user agent" in page.content()
    _shot(page, "quarantine-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
