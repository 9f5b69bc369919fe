"""Who takes a case: the team by the first matching assignment rule, the owner by round robin
inside the team; the owner's e-mail on assignment; escalation when a case is overdue.

Round robin is computed from the cases themselves, not from a counter: the team's active
members in user-id order, and the next one after the owner of the team's most recently opened
case that has an owner among them (the first member when there is none). So it needs no state
of its own, survives restarts, and a member who leaves the team simply drops out of the turn.

Notifications only enter the outbox (:func:`cxlens.alerts.outbox.enqueue`), under keys that
make a rerun enqueue nothing new: ``case:{id}:assigned:{owner}:{n}`` (the case's n-th
assignment) and ``case:{id}:overdue``. They go to the notifier ``owner`` with the recipients'
addresses in the payload's ``to``.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import sqlalchemy as sa

from ..store import schema as s
from .case_settings import CaseSettings, load_case_settings
from .outbox import enqueue
from .timeline import append_event

__all__ = ["OWNER_NOTIFIER", "choose_team", "escalate_overdue", "next_owner", "notify_assigned"]

OWNER_NOTIFIER = "owner"
OPEN_STATUSES = ("open", "in_progress", "waiting_customer")


def choose_team(
    settings: CaseSettings,
    *,
    touchpoint: str | None,
    source: str | None,
    priority: str | None,
    fallback: tuple[str | None, ...] = (),
) -> str | None:
    """The team of the first assignment rule that matches, else the first of ``fallback``
    (the ticket's team, the touchpoint's team) that has members, else None."""
    for rule in settings.assignment:
        if rule.matches(touchpoint=touchpoint, source=source, priority=priority):
            return rule.team
    for team in fallback:
        if team and team in settings.teams:
            return team
    return None


def next_owner(conn: sa.Connection, team: str) -> int | None:
    """The member of ``team`` whose turn it is (see the module's docstring), or None."""
    tm, u, c = s.team_members, s.users, s.cases
    members = (
        conn.execute(
            sa.select(tm.c.user_id)
            .join(u, u.c.id == tm.c.user_id)
            .where(tm.c.team == team, u.c.disabled.is_(sa.false()))
            .order_by(tm.c.user_id)
        )
        .scalars()
        .all()
    )
    if not members:
        return None
    last = conn.execute(
        sa.select(c.c.owner_id).where(c.c.team == team, c.c.owner_id.in_(members)).order_by(c.c.id.desc()).limit(1)
    ).scalar()
    if last is None:
        return members[0]
    later = [m for m in members if m > last]
    return later[0] if later else members[0]


def _email(conn: sa.Connection, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    return conn.execute(sa.select(s.users.c.email).where(s.users.c.id == user_id)).scalar()


def notify_assigned(
    conn: sa.Connection,
    case_id: int,
    owner_id: int,
    *,
    now: datetime | None = None,
    n: int | None = None,
    case: dict | None = None,
) -> bool:
    """Queue the e-mail telling ``owner_id`` that the case is theirs; True if queued. ``n``
    (the case's n-th assignment) and ``case`` (its title, priority, due_at, team) are read
    from the store unless the caller knows them."""
    c, e = s.cases, s.case_events
    if n is None:
        n = conn.execute(
            sa.select(sa.func.count()).select_from(e).where(e.c.case_id == case_id, e.c.kind == "assigned")
        ).scalar_one()
    if case is None:
        case = (
            conn.execute(sa.select(c.c.title, c.c.priority, c.c.due_at, c.c.team).where(c.c.id == case_id))
            .mappings()
            .one()
        )
    case = SimpleNamespace(**{k: case[k] for k in ("title", "priority", "due_at", "team")})
    due = f", due {case.due_at:%Y-%m-%d %H:%M} UTC" if case.due_at else ""
    payload = {
        "title": f"Case #{case_id} is yours: {case.title or 'follow up with a customer'}",
        "summary": f"Priority {case.priority}{due}. Team: {case.team or '-'}.",
        "link": f"/cases/{case_id}",
        "case_id": case_id,
        "owner_id": owner_id,
        "to": [x for x in [_email(conn, owner_id)] if x],
    }
    return enqueue(
        conn,
        key=f"case:{case_id}:assigned:{owner_id}:{max(n, 1)}",
        notifier=OWNER_NOTIFIER,
        topic="case_assigned",
        payload=payload,
        now=now,
    )


def escalate_overdue(
    conn: sa.Connection, now: datetime | None = None, *, settings: CaseSettings | None = None
) -> list[int]:
    """Escalate every open case overdue by the escalation's ``after``: mark it, add an
    ``escalated`` event and queue a ``case_overdue`` message to the escalation owner (and the
    case's owner). Each case is escalated once; returns the ids escalated now."""
    now = now or datetime.now(timezone.utc)
    settings = settings or load_case_settings(conn)
    escalation = settings.escalation
    if escalation is None or escalation.to_user_id is None:
        return []
    c = s.cases
    limit = now - timedelta(seconds=escalation.after.seconds)
    rows = conn.execute(
        sa.select(c.c.id, c.c.title, c.c.owner_id, c.c.due_at, c.c.priority)
        .where(c.c.status.in_(OPEN_STATUSES), c.c.due_at.is_not(None), c.c.due_at <= limit, c.c.escalated_at.is_(None))
        .order_by(c.c.id)
    ).all()
    done = []
    to_email = _email(conn, escalation.to_user_id)
    for row in rows:
        # The guard makes two escalators at once escalate each case once.
        claimed = conn.execute(
            c.update()
            .where(c.c.id == row.id, c.c.escalated_at.is_(None))
            .values(escalated_at=now, escalated_to=escalation.to_user_id, updated_at=now)
        ).rowcount
        if not claimed:
            continue
        overdue = now - row.due_at
        append_event(
            conn,
            row.id,
            "escalated",
            at=now,
            data={
                "to": escalation.to_user_id,
                "due_at": row.due_at.isoformat(),
                "overdue_seconds": overdue.total_seconds(),
            },
        )
        recipients = [x for x in (to_email, _email(conn, row.owner_id)) if x]
        payload = {
            "title": f"Overdue case #{row.id}: {row.title or 'follow up with a customer'}",
            "summary": f"Priority {row.priority}; was due {row.due_at:%Y-%m-%d %H:%M} UTC "
            f"({overdue.total_seconds() / 3600:.1f} h ago). Escalated to {to_email}.",
            "link": f"/cases/{row.id}",
            "case_id": row.id,
            "owner_id": row.owner_id,
            "escalated_to": escalation.to_user_id,
            "to": list(dict.fromkeys(recipients)),
        }
        enqueue(
            conn, key=f"case:{row.id}:overdue", notifier=OWNER_NOTIFIER, topic="case_overdue", payload=payload, now=now
        )
        done.append(row.id)
    return done
