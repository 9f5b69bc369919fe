"""POST /api/events: API keys, single and batch events, field-level 4xx answers, idempotency,
and the trigger planning that follows each stored event."""

from __future__ import annotations

import pytest
from conftest import count
from test_collect_fixtures import invitations

from cxlens.access import create_api_key, revoke_api_key


@pytest.fixture
def auth(collection):
    key = create_api_key(collection.store, "shop backend", ["events:write"])
    return {"Authorization": f"Bearer {key.secret}"}


EVENT = {
    "customer": "c-fi",
    "touchpoint": "support-chat",
    "occurred_at": "2026-03-02T12:00:00+02:00",
    "external_id": "chat-1-solved",
    "channel": "chat",
    "properties": {"agent": "Maya"},
}


def test_an_event_is_stored_and_plans_its_invitation(collection, client, auth):
    answer = client.post("/api/events", json=EVENT, headers=auth)
    assert answer.status_code == 201
    body = answer.json()
    assert body["events"][0]["status"] == "created" and body["invitations_planned"] == 1
    [inv] = invitations(collection.store)
    assert inv["status"] == "pending" and inv["due_at"].isoformat() == "2026-03-02T11:00:00+00:00"  # 10:00 UTC + 1 h


def test_a_batch_with_new_customers_and_a_resent_event(collection, client, auth):
    batch = {
        "events": [
            EVENT,
            {
                "customer": {
                    "external_id": "c-new",
                    "email": "new@example.com",
                    "locale": "es",
                    "timezone": "Europe/Madrid",
                },
                "touchpoint": "first-use",
                "occurred_at": "2026-03-02T10:00:00Z",
            },
        ]
    }
    first = client.post("/api/events", json=batch, headers=auth).json()
    assert [e["status"] for e in first["events"]] == ["created", "created"]
    again = client.post("/api/events", json=[EVENT], headers=auth).json()
    assert again["events"][0]["status"] == "duplicate" and again["invitations_planned"] == 0
    assert count(collection.store, "events") == 2 and count(collection.store, "customers") == 4


def test_bad_fields_are_named_and_nothing_is_written(collection, client, auth):
    batch = [
        EVENT | {"external_id": "ok-but-batched"},
        {"customer": "c-fi", "touchpoint": "no-such-place", "occurred_at": "2026-03-02 10:00", "colour": "red"},
        {"customer": "", "touchpoint": "checkout", "occurred_at": "2026-03-02T10:00:00Z", "properties": [1]},
    ]
    answer = client.post("/api/events", json=batch, headers=auth)
    assert answer.status_code == 422
    problems = {(p["index"], p["field"]) for p in answer.json()["detail"]}
    assert problems == {(1, "touchpoint"), (1, "occurred_at"), (1, "colour"), (2, "customer"), (2, "properties")}
    unknown = client.post("/api/events", json=EVENT | {"customer": "c-unknown"}, headers=auth)
    assert unknown.status_code == 422 and "no customer has this external_id" in unknown.text
    assert client.post("/api/events", content=b"{not json", headers=auth).status_code == 400
    assert client.post("/api/events", json=[], headers=auth).status_code == 422
    assert count(collection.store, "events") == 0 and count(collection.store, "invitations") == 0


def test_keys_are_required_scoped_and_revocable(collection, client):
    assert client.post("/api/events", json=EVENT).status_code == 401
    reader = create_api_key(collection.store, "dashboard", ["kpi:read"])
    assert (
        client.post("/api/events", json=EVENT, headers={"Authorization": f"Bearer {reader.secret}"}).status_code == 403
    )
    writer = create_api_key(collection.store, "shop", ["events:write"])
    revoke_api_key(collection.store, writer.prefix)
    assert (
        client.post("/api/events", json=EVENT, headers={"Authorization": f"Bearer {writer.secret}"}).status_code == 401
    )
    assert count(collection.store, "events") == 0


def test_an_idempotency_key_replays_the_first_answer(collection, client, auth):
    headers = auth | {"Idempotency-Key": "req-42"}
    event = EVENT | {"external_id": None}
    first = client.post("/api/events", json=event, headers=headers)
    retry = client.post("/api/events", json=event, headers=headers)
    assert retry.status_code == 201 and retry.json() == first.json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert count(collection.store, "events") == 1 and count(collection.store, "invitations") == 1
    other = client.post("/api/events", json=event | {"channel": "phone"}, headers=headers)
    assert other.status_code == 422 and "Idempotency-Key" in other.text


def test_the_api_is_in_the_openapi_document(client):
    spec = client.get("/openapi.json").json()
    assert "post" in spec["paths"]["/api/events"]


def test_responses_collected_elsewhere_are_imported_through_the_api(collection, client):
    key = create_api_key(collection.store, "ivr", ["responses:write"])
    headers = {"Authorization": f"Bearer {key.secret}"}
    rows = [
        {
            "external_id": "ivr-1",
            "survey": "support-csat",
            "customer": "c-fi",
            "submitted_at": "2026-03-02T10:00:00Z",
            "score": 4,
            "channel": "phone",
            "comment": "Nopea apu",
            "language": "fi",
        },
        {
            "external_id": "ivr-2",
            "survey": "relationship-nps",
            "submitted_at": "2026-03-02T11:00:00+01:00",
            "score": 10,
        },
    ]
    first = client.post("/api/responses", json=rows, headers=headers)
    assert first.status_code == 201, first.text
    assert first.json()["inserted"] == 2
    again = client.post("/api/responses", json=rows, headers=headers)
    assert again.json()["inserted"] == 0 and count(collection.store, "responses") == 2
    bad = client.post("/api/responses", json=[rows[0] | {"external_id": "ivr-3", "score": 9}], headers=headers)
    assert bad.status_code == 422
    [problem] = bad.json()["detail"]
    assert (problem["index"], problem["field"], problem["value"]) == (0, "score", "9")
    assert count(collection.store, "responses") == 2
    assert client.post("/api/responses", json=rows, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_surveys_through_the_api(collection, client):
    key = create_api_key(collection.store, "admin tool", ["surveys:write"])
    headers = {"Authorization": f"Bearer {key.secret}"}
    survey = {
        "key": "kiosk-csat",
        "name": "Kiosk",
        "metric": "csat",
        "scale": "1-3",
        "touchpoint": "checkout",
        "languages": ["en", "fi"],
        "widget": {"origins": ["https://kiosk.example.com"]},
    }
    made = client.post("/api/surveys", json={"surveys": [survey]}, headers=headers)
    assert made.status_code == 201, made.text
    assert collection.catalog.by_key("kiosk-csat").origins == ("https://kiosk.example.com",)
    bad = client.post(
        "/api/surveys", json={"surveys": [survey | {"scale": "0-9", "questions": [{"key": "q"}]}]}, headers=headers
    )
    assert bad.status_code == 422
    fields = {d["field"] for d in bad.json()["detail"]}
    assert {"surveys[0].scale", "surveys[0].questions[0].text"} <= fields
    assert collection.catalog.by_key("kiosk-csat").scale == (1, 3)
    assert client.post("/api/surveys", json={"surveys": [survey]}).status_code == 401


def test_response_rates_through_the_api(collection, client, auth):
    client.post("/api/events", json=EVENT, headers=auth)
    reader = create_api_key(collection.store, "dashboard", ["kpi:read"])
    headers = {"Authorization": f"Bearer {reader.secret}"}
    [rate] = client.get("/api/invitations/rates", headers=headers).json()["rates"]
    assert (rate["survey"], rate["channel"], rate["touchpoint"], rate["invited"], rate["pending"]) == (
        "support-csat",
        "email",
        "support-chat",
        1,
        1,
    )
    assert client.get("/api/invitations/rates?since=2026-04-01", headers=headers).json()["rates"] == []
    assert client.get("/api/invitations/rates?since=soon", headers=headers).status_code == 422
    assert client.get("/api/invitations/rates", headers=auth).status_code == 403


def test_the_library_checks_and_records_a_batch_without_http(collection):
    """What the endpoint calls is public: a script can check and record events the same way."""
    from cxlens.collect.events import check_events, parse_time, record_events, touchpoint_ids

    assert parse_time("2026-03-02T12:00:00+02:00").isoformat() == "2026-03-02T10:00:00+00:00"
    assert parse_time("2026-03-02T12:00:00") is None  # no offset: ambiguous
    rows, problems = check_events([EVENT, {"customer": "", "touchpoint": "nowhere"}], touchpoint_ids(collection.store))
    assert len(rows) == 1 and {p["field"] for p in problems} == {"customer", "touchpoint", "occurred_at"}
    answer = record_events(collection, rows, api_key_id=0, idempotency_key=None, body=b"")
    assert answer.status == 201 and answer.body["events"][0]["status"] == "created"
    assert record_events(collection, rows, 0, None, b"").body["events"][0]["status"] == "duplicate"
