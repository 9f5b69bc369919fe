"""Live Feedback over HTTP on SQLite and PostgreSQL: a Feedback page that includes today polls
for what is new; a poll answers only the items newer than the newest shown (ties included,
nothing twice), keeps the page's filters and search, and escapes what customers typed.
test_dashboard_live_browser.py watches the same in Chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from cxlens.access import create_user
from cxlens.store.schema import mentions, responses, touchpoints
from cxlens.web import create_app

PASSWORD = "correct horse battery"


def _login(client: TestClient, email: str = "lead@example.com"):
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    r = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303


def _comment(store, text: str, at: datetime, channel: str = "chat", key: str = "support-chat") -> int:
    with store.begin() as conn:
        tp = conn.execute(touchpoints.select().where(touchpoints.c.key == key)).one()
        return conn.execute(
            responses.insert().values(
                touchpoint_id=tp.id,
                channel=channel,
                metric="csat",
                score=2,
                scale_min=1,
                scale_max=5,
                submitted_at=at,
                comment=text,
            )
        ).inserted_primary_key[0]


def _poll_url(html: str) -> str:
    return re.search(r'<div id="feedback-poll" hidden hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")


def _live_view() -> str:
    today = datetime.now(UTC).date()
    return f"since={today - timedelta(days=30)}&until={today + timedelta(days=1)}"


@pytest.fixture
def client(mapped_store):
    create_user(mapped_store, "lead@example.com", PASSWORD, role="viewer")
    c = TestClient(create_app(mapped_store))
    _login(c)
    return c


# --- over HTTP ------------------------------------------------------------------------------------


def test_a_poll_brings_only_what_is_new_once(client, mapped_store):
    now = datetime.now(UTC).replace(microsecond=0)
    _comment(mapped_store, "older words", now - timedelta(hours=2))
    page = client.get(f"/feedback?{_live_view()}")
    assert page.status_code == 200 and "New ones appear on top" in page.text and 'aria-live="polite"' in page.text
    poll = _poll_url(page.text)
    assert client.get(poll).status_code == 204  # nothing new yet

    # Two arrive at the same moment, one of them with markup: both come, escaped, newest on top.
    first = _comment(mapped_store, "fresh <b>one</b>", now)
    second = _comment(mapped_store, "fresh two", now)
    r = client.get(poll)
    assert r.status_code == 200
    assert re.findall(r'id="fb-response-(\d+)"', r.text) == [str(second), str(first)]
    assert "fresh &lt;b&gt;one&lt;/b&gt;" in r.text and "<b>one" not in r.text and "older words" not in r.text
    assert 'hx-swap-oob="true"' in r.text

    # The next poll (from the new marker) brings neither again, but does bring a later tie at that moment.
    poll = _poll_url(r.text)
    assert client.get(poll).status_code == 204
    third = _comment(mapped_store, "fresh three", now)
    r = client.get(poll)
    assert re.findall(r'id="fb-response-(\d+)"', r.text) == [str(third)]


def test_a_poll_keeps_the_filters_and_the_search(client, mapped_store):
    now = datetime.now(UTC)
    page = client.get(f"/feedback?{_live_view()}&q=refund&channel=email")
    poll = _poll_url(page.text)
    assert "q=refund" in poll and "channel=email" in poll
    _comment(mapped_store, "where is my refund", now, channel="chat")  # other channel
    _comment(mapped_store, "love it", now, channel="email")  # other words
    assert client.get(poll).status_code == 204
    wanted = _comment(mapped_store, "refund please", now, channel="email")
    r = client.get(poll)
    assert re.findall(r'id="fb-response-(\d+)"', r.text) == [str(wanted)]
    poll = _poll_url(r.text)
    with mapped_store.begin() as conn:  # mentions have no channel: a channel filter leaves them out
        conn.execute(mentions.insert().values(source="app-store", kind="review", text="refund!", posted_at=now))
    assert client.get(poll).status_code == 204


def test_only_a_first_page_that_includes_today_polls(client, mapped_store):
    page = client.get("/feedback?since=2025-07-01&until=2026-06-01")
    assert 'id="feedback-poll"' not in page.text and "Include today</a> to watch new ones arrive" in page.text
    assert 'id="feedback-poll"' not in client.get(f"/feedback?{_live_view()}&page=1").text
    r = client.get(f"/feedback?{_live_view()}&after=yesterday")
    assert r.status_code == 422 and "not the marker this page writes" in r.text


def test_a_poll_after_the_session_ended_sends_the_browser_to_the_login(client, mapped_store):
    poll = _poll_url(client.get(f"/feedback?{_live_view()}").text)
    client.cookies.clear()
    r = client.get(poll, headers={"HX-Request": "true"}, follow_redirects=False)
    assert r.status_code == 401 and r.headers["HX-Redirect"].startswith("/login?next=%2Ffeedback")
