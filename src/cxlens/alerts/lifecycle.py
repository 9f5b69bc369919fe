"""An alert's life: one row per rule and slice (its fingerprint), moved by each evaluation.

States: ``pending`` (breaching, not yet for ``pending_periods`` windows in a row) → ``firing``
→ ``resolved`` (clear for ``keep_firing_periods`` windows in a row, or resolved by hand).
Acknowledged and snoozed-until are marks on an alert, not states: a snoozed alert still moves
with the data, it only stays quiet. A breach or a clear counts once per window (the end of the
span the rule read): evaluating the same window again updates the evidence and nothing else,
which makes evaluation idempotent. Every change of state or marks is an ``alert_events`` row.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from ..store import schema as s

__all__ = ["Transition", "acknowledge", "fingerprint", "list_alerts", "resolve", "snooze", "step_rule"]

OPEN = ("pending", "firing")


def fingerprint(rule_name: str, slice_: dict) -> str:
    """A stable hash of the rule's name and the slice (its dimensions sorted): 64 hex digits."""
    text = json.dumps([rule_name, sorted((str(k), str(v)) for k, v in slice_.items())], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Transition:
    """An alert entering ``state`` in this run (``previous``: the state it left, None if new)."""

    alert_id: int
    rule_id: int
    slice: dict
    state: str
    previous: str | None
    fired_at: datetime | None
    evidence: dict
    link: str
    snoozed: bool

    def to_dict(self) -> dict:
        return {
            "alert_id": self.alert_id,
            "rule_id": self.rule_id,
            "slice": self.slice,
            "state": self.state,
            "previous": self.previous,
            "fired_at": self.fired_at.isoformat() if self.fired_at else None,
            "evidence": self.evidence,
            "link": self.link,
            "snoozed": self.snoozed,
        }


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _event(conn, alert_id: int, kind: str, at: datetime, *, check_id=None, actor_id=None, evidence=None) -> None:
    conn.execute(
        s.alert_events.insert().values(
            alert_id=alert_id, check_id=check_id, at=at, kind=kind, actor_id=actor_id, evidence=evidence
        )
    )


def step_rule(
    conn: sa.Connection,
    *,
    rule_id: int,
    rule_name: str,
    pending_periods: int,
    keep_firing_periods: int,
    judged: list[tuple[dict, bool, dict, str]],
    window: tuple[datetime, datetime],
    check_id: int | None,
    now: datetime,
) -> list[Transition]:
    """Move the rule's alerts by one evaluation. ``judged``: (slice, breach, evidence, link) of
    every slice judged; an open alert whose slice is not judged (too little data now) or does
    not breach counts a clear."""
    a = s.alerts
    start, end = window
    existing = {row.fingerprint: row for row in conn.execute(sa.select(a).where(a.c.rule_id == rule_id))}
    transitions: list[Transition] = []
    seen: set[str] = set()
    for slice_, breach, evidence, link in judged:
        fp = fingerprint(rule_name, slice_)
        seen.add(fp)
        row = existing.get(fp)
        if row is None:
            if not breach:
                continue
            state = "firing" if pending_periods <= 1 else "pending"
            fired_at = now if state == "firing" else None
            alert_id = conn.execute(
                a.insert()
                .values(
                    rule_id=rule_id,
                    fingerprint=fp,
                    slice=slice_,
                    state=state,
                    breaches=1,
                    clears=0,
                    window_start=start,
                    window_end=end,
                    evidence=evidence,
                    link=link,
                    first_seen_at=now,
                    fired_at=fired_at,
                    last_evaluated_at=now,
                )
                .returning(a.c.id)
            ).scalar_one()
            _event(conn, alert_id, state, now, check_id=check_id, evidence=evidence)
            transitions.append(Transition(alert_id, rule_id, slice_, state, None, fired_at, evidence, link, False))
            continue
        t = _advance(conn, row, breach, evidence, link, pending_periods, keep_firing_periods, window, check_id, now)
        if t:
            transitions.append(t)
    for fp, row in existing.items():
        if fp not in seen and row.state in OPEN:
            t = _advance(
                conn, row, False, row.evidence, row.link, pending_periods, keep_firing_periods, window, check_id, now
            )
            if t:
                transitions.append(t)
    return transitions


def _advance(
    conn, row, breach: bool, evidence, link, pending_periods, keep_firing_periods, window, check_id, now
) -> Transition | None:
    a = s.alerts
    start, end = window
    values: dict[str, Any] = {"last_evaluated_at": now}
    if breach:
        values |= {"evidence": evidence, "link": link}
    if _utc(row.window_end) == end:  # this window was counted already
        conn.execute(a.update().where(a.c.id == row.id).values(**values))
        return None
    values |= {"window_start": start, "window_end": end}
    state, previous = row.state, row.state
    fired_at = _utc(row.fired_at)
    if breach:
        breaches = row.breaches + 1 if row.state in OPEN else 1
        values |= {"breaches": breaches, "clears": 0}
        if row.state != "firing":
            state = "firing" if breaches >= pending_periods else "pending"
            if state == "firing":
                fired_at = now
                values |= {"fired_at": now, "resolved_at": None, "acknowledged_at": None, "acknowledged_by": None}
    elif row.state in OPEN:
        clears = row.clears + 1
        values |= {"clears": clears, "breaches": 0}
        if row.state == "pending" or clears >= keep_firing_periods:
            state = "resolved"
            values["resolved_at"] = now
    else:
        values |= {"breaches": 0}
    values["state"] = state
    conn.execute(a.update().where(a.c.id == row.id).values(**values))
    if state == previous:
        return None
    shown = evidence if breach else row.evidence
    _event(conn, row.id, state, now, check_id=check_id, evidence=shown)
    snoozed = row.snoozed_until is not None and _utc(row.snoozed_until) > now
    return Transition(row.id, row.rule_id, row.slice, state, previous, fired_at, shown, link or row.link, snoozed)


def _alert(conn, alert_id: int):
    row = conn.execute(sa.select(s.alerts).where(s.alerts.c.id == alert_id)).first()
    if row is None:
        raise InputError(f"there is no alert {alert_id}; list them with: cxlens alerts list")
    return row


def acknowledge(conn: sa.Connection, alert_id: int, user_id: int | None = None, now: datetime | None = None) -> bool:
    """Mark the alert as seen by ``user_id``; False if it already was (or is resolved)."""
    now = now or datetime.now(UTC)
    row = _alert(conn, alert_id)
    if row.state == "resolved" or row.acknowledged_at is not None:
        return False
    conn.execute(
        s.alerts.update().where(s.alerts.c.id == alert_id).values(acknowledged_at=now, acknowledged_by=user_id)
    )
    _event(conn, alert_id, "acknowledged", now, actor_id=user_id)
    return True


def snooze(
    conn: sa.Connection, alert_id: int, until: datetime, user_id: int | None = None, now: datetime | None = None
) -> None:
    """Keep the alert quiet (no notifications) until ``until``; it still moves with the data."""
    now = now or datetime.now(UTC)
    if _utc(until) <= now:
        raise InputError(f"snooze until {until.isoformat()} is not in the future")
    _alert(conn, alert_id)
    conn.execute(s.alerts.update().where(s.alerts.c.id == alert_id).values(snoozed_until=until))
    _event(conn, alert_id, "snoozed", now, actor_id=user_id, evidence={"until": _utc(until).isoformat()})


def resolve(conn: sa.Connection, alert_id: int, user_id: int | None = None, now: datetime | None = None) -> bool:
    """Resolve by hand; False if it was resolved already. The next window that breaches opens it again."""
    now = now or datetime.now(UTC)
    row = _alert(conn, alert_id)
    if row.state == "resolved":
        return False
    conn.execute(
        s.alerts.update()
        .where(s.alerts.c.id == alert_id)
        .values(state="resolved", resolved_at=now, breaches=0, clears=0)
    )
    _event(conn, alert_id, "resolved", now, actor_id=user_id, evidence={"by_hand": True})
    return True


def list_alerts(conn: sa.Connection, *, state: str | None = None, limit: int | None = None) -> list[dict]:
    """Alerts newest first, each a dict of its columns plus ``rule`` (the rule's name)."""
    a, r = s.alerts, s.alert_rules
    query = sa.select(a, r.c.name.label("rule")).join(r, r.c.id == a.c.rule_id).order_by(a.c.id.desc())
    if state:
        query = query.where(a.c.state == state)
    if limit:
        query = query.limit(limit)
    return [dict(row) for row in conn.execute(query).mappings()]
