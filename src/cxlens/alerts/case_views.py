"""Reading cases: the list (most urgent first) and one case with its customer, the item it is
about and its timeline. The writes that change a case live in :mod:`cxlens.alerts.cases`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from ..store import schema as s
from .assignment import OPEN_STATUSES
from .case_settings import STATUSES

__all__ = ["CaseDetail", "CaseSummary", "case_detail", "list_cases"]


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class CaseSummary:
    id: int
    title: str | None
    source: str
    status: str
    priority: str
    customer_id: int | None
    customer: str | None  # the customer's name, else external id
    owner_id: int | None
    owner: str | None  # e-mail
    team: str | None
    touchpoint: str | None  # key
    due_at: datetime | None
    overdue: bool
    first_contacted_at: datetime | None
    created_at: datetime | None
    closed_at: datetime | None
    outcome: str | None
    resolution: str | None
    root_cause: str | None
    escalated_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        return {k: _iso(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class CaseDetail:
    case: CaseSummary
    customer: dict[str, Any] | None
    item: dict[str, Any] | None  # the answer, mention, ticket or alert the case is about
    timeline: list[dict[str, Any]] = field(default_factory=list)
    notes: str | None = None
    business_hours: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "case": self.case.to_dict(),
            "customer": self.customer,
            "item": self.item,
            "timeline": self.timeline,
            "notes": self.notes,
            "business_hours": self.business_hours,
        }


_owner = s.users.alias("owner")


def _summary_query(now: datetime):
    c, cu, tp = s.cases, s.customers, s.touchpoints
    overdue = sa.and_(c.c.status.in_(OPEN_STATUSES), c.c.due_at.is_not(None), c.c.due_at < now)
    return (
        sa.select(
            c,
            sa.func.coalesce(cu.c.name, cu.c.external_id).label("customer_label"),
            _owner.c.email.label("owner_email"),
            tp.c.key.label("touchpoint_key"),
            sa.case((overdue, True), else_=False).label("is_overdue"),
        ).select_from(
            c.outerjoin(cu, cu.c.id == c.c.customer_id)
            .outerjoin(_owner, _owner.c.id == c.c.owner_id)
            .outerjoin(tp, tp.c.id == c.c.touchpoint_id)
        ),
        overdue,
    )


def _summary(row) -> CaseSummary:
    return CaseSummary(
        id=row["id"],
        title=row["title"],
        source=row["source"],
        status=row["status"],
        priority=row["priority"],
        customer_id=row["customer_id"],
        customer=row["customer_label"],
        owner_id=row["owner_id"],
        owner=row["owner_email"],
        team=row["team"],
        touchpoint=row["touchpoint_key"],
        due_at=row["due_at"],
        overdue=bool(row["is_overdue"]),
        first_contacted_at=row["first_contacted_at"],
        created_at=row["created_at"],
        closed_at=row["closed_at"],
        outcome=row["outcome"],
        resolution=row["resolution"],
        root_cause=row["root_cause"],
        escalated_at=row["escalated_at"],
    )


def list_cases(
    conn: sa.Connection,
    *,
    owner_id: int | None = None,
    team: str | None = None,
    status: str | list[str] | None = None,
    overdue: bool = False,
    limit: int = 50,
    offset: int = 0,
    now: datetime | None = None,
) -> list[CaseSummary]:
    """Cases, most urgent first (overdue, then by due date, then newest), filtered by owner,
    team, status (one or several; ``active`` means open, in_progress or waiting_customer) and
    whether they are overdue."""
    c = s.cases
    query, is_overdue = _summary_query(_now(now))
    if owner_id is not None:
        query = query.where(c.c.owner_id == owner_id)
    if team is not None:
        query = query.where(c.c.team == team)
    if status:
        wanted = [status] if isinstance(status, str) else list(status)
        wanted = [x for w in wanted for x in (OPEN_STATUSES if w == "active" else (w,))]
        bad = [w for w in wanted if w not in STATUSES]
        if bad:
            raise InputError(f"status {bad[0]!r} is not known; use one of: {', '.join(STATUSES)} (or active)")
        query = query.where(c.c.status.in_(wanted))
    if overdue:
        query = query.where(is_overdue)
    query = query.order_by(sa.case((is_overdue, 0), else_=1), c.c.due_at.is_(None), c.c.due_at, c.c.id.desc())
    return [_summary(r) for r in conn.execute(query.limit(limit).offset(offset)).mappings()]


def _item(conn: sa.Connection, case) -> dict[str, Any] | None:
    if case["response_id"] is not None:
        r, sv = s.responses, s.surveys
        row = (
            conn.execute(
                sa.select(
                    r.c.id,
                    r.c.metric,
                    r.c.score,
                    r.c.scale_min,
                    r.c.scale_max,
                    r.c.comment,
                    r.c.language,
                    r.c.submitted_at,
                    r.c.channel,
                    sv.c.key.label("survey"),
                )
                .select_from(r.outerjoin(sv, sv.c.id == r.c.survey_id))
                .where(r.c.id == case["response_id"])
            )
            .mappings()
            .first()
        )
        return {"kind": "response", **{k: _iso(v) for k, v in row.items()}} if row else None
    if case["mention_id"] is not None:
        m = s.mentions
        row = (
            conn.execute(
                sa.select(
                    m.c.id,
                    m.c.source,
                    m.c.kind,
                    m.c.rating,
                    m.c.rating_max,
                    m.c.title,
                    m.c.text,
                    m.c.author,
                    m.c.posted_at,
                    m.c.url,
                    m.c.language,
                ).where(m.c.id == case["mention_id"])
            )
            .mappings()
            .first()
        )
        return {"kind": "mention", **{k: _iso(v) for k, v in row.items()}} if row else None
    if case["ticket_id"] is not None:
        t = s.tickets
        row = (
            conn.execute(
                sa.select(
                    t.c.id,
                    t.c.external_id,
                    t.c.subject,
                    t.c.text,
                    t.c.status,
                    t.c.team,
                    t.c.channel,
                    t.c.created_at,
                    t.c.solved_at,
                ).where(t.c.id == case["ticket_id"])
            )
            .mappings()
            .first()
        )
        return {"kind": "ticket", **{k: _iso(v) for k, v in row.items()}} if row else None
    if case["alert_id"] is not None:
        a, ar = s.alerts, s.alert_rules
        row = (
            conn.execute(
                sa.select(a.c.id, a.c.state, a.c.slice, a.c.evidence, a.c.link, a.c.fired_at, ar.c.name.label("rule"))
                .select_from(a.join(ar, ar.c.id == a.c.rule_id))
                .where(a.c.id == case["alert_id"])
            )
            .mappings()
            .first()
        )
        return {"kind": "alert", **{k: _iso(v) for k, v in row.items()}} if row else None
    return None


def case_detail(conn: sa.Connection, case_id: int, *, now: datetime | None = None) -> CaseDetail | None:
    """A case with its customer, the item it is about and its timeline (oldest first); None if
    there is no such case."""
    query, _ = _summary_query(_now(now))
    row = conn.execute(query.where(s.cases.c.id == case_id)).mappings().first()
    if row is None:
        return None
    customer = None
    if row["customer_id"] is not None:
        cu = s.customers
        found = (
            conn.execute(
                sa.select(
                    cu.c.id,
                    cu.c.external_id,
                    cu.c.name,
                    cu.c.email,
                    cu.c.phone,
                    cu.c.locale,
                    cu.c.segment,
                    cu.c.plan,
                    cu.c.signed_up_at,
                    cu.c.churned_at,
                ).where(cu.c.id == row["customer_id"])
            )
            .mappings()
            .first()
        )
        customer = {k: _iso(v) for k, v in found.items()} if found else None
    e, u = s.case_events, s.users
    timeline = [
        {
            "id": r["id"],
            "at": _iso(r["at"]),
            "kind": r["kind"],
            "actor_id": r["actor_id"],
            "actor": r["actor"],
            "data": r["data"],
            "note": r["note"],
        }
        for r in conn.execute(
            sa.select(e, u.c.email.label("actor"))
            .select_from(e.outerjoin(u, u.c.id == e.c.actor_id))
            .where(e.c.case_id == case_id)
            .order_by(e.c.at, e.c.id)
        ).mappings()
    ]
    return CaseDetail(_summary(row), customer, _item(conn, row), timeline, row["notes"], bool(row["business_hours"]))
