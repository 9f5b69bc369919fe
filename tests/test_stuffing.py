"""Anonymous answers cannot be stuffed: the open link and the widget limit answers per address,
browser and survey with clear 429s, time the form on the server whichever step is posted, and
keep answers from scripts out of the KPIs (quarantined, with a reason) until an admin releases
them."""

from __future__ import annotations

import re

import pytest
from conftest import count
from fastapi.testclient import TestClient

from cxlens.access import create_user
from cxlens.collect.guarding import LIMITS, list_quarantined
from cxlens.web import create_app

FORM = {"content-type": "application/x-www-form-urlencoded"}
BROWSER = {"user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0", "accept-language": "en"}
ORIGIN = {"origin": "http://127.0.0.1:5555"}


def _form(client) -> str:
    return client.get("/s/open/relationship-nps", headers=BROWSER).text.split('name="form" value="')[1].split('"')[0]


def test_posting_step_two_does_not_skip_the_time_check(client, collection):
    form = _form(client)
    fast = client.post("/s/open/relationship-nps", content=f"form={form}&step=2&score=9", headers=FORM | BROWSER)
    assert fast.status_code == 400 and "too fast" in fast.text
    assert count(collection.store, "responses") == 0


def test_a_script_posting_a_hundred_open_answers_moves_no_kpi(client, collection):
    collection.clock.advance(seconds=0)
    forms = [_form(client) for _ in range(100)]
    collection.clock.advance(seconds=5)
    statuses = [
        client.post("/s/open/relationship-nps", content=f"form={f}&step=2&score=0", headers=FORM | BROWSER).status_code
        for f in forms
    ]
    # One browser (its cookie) gets a few answers per survey; the rest are told to wait.
    assert statuses.count(200) == LIMITS["browser"].answers and statuses.count(429) == 100 - LIMITS["browser"].answers
    # Of those it let in, one counts: the others are the same device again, quarantined.
    assert count(collection.store, "responses") == 1
    held = list_quarantined(collection.store)
    assert len(held) == LIMITS["browser"].answers - 1 and all(h["reason"].startswith("duplicate") for h in held)


def test_the_widget_limits_addresses_and_quarantines_scripts(client, collection):
    script = ORIGIN | {"user-agent": "python-requests/2.32"}
    answers = [
        client.post("/w/relationship-nps/responses", json={"id": f"bot-{n:06d}", "score": 0}, headers=script)
        for n in range(100)
    ]
    statuses = [a.status_code for a in answers]
    assert statuses.count(201) == LIMITS["address"].answers and statuses.count(429) == 100 - LIMITS["address"].answers
    limited = next(a for a in answers if a.status_code == 429)
    assert int(limited.headers["Retry-After"]) > 0 and "too many answers" in limited.text
    assert limited.headers["Access-Control-Allow-Origin"] == ORIGIN["origin"]
    assert count(collection.store, "responses") == 0  # every accepted one was quarantined
    held = list_quarantined(collection.store)
    assert len(held) == LIMITS["address"].answers and "python-requests" in held[0]["reason"]


@pytest.fixture
def admin(collection):
    create_user(collection.store, "boss@example.com", "correct horse battery", role="admin")
    app = create_app(collection.store)
    app.state.collection = collection
    c = TestClient(app)
    page = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    c.post("/login", data={"email": "boss@example.com", "password": "correct horse battery", "csrf_token": token})
    return c


def test_an_admin_releases_a_quarantined_answer(collection, admin):
    headers = ORIGIN | {"user-agent": ""}
    assert admin.post(
        "/w/relationship-nps/responses", json={"id": "no-agent-1", "score": 9}, headers=headers
    ).is_success
    page = admin.get("/admin/quarantine")
    assert page.status_code == 200 and "no browser: no user agent" in page.text
    [held] = list_quarantined(collection.store)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    released = admin.post(f"/admin/quarantine/{held['id']}/release", data={"csrf_token": token}, follow_redirects=False)
    assert released.status_code == 303 and count(collection.store, "responses") == 1
    assert list_quarantined(collection.store) == []
    assert "answer.release" in admin.get("/admin/audit").text


def test_the_steps_of_one_answer_count_once_and_windows_slide():
    from cxlens.collect.guarding import Limit, PublicLimits

    now = [0.0]
    limits = PublicLimits(
        {"survey": Limit(100, 60), "address": Limit(100, 60), "browser": Limit(2, 60)}, lambda: now[0]
    )
    assert all(limits.check(1, "a", "b", "answer-1") is None for _ in range(5))  # score, comment, double clicks
    assert limits.check(1, "a", "b", "answer-2") is None
    assert limits.check(1, "a", "b", "answer-3") == ("browser", 61)
    assert limits.check(2, "a", "b", "answer-3") is None  # another survey
    now[0] = 61.0
    assert limits.check(1, "a", "b", "answer-3") is None  # the window slid
