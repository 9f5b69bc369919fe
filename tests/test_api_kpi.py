"""API keys (hashed, scoped, revocable) and the REST KPI API, which answers what the library does."""

from datetime import date

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from cxlens.access import create_api_key, list_api_keys, revoke_api_key, verify_api_key
from cxlens.analytics.kpis import NAMES, kpi
from cxlens.demo import generate_demo
from cxlens.errors import AccessDenied, InputError
from cxlens.web import create_app


@pytest.fixture
def demo(mapped_store):
    generate_demo(mapped_store, customers=200, responses=1500, seed=3, end=date(2026, 6, 30))
    return mapped_store


def bearer(key):
    return {"Authorization": f"Bearer {key.secret}"}


def test_keys_are_stored_hashed_scoped_and_revocable(store):
    key = create_api_key(store, "shop backend", ["kpi:read", "events:write"])
    assert key.secret.startswith(f"cxl_{key.prefix}_") and len(key.secret) > 40
    with store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT key_hash, prefix FROM api_keys")).one()
    assert key.secret not in stored.key_hash and stored.prefix == key.prefix
    assert verify_api_key(store, key.secret, "kpi:read").name == "shop backend"
    with pytest.raises(AccessDenied, match="lacks the scope 'text:read'") as denied:
        verify_api_key(store, key.secret, "text:read")
    assert denied.value.status == 403
    with pytest.raises(AccessDenied, match="unknown API key"):
        verify_api_key(store, key.secret[:-2] + "xx", "kpi:read")
    revoke_api_key(store, key.prefix)
    with pytest.raises(AccessDenied, match="revoked") as denied:
        verify_api_key(store, key.secret, "kpi:read")
    assert denied.value.status == 401
    (listed,) = list_api_keys(store)
    assert listed.secret is None and not listed.active and listed.last_used_at is not None


def test_bad_key_requests_are_explained(store):
    with pytest.raises(InputError, match="unknown scope.*'kpi:write'"):
        create_api_key(store, "x", ["kpi:write"])
    with pytest.raises(InputError, match="at least one scope"):
        create_api_key(store, "x", [])
    with pytest.raises(InputError, match="no API key with prefix"):
        revoke_api_key(store, "nope")


def test_kpi_api_needs_a_key_with_the_scope(store):
    client = TestClient(create_app(store))
    response = client.get("/api/kpi/nps")
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    assert "cxlens apikeys create" in response.json()["detail"]
    other = create_api_key(store, "collector", ["events:write"])
    assert client.get("/api/kpi/nps", headers=bearer(other)).status_code == 403
    assert client.get("/api/kpi/nps", headers={"Authorization": "Bearer cxl_zz_nope"}).status_code == 401


def test_kpi_api_answers_what_the_library_does(demo):
    client = TestClient(create_app(demo))
    headers = bearer(create_api_key(demo, "dashboard", ["kpi:read"]))
    listed = client.get("/api/kpi", headers=headers).json()
    assert [k["name"] for k in listed] == list(NAMES)
    body = client.get(
        "/api/kpi/nps",
        params={
            "by": "touchpoint",
            "grain": "month",
            "since": "2026-01-01",
            "where": ["segment=smb", "segment=consumer"],
            "compare": "previous",
        },
        headers=headers,
    ).json()
    expected = kpi(demo).nps(
        by=["touchpoint"], grain="month", since="2026-01-01", where={"segment": ["smb", "consumer"]}, compare="previous"
    )
    assert body["by"] == ["touchpoint"] and len(body["rows"]) == len(expected.rows) > 0
    for got, want in zip(body["rows"], expected.rows):
        assert (got["touchpoint"], got["n"]) == (want["touchpoint"], want["n"])
        assert got["value"] == pytest.approx(want["value"]) and got["significant"] == want["significant"]
        assert got["period"].startswith(want["period"].date().isoformat())
    funnel = client.get("/api/kpi/funnel", params={"where": "journey=buy"}, headers=headers).json()
    assert funnel["rows"][0]["touchpoint"] == "website-visit"


def test_kpi_api_errors_name_the_problem(demo):
    client = TestClient(create_app(demo))
    headers = bearer(create_api_key(demo, "dashboard", ["kpi:read"]))
    assert client.get("/api/kpi/happiness", headers=headers).status_code == 404
    bad = client.get("/api/kpi/nps", params={"by": "agent"}, headers=headers)
    assert bad.status_code == 422 and "cannot slice by agent" in bad.json()["detail"]
    assert client.get("/api/kpi/nps", params={"where": "segment"}, headers=headers).status_code == 422
    assert client.get("/api/kpi/nps", params={"since": "yesterday"}, headers=headers).status_code == 422


def test_openapi_documents_the_kpi_api_and_its_key(store):
    spec = TestClient(create_app(store)).get("/openapi.json").json()
    assert "/api/kpi/{name}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["api_key"]["scheme"].lower() == "bearer"
    params = {p["name"] for p in spec["paths"]["/api/kpi/{name}"]["get"]["parameters"]}
    assert {"by", "grain", "since", "until", "where", "compare", "confidence"} <= params
