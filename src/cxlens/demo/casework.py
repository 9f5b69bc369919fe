"""The demo company's follow-up cases of the last ``CASE_DAYS`` days, with their timelines.

Cases were opened on the detractors' answers (NPS 0–4, some 5–6; CSAT 1), on bad reviews and
posts, and on urgent tickets, a few seconds to a few hours after them, and assigned round
robin inside the team that the assignment rules of ``alerting.yaml`` give (delivery →
logistics, renewal → billing, the rest → support; the billing error's items → billing). Each
has its SLA (``alerting.yaml``'s ``cases.sla``, calendar time): most owners call within it, a
few cases were forgotten (still open, overdue, escalated to the CX lead). Closed cases carry a
root cause and resolution (``casework.yaml``) and an outcome that agrees with what the customer
did next: **recovered** only when the customer's next answer is good (the next NPS answer
passive or promoter, and the next answer of any survey in its top two boxes or passive or
better), **not_recovered** when the next answer is bad. The timeline (``case_events``) is
written with the case, in order: opened, assigned, contacted, status changes, resolved, closed,
escalated.

Deterministic per seed (stream ``[seed, 9]``); at most ``CAP`` cases, sampled evenly.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import sqlalchemy as sa
import yaml

from ..store import schema
from .incidents import incident_phrases
from .staff import ensure_staff, staff

__all__ = ["ALERTING_FILE", "CAP", "CASE_DAYS", "alerting_config", "write_casework"]

ALERTING_FILE = Path(__file__).parent / "alerting.yaml"
HISTORY_FILE = Path(__file__).parent / "casework.yaml"
CASE_DAYS = 90
CAP = 20_000
ESCALATION_LEAD = "elena.ruiz@northwind.example"
# Opened after the item: log-normal median seconds and sigma (answer rules act in seconds).
OPEN_LAG = {"response": (20.0, 1.0), "mention": (2 * 3600.0, 1.0), "ticket": (3600.0, 1.0)}
STUCK = 0.04  # forgotten: never contacted
WAITING = 0.3  # waited for the customer's reply a while
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UNIT = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


@cache
def alerting_config() -> dict:
    """``alerting.yaml`` as parsed YAML (alerts:, notifiers:, cases:)."""
    return yaml.safe_load(ALERTING_FILE.read_text(encoding="utf-8"))


@cache
def _history() -> dict:
    return yaml.safe_load(HISTORY_FILE.read_text(encoding="utf-8"))


def _seconds(text: str) -> float:
    number, unit = re.fullmatch(r"(\d+(?:\.\d+)?)([mhdw])", str(text).strip()).groups()
    return float(number) * _UNIT[unit]


def _us(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


def _at(us) -> datetime:
    return EPOCH + timedelta(microseconds=int(us))


def write_casework(store, *, seed: int, end: datetime) -> dict[str, int]:
    """Create the staff and teams, and the cases of the last ``CASE_DAYS`` days with their
    timelines; what was written, by kind."""
    rng = np.random.default_rng([seed, 9])
    end_us = _us(end)
    since = end - timedelta(days=CASE_DAYS)
    with store.begin() as conn:
        emails, teams = ensure_staff(conn, now=since - timedelta(days=30))
        items = _items(conn, since, rng)
        counts = {"staff users": len(staff()), "team members": sum(len(v) for v in teams.values())}
        if not items["source"].size:
            return counts | {"cases": 0}
        created = items["at"] + _lag(rng, items["source"])
        keep = created < end_us - 1
        items = {k: v[keep] for k, v in items.items()}
        created = created[keep]
        if len(created) > CAP:
            keep = np.sort(rng.choice(len(created), CAP, replace=False))
            items = {k: v[keep] for k, v in items.items()}
            created = created[keep]
        order = np.argsort(created, kind="stable")
        items = {k: v[order] for k, v in items.items()}
        created = created[order]
        good, bad = _next_answers(conn, since, items)
        cases, events = _timelines(rng, items, created, end_us, good, bad, teams, emails[ESCALATION_LEAD])
        _insert(conn, cases, events)
    still_open = sum(c["status"] not in ("resolved", "closed") for c in cases)
    return counts | {"cases": len(cases), "open cases": still_open, "case events": len(events)}


def _lag(rng, source: np.ndarray) -> np.ndarray:
    lag = np.zeros(len(source))
    for kind, (median, sigma) in OPEN_LAG.items():
        mask = source == kind
        lag[mask] = rng.lognormal(np.log(median), sigma, int(mask.sum()))
    return (lag * 1e6).astype(np.int64) + 1


def _items(conn: sa.Connection, since: datetime, rng) -> dict[str, np.ndarray]:
    """What cases were opened on: (source, id, customer, touchpoint, time, team, priority, title)."""
    angry = {p for ps in incident_phrases()["angry"].values() for p in ps}
    billing = {p for ps in incident_phrases()["double_charge"].values() for p in ps}
    rows: list[tuple] = []
    r, tp = schema.responses, schema.touchpoints
    answers = conn.execute(
        sa.select(
            r.c.id, r.c.customer_id, r.c.touchpoint_id, tp.c.key, r.c.submitted_at, r.c.metric, r.c.score, r.c.comment
        )
        .select_from(r.outerjoin(tp, tp.c.id == r.c.touchpoint_id))
        .where(
            r.c.submitted_at >= since,
            sa.or_(sa.and_(r.c.metric == "nps", r.c.score <= 6), sa.and_(r.c.metric == "csat", r.c.score <= 1)),
        )
        .order_by(r.c.id)
    ).all()
    draws = rng.random(len(answers))
    for (rid, customer, tp_id, key, at, metric, score, comment), u in zip(answers, draws):
        if comment in angry:
            priority = "urgent"
        elif u > (1.0 if metric == "nps" and score <= 4 else 0.3 if metric == "nps" else 0.5):
            continue
        else:
            priority = "high" if metric == "nps" and score <= 2 else "normal"
        team = (
            "logistics"
            if key == "delivery"
            else "billing"
            if key in ("renewal-payment", "renewal-notice") or comment in billing
            else "support"
        )
        title = f"{metric.upper()} {score} at {key}" + (f": {comment[:120]}" if comment else "")
        rows.append(("response", rid, customer or 0, tp_id or 0, _us(at), team, priority, title))
    m = schema.mentions
    for mid, at, source, rating, text, ext in conn.execute(
        sa.select(m.c.id, m.c.posted_at, m.c.source, m.c.rating, m.c.text, m.c.external_id)
        .where(m.c.posted_at >= since, sa.or_(m.c.rating <= 2, m.c.external_id.like("mb-%")))
        .order_by(m.c.id)
    ):
        is_billing = text in billing
        what = f"{rating:.0f}★ review on {source}" if rating is not None else f"Post on {source}"
        rows.append(
            (
                "mention",
                mid,
                0,
                0,
                _us(at),
                "billing" if is_billing else "support",
                "high" if is_billing else "normal" if rating is None or rating <= 1 else "low",
                f"{what}: {text[:120]}",
            )
        )
    t = schema.tickets
    for tid, customer, tp_id, at, ext, priority, team, subject in conn.execute(
        sa.select(
            t.c.id,
            t.c.customer_id,
            t.c.touchpoint_id,
            t.c.created_at,
            t.c.external_id,
            t.c.priority,
            t.c.team,
            t.c.subject,
        )
        .where(
            t.c.created_at >= since,
            sa.or_(t.c.priority == "urgent", sa.and_(t.c.external_id.like("TB-%"), t.c.priority == "high")),
        )
        .order_by(t.c.id)
    ):
        rows.append(
            (
                "ticket",
                tid,
                customer or 0,
                tp_id or 0,
                _us(at),
                "billing" if team == "billing" else "support",
                "urgent" if priority == "urgent" else "high",
                f"Ticket {ext} escalated: {subject}",
            )
        )
    names = ("source", "item", "customer", "touchpoint", "at", "team", "priority", "title")
    if not rows:
        return {n: np.zeros(0) for n in names}
    return {
        n: np.array(col, dtype=object if n in ("source", "team", "priority", "title") else np.int64)
        for n, col in zip(names, zip(*rows))
    }


def _next_answers(conn: sa.Connection, since: datetime, items: dict) -> tuple[np.ndarray, np.ndarray]:
    """Per item: whether the customer's next answers after it are good (the next NPS answer
    passive or promoter and the next answer of any survey good on its scale), and whether the
    next answer is bad."""
    r = schema.responses
    rows = conn.execute(
        sa.select(r.c.customer_id, r.c.submitted_at, r.c.metric, r.c.score, r.c.scale_max).where(
            r.c.submitted_at >= since, r.c.customer_id.is_not(None), r.c.score.is_not(None)
        )
    ).all()
    n = len(items["at"])
    if not rows or not n:
        return np.zeros(n, bool), np.zeros(n, bool)
    since_us = _us(since)
    customer = np.array([x[0] for x in rows], np.int64)
    second = (np.array([_us(x[1]) for x in rows], np.int64) - since_us) // 1_000_000
    nps = np.array([x[2] == "nps" for x in rows])
    score = np.array([x[3] for x in rows], np.int64)
    top = np.array([x[4] if x[4] is not None else 10 for x in rows], np.int64)
    ok = np.where(nps, score >= 7, score >= top - 1)
    key = customer * 10_000_000 + second
    at_key = items["customer"] * 10_000_000 + (items["at"] - since_us) // 1_000_000

    def following(subset: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keys = key[subset]
        order = np.argsort(keys, kind="stable")
        keys, good = keys[order], ok[subset][order]
        pos = np.searchsorted(keys, at_key, side="right")
        found = (pos < len(keys)) & (items["customer"] > 0)
        found[found] = keys[pos[found]] // 10_000_000 == items["customer"][found]
        return found, np.where(found, good[np.minimum(pos, len(keys) - 1)], False)

    any_found, any_ok = following(np.ones(len(rows), bool))
    nps_found, nps_ok = following(nps)
    return any_ok & nps_found & nps_ok, any_found & ~any_ok


def _timelines(
    rng,
    items: dict,
    created: np.ndarray,
    end_us: int,
    good: np.ndarray,
    bad: np.ndarray,
    teams: dict[str, list[int]],
    lead: int,
) -> tuple[list[dict], list[dict]]:
    n = len(created)
    sla = alerting_config()["cases"]["sla"]
    fc = np.array([_seconds(sla[p]["first_contact"]) for p in items["priority"]]) * 1e6
    rs = np.array([_seconds(sla[p]["resolve"]) for p in items["priority"]]) * 1e6
    escalate_after = _seconds(alerting_config()["cases"]["escalation"]["after"]) * 1e6
    stuck = rng.random(n) < STUCK
    no_customer = items["customer"] == 0
    false_alarm = (items["source"] == "mention") & (rng.random(n) < 0.3) & ~stuck
    contact_at = created + rng.lognormal(np.log(0.35 * fc), 0.9).astype(np.int64) + 1
    resolve_lag = rng.lognormal(np.log(0.3 * rs), 1.0).astype(np.int64) + 2
    resolved_at = contact_at + resolve_lag
    closed_at = resolved_at + rng.lognormal(np.log(6 * 3600e6), 1.0, n).astype(np.int64) + 1
    quick_close = created + rng.lognormal(np.log(0.2 * fc), 0.8).astype(np.int64) + 1
    waits = rng.random(n) < WAITING
    u = rng.random(n)
    fallback = rng.choice(["not_recovered", "no_action_needed", "false_alarm"], n, p=[0.45, 0.4, 0.15])
    anonymous = rng.choice(["no_action_needed", "not_recovered", "false_alarm"], n, p=[0.6, 0.2, 0.2])
    history = _history()
    causes = {
        team: (list(w), np.array(list(w.values())) / sum(w.values())) for team, w in history["root_causes"].items()
    }
    channel = rng.choice(["phone", "email"], n, p=[0.6, 0.4])
    rank: dict[str, int] = {}
    cases, events = [], []
    for i in range(n):
        team, priority, source = items["team"][i], items["priority"][i], items["source"][i]
        members = teams[team]
        owner = members[rank.get(team, 0) % len(members)]
        rank[team] = rank.get(team, 0) + 1
        t0 = int(created[i])
        first_due, resolve_due = t0 + int(fc[i]), t0 + int(rs[i])
        origin = f"demo:{source}:{items['item'][i]}"
        ev = [
            (
                t0,
                "opened",
                None,
                {
                    "source": source,
                    "priority": priority,
                    "team": team,
                    "origin_key": origin,
                    "first_contact_due_at": _at(first_due).isoformat(),
                    "resolve_due_at": _at(resolve_due).isoformat(),
                    "business_hours": False,
                },
                None,
            ),
            (t0, "assigned", None, {"owner_id": owner, "team": team, "by": "rule"}, None),
        ]
        case = {
            "source": source,
            "origin_key": origin,
            "response_id": None,
            "mention_id": None,
            "ticket_id": None,
            "customer_id": int(items["customer"][i]) or None,
            "touchpoint_id": int(items["touchpoint"][i]) or None,
            "title": items["title"][i][:300],
            "owner_id": owner,
            "team": team,
            "priority": priority,
            "due_at": _at(first_due),
            "business_hours": False,
            "first_contacted_at": None,
            "escalated_at": None,
            "escalated_to": None,
            "root_cause": None,
            "resolution": None,
            "outcome": None,
            "notes": None,
            "created_at": _at(t0),
            "resolved_at": None,
            "closed_at": None,
            "status": "open",
        }
        case[f"{source}_id"] = int(items["item"][i])
        if false_alarm[i] and quick_close[i] < end_us:
            case |= {
                "status": "closed",
                "outcome": "false_alarm",
                "resolution": "no_action",
                "resolved_at": _at(quick_close[i]),
                "closed_at": _at(quick_close[i]),
            }
            ev.append(
                (
                    int(quick_close[i]),
                    "closed",
                    owner,
                    {"from": "open", "outcome": "false_alarm", "resolution": "no_action", "root_cause": None},
                    "Not about us: no follow-up needed.",
                )
            )
        elif not stuck[i] and contact_at[i] < end_us:
            c = int(contact_at[i])
            case |= {"first_contacted_at": _at(c), "due_at": _at(resolve_due), "status": "in_progress"}
            ev.append(
                (
                    c,
                    "contacted",
                    owner,
                    {
                        "first": True,
                        "channel": str(channel[i]),
                        "within_sla": bool(c <= first_due),
                        "due_at": _at(first_due).isoformat(),
                    },
                    None,
                )
            )
            if waits[i]:
                wait, back = c + int(0.3 * resolve_lag[i]), c + int(0.8 * resolve_lag[i])
                if wait < end_us:
                    ev.append((wait, "status", owner, {"from": "in_progress", "to": "waiting_customer"}, None))
                    case["status"] = "waiting_customer"
                if back < end_us:
                    ev.append(
                        (
                            back,
                            "status",
                            owner,
                            {"from": "waiting_customer", "to": "in_progress"},
                            "The customer replied.",
                        )
                    )
                    case["status"] = "in_progress"
            if resolved_at[i] < end_us:
                closing = _closing(
                    rng, team, causes, history, good[i], bad[i], no_customer[i], u[i], fallback[i], anonymous[i]
                )
                case |= {"status": "resolved", "resolved_at": _at(resolved_at[i])}
                ev.append((int(resolved_at[i]), "status", owner, {"from": "in_progress", "to": "resolved"}, None))
                if closed_at[i] < end_us:
                    case |= {"status": "closed", "closed_at": _at(closed_at[i]), **closing}
                    ev.append((int(closed_at[i]), "closed", owner, {"from": "resolved", **closing}, None))
        if case["status"] not in ("resolved", "closed"):
            due = _us(case["due_at"])
            if due + escalate_after < end_us:
                at = due + int(escalate_after)
                case |= {"escalated_at": _at(at), "escalated_to": lead}
                ev.append((at, "escalated", None, {"to": lead, "overdue_since": _at(due).isoformat()}, None))
        ev.sort(key=lambda e: e[0])
        case["updated_at"] = _at(ev[-1][0])
        cases.append(case)
        events.extend(
            {"case": i, "at": _at(at), "kind": kind, "actor_id": actor, "data": data, "note": note}
            for at, kind, actor, data, note in ev
        )
    return cases, events


def _closing(rng, team, causes, history, good, bad, anonymous_case, u, fallback, anonymous) -> dict:
    if anonymous_case:
        outcome = str(anonymous)
    elif good:
        outcome = "recovered" if u < 0.9 else "no_action_needed"
    elif bad:
        outcome = "not_recovered"
    else:
        outcome = str(fallback)
    codes, weights = causes[team]
    root = str(rng.choice(codes, p=weights)) if outcome != "false_alarm" else None
    if outcome in ("false_alarm", "no_action_needed"):
        resolution = "no_action"
    else:
        options = history["resolutions"][root]
        resolution = str(options[int(rng.integers(0, len(options)))])
    return {"outcome": outcome, "resolution": resolution, "root_cause": root}


def _insert(conn: sa.Connection, cases: list[dict], events: list[dict]) -> None:
    """Bulk-insert with ids given (so events name their case), then move the sequences on."""
    c, e = schema.cases, schema.case_events
    first_case = (conn.execute(sa.select(sa.func.max(c.c.id))).scalar() or 0) + 1
    first_event = (conn.execute(sa.select(sa.func.max(e.c.id))).scalar() or 0) + 1
    for k, case in enumerate(cases):
        case["id"] = first_case + k
    for k, event in enumerate(events):
        event["id"] = first_event + k
        event["case_id"] = first_case + event.pop("case")
    for start in range(0, len(cases), 5000):
        conn.execute(c.insert(), cases[start : start + 5000])
    for start in range(0, len(events), 5000):
        conn.execute(e.insert(), events[start : start + 5000])
    if conn.dialect.name == "postgresql":
        for table in ("cases", "case_events"):
            conn.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT coalesce(max(id), 1) FROM {table}))"
                )
            )
