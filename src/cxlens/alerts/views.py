"""What the dashboard and the REST API show of alerts and cases, read in one query each:
alerts with their rule (listed by tab, or one with its history), the count of firing ones for
the Overview's banner, the users a case can be given to and the teams a user works in.

Reading only; every change goes through :mod:`.lifecycle` and :mod:`.cases`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from ..store import schema as s

__all__ = [
    "ALERT_TABS",
    "alert_detail",
    "alert_events",
    "alert_exists",
    "assignable_users",
    "case_exists",
    "count_alerts",
    "customer_label",
    "firing_count",
    "list_alerts",
    "response_customer",
    "serialise",
    "teams_of",
]

# The Alerts page's tabs: acknowledged is a mark on a firing (or pending) alert, not a state.
ALERT_TABS = ("firing", "acknowledged", "pending", "resolved")


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


def _query():
    a, r, u = s.alerts, s.alert_rules, s.users
    return sa.select(
        a,
        r.c.name.label("rule"),
        r.c.kind.label("rule_kind"),
        r.c.kpi.label("kpi"),
        r.c.definition.label("definition"),
        u.c.email.label("acknowledged_by_email"),
    ).select_from(a.join(r, r.c.id == a.c.rule_id).outerjoin(u, u.c.id == a.c.acknowledged_by))


def _row(row) -> dict[str, Any]:
    d = dict(row)
    d["definition"] = d.get("definition") or {}
    d["grain"] = d["definition"].get("grain")
    return d


def list_alerts(
    conn: sa.Connection, state: str | None = None, *, limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    """Alerts with their rule's name, kind and KPI, newest change first. ``state``: firing and
    pending mean not acknowledged; acknowledged means open (firing or pending) and acknowledged;
    resolved; None: all."""
    a = s.alerts
    query = _query()
    if state is not None:
        if state not in ALERT_TABS:
            raise InputError(f"state {state!r} is not known; use one of: {', '.join(ALERT_TABS)}")
        if state == "acknowledged":
            query = query.where(a.c.state.in_(("firing", "pending")), a.c.acknowledged_at.is_not(None))
        elif state == "resolved":
            query = query.where(a.c.state == "resolved")
        else:
            query = query.where(a.c.state == state, a.c.acknowledged_at.is_(None))
    order = sa.func.coalesce(a.c.resolved_at, a.c.fired_at, a.c.first_seen_at)
    query = query.order_by(order.desc(), a.c.id.desc()).limit(limit).offset(offset)
    return [_row(r) for r in conn.execute(query).mappings()]


def alert_events(conn: sa.Connection, alert_id: int) -> list[dict[str, Any]]:
    """The alert's history, oldest first, with who acted (their e-mail) where someone did."""
    e, u = s.alert_events, s.users
    query = (
        sa.select(e, u.c.email.label("actor"))
        .select_from(e.outerjoin(u, u.c.id == e.c.actor_id))
        .where(e.c.alert_id == alert_id)
        .order_by(e.c.at, e.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def alert_detail(conn: sa.Connection, alert_id: int) -> dict[str, Any] | None:
    """One alert with its rule, its history (``events``) and the cases opened from it; None if
    there is no such alert."""
    row = conn.execute(_query().where(s.alerts.c.id == alert_id)).mappings().first()
    if row is None:
        return None
    c = s.cases
    cases = [
        dict(r)
        for r in conn.execute(
            sa.select(c.c.id, c.c.title, c.c.status).where(c.c.alert_id == alert_id).order_by(c.c.id)
        ).mappings()
    ]
    return {**_row(row), "events": alert_events(conn, alert_id), "cases": cases}


def firing_count(conn: sa.Connection) -> tuple[int, int]:
    """(firing alerts, of which not acknowledged yet)."""
    a = s.alerts
    total, unseen = conn.execute(
        sa.select(sa.func.count(), sa.func.count(sa.case((a.c.acknowledged_at.is_(None), 1)))).where(
            a.c.state == "firing"
        )
    ).one()
    return int(total or 0), int(unseen or 0)


def assignable_users(conn: sa.Connection) -> list[dict[str, Any]]:
    """Users who may own a case (analysts and admins, not disabled), by e-mail."""
    u = s.users
    query = (
        sa.select(u.c.id, u.c.email, u.c.role)
        .where(u.c.disabled.is_(False), u.c.role.in_(("analyst", "admin")))
        .order_by(u.c.email)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def teams_of(conn: sa.Connection, user_id: int) -> list[str]:
    """The teams ``user_id`` is a member of (for "my team's cases")."""
    t = s.team_members
    return [r.team for r in conn.execute(sa.select(t.c.team).where(t.c.user_id == user_id).order_by(t.c.team))]


def serialise(row: dict[str, Any]) -> dict[str, Any]:
    """A row ready for JSON: times as ISO text."""
    return {k: _iso(v) for k, v in row.items()}


def alert_exists(conn: sa.Connection, alert_id: int) -> bool:
    return conn.execute(sa.select(s.alerts.c.id).where(s.alerts.c.id == alert_id)).first() is not None


def count_alerts(conn: sa.Connection) -> dict[str, int]:
    """How many alerts each of :data:`ALERT_TABS` holds."""
    a = s.alerts
    is_open, acked = a.c.state.in_(("firing", "pending")), a.c.acknowledged_at.is_not(None)
    row = conn.execute(
        sa.select(
            sa.func.count(sa.case((sa.and_(a.c.state == "firing", a.c.acknowledged_at.is_(None)), 1))),
            sa.func.count(sa.case((sa.and_(is_open, acked), 1))),
            sa.func.count(sa.case((sa.and_(a.c.state == "pending", a.c.acknowledged_at.is_(None)), 1))),
            sa.func.count(sa.case((a.c.state == "resolved", 1))),
        )
    ).one()
    return dict(zip(ALERT_TABS, (int(v or 0) for v in row), strict=True))


def case_exists(conn: sa.Connection, case_id: int) -> bool:
    return conn.execute(sa.select(s.cases.c.id).where(s.cases.c.id == case_id)).first() is not None


def response_customer(conn: sa.Connection, response_id: int) -> tuple[int | None, int | None, str | None] | None:
    """(customer, score, comment) of an answer, for a case opened on it by hand; None if there is none."""
    r = s.responses
    row = conn.execute(sa.select(r.c.customer_id, r.c.score, r.c.comment).where(r.c.id == response_id)).first()
    return (row.customer_id, row.score, row.comment) if row else None


def customer_label(conn: sa.Connection, customer_id: int) -> str | None:
    """A customer's name (else external id); None if there is no such customer."""
    cu = s.customers
    row = conn.execute(sa.select(cu.c.name, cu.c.external_id).where(cu.c.id == customer_id)).first()
    return (row.name or row.external_id) if row else None
