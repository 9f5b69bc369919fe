"""Triggers: touchpoint events become invitations; due invitations are sent, or skipped with
their reason.

Two steps, both driven by the ``invitations`` table, which is the truth:

1. :func:`plan_invitations` — for each new event at a touchpoint that a survey's trigger names,
   one invitation row (``due_at`` = event time + the trigger's delay). Rules that are already
   decidable skip it at once, with the reason: ``opted_out``, ``not_sampled``, ``no_address``.
   The (survey, event) pair is unique, so planning an event twice plans nothing new.
2. :func:`send_due` — every pending invitation whose ``due_at`` has come: claimed (``pending`` →
   ``sending``, one UPDATE that only one worker can win), checked again (opt-outs, ``fatigue``,
   ``too_late``, quiet hours, which postpone instead of skip), sent, then marked ``sent``.
   A process that dies mid-way leaves ``sending`` rows, which are never sent again: at most
   once, as a survey invitation should be. A queue (Huey) only needs to call this; losing the
   queue loses nothing.

:func:`recover_sending` (``cxlens invitations recover``) settles the ``sending`` rows a crash
left: ``failed`` with :data:`INTERRUPTED` by default (nobody knows whether the mail went out,
and asking twice is worse than not asking), or back to ``pending`` when told to resend.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa

from ..errors import SendFailed
from ..store import schema as s
from ..store.privacy import is_suppressed
from .channels import Recipient, compose_email, compose_sms
from .invitations import SCAN_REASON, Collection
from .surveys import SurveyDefinition

__all__ = [
    "INTERRUPTED",
    "REASONS",
    "Recovered",
    "SendReport",
    "plan_invitations",
    "recover_sending",
    "response_rates",
    "send_due",
    "sampled",
]

INTERRUPTED = "interrupted while sending; may or may not have been delivered"
RESENT = "interrupted while sending; queued again by `cxlens invitations recover --resend`"

REASONS: dict[str, str] = {
    "opted_out": "the customer opted out of this channel (or of all)",
    "suppressed": "an erased customer had this e-mail address or phone number: never surveyed again",
    "not_sampled": "left out by the survey's sampling rate",
    "no_address": "the customer has no e-mail address or phone number for the channel",
    "fatigue": "the customer was invited within the fatigue window (one invitation per N days)",
    "too_late": "it could not be sent within max_late_days of its due time",
}


def sampled(survey_id: int, event_id: int, rate: float) -> bool:
    """Whether an event falls in a survey's sample. A hash, not a random draw, so planning the
    same event again decides the same way."""
    if rate >= 1:
        return True
    digest = hashlib.sha256(f"{survey_id}:{event_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < rate


def plan_invitations(collection: Collection, conn: sa.Connection, event_ids: list[int]) -> list[int]:
    """Plan invitations for the given events in ``conn``'s transaction; returns the new ids."""
    triggered: dict[str, list[SurveyDefinition]] = {}
    for survey in collection.catalog.all():
        if survey.trigger:
            triggered.setdefault(survey.trigger.touchpoint, []).append(survey)
    if not triggered or not event_ids:
        return []
    e, c, t = s.events, s.customers, s.touchpoints
    rows = conn.execute(
        sa.select(e.c.id, e.c.customer_id, e.c.occurred_at, t.c.key, c.c.email, c.c.phone)
        .select_from(e.join(t, t.c.id == e.c.touchpoint_id).join(c, c.c.id == e.c.customer_id))
        .where(e.c.id.in_(event_ids), t.c.key.in_(list(triggered)))
    ).all()
    created = []
    for event in rows:
        for survey in triggered[event.key]:
            trigger = survey.trigger
            reason = _planning_skip(conn, survey, event)
            if _planned(conn, survey.id, event.id):
                continue
            try:
                with conn.begin_nested():
                    created.append(
                        collection.insert_invitation(
                            conn,
                            survey.id,
                            event.customer_id,
                            trigger.channel,
                            event.occurred_at + timedelta(seconds=trigger.after_seconds),
                            event.id,
                            "skipped" if reason else "pending",
                            reason,
                        )
                    )
            except sa.exc.IntegrityError:
                continue  # planned by a concurrent request for the same event
    return created


def _planned(conn: sa.Connection, survey_id: int, event_id: int) -> bool:
    i = s.invitations
    return (
        conn.execute(sa.select(i.c.id).where(i.c.survey_id == survey_id, i.c.event_id == event_id)).first() is not None
    )


def _planning_skip(conn: sa.Connection, survey: SurveyDefinition, event) -> str | None:
    channel = survey.trigger.channel
    if Collection.opted_out(conn, event.customer_id, channel):
        return "opted_out"
    if not sampled(survey.id, event.id, survey.sampling):
        return "not_sampled"
    if not (event.email if channel == "email" else event.phone):
        return "no_address"
    if is_suppressed(conn, event.email, event.phone):
        return "suppressed"
    return None


@dataclass
class SendReport:
    sent: int = 0
    postponed: int = 0
    failed: int = 0
    skipped: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        skipped = ", ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items())) or "none"
        return f"{self.sent} sent, {self.postponed} postponed (quiet hours), {self.failed} failed, skipped: {skipped}"


def send_due(collection: Collection, senders: dict, limit: int | None = None) -> SendReport:
    """Send every invitation that is due now (``senders``: channel → sender)."""
    now = collection.now()
    i = s.invitations
    query = sa.select(i.c.id).where(i.c.status == "pending", i.c.due_at <= now).order_by(i.c.due_at, i.c.id)
    if limit:
        query = query.limit(limit)
    with collection.store.engine.connect() as conn:
        ids = conn.execute(query).scalars().all()
    report = SendReport()
    for invitation_id in ids:
        _send_one(collection, senders, invitation_id, report)
    return report


def _send_one(collection: Collection, senders: dict, invitation_id: int, report: SendReport) -> None:
    i, c = s.invitations, s.customers
    now = collection.now()
    with collection.writing() as conn:
        claimed = conn.execute(
            i.update().where(i.c.id == invitation_id, i.c.status == "pending").values(status="sending", sent_at=now)
        ).rowcount
        if not claimed:
            return  # another worker has it
        inv = conn.execute(sa.select(i).where(i.c.id == invitation_id)).mappings().one()
        # Locking the customer makes two workers sending to one customer take turns, so the
        # fatigue check below sees the other's invitation (PostgreSQL; SQLite writes in turn anyway).
        customer = conn.execute(sa.select(c).where(c.c.id == inv["customer_id"]).with_for_update()).mappings().one()
        survey = collection.catalog.by_id(inv["survey_id"])
        outcome = _check(collection, conn, survey, inv, customer, now)
        if outcome is not None:
            status, reason, due_at = outcome
            values = {"status": status, "reason": reason, "sent_at": None}
            if due_at is not None:
                values["due_at"] = due_at
                report.postponed += 1
            else:
                report.skipped[reason] += 1
            conn.execute(i.update().where(i.c.id == invitation_id).values(**values))
            return
        language = survey.language_for(customer["locale"])
        token = collection.token(invitation_id, conn)
    # Sent outside the transaction: a slow SMTP server must not hold a database lock.
    try:
        _deliver(collection, senders, survey, inv, customer, language, token)
    except SendFailed as exc:
        with collection.writing() as conn:
            conn.execute(
                i.update().where(i.c.id == invitation_id).values(status="failed", reason=str(exc)[:200], sent_at=None)
            )
        report.failed += 1
        return
    with collection.writing() as conn:
        conn.execute(i.update().where(i.c.id == invitation_id, i.c.status == "sending").values(status="sent"))
    report.sent += 1


@dataclass
class Recovered:
    """What :func:`recover_sending` did: the invitations it settled, and to which status."""

    status: str  # failed | pending
    ids: list[int] = field(default_factory=list)

    def summary(self) -> str:
        if not self.ids:
            return "No invitation was left in 'sending'."
        shown = ", ".join(map(str, self.ids[:20])) + (f" and {len(self.ids) - 20} more" if len(self.ids) > 20 else "")
        what = "marked failed (not sent again)" if self.status == "failed" else "put back to pending, to be sent again"
        return f"{len(self.ids)} invitation(s) left in 'sending' {what}: {shown}"


def recover_sending(
    collection: Collection, older_than: timedelta = timedelta(minutes=15), resend: bool = False
) -> Recovered:
    """Settle invitations left in ``sending`` by a process that died while sending them.

    Only those claimed more than ``older_than`` ago: a younger one may belong to a sender that
    is still at work. By default each becomes ``failed`` with :data:`INTERRUPTED`, so nobody
    gets the invitation twice; ``resend`` puts them back to ``pending`` for the next
    :func:`send_due`, accepting that some customers may get it twice."""
    i = s.invitations
    cutoff = collection.now() - older_than
    stuck = sa.and_(i.c.status == "sending", sa.func.coalesce(i.c.sent_at, i.c.due_at) <= cutoff)
    result = Recovered("pending" if resend else "failed")
    with collection.writing() as conn:
        result.ids = list(conn.execute(sa.select(i.c.id).where(stuck).order_by(i.c.id)).scalars())
        if result.ids:
            # The status is checked again in the UPDATE: a sender that finishes meanwhile wins.
            values = {"status": result.status, "reason": RESENT if resend else INTERRUPTED, "sent_at": None}
            conn.execute(i.update().where(i.c.id.in_(result.ids), i.c.status == "sending").values(**values))
    return result


def _check(collection: Collection, conn, survey: SurveyDefinition, inv, customer, now: datetime):
    """None to send now, else (status, reason, new due_at or None)."""
    policy = collection.policy
    if Collection.opted_out(conn, inv["customer_id"], inv["channel"]):
        return ("skipped", "opted_out", None)
    if now - inv["due_at"] > timedelta(days=policy.max_late_days):
        return ("skipped", "too_late", None)
    address = customer["email"] if inv["channel"] == "email" else customer["phone"]
    if not address:
        return ("skipped", "no_address", None)
    if is_suppressed(conn, customer["email"], customer["phone"]):
        return ("skipped", "suppressed", None)
    quiet = (survey.trigger.quiet_hours if survey.trigger else None) or policy.quiet_hours
    if quiet:
        resume = _quiet_until(now, quiet, customer["timezone"] or policy.default_timezone)
        if resume is not None:
            return ("pending", None, resume)
    days = survey.fatigue_days if survey.fatigue_days is not None else policy.fatigue_days
    if days and _recently_invited(conn, inv, now - timedelta(days=days)):
        return ("skipped", "fatigue", None)
    return None


def _recently_invited(conn: sa.Connection, inv, since: datetime) -> bool:
    i = s.invitations
    return (
        conn.execute(
            sa.select(i.c.id)
            .where(
                i.c.customer_id == inv["customer_id"],
                i.c.id != inv["id"],
                i.c.status.in_(["sent", "answered", "sending"]),
                i.c.sent_at >= since,
            )
            .limit(1)
        ).first()
        is not None
    )


def _quiet_until(now: datetime, quiet: tuple[int, int], tz_name: str) -> datetime | None:
    """When the customer's quiet hours end, if ``now`` falls in them (None otherwise)."""
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    local = now.astimezone(tz)
    start, end = quiet
    hour = local.hour
    inside = (hour >= start or hour < end) if start > end else (start <= hour < end)
    if not inside:
        return None
    day = local.date() if hour < end else local.date() + timedelta(days=1)
    resume = datetime(day.year, day.month, day.day, end % 24, tzinfo=tz)
    return resume.astimezone(now.tzinfo)


def _deliver(
    collection: Collection, senders: dict, survey: SurveyDefinition, inv, customer, language: str, token: str
) -> None:
    channel = inv["channel"]
    sender = senders.get(channel)
    if sender is None:
        raise SendFailed(f"no sender is configured for the channel {channel!r}")
    link = collection.link(token)
    if channel == "sms":
        sender.send(customer["phone"], compose_sms(survey, language, link))
        return
    scores = []
    if survey.scored:
        low, high = survey.scale
        scores = [(n, collection.link(token, n)) for n in range(low, high + 1)]
    message = compose_email(
        survey,
        language,
        Recipient(customer["name"], customer["email"], customer["phone"]),
        collection.policy.smtp.sender,
        link,
        scores,
        collection.unsubscribe_link(token),
    )
    sender.send(customer["email"], message)


def response_rates(collection: Collection, since: datetime | None = None, until: datetime | None = None) -> list[dict]:
    """Per survey, channel and touchpoint: invited, sent, skipped (by reason), failed,
    answered, and the response rate (answered ÷ sent), over invitations due in the period;
    ``link_scans``: how many had a clicked score voided as an e-mail link scanner's."""
    i, e, sv, t = s.invitations, s.events, s.surveys, s.touchpoints
    touchpoint = sa.func.coalesce(e.c.touchpoint_id, sv.c.touchpoint_id)
    query = (
        sa.select(
            sv.c.key.label("survey"),
            i.c.channel,
            t.c.key.label("touchpoint"),
            i.c.status,
            i.c.reason,
            sa.func.count().label("n"),
        )
        .select_from(
            i.join(sv, sv.c.id == i.c.survey_id).outerjoin(e, e.c.id == i.c.event_id).outerjoin(t, t.c.id == touchpoint)
        )
        .group_by(sv.c.key, i.c.channel, t.c.key, i.c.status, i.c.reason)
    )
    if since:
        query = query.where(i.c.due_at >= since)
    if until:
        query = query.where(i.c.due_at < until)
    with collection.store.engine.connect() as conn:
        rows = conn.execute(query).all()
    table: dict[tuple, dict] = {}
    for row in rows:
        entry = table.setdefault(
            (row.survey, row.channel, row.touchpoint),
            {
                "survey": row.survey,
                "channel": row.channel,
                "touchpoint": row.touchpoint,
                "invited": 0,
                "sent": 0,
                "answered": 0,
                "failed": 0,
                "pending": 0,
                "skipped": {},
                "link_scans": 0,
            },
        )
        entry["invited"] += row.n
        if (row.reason or "").startswith(SCAN_REASON):
            entry["link_scans"] += row.n
        if row.status in ("sent", "answered"):
            entry["sent"] += row.n
        if row.status == "answered":
            entry["answered"] += row.n
        elif row.status == "failed":
            entry["failed"] += row.n
        elif row.status in ("pending", "sending"):
            entry["pending"] += row.n
        elif row.status == "skipped":
            entry["skipped"][row.reason] = entry["skipped"].get(row.reason, 0) + row.n
    for entry in table.values():
        entry["response_rate"] = entry["answered"] / entry["sent"] if entry["sent"] else None
    return sorted(table.values(), key=lambda x: (x["survey"], x["channel"], x["touchpoint"] or ""))
