"""E-mail notifications through collection's SMTP settings, received by a real SMTP server
(aiosmtpd): headers, both parts, hostile text escaped, the case owner looked up."""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from test_notify_fixtures import attempts, declare, free_port, outbox, queue, smtp_inbox  # noqa: F401 (fixture)

from cxlens.alerts.delivery import deliver_pending
from cxlens.alerts.messages import email_message
from cxlens.alerts.webhooks import message_id
from cxlens.store import schema as s

HOSTILE = {
    "title": "Angry answer from <b>Ann</b>\r\nBcc: victim@example.com",
    "summary": 'NPS 1. "<script>alert(1)</script>" & I want a refund!\nSecond line',
    "link": "/responses/42",
    "items": [
        {
            "title": "angry-answer <img src=x onerror=alert(1)>",
            "summary": "cancel <a href='https://evil'>now</a>",
            "link": "javascript:alert(1)",
        }
    ],
}


def test_an_email_notifier_sends_one_message_to_all_recipients(store, monkeypatch, smtp_inbox):  # noqa: F811
    monkeypatch.setenv("CXLENS_PUBLIC_URL", "https://cx.example.com")
    declare(store, {"name": "cx-mail", "kind": "email", "to": ["cx@example.com", "lead@example.com"]})
    queue(
        store,
        "alert:1:cx-mail",
        "cx-mail",
        title="NPS fell at Delivery",
        summary="1 alert fired",
        link="/alerts/1",
        items=[
            {
                "title": "nps-drop · delivery",
                "link": "/alerts/1",
                "value": 12.0,
                "low": 4.5,
                "high": 19.5,
                "n": 240,
                "baseline": 31.0,
                "p": 0.0004,
                "q": 0.003,
                "state": "firing",
            }
        ],
    )
    assert deliver_pending(store).summary() == "1 sent, 0 to retry, 0 failed"
    [message] = smtp_inbox.messages
    [envelope] = smtp_inbox.envelopes
    assert sorted(envelope.rcpt_tos) == ["cx@example.com", "lead@example.com"]
    assert message["Subject"] == "[cxlens] NPS fell at Delivery"
    assert message["From"] == "cxlens <alerts@cx.example.com>"
    assert message["To"] == "cx@example.com, lead@example.com"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"] == f"<{message_id('alert:1:cx-mail')}@cxlens>"  # the same on a retry
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Open in cxlens: https://cx.example.com/alerts/1" in text
    assert "firing, value 12 (95% CI 4.5 to 19.5), n 240, baseline 31, p 0.0004, q 0.003" in text
    assert 'href="https://cx.example.com/alerts/1"' in html
    [row] = outbox(store)
    assert row["status"] == "sent"
    [attempt] = attempts(store)
    assert attempt["ok"] and attempt["status_code"] is None


def test_hostile_text_is_escaped_and_cannot_add_headers(store, monkeypatch, smtp_inbox):  # noqa: F811
    monkeypatch.setenv("CXLENS_PUBLIC_URL", "https://cx.example.com")
    declare(store, {"name": "cx-mail", "kind": "email", "to": ["cx@example.com"]})
    queue(store, "answer:42:cx-mail", "cx-mail", topic="answer", **HOSTILE)
    assert deliver_pending(store).sent == 1
    [message] = smtp_inbox.messages
    [envelope] = smtp_inbox.envelopes
    assert envelope.rcpt_tos == ["cx@example.com"]
    assert message["Bcc"] is None
    assert message["Subject"] == "[cxlens] Angry answer from <b>Ann</b> Bcc: victim@example.com"
    html = message.get_body(("html",)).get_content()
    for raw in ("<script>", "<b>Ann</b>", "<img src=x", "<a href='https://evil'>", "javascript:"):
        assert raw not in html, raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&amp; I want a refund!" in html
    text = message.get_body(("plain",)).get_content()
    assert '"<script>alert(1)</script>" & I want a refund!' in text  # plain text is shown as text
    assert "javascript:" not in text and "Open in cxlens: https://cx.example.com/responses/42" in text


def test_the_owner_notifier_mails_the_case_owner(store, smtp_inbox):  # noqa: F811
    now = datetime.now(timezone.utc)
    with store.begin() as conn:
        user_id = conn.execute(
            s.users.insert().values(email="olli@example.com", name="Olli", role="analyst", created_at=now)
        ).inserted_primary_key[0]
        case_id = conn.execute(
            s.cases.insert().values(title="Call back Ann", owner_id=user_id, created_at=now)
        ).inserted_primary_key[0]
        conn.execute(s.cases.insert().values(title="Unowned", created_at=now))
    queue(
        store,
        f"case:{case_id}:assigned",
        "owner",
        topic="case_assigned",
        title="Case assigned: Call back Ann",
        link=f"/cases/{case_id}",
        case_id=case_id,
    )
    queue(store, "case:x:overdue", "owner", topic="case_overdue", title="Case overdue", to="lead@example.com")
    queue(store, "case:unowned", "owner", topic="case_assigned", title="Nobody", case_id=case_id + 1)
    report = deliver_pending(store)
    assert [a.outcome for a in report.attempts] == ["sent", "sent", "failed"]
    assert "no recipient" in report.attempts[2].error
    assert [m["To"] for m in smtp_inbox.messages] == ["olli@example.com", "lead@example.com"]
    assert smtp_inbox.messages[0]["X-Cxlens-Topic"] == "case_assigned"


def test_an_smtp_server_that_is_down_is_retried(store, monkeypatch):
    monkeypatch.setenv("CXLENS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXLENS_SMTP_PORT", str(free_port()))
    declare(store, {"name": "cx-mail", "kind": "email", "to": ["cx@example.com"]})
    queue(store, "mail-down", "cx-mail")
    [attempt] = deliver_pending(store).attempts
    assert attempt.outcome == "retry" and attempt.error.startswith("SMTP 127.0.0.1:")
    with store.engine.connect() as conn:
        assert conn.execute(sa.select(s.notifications.c.status)).scalar_one() == "pending"


def test_email_rendering_drops_unsafe_links():
    msg = email_message(
        "alert",
        {"title": "t", "link": "//evil.example/x"},
        "https://cx.example.com",
        sender="a@example.com",
        to=["b@example.com"],
    )
    assert "evil" not in msg.get_body(("plain",)).get_content()
