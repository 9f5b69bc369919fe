"""Cases: the follow-ups that close the loop with a customer, each with an owner, a team, an
SLA and an outcome, and a timeline of everything that happened to it.

A case comes from an ``answer`` rule (a detractor's comment, an angry review, a ticket), from a
firing alert, or by hand. Its life::

    open → in_progress → (waiting_customer ↔ in_progress) → resolved → closed (with an outcome)
                  ↖────────────── reopen ──────────────────────────────────┘

Every function here takes the caller's connection (it writes inside the caller's transaction)
and appends one ``case_events`` row per change (:mod:`cxlens.alerts.timeline`), so the timeline
tells the whole story; the ``cases`` row only holds the current state. Reading cases (the list,
one case with its timeline) is :mod:`cxlens.alerts.case_views`.

Idempotency: a case opened by a rule carries an ``origin_key`` (``rule:{rule}:{kind}:{id}``),
unique in the table; opening it again returns None. Two openers racing on the same key meet at
the unique index: the loser's ``INSERT … ON CONFLICT DO NOTHING`` inserts nothing and it
returns None, with no error in the caller's transaction.
"""

from __future__ import annotations

import difflib
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import InputError
from ..store import schema as s
from .assignment import choose_team, next_owner, notify_assigned
from .case_settings import (
    OUTCOMES,
    PRIORITIES,
    STATUSES,
    CaseSettings,
    cached_case_settings,
    load_case_settings,
)
from .sla import case_deadlines
from .timeline import append_event

__all__ = [
    "SOURCES",
    "add_note",
    "assign",
    "close",
    "mark_contacted",
    "open_case",
    "reopen",
    "set_status",
]

SOURCES = ("response", "mention", "ticket", "alert", "manual")


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


# Statements of opening, built once: answer rules open cases on the write path, where
# constructing a statement costs more than running it.
_c = s.cases
_OPENED = sa.select(_c.c.id).where(_c.c.origin_key == sa.bindparam("origin_key"))
_TOUCHPOINT = sa.select(s.touchpoints.c.key, s.touchpoints.c.team).where(s.touchpoints.c.id == sa.bindparam("id"))
# ON CONFLICT DO NOTHING: another writer that opened it between our look and our insert wins,
# without an error (so without a savepoint) in the caller's transaction.
_INSERT = {
    name: dialect.insert(_c).on_conflict_do_nothing(index_elements=["origin_key"]).returning(_c.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


# --- opening -----------------------------------------------------------------------------------------


def _item_facts(conn: sa.Connection, response_id, mention_id, ticket_id) -> dict[str, Any]:
    """The customer, touchpoint and team the source item carries."""
    if response_id is not None:
        r = s.responses
        row = conn.execute(sa.select(r.c.customer_id, r.c.touchpoint_id).where(r.c.id == response_id)).first()
        return {"customer_id": row.customer_id, "touchpoint_id": row.touchpoint_id} if row else {}
    if ticket_id is not None:
        t = s.tickets
        row = conn.execute(sa.select(t.c.customer_id, t.c.touchpoint_id, t.c.team).where(t.c.id == ticket_id)).first()
        return {"customer_id": row.customer_id, "touchpoint_id": row.touchpoint_id, "team": row.team} if row else {}
    if mention_id is not None:
        m = s.mentions
        row = conn.execute(sa.select(m.c.customer_id).where(m.c.id == mention_id)).first()
        return {"customer_id": row.customer_id} if row else {}
    return {}


def open_case(
    conn: sa.Connection,
    *,
    source: str,
    title: str,
    customer_id: int | None = None,
    response_id: int | None = None,
    mention_id: int | None = None,
    ticket_id: int | None = None,
    alert_id: int | None = None,
    rule_id: int | None = None,
    touchpoint_id: int | None = None,
    priority: str = "normal",
    team: str | None = None,
    owner_id: int | None = None,
    origin_key: str | None = None,
    actor_id: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> int | None:
    """Open a case; its id, or None when a case with ``origin_key`` exists already.

    Customer and touchpoint default to the source item's. Without ``team`` the assignment
    rules choose it (falling back on the ticket's, then the touchpoint's team); without
    ``owner_id`` the team's round robin does. ``due_at`` comes from the SLA of ``priority``.
    Writes the ``opened`` event (and ``assigned``, queuing the owner's e-mail)."""
    if source not in SOURCES:
        raise InputError(f"case source {source!r} is not known; use one of: {', '.join(SOURCES)}")
    if priority not in PRIORITIES:
        raise InputError(f"priority {priority!r} is not known; use one of: {', '.join(PRIORITIES)}")
    if origin_key is not None and conn.execute(_OPENED, {"origin_key": origin_key}).first():
        return None
    now = _now(now)
    known = customer_id is not None and touchpoint_id is not None and ticket_id is None  # a ticket also gives its team
    facts = {} if known else _item_facts(conn, response_id, mention_id, ticket_id)
    customer_id = customer_id if customer_id is not None else facts.get("customer_id")
    touchpoint_id = touchpoint_id if touchpoint_id is not None else facts.get("touchpoint_id")
    settings = cached_case_settings(conn)
    touchpoint = None
    if touchpoint_id is not None:
        touchpoint = conn.execute(_TOUCHPOINT, {"id": touchpoint_id}).first()
    if team is None:
        team = choose_team(
            settings,
            touchpoint=touchpoint.key if touchpoint else None,
            source=source,
            priority=priority,
            fallback=(facts.get("team"), touchpoint.team if touchpoint else None),
        )
    if owner_id is None and team is not None:
        owner_id = next_owner(conn, team)
    deadlines = case_deadlines(conn, priority=priority, team=team, start=now, settings=settings)
    values = dict(
        source=source,
        origin_key=origin_key,
        response_id=response_id,
        mention_id=mention_id,
        ticket_id=ticket_id,
        alert_id=alert_id,
        rule_id=rule_id,
        customer_id=customer_id,
        touchpoint_id=touchpoint_id,
        title=(title or "")[:300],
        owner_id=owner_id,
        team=team,
        status="open",
        priority=priority,
        due_at=deadlines.due_at,
        business_hours=deadlines.business_hours,
        notes=note,
        created_at=now,
        updated_at=now,
    )
    case_id = conn.execute(_INSERT["postgresql" if conn.dialect.name == "postgresql" else "sqlite"], values).scalar()
    if case_id is None:
        return None
    append_event(
        conn,
        case_id,
        "opened",
        actor_id=actor_id,
        at=now,
        note=note,
        data={"source": source, "priority": priority, "team": team, "origin_key": origin_key, **deadlines.to_json()},
    )
    if owner_id is not None:
        append_event(
            conn,
            case_id,
            "assigned",
            actor_id=actor_id,
            at=now,
            data={"owner_id": owner_id, "team": team, "by": "rule" if actor_id is None else "hand"},
        )
        notify_assigned(conn, case_id, owner_id, now=now, n=1, case=values)
    return case_id


# --- changing -------------------------------------------------------------------------------------------


def _case(conn: sa.Connection, case_id: int):
    row = conn.execute(sa.select(s.cases).where(s.cases.c.id == case_id)).mappings().first()
    if row is None:
        raise InputError(f"case {case_id} does not exist; cxlens cases list shows the cases")
    return row


def _update(conn: sa.Connection, case_id: int, now: datetime, **values) -> None:
    conn.execute(s.cases.update().where(s.cases.c.id == case_id).values(updated_at=now, **values))


def assign(
    conn: sa.Connection,
    case_id: int,
    owner_id: int,
    actor_id: int | None = None,
    *,
    team: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Make ``owner_id`` the owner (and ``team`` the team, when given); queue their e-mail.
    False when they own it already."""
    now = _now(now)
    case = _case(conn, case_id)
    if conn.execute(sa.select(s.users.c.id).where(s.users.c.id == owner_id)).first() is None:
        raise InputError(f"user {owner_id} does not exist; cxlens users list shows the users")
    if case["owner_id"] == owner_id and (team is None or team == case["team"]):
        return False
    _update(conn, case_id, now, owner_id=owner_id, **({"team": team} if team else {}))
    append_event(
        conn,
        case_id,
        "assigned",
        actor_id=actor_id,
        at=now,
        data={
            "owner_id": owner_id,
            "from": case["owner_id"],
            "team": team or case["team"],
            "by": "hand" if actor_id else "rule",
        },
    )
    notify_assigned(conn, case_id, owner_id, now=now)
    return True


def set_status(
    conn: sa.Connection,
    case_id: int,
    status: str,
    actor_id: int | None = None,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Move the case to ``status`` (open, in_progress, waiting_customer, resolved); closing
    needs an outcome (:func:`close`), a closed case is reopened with :func:`reopen`. False
    when it has that status already."""
    if status not in STATUSES:
        raise InputError(f"status {status!r} is not known; use one of: {', '.join(STATUSES)}")
    if status == "closed":
        raise InputError("a case is closed with an outcome: use close (cxlens cases close ID --outcome recovered)")
    now = _now(now)
    case = _case(conn, case_id)
    if case["status"] == "closed":
        raise InputError(f"case {case_id} is closed; reopen it first")
    if case["status"] == status:
        return False
    extra: dict[str, Any] = {}
    if status == "resolved":
        extra["resolved_at"] = now
    elif case["status"] == "resolved":
        extra["resolved_at"] = None
    _update(conn, case_id, now, status=status, **extra)
    append_event(
        conn, case_id, "status", actor_id=actor_id, at=now, note=note, data={"from": case["status"], "to": status}
    )
    return True


def add_note(
    conn: sa.Connection, case_id: int, text: str, actor_id: int | None = None, *, now: datetime | None = None
) -> int:
    """Add a note to the timeline (and to the case's notes); returns the event's id."""
    text = (text or "").strip()
    if not text:
        raise InputError("the note is empty; write what happened or what was agreed")
    now = _now(now)
    case = _case(conn, case_id)
    _update(conn, case_id, now, notes=f"{case['notes']}\n\n{text}" if case["notes"] else text)
    return append_event(conn, case_id, "note", actor_id=actor_id, at=now, note=text)


def _resolve_due(conn: sa.Connection, case_id: int) -> datetime | None:
    data = conn.execute(
        sa.select(s.case_events.c.data)
        .where(s.case_events.c.case_id == case_id, s.case_events.c.kind.in_(["opened", "reopened"]))
        .order_by(s.case_events.c.id.desc())
        .limit(1)
    ).scalar()
    value = (data or {}).get("resolve_due_at")
    return datetime.fromisoformat(value) if value else None


def mark_contacted(
    conn: sa.Connection,
    case_id: int,
    actor_id: int | None = None,
    *,
    channel: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Record a contact with the customer. The first sets ``first_contacted_at``, moves an open
    case to in_progress and makes the resolution deadline the one in force. True if first."""
    now = _now(now)
    case = _case(conn, case_id)
    first = case["first_contacted_at"] is None
    within = None
    if first:
        extra: dict[str, Any] = {"first_contacted_at": now, "due_at": _resolve_due(conn, case_id)}
        within = case["due_at"] is None or now <= case["due_at"]
        if case["status"] == "open":
            extra["status"] = "in_progress"
        _update(conn, case_id, now, **extra)
    append_event(
        conn,
        case_id,
        "contacted",
        actor_id=actor_id,
        at=now,
        note=note,
        data={
            "first": first,
            "channel": channel,
            **(
                {"within_sla": within, "due_at": case["due_at"].isoformat() if case["due_at"] else None}
                if first
                else {}
            ),
        },
    )
    return first


def _code(value: str | None, known: tuple[str, ...], what: str, option: str) -> str | None:
    if value is None or value == "":
        return None
    if value in known:
        return value
    near = difflib.get_close_matches(value, known, n=1)
    hint = f"did you mean {near[0]!r}? " if near else ""
    raise InputError(
        f"{value!r} is not a {what} code; {hint}use one of: {', '.join(known)} "
        f"(the journeys file's cases.{option} lists them)"
    )


def close(
    conn: sa.Connection,
    case_id: int,
    outcome: str,
    resolution: str | None = None,
    root_cause: str | None = None,
    actor_id: int | None = None,
    *,
    note: str | None = None,
    now: datetime | None = None,
    settings: CaseSettings | None = None,
) -> None:
    """Close the case with an ``outcome`` (recovered, not_recovered, no_action_needed,
    false_alarm) and optional resolution and root-cause codes from the taxonomy."""
    if outcome not in OUTCOMES:
        raise InputError(f"outcome {outcome!r} is not known; use one of: {', '.join(OUTCOMES)}")
    settings = settings or load_case_settings(conn)
    resolution = _code(resolution, settings.resolutions, "resolution", "resolutions")
    root_cause = _code(root_cause, settings.root_causes, "root-cause", "root_causes")
    now = _now(now)
    case = _case(conn, case_id)
    if case["status"] == "closed":
        raise InputError(f"case {case_id} is closed already (outcome {case['outcome']}); reopen it to change it")
    _update(
        conn,
        case_id,
        now,
        status="closed",
        outcome=outcome,
        resolution=resolution,
        root_cause=root_cause,
        closed_at=now,
        resolved_at=case["resolved_at"] or now,
    )
    append_event(
        conn,
        case_id,
        "closed",
        actor_id=actor_id,
        at=now,
        note=note,
        data={"from": case["status"], "outcome": outcome, "resolution": resolution, "root_cause": root_cause},
    )


def reopen(
    conn: sa.Connection,
    case_id: int,
    actor_id: int | None = None,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> None:
    """Reopen a resolved or closed case: its outcome and codes are cleared, and it gets a fresh
    resolution deadline from now (the first contact, if made, stays)."""
    now = _now(now)
    case = _case(conn, case_id)
    if case["status"] not in ("resolved", "closed"):
        raise InputError(f"case {case_id} is {case['status']}, not resolved or closed: there is nothing to reopen")
    deadlines = case_deadlines(conn, priority=case["priority"], team=case["team"], start=now)
    due = deadlines.resolve_at if case["first_contacted_at"] else deadlines.due_at
    _update(
        conn,
        case_id,
        now,
        status="in_progress" if case["first_contacted_at"] else "open",
        outcome=None,
        resolution=None,
        root_cause=None,
        closed_at=None,
        resolved_at=None,
        due_at=due,
    )
    append_event(
        conn,
        case_id,
        "reopened",
        actor_id=actor_id,
        at=now,
        note=note,
        data={"from": case["status"], "outcome": case["outcome"], **deadlines.to_json()},
    )
