"""Webhooks against a real receiver on 127.0.0.1: signatures that an independent implementation of
Standard Webhooks 1.0 accepts, the Slack body, retries with backoff, 410 Gone, refused targets."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from test_notify_fixtures import SECRET, Receiver, attempts, declare, free_port, outbox, queue

from cxlens.alerts.delivery import BACKOFF, INTERRUPTED, MAX_ATTEMPTS, deliver_pending, retry_delay
from cxlens.alerts.messages import slack_body, webhook_body
from cxlens.alerts.notifiers import load_notifier
from cxlens.alerts.webhooks import message_id, secret_key, sign, signature_headers
from cxlens.store import schema as s

standardwebhooks = pytest.importorskip("standardwebhooks")

ALERT = {
    "title": "NPS fell at Delivery (carrier: Nordpost)",
    "summary": "2 alerts fired in the check of 2026-03-01",
    "link": "/alerts?rule=nps-drop",
    "items": [
        {
            "title": "nps-drop-by-touchpoint · delivery",
            "summary": "NPS 12 vs 31 the month before",
            "link": "/alerts/7",
            "rule": "nps-drop-by-touchpoint",
            "slice": {"touchpoint": "delivery"},
            "state": "firing",
            "value": 12.0,
            "low": 4.5,
            "high": 19.5,
            "n": 240,
            "baseline": 31.0,
            "p": 0.0004,
            "q": 0.003,
        },
    ],
}


def webhook(url: str, **extra) -> dict:
    return {
        "name": "ops-hook",
        "kind": "webhook",
        "url_env": "OPS_HOOK_URL",
        "secret_env": "OPS_HOOK_SECRET",
        "allow_private": True,
        **extra,
    }


def test_signature_matches_the_reference_implementation():
    body = b'{"type":"cxlens.alert","title":"x"}'
    when = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    ours = sign(SECRET, "msg_1", int(when.timestamp()), body)
    assert ours == standardwebhooks.Webhook(SECRET).sign("msg_1", when, body.decode())
    assert secret_key(SECRET) == base64.b64decode(SECRET[len("whsec_") :])
    headers = signature_headers(SECRET, "msg_1", body)
    assert standardwebhooks.Webhook(SECRET).verify(body, headers)["title"] == "x"
    with pytest.raises(standardwebhooks.WebhookVerificationError):
        standardwebhooks.Webhook(SECRET).verify(body.replace(b"x", b"y"), headers)
    assert message_id("alert:7:firing:ops-hook") == message_id("alert:7:firing:ops-hook").strip()
    assert message_id("a") != message_id("b")


def test_a_signed_webhook_reaches_a_receiver_that_verifies_it(store, monkeypatch):
    monkeypatch.setenv("CXLENS_PUBLIC_URL", "https://cx.example.com/")
    with Receiver(secret=SECRET) as receiver:
        monkeypatch.setenv("OPS_HOOK_URL", receiver.url)
        monkeypatch.setenv("OPS_HOOK_SECRET", SECRET)
        declare(store, webhook(receiver.url))
        assert queue(store, "alert:7:firing:ops-hook", "ops-hook", **ALERT)
        report = deliver_pending(store)
        assert report.summary() == "1 sent, 0 to retry, 0 failed"
        assert deliver_pending(store).attempts == []  # nothing twice
    assert receiver.rejected == []
    [request] = receiver.requests
    assert request["headers"]["webhook-id"] == message_id("alert:7:firing:ops-hook")
    assert request["headers"]["content-type"] == "application/json"
    body = request["json"]
    assert body["type"] == "cxlens.alert" and body["topic"] == "alert"
    assert body["title"] == ALERT["title"] and body["summary"] == ALERT["summary"]
    assert body["link"] == "https://cx.example.com/alerts?rule=nps-drop"
    assert body["items"][0]["link"] == "https://cx.example.com/alerts/7"
    assert body["items"][0]["q"] == 0.003 and body["items"][0]["slice"] == {"touchpoint": "delivery"}
    assert datetime.fromisoformat(body["sent_at"].replace("Z", "+00:00")).tzinfo is not None
    [row] = outbox(store)
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] is not None
    [attempt] = attempts(store)
    assert attempt["ok"] and attempt["status_code"] == 200 and attempt["duration_ms"] > 0


def test_a_wrong_secret_is_rejected_by_the_receiver_and_retried(store, monkeypatch):
    with Receiver(secret=SECRET) as receiver:
        monkeypatch.setenv("OPS_HOOK_URL", receiver.url)
        monkeypatch.setenv("OPS_HOOK_SECRET", "whsec_" + base64.b64encode(b"another-secret-of-24-bytes").decode())
        declare(store, webhook(receiver.url))
        queue(store, "k1", "ops-hook", **ALERT)
        [attempt] = deliver_pending(store).attempts
    assert attempt.outcome == "retry" and attempt.status_code == 401
    assert len(receiver.rejected) == 1 and receiver.requests == []
    assert "No matching signature" in receiver.rejected[0]["error"]


def test_slack_body_has_text_and_blocks_and_escapes_what_customers_wrote(store, monkeypatch):
    monkeypatch.setenv("CXLENS_PUBLIC_URL", "https://cx.example.com")
    hostile = {
        "title": "Angry answer <!channel> from Ann",
        "summary": "NPS 1: <https://evil.example|click here> & *cancel* @here",
        "link": "/responses/42",
        "items": [
            {"title": "angry-answer <@U123>", "summary": "I want a refund <script>", "link": "javascript:alert(1)"}
        ],
    }
    with Receiver() as receiver:
        monkeypatch.setenv("SLACK_URL", receiver.url)
        declare(store, {"name": "cx-slack", "kind": "slack", "url_env": "SLACK_URL", "allow_private": True})
        queue(store, "answer:42:cx-slack", "cx-slack", topic="answer", **hostile)
        assert deliver_pending(store).sent == 1
    [request] = receiver.requests
    body = request["json"]
    assert "webhook-signature" not in request["headers"]
    assert set(body) == {"text", "blocks"}
    assert body["text"].startswith("Angry answer &lt;!channel&gt; from Ann: NPS 1: &lt;https://evil.example|click")
    kinds = [b["type"] for b in body["blocks"]]
    assert kinds == ["header", "section", "section", "actions"]
    assert body["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": "Angry answer <!channel> from Ann",
        "emoji": False,
    }
    assert body["blocks"][1]["text"]["type"] == "plain_text"  # free text is never mrkdwn
    item = body["blocks"][2]["text"]
    assert item["type"] == "mrkdwn"
    assert "<@U123>" not in item["text"] and "&lt;@U123&gt;" in item["text"] and "&lt;script&gt;" in item["text"]
    assert "javascript:" not in json.dumps(body)
    assert body["blocks"][3]["elements"][0]["url"] == "https://cx.example.com/responses/42"


def test_slack_blocks_for_an_alert_show_its_numbers_and_cap_items():
    body = slack_body("alert", {**ALERT, "items": ALERT["items"] * 25}, "https://cx.example.com")
    section = body["blocks"][2]["text"]["text"]
    assert section.startswith("*<https://cx.example.com/alerts/7|nps-drop-by-touchpoint · delivery>*")
    assert "firing, value 12 (95% CI 4.5 to 19.5), n 240, baseline 31, p 0.0004, q 0.003" in section
    assert sum(b["type"] == "section" for b in body["blocks"]) == 1 + 20
    assert body["blocks"][-2] == {
        "type": "context",
        "elements": [{"type": "plain_text", "text": "… and 5 more", "emoji": False}],
    }
    assert len(body["blocks"]) <= 50  # Slack's limit
    generic = webhook_body("alert", {**ALERT, "items": ALERT["items"] * 25}, "https://cx.example.com")
    assert len(generic["items"]) == 25


def test_a_receiver_that_is_down_is_retried_with_backoff_then_marked_failed(store, monkeypatch):
    port = free_port()  # nothing listens here
    monkeypatch.setenv("OPS_HOOK_URL", f"http://127.0.0.1:{port}/hook")
    monkeypatch.setenv("OPS_HOOK_SECRET", SECRET)
    declare(store, webhook(""))
    t0 = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
    queue(store, "down-1", "ops-hook", now=t0, **ALERT)
    queue(store, "down-2", "ops-hook", now=t0, **ALERT)
    now = t0
    delays = []
    for n in range(1, MAX_ATTEMPTS + 1):
        report = deliver_pending(store, now=now)
        assert [a.outcome for a in report.attempts] == (["retry"] * 2 if n < MAX_ATTEMPTS else ["failed"] * 2)
        assert "ConnectionRefusedError" in report.attempts[0].error
        assert deliver_pending(store, now=now).attempts == []  # not due again yet
        if n < MAX_ATTEMPTS:
            next_at = min(r["next_attempt_at"] for r in outbox(store))
            delays.append(next_at - now)
            assert BACKOFF * 2 ** (n - 1) <= next_at - now <= BACKOFF * 2 ** (n - 1) * 1.25
            assert deliver_pending(store, now=next_at - timedelta(seconds=1)).attempts == []
            now = max(r["next_attempt_at"] for r in outbox(store))
    assert delays == sorted(delays)
    rows = outbox(store)
    assert [r["status"] for r in rows] == ["failed", "failed"] and [r["attempts"] for r in rows] == [MAX_ATTEMPTS] * 2
    assert rows[0]["last_error"].startswith(f"gave up after {MAX_ATTEMPTS} attempts; last: ConnectionRefusedError")
    logged = attempts(store)
    assert len(logged) == 2 * MAX_ATTEMPTS and not any(a["ok"] for a in logged)
    assert all(a["error"] and a["duration_ms"] is not None for a in logged)
    assert deliver_pending(store, now=now + timedelta(days=1)).attempts == []  # failed stays failed


def test_a_receiver_that_comes_back_gets_the_message_once(store, monkeypatch):
    answers = {0: 503, 1: 500}
    with Receiver(secret=SECRET, answer=lambda i: answers.get(i, 204)) as receiver:
        monkeypatch.setenv("OPS_HOOK_URL", receiver.url)
        monkeypatch.setenv("OPS_HOOK_SECRET", SECRET)
        declare(store, webhook(receiver.url))
        t0 = datetime.now(timezone.utc)
        queue(store, "flaky", "ops-hook", now=t0, **ALERT)
        outcomes = []
        now = t0
        for _ in range(3):
            report = deliver_pending(store, now=now)
            outcomes += [(a.outcome, a.status_code) for a in report.attempts]
            now += timedelta(hours=1)
    assert outcomes == [("retry", 503), ("retry", 500), ("sent", 204)]
    assert len(set(receiver.ids())) == 1  # the same webhook-id on every retry
    assert [a["status_code"] for a in attempts(store)] == [503, 500, 204]
    assert attempts(store)[0]["error"] == "HTTP 503: no"


def test_retry_after_is_respected_and_the_delay_grows():
    assert retry_delay(1) >= BACKOFF and retry_delay(3) >= BACKOFF * 4
    assert retry_delay(1, retry_after=600) >= timedelta(minutes=10)
    assert retry_delay(1, retry_after=10**6) <= timedelta(hours=1, minutes=2)


def test_410_gone_disables_the_notifier_and_fails_its_pending_messages(store, monkeypatch):
    with Receiver(answer=lambda i: 410) as receiver:
        monkeypatch.setenv("SLACK_URL", receiver.url)
        declare(store, {"name": "cx-slack", "kind": "slack", "url_env": "SLACK_URL", "allow_private": True})
        for k in range(3):
            queue(store, f"gone-{k}", "cx-slack", **ALERT)
        report = deliver_pending(store)
    assert len(receiver.requests) == 1  # the first answer stops the rest
    [attempt] = report.attempts
    assert attempt.outcome == "failed" and attempt.status_code == 410
    rows = outbox(store)
    assert [r["status"] for r in rows] == ["failed"] * 3
    assert [r["attempts"] for r in rows] == [1, 0, 0]
    assert "410 Gone" in rows[0]["last_error"]
    assert rows[1]["last_error"].startswith("notifier 'cx-slack' disabled: the receiver answered 410 Gone")
    with store.engine.connect() as conn:
        notifier = load_notifier(conn, "cx-slack")
    assert notifier.disabled_at is not None and "410 Gone" in notifier.disabled_reason
    # New messages for it fail at once, with the reason, and nothing is posted.
    queue(store, "gone-later", "cx-slack", **ALERT)
    [later] = deliver_pending(store).attempts
    assert later.outcome == "failed" and "is disabled: the receiver answered 410 Gone" in later.error


def test_private_targets_are_refused_at_send_time_unless_allowed(store, monkeypatch):
    with Receiver(secret=SECRET) as receiver:
        monkeypatch.setenv("OPS_HOOK_URL", receiver.url)  # 127.0.0.1
        monkeypatch.setenv("OPS_HOOK_SECRET", SECRET)
        declare(store, webhook(receiver.url, allow_private=False))
        queue(store, "private", "ops-hook", **ALERT)
        [attempt] = deliver_pending(store).attempts
        assert attempt.outcome == "retry"
        assert "127.0.0.1 resolves to 127.0.0.1, a loopback address" in attempt.error
        assert receiver.requests == [] and receiver.rejected == []
        declare(store, webhook(receiver.url, allow_private=True))
        [attempt] = deliver_pending(store, now=datetime.now(timezone.utc) + timedelta(hours=1)).attempts
        assert attempt.outcome == "sent" and len(receiver.requests) == 1


def test_an_unset_variable_is_a_logged_error_naming_notifier_and_variable(store, monkeypatch):
    monkeypatch.delenv("OPS_HOOK_URL", raising=False)
    declare(store, webhook(""))
    queue(store, "unset", "ops-hook", **ALERT)
    queue(store, "nobody", "no-such-notifier", **ALERT)
    report = deliver_pending(store)
    errors = {a.notification_id: a.error for a in report.attempts}
    assert [a.outcome for a in report.attempts] == ["retry", "retry"]
    first, second = (r["id"] for r in outbox(store))
    assert errors[first].startswith("notifier 'ops-hook': environment variable OPS_HOOK_URL (url_env) is not set")
    assert errors[second].startswith("no notifier named 'no-such-notifier'; declare it under notifiers:")
    assert [a["error"] for a in attempts(store)] == [errors[first], errors[second]]


def test_a_lease_that_ran_out_is_logged_and_sent(store, monkeypatch):
    with Receiver(secret=SECRET) as receiver:
        monkeypatch.setenv("OPS_HOOK_URL", receiver.url)
        monkeypatch.setenv("OPS_HOOK_SECRET", SECRET)
        declare(store, webhook(receiver.url))
        queue(store, "stuck", "ops-hook", **ALERT)
        t0 = datetime.now(timezone.utc)
        with store.begin() as conn:  # a worker claimed it and died
            conn.execute(
                s.notifications.update().values(status="sending", attempts=1, next_attempt_at=t0 + timedelta(minutes=5))
            )
        assert deliver_pending(store, now=t0).attempts == []  # its lease still runs
        [attempt] = deliver_pending(store, now=t0 + timedelta(minutes=6)).attempts
        assert attempt.outcome == "sent" and len(receiver.requests) == 1
    logged = attempts(store)
    assert [(a["ok"], a["error"]) for a in logged] == [(False, INTERRUPTED), (True, None)]
    assert outbox(store)[0]["attempts"] == 2


@pytest.fixture
def tls_receiver(tmp_path):
    """The receiver behind TLS, with a self-signed certificate for 127.0.0.1 (made by openssl)."""
    import shutil
    import ssl
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    receiver = Receiver(secret=SECRET)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    with receiver:
        yield receiver, cert


def test_https_is_verified_against_the_trusted_certificates(store, monkeypatch, tls_receiver):
    receiver, cert = tls_receiver
    url = receiver.url.replace("http://", "https://")
    monkeypatch.setenv("OPS_HOOK_URL", url)
    monkeypatch.setenv("OPS_HOOK_SECRET", SECRET)
    declare(store, webhook(url))
    queue(store, "tls", "ops-hook", **ALERT)
    [attempt] = deliver_pending(store).attempts
    assert attempt.outcome == "retry" and "CERTIFICATE_VERIFY_FAILED" in attempt.error  # self-signed: refused
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # now trusted (as a company CA would be)
    [attempt] = deliver_pending(store, now=datetime.now(timezone.utc) + timedelta(hours=1)).attempts
    assert attempt.outcome == "sent", attempt.error
    assert len(receiver.requests) == 1 and receiver.rejected == []
