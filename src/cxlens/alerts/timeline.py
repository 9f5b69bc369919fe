"""A case's timeline: ``case_events`` rows, appended and never changed.

The one writer of the table, used by opening, assignment, status changes, notes, contact,
closing and escalation alike, so that every change of a case leaves its row."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from ..store import schema as s

__all__ = ["EVENT_KINDS", "append_event"]

EVENT_KINDS = (
    "opened",
    "assigned",
    "status",
    "note",
    "contacted",
    "resolved",
    "closed",
    "reopened",
    "escalated",
    "priority",
)


_APPEND = s.case_events.insert().returning(s.case_events.c.id)  # built once: cases open on the write path


def append_event(
    conn: sa.Connection,
    case_id: int,
    kind: str,
    *,
    actor_id: int | None = None,
    data: dict[str, Any] | None = None,
    note: str | None = None,
    at: datetime | None = None,
) -> int:
    """Append one event to the case's timeline; returns its id."""
    if kind not in EVENT_KINDS:
        raise ValueError(f"unknown case event {kind!r}; kinds: {', '.join(EVENT_KINDS)}")
    values = dict(
        case_id=case_id, at=at or datetime.now(timezone.utc), kind=kind, actor_id=actor_id, data=data, note=note
    )
    return conn.execute(_APPEND, values).scalar_one()
