"""Each notification is received once: after a writer or a sender is killed mid-run and run
again, and with two workers delivering at the same time (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from test_notify_fixtures import SECRET, Receiver, attempts, declare, outbox, queue

from cxlens.alerts import delivery
from cxlens.alerts.delivery import INTERRUPTED, LEASE, deliver_pending
from cxlens.alerts.webhooks import message_id
from cxlens.store import open_store


class Killed(BaseException):
    """Stands for the process being killed: nothing in cxlens catches it."""


@pytest.fixture
def hook(store, monkeypatch):
    with Receiver(secret=SECRET) as receiver:
        monkeypatch.setenv("OPS_HOOK_URL", receiver.url)
        monkeypatch.setenv("OPS_HOOK_SECRET", SECRET)
        declare(
            store,
            {
                "name": "ops-hook",
                "kind": "webhook",
                "url_env": "OPS_HOOK_URL",
                "secret_env": "OPS_HOOK_SECRET",
                "allow_private": True,
            },
        )
        yield receiver


def evaluate(store, keys: list[str], die_after: int | None = None) -> int:
    """A stand-in for an evaluation run: one outbox row per key, each in its own transaction."""
    queued = 0
    for n, key in enumerate(keys):
        if die_after is not None and n == die_after:
            raise Killed()
        queued += queue(store, key, "ops-hook")
    return queued


def test_killed_writer_and_killed_sender_each_message_is_received_once(store, hook, monkeypatch):
    keys = [f"alert:{k}:firing:ops-hook" for k in range(6)]
    with pytest.raises(Killed):
        evaluate(store, keys, die_after=3)
    assert evaluate(store, keys) == 3  # the rerun finds the first three keys taken

    real_post = delivery.post_json
    calls = []

    def post_then_die(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise Killed()  # killed during the second send, before anything went out
        return real_post(*args, **kwargs)

    monkeypatch.setattr(delivery, "post_json", post_then_die)
    t0 = datetime.now(timezone.utc)
    with pytest.raises(Killed):
        deliver_pending(store, now=t0)
    assert len(hook.requests) == 1
    assert [r["status"] for r in outbox(store)] == ["sent", "sending"] + ["pending"] * 4
    # Run again at once: the interrupted row's lease still runs, the others go.
    assert deliver_pending(store, now=t0 + timedelta(seconds=1)).sent == 4
    # And once the lease has run out, the interrupted one too.
    report = deliver_pending(store, now=t0 + LEASE + timedelta(seconds=2))
    assert report.sent == 1
    assert deliver_pending(store, now=t0 + timedelta(hours=2)).attempts == []
    assert sorted(hook.ids()) == sorted(message_id(k) for k in keys)  # each exactly once
    assert hook.rejected == []
    assert all(r["status"] == "sent" for r in outbox(store))
    assert [a["error"] for a in attempts(store)].count(INTERRUPTED) == 1


def test_the_one_at_least_once_window_repeats_with_the_same_webhook_id(store, hook, monkeypatch):
    """Killed after the receiver took the message, before it was marked sent: sent again after
    the lease, and the copy carries the same webhook-id so the receiver can drop it."""
    queue(store, "window", "ops-hook")
    real_post = delivery.post_json

    def post_and_die(*args, **kwargs):
        real_post(*args, **kwargs)
        raise Killed()

    monkeypatch.setattr(delivery, "post_json", post_and_die)
    t0 = datetime.now(timezone.utc)
    with pytest.raises(Killed):
        deliver_pending(store, now=t0)
    monkeypatch.setattr(delivery, "post_json", real_post)
    assert deliver_pending(store, now=t0 + LEASE / 2).attempts == []
    assert deliver_pending(store, now=t0 + LEASE + timedelta(seconds=1)).sent == 1
    assert hook.ids() == [message_id("window")] * 2


def test_two_workers_at_once_send_each_message_once(store, store_url, hook):
    keys = [f"burst-{k}" for k in range(40)]
    evaluate(store, keys)
    stores = [open_store(store_url), open_store(store_url)]
    barrier = threading.Barrier(2)
    reports, errors = [], []

    def work(s):
        try:
            barrier.wait()
            reports.append(deliver_pending(s))
        except Exception as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in stores]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for s in stores:
        s.dispose()
    assert errors == []
    assert sum(r.sent for r in reports) == 40
    assert sorted(hook.ids()) == sorted(message_id(k) for k in keys)
    assert len(attempts(store)) == 40
    assert all(r["status"] == "sent" and r["attempts"] == 1 for r in outbox(store))


def test_limit_bounds_one_run(store, hook):
    evaluate(store, [f"l-{k}" for k in range(5)])
    assert deliver_pending(store, limit=2).sent == 2
    assert deliver_pending(store, limit=10).sent == 3


def test_a_message_interrupted_every_time_is_given_up(store, hook):
    from cxlens.alerts.delivery import MAX_ATTEMPTS
    from cxlens.store import schema as s

    queue(store, "poison", "ops-hook")
    t0 = datetime.now(timezone.utc)
    with store.begin() as conn:
        conn.execute(s.notifications.update().values(status="sending", attempts=MAX_ATTEMPTS, next_attempt_at=t0))
    [attempt] = deliver_pending(store, now=t0).attempts
    assert attempt.outcome == "failed" and "interrupted" in attempt.error
    assert hook.requests == [] and outbox(store)[0]["status"] == "failed"


def test_an_unexpected_error_is_logged_as_an_attempt_and_the_run_goes_on(store, hook, monkeypatch):
    queue(store, "breaks", "ops-hook")
    queue(store, "fine", "ops-hook")
    real_body = delivery.webhook_body

    def body(topic, payload, base_url, sent_at=None):
        if payload["title"] == "Alert breaks":
            raise KeyError("a bug")
        return real_body(topic, payload, base_url, sent_at)

    monkeypatch.setattr(delivery, "webhook_body", body)
    report = deliver_pending(store)
    assert [a.outcome for a in report.attempts] == ["retry", "sent"]
    assert report.attempts[0].error == "KeyError: 'a bug'"
    assert len(hook.requests) == 1
