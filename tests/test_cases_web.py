"""The Cases pages over HTTP, on SQLite and PostgreSQL: opening a case from a feedback item and
from a customer, the views, the case page's forms through to closed with an outcome, roles
(viewers read only, without customers' names), CSRF, hostile text escaped, 404s."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from test_alerts_web import PASSWORD, csrf_of, login
from test_cases_fixtures import CASES, add_customer, add_response, load_cases_section

from cxlens.access import create_user
from cxlens.store import schema as s
from cxlens.web import create_app

HOSTILE = '<script>alert("x")</script>'
# The cases tests' SLA and taxonomy, without their teams (whose users these tests do not make).
SETTINGS = {k: v for k, v in CASES.items() if k in ("sla", "root_causes", "resolutions")}


@pytest.fixture
def case_store(mapped_store):
    load_cases_section(mapped_store, SETTINGS)
    create_user(mapped_store, "analyst@example.com", PASSWORD, role="analyst")
    create_user(mapped_store, "viewer@example.com", PASSWORD, role="viewer")
    with mapped_store.engine.begin() as conn:
        cid = add_customer(conn, "c-web", name=f"Eve {HOSTILE}", email="eve@example.com")
        rid = add_response(conn, cid, 2, f"late again {HOSTILE}", at=datetime.now(UTC) - timedelta(hours=1))
    mapped_store.ids = {"customer": cid, "response": rid}
    return mapped_store


def user_id(store, email: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(s.users.c.id).where(s.users.c.email == email)).scalar_one()


def open_from_feedback(c: TestClient, store) -> int:
    feedback = c.get("/feedback?since=2020-01-01&until=2100-01-01").text
    assert "Open a case" in feedback
    assert f'name="response_id" value="{store.ids["response"]}"' in feedback
    r = c.post(
        "/cases/new",
        data={"csrf_token": csrf_of(feedback), "response_id": store.ids["response"]},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return int(re.search(r"/cases/(\d+)", r.headers["location"]).group(1))


def test_a_case_from_a_feedback_item_through_to_closed(case_store):
    c = login(TestClient(create_app(case_store)), "analyst@example.com")
    case_id = open_from_feedback(c, case_store)
    page = c.get(f"/cases/{case_id}")
    assert page.status_code == 200
    html = page.text
    assert HOSTILE not in html and "late again &lt;script&gt;" in html and "Eve &lt;script&gt;" in html
    assert "NPS 2/10" in html and "first contact due" in html and "eve@example.com" in html
    assert (
        'name="root_cause"' in html and '<option value="delivery_delay">' in html and '<option value="refund">' in html
    )
    token = csrf_of(html)
    me = user_id(case_store, "analyst@example.com")
    steps = [
        ("assign", {"owner_id": me}),
        ("contacted", {"channel": "phone", "note": "called her"}),
        ("status", {"status": "waiting_customer"}),
        ("note", {"text": f"refund agreed {HOSTILE}"}),
        ("close", {"outcome": "recovered", "resolution": "refund", "root_cause": "delivery_delay"}),
    ]
    for action, data in steps:
        r = c.post(f"/cases/{case_id}/{action}", data={"csrf_token": token, **data}, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith(f"/cases/{case_id}?done="), (action, r.text)
    html = c.get(f"/cases/{case_id}").text
    kinds = re.findall(r'data-kind="([a-z_]+)"', html)
    assert kinds[0] == "opened" and kinds[-1] == "closed"
    for kind in ("assigned", "contacted", "status", "note"):
        assert kind in kinds
    assert "to analyst@example.com" in html and "by phone" in html and "called her" in html
    assert (
        "refund agreed &lt;script&gt;" in html and "outcome recovered" in html and "root cause delivery_delay" in html
    )
    assert 'data-status="closed"' in html and 'id="form-reopen"' in html
    assert f'id="case-{case_id}"' in c.get("/cases?view=closed").text
    assert f'id="case-{case_id}"' not in c.get("/cases?view=open").text
    # a second close is refused with a page that says why
    r = c.post(f"/cases/{case_id}/close", data={"csrf_token": token, "outcome": "recovered"})
    assert r.status_code == 422 and "closed already" in r.text
    r = c.post(f"/cases/{case_id}/reopen", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303
    assert f'id="case-{case_id}"' in c.get("/cases?view=open").text


def test_views_customer_page_button_and_refusals(case_store):
    c = login(TestClient(create_app(case_store)), "analyst@example.com")
    customer = c.get(f"/customers/{case_store.ids['customer']}").text
    assert 'action="/cases/new"' in customer
    r = c.post(
        "/cases/new",
        data={"csrf_token": csrf_of(customer), "customer_id": case_store.ids["customer"]},
        follow_redirects=False,
    )
    assert r.status_code == 303
    case_id = int(re.search(r"/cases/(\d+)", r.headers["location"]).group(1))
    token = csrf_of(customer)
    me = user_id(case_store, "analyst@example.com")
    assert f'id="case-{case_id}"' not in c.get("/cases?view=mine").text
    c.post(f"/cases/{case_id}/assign", data={"csrf_token": token, "owner_id": me})
    assert f'id="case-{case_id}"' in c.get("/cases?view=mine").text
    assert f'id="case-{case_id}"' in c.get("/cases").text  # mine is an analyst's first view
    assert "in no team" in c.get("/cases?view=team").text
    # overdue: its first-contact deadline passed
    with case_store.engine.begin() as conn:
        conn.execute(
            s.cases.update().where(s.cases.c.id == case_id).values(due_at=datetime.now(UTC) - timedelta(hours=2))
        )
    overdue = c.get("/cases?view=overdue").text
    assert f'id="case-{case_id}"' in overdue and "overdue" in overdue
    assert 'id="overdue"' in c.get(f"/cases/{case_id}").text
    assert c.get("/cases/99999").status_code == 404
    assert c.get("/cases?view=nope").status_code == 404
    assert c.post("/cases/99999/note", data={"csrf_token": token, "text": "x"}).status_code == 404
    assert c.post("/cases/new", data={"csrf_token": token, "customer_id": 99999}).status_code == 404
    assert c.post("/cases/new", data={"csrf_token": token}).status_code == 422
    r = c.post(f"/cases/{case_id}/note", data={"csrf_token": token, "text": "  "})
    assert r.status_code == 422 and "note is empty" in r.text
    r = c.post(
        f"/cases/{case_id}/close", data={"csrf_token": token, "outcome": "recovered", "root_cause": "<b>bogus</b>"}
    )
    assert r.status_code == 422 and "<b>bogus</b>" not in r.text
    for action in ("note", "assign", "close", "status", "contacted"):
        r = c.post(
            f"/cases/{case_id}/{action}",
            data={"csrf_token": "forged", "text": "x", "owner_id": me, "outcome": "recovered"},
        )
        assert r.status_code == 403 and "security token" in r.text
    assert (
        c.post("/cases/new", data={"csrf_token": "forged", "customer_id": case_store.ids["customer"]}).status_code
        == 403
    )


def test_viewers_read_cases_without_names_and_cannot_change_them(case_store):
    a = login(TestClient(create_app(case_store)), "analyst@example.com")
    case_id = open_from_feedback(a, case_store)
    v = login(TestClient(create_app(case_store)), "viewer@example.com")
    listed = v.get("/cases").text  # a viewer's first view: all open
    assert f'id="case-{case_id}"' in listed and "Eve" not in listed
    page = v.get(f"/cases/{case_id}").text
    assert "late again" in page and "Eve" not in page and "eve@example.com" not in page
    assert 'action="/cases/' not in page
    assert "Open a case" not in v.get("/feedback?since=2020-01-01&until=2100-01-01").text
    token = csrf_of(page)
    for action in ("note", "assign", "close", "status", "contacted", "reopen"):
        r = v.post(f"/cases/{case_id}/{action}", data={"csrf_token": token, "text": "x", "outcome": "recovered"})
        assert r.status_code == 403 and "analyst role" in r.text
    assert (
        v.post("/cases/new", data={"csrf_token": token, "response_id": case_store.ids["response"]}).status_code == 403
    )
    with case_store.engine.connect() as conn:
        assert [
            r.kind for r in conn.execute(sa.select(s.case_events.c.kind).where(s.case_events.c.case_id == case_id))
        ] in (["opened"], ["opened", "assigned"])
