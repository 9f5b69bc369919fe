"""Shared by the notify tests: a real HTTP receiver on 127.0.0.1 that checks Standard Webhooks
signatures with the independent ``standardwebhooks`` package, a real SMTP server (aiosmtpd),
and helpers to declare notifiers and queue messages."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sqlalchemy as sa

from cxlens.alerts.notifiers import parse_notifiers, store_notifiers
from cxlens.alerts.outbox import enqueue
from cxlens.store import schema as s

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Receiver:
    """An HTTP server on 127.0.0.1 recording each POST. With ``secret``, a request whose
    signature the standardwebhooks package does not accept is answered 401 and kept apart.
    ``answer`` maps the request number (0-based) to the status to reply (default 200)."""

    def __init__(self, secret: str | None = None, answer: Callable[[int], int] | None = None):
        self.secret = secret
        self.answer = answer or (lambda i: 200)
        self.requests: list[dict] = []
        self.rejected: list[dict] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                record = {"path": self.path, "headers": headers, "body": body, "json": json.loads(body or b"null")}
                status = 200
                if receiver.secret is not None:
                    from standardwebhooks import Webhook, WebhookVerificationError

                    try:
                        Webhook(receiver.secret).verify(body, headers)
                    except WebhookVerificationError as exc:
                        record["error"] = str(exc)
                        with receiver.lock:
                            receiver.rejected.append(record)
                        status = 401
                if status == 200:
                    with receiver.lock:
                        number = len(receiver.requests)
                        receiver.requests.append(record)
                    status = receiver.answer(number)
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok" if status < 300 else b"no")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        return [r["headers"]["webhook-id"] for r in self.requests]


class Inbox:
    def __init__(self):
        self.messages = []
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_inbox(monkeypatch):
    controller_module = pytest.importorskip("aiosmtpd.controller")
    inbox = Inbox()
    controller = controller_module.Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("CXLENS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CXLENS_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("CXLENS_SMTP_FROM", "cxlens <alerts@cx.example.com>")
    try:
        yield inbox
    finally:
        controller.stop()


def declare(store, *notifiers: dict) -> None:
    with store.begin() as conn:
        store_notifiers(conn, parse_notifiers(list(notifiers), "journeys.yaml"))


def queue(store, key: str, notifier: str, topic: str = "alert", now: datetime | None = None, **payload) -> bool:
    payload = {"title": f"Alert {key}", "summary": "NPS fell", "link": f"/alerts/{key}", **payload}
    with store.begin() as conn:
        return enqueue(
            conn, key=key, notifier=notifier, topic=topic, payload=payload, now=now or datetime.now(timezone.utc)
        )


def outbox(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(s.notifications).order_by(s.notifications.c.id))]


def attempts(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(s.deliveries).order_by(s.deliveries.c.id))]
