"""Bad input gets a 4xx naming the field, never a 500: the bodies a fuzzer found 500s with,
idempotency keys under concurrency, the limits every path shares, empty KPI windows, and the
security headers every response carries."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from conftest import count
from test_collect_fixtures import widget_form

from cxlens.access import SCOPES, create_api_key
from cxlens.limits import MAX_COMMENT_CHARS


@pytest.fixture
def auth(collection):
    key = create_api_key(collection.store, "everything", list(SCOPES))
    return {"Authorization": f"Bearer {key.secret}"}


EVENT = {"customer": "c-fi", "touchpoint": "support-chat", "occurred_at": "2026-03-02T10:00:00Z"}
RESPONSE = {"external_id": "r-1", "survey": "support-csat", "submitted_at": "2026-03-02T10:00:00Z", "score": 4}
JSON = {"content-type": "application/json"}


def _fields(answer) -> set[tuple]:
    return {(p["index"], p["field"]) for p in answer.json()["detail"]}


def test_malformed_bodies_get_422_naming_the_field(client, auth, collection):
    missing = client.post("/api/responses", json={"survey": "support-csat"}, headers=auth)
    assert missing.status_code == 422 and "submitted_at" in missing.text
    surrogate = b'{"external_id":"r","survey":"support-csat","submitted_at":"2026-03-02T10:00:00Z","comment":"\\ud800"}'
    answer = client.post("/api/responses", content=surrogate, headers=auth | JSON)
    assert answer.status_code == 422 and _fields(answer) == {(None, "comment")} and "surrogate" in answer.text
    for shape in (["support-chat"], {"key": "support-chat"}):
        answer = client.post("/api/events", json=EVENT | {"touchpoint": shape}, headers=auth)
        assert answer.status_code == 422 and _fields(answer) == {(0, "touchpoint")}
    nan = client.post("/api/events", content=b'[{"customer": NaN}]', headers=auth | JSON)
    assert nan.status_code == 422 and _fields(nan) == {(0, "customer")} and nan.json()["detail"][0]["value"] == "NaN"
    case_nan = client.post("/api/cases", content=b'{"title": "x", "customer_id": NaN}', headers=auth | JSON)
    assert case_nan.status_code == 422 and _fields(case_nan) == {(None, "customer_id")}
    for body in (b"[" * 100_000 + b"]" * 100_000, b'{"properties":' + b'{"a":' * 40 + b"1" + b"}" * 41):
        deep = client.post("/api/events", content=body, headers=auth | JSON)
        assert deep.status_code == 422 and "nested deeper" in deep.text
    nul = client.post("/api/events", json=[EVENT | {"channel": "chat\x00"}], headers=auth)
    assert nul.status_code == 422 and _fields(nul) == {(0, "channel")}
    long_channel = client.post("/api/events", json=EVENT | {"channel": "c" * 51}, headers=auth)
    assert long_channel.status_code == 422 and _fields(long_channel) == {(0, "channel")}
    huge_id = client.post("/api/alerts/99999999999999999999/ack", headers=auth)
    assert huge_id.status_code == 422 and _fields(huge_id) == {(None, "alert_id")}
    no_such_alert = client.post("/api/cases", json={"title": "x", "alert_id": 303}, headers=auth)
    assert no_such_alert.status_code == 422 and "alert_id" in no_such_alert.text
    assert count(collection.store, "events") == 0 and count(collection.store, "responses") == 0


def test_nul_from_the_survey_form_is_refused_by_field(client, collection):
    page = client.get("/s/open/support-csat")
    token = page.text.split('name="form" value="')[1].split('"')[0]
    collection.clock.advance(seconds=5)
    answer = client.post(
        "/s/open/support-csat", data={"form": token, "score": "4", "step": "2", "q.comment": "bad\x00text"}
    )
    assert answer.status_code == 422 and "NUL" in answer.text
    assert count(collection.store, "responses") == 0


def test_the_comment_limit_is_the_same_on_every_path(client, auth, collection):
    too_long = "x" * (MAX_COMMENT_CHARS + 1)
    api = client.post("/api/responses", json=RESPONSE | {"comment": too_long}, headers=auth)
    assert api.status_code == 422 and _fields(api) == {(0, "comment")}
    origin = {"origin": "http://127.0.0.1:5555"}
    form = widget_form(client, collection)
    first = client.post(
        "/w/relationship-nps/responses", json={"id": "abcdefgh12", "score": 9, "form": form}, headers=origin
    )
    assert first.status_code == 201
    widget = client.post(
        "/w/relationship-nps/responses", json={"id": "abcdefgh12", "comment": too_long, "form": form}, headers=origin
    )
    assert widget.status_code == 422 and widget.json()["detail"][0]["field"] == "comment"
    ten_mb = client.post("/api/responses", json=RESPONSE | {"comment": "x" * 10_000_000}, headers=auth)
    assert ten_mb.status_code == 413
    assert client.post("/api/responses", json=RESPONSE | {"comment": "x" * MAX_COMMENT_CHARS}, headers=auth).is_success


def test_every_post_honours_its_idempotency_key(client, auth, collection):
    headers = auth | {"Idempotency-Key": "resp-1"}
    first = client.post("/api/responses", json=RESPONSE, headers=headers)
    again = client.post("/api/responses", json=RESPONSE, headers=headers)
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    other = client.post("/api/responses", json=RESPONSE | {"external_id": "r-2"}, headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.text
    assert count(collection.store, "responses") == 1
    case_headers = auth | {"Idempotency-Key": "case-1"}
    made = [client.post("/api/cases", json={"title": "Call back"}, headers=case_headers) for _ in range(3)]
    assert {m.json()["case"]["id"] for m in made} == {made[0].json()["case"]["id"]}
    assert count(collection.store, "cases") == 1


@pytest.mark.parametrize("path", ["/api/events", "/api/cases"])
def test_sixteen_requests_at_once_under_one_key_make_one_effect(client, auth, collection, path):
    body = EVENT if path == "/api/events" else {"title": "Call back"}
    headers = auth | {"Idempotency-Key": f"race-{path}"}
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: client.post(path, json=body, headers=headers), range(16)))
    statuses = sorted(a.status_code for a in answers)
    assert all(s in (201, 409) for s in statuses) and 201 in statuses, statuses
    assert count(collection.store, "events" if path == "/api/events" else "cases") == 1


def test_an_empty_window_answers_n_zero(client, auth):
    for name in ("ces_mean", "nps", "csat"):
        answer = client.get(f"/api/kpi/{name}?since=2030-01-01&until=2030-02-01", headers=auth)
        assert answer.status_code == 200 and answer.json()["n"] == 0 and answer.json()["rows"] == []


def test_every_response_carries_the_security_headers(client, auth):
    for path in ("/health", "/docs", "/s/open/support-csat", "/login", "/api/kpi", "/no-such-page"):
        headers = client.get(path, headers=auth).headers
        assert "frame-ancestors" in headers["content-security-policy"], path
        assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"


def test_the_openapi_shows_every_post_body(client):
    spec = client.get("/openapi.json").json()
    for path, operations in spec["paths"].items():
        if "post" in operations and not path.endswith(("/ack", "/resolve", "/contacted")):
            assert "requestBody" in operations["post"], path
