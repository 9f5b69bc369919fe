"""The notification outbox: every message cxlens will send is first a row of ``notifications``.

Writers (alert evaluation, answer rules, case assignment and escalation) only enqueue, inside
their own transaction, under a key that names what the message is about; delivery reads the
table and sends. A writer killed halfway and run again finds its key taken and enqueues
nothing, so nothing is sent twice.

Payload (what every notifier renders from): ``title`` (one line), ``summary`` (plain text),
``link`` (a path of the web app, e.g. ``/alerts/12``), and optionally ``items``: one dict per
alert or case the message groups, each with its own ``title``, ``summary`` and ``link``, and for
alerts ``rule``, ``slice``, ``state``, ``value``, ``low``, ``high``, ``n``, ``baseline``, ``p``, ``q``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from ..store import schema as s

__all__ = ["TOPICS", "enqueue"]

TOPICS = ("alert", "answer", "case_assigned", "case_overdue")


def enqueue(
    conn: sa.Connection,
    *,
    key: str,
    notifier: str,
    topic: str,
    payload: dict[str, Any],
    now: datetime | None = None,
) -> bool:
    """Queue one message for ``notifier`` unless a message with ``key`` exists; True if queued.

    ``key`` must be the same each time the same thing is announced (e.g. the alert, the state
    it entered and when, and the notifier), so that a rerun cannot queue a second copy."""
    if topic not in TOPICS:
        raise ValueError(f"unknown notification topic {topic!r}; topics: {', '.join(TOPICS)}")
    now = now or datetime.now(timezone.utc)
    exists = conn.execute(sa.select(s.notifications.c.id).where(s.notifications.c.key == key)).first()
    if exists is not None:
        return False
    conn.execute(
        s.notifications.insert().values(
            key=key,
            notifier=notifier,
            topic=topic,
            payload=payload,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    return True
