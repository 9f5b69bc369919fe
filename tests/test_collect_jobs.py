"""Huey only wakes the sender: the job sends what the invitations table says is due, through a
real SMTP server, and a lost queue loses nothing (the table is the truth)."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import datetime, timedelta, timezone

import pytest
from test_collect_fixtures import invitations, setup_collection

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_job_sends_what_is_due_and_nothing_twice(store, store_url, tmp_path, monkeypatch):
    inbox = Inbox()
    smtp = aiosmtpd_controller.Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    try:
        for name, value in {
            "CXLENS_DATABASE_URL": store_url,
            "CXLENS_DATA_DIR": str(tmp_path / "data"),
            "CXLENS_JOBS_FILE": str(tmp_path / "jobs.db"),
            "CXLENS_SECRET_KEY": "x" * 32,
            "CXLENS_QUIET_HOURS": "off",
            "CXLENS_SMTP_PORT": str(smtp.port),
        }.items():
            monkeypatch.setenv(name, value)
        from cxlens.collect import jobs

        monkeypatch.setattr(jobs, "_collection", None)
        monkeypatch.setattr(jobs.huey, "immediate", True)
        collection = setup_collection(store, tmp_path)
        now = datetime.now(timezone.utc)  # the job runs on the real clock
        collection.invite("support-csat", "c-fi", due_at=now - timedelta(minutes=5))  # due
        collection.invite("support-csat", "c-de", due_at=now + timedelta(days=1))  # not yet
        # A wake-up from the queue, then the periodic tick: one e-mail, sent once.
        assert jobs.wake_sender().get().startswith("1 sent")
        assert jobs.send_due_invitations.call_local().startswith("0 sent")
    finally:
        smtp.stop()
    [message] = inbox.messages
    assert message["To"].addresses[0].addr_spec == "aino@example.fi"
    assert [r["status"] for r in invitations(store)] == ["sent", "pending"]
