"""The Customers page in Chromium: the customers at risk, most CLV at stake first, filtered by
segment and owner; one customer's churn risk with its reasons, P(alive), predicted CLV with its
interval, persona and RFM code; a name typed as markup stays text; nothing is cut off at 390 px.
Screenshots go to test-artifacts/dashboard/ for a person to look at."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from test_browser import CHROMIUM, LiveServer, free_port  # noqa: F401  (skips without chromium)
from test_dashboard_browser import ARTIFACTS, PASSWORD, _log_in

from cxlens.access import create_user
from cxlens.demo import generate_demo
from cxlens.predict.recompute import recompute
from cxlens.predict.stored import customers_at_risk
from cxlens.store import schema as s
from cxlens.web import create_app

EVIL = "<script>document.title='owned'</script> Ada"
NOW = datetime(2026, 6, 30, tzinfo=UTC)


@pytest.fixture
def server(mapped_store, backend):
    if backend != "sqlite":
        pytest.skip("one browser run is enough: customers_at_risk is checked on every backend below")
    store = _predicted(mapped_store)
    create_user(store, "lead@example.com", PASSWORD, role="analyst")
    with LiveServer(create_app(store), free_port()) as live:
        yield live, store


def _predicted(store):
    generate_demo(store, customers=300, responses=2500, seed=3, end=date(2026, 6, 30))
    report = recompute(store, now=NOW, bootstrap=5)
    assert {"clv", "churn", "rfm"} <= set(report.versions), report.errors
    top = customers_at_risk(store)["customers"][0]
    owner = create_user(store, "owner@example.com", PASSWORD, role="analyst", name="Olga Owner")
    with store.begin() as conn:
        conn.execute(s.customers.update().where(s.customers.c.id == top["id"]).values(name=EVIL))
        conn.execute(
            s.cases.insert().values(
                customer_id=top["id"], owner_id=owner.id, title="call them", status="open", created_at=NOW
            )
        )
    return store


def test_customers_at_risk_are_sorted_by_value_at_stake_and_filtered(mapped_store):
    store = _predicted(mapped_store)
    found = customers_at_risk(store, limit=1000)
    stakes = [c["clv_at_stake"] for c in found["customers"]]
    assert found["n"] > 10 and stakes == sorted(stakes, reverse=True) and found["model"]
    owned = customers_at_risk(store, owner_id=_owner_id(store))
    assert owned["n"] == 1 and owned["customers"][0]["name"] == EVIL and owned["customers"][0]["owner"] == "Olga Owner"
    segment = found["customers"][0]["segment"]
    assert {c["segment"] for c in customers_at_risk(store, segment=segment, limit=1000)["customers"]} == {segment}


def _owner_id(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(s.users.c.id).where(s.users.c.email == "owner@example.com")).scalar_one()


def test_the_customers_page_in_a_browser(server, browser):
    live, store = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(page, live.url, "/customers")
    rows = page.locator("table.at-risk tbody tr")
    assert rows.count() > 10
    assert EVIL in rows.first.inner_text() and page.title() != "owned"  # the markup stays text
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "customers-at-risk.png"), full_page=True)

    page.select_option("select[name=owner]", label="Olga Owner")
    page.wait_for_function("document.querySelectorAll('table.at-risk tbody tr').length === 1")
    assert "owner=" in page.url

    page.locator("table.at-risk a").first.click()
    page.wait_for_url(re.compile(r"/customers/\d+"))
    predicted = page.locator("section.predictions").inner_text()
    for words in ("Churn risk", "in 30 days", "in 90 days", "P(alive)", "Predicted CLV", "95 %", "Persona", "RFM"):
        assert words in predicted, words
    assert page.locator("ul.factors li").count() >= 1
    page.screenshot(path=str(ARTIFACTS / "customer-predictions.png"), full_page=True)

    phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    _log_in(phone, live.url, "/customers")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(ARTIFACTS / "customers-phone.png"), full_page=True)
    phone.locator("table.at-risk a").first.click()
    phone.wait_for_url(re.compile(r"/customers/\d+"))
    phone.screenshot(path=str(ARTIFACTS / "customer-predictions-phone.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390 + 1
    phone.screenshot(path=str(ARTIFACTS / "customer-predictions-phone.png"), full_page=True)
