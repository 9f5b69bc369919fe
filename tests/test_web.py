"""The web app: health, and the overview page (behind the login; escaped, listing journeys
and row counts)."""

from fastapi.testclient import TestClient
from test_dashboard import PASSWORD, login

from cxlens.access import create_user
from cxlens.store.schema import journeys
from cxlens.web import create_app


def overview(store) -> str:
    create_user(store, "a@example.com", PASSWORD)
    client = TestClient(create_app(store))
    login(client, "a@example.com")
    return client.get("/").text


def test_health_reports_the_schema(store):
    client = TestClient(create_app(store))
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["schema"] == store.head_revision()
    assert body["database"] == store.dialect


def test_overview_lists_journeys_touchpoints_and_counts(mapped_store):
    html = overview(mapped_store)
    assert "Get help" in html and "Support chat" in html
    assert '<td>touchpoints</td><td class="n">15</td>' in html


def test_overview_escapes_what_people_typed(store):
    with store.begin() as conn:
        conn.execute(journeys.insert().values(key="x", name="<script>alert('x')</script>", goal="a & b", position=0))
    html = overview(store)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html
    assert "a &amp; b" in html


def test_empty_store_tells_the_user_what_to_do(store):
    html = overview(store)
    assert "cxlens journeys load FILE" in html


def test_openapi_lists_the_health_endpoint(store):
    spec = TestClient(create_app(store)).get("/openapi.json").json()
    assert "/health" in spec["paths"]
