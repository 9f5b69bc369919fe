"""Delivery: the only code that sends what the outbox (``notifications``) holds.

:func:`deliver_pending` takes the rows that are ``pending`` and due (``next_attempt_at`` ≤ now)
and, one at a time:

1. **claims** it: one conditional UPDATE (``pending`` → ``sending``, ``attempts`` + 1, and a
   lease: ``next_attempt_at`` = now + :data:`LEASE`) that names the ``attempts`` it read, so of
   two workers (threads, processes, machines; SQLite or PostgreSQL) exactly one wins;
2. **sends** it, outside any transaction (a slow receiver holds no database lock): a signed
   webhook, a Slack-compatible webhook or an e-mail through collection's SMTP settings;
3. **records** the attempt in ``deliveries`` (ok, status code, error, duration) and, in the same
   transaction, marks the row ``sent``, or ``pending`` again after an exponential backoff
   (:data:`BACKOFF` × 2^(attempt − 1), up to 25 % later at random so that retries of a burst
   spread out), or ``failed`` after :data:`MAX_ATTEMPTS`. A 410 Gone disables the notifier and
   fails its pending rows with the reason; a disabled notifier's rows fail without an attempt.

**Once, and the one exception.** A row is marked sent right after its send, and a claimed row
is never claimed again while its lease runs, so nothing is sent twice, except in one window: a
process that dies after the receiver took the message and before step 3 committed leaves the
row ``sending``; when the lease has run out, the next run logs the interrupted attempt and
sends it again (at least once: losing an alert is worse than repeating one). A webhook
repeated that way carries the same ``webhook-id``, and an e-mail the same ``Message-ID``, so a
receiver can drop the copy. A process that dies before sending leaves the same ``sending`` row,
which is then sent for the first time.

Recipients of the reserved notifier ``owner`` come from the payload: ``to`` (an address or a
list), else ``owner_email``, else ``case_id`` (the case's owner's e-mail, looked up now).
"""

from __future__ import annotations

import json
import logging
import random
import smtplib
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa

from ..collect.policy import SmtpSettings, policy_from_env
from ..config import settings
from ..errors import ConfigError, CxlensError, SendFailed
from ..store import Store
from ..store import schema as s
from .messages import email_message, slack_body, webhook_body
from .notifiers import OWNER, Notifier, disable_notifier, load_notifier
from .webhooks import HttpResult, message_id, post_json, signature_headers

__all__ = [
    "BACKOFF",
    "LEASE",
    "MAX_ATTEMPTS",
    "Attempt",
    "DeliveryReport",
    "deliver_pending",
    "notifier_overview",
    "recent_deliveries",
    "retry_delay",
    "send_email",
]

log = logging.getLogger("cxlens.alerts.delivery")

MAX_ATTEMPTS = 8
BACKOFF = timedelta(minutes=1)
LEASE = timedelta(minutes=5)
INTERRUPTED = "interrupted: the worker stopped during this attempt (its lease ran out); sending again"


@dataclass(frozen=True)
class Attempt:
    """One delivery attempt. ``outcome``: sent | retry | failed."""

    notification_id: int
    notifier: str
    topic: str
    outcome: str
    status_code: int | None = None
    error: str | None = None
    duration_ms: float | None = None
    next_attempt_at: datetime | None = None


@dataclass
class DeliveryReport:
    """What one :func:`deliver_pending` run did."""

    attempts: list[Attempt] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for a in self.attempts if a.outcome == outcome)

    @property
    def sent(self) -> int:
        return self.count("sent")

    @property
    def retrying(self) -> int:
        return self.count("retry")

    @property
    def failed(self) -> int:
        return self.count("failed")

    def summary(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"

    def to_dict(self) -> dict[str, Any]:
        attempts = []
        for a in self.attempts:
            d = asdict(a)
            d["next_attempt_at"] = a.next_attempt_at.isoformat() if a.next_attempt_at else None
            attempts.append(d)
        return {"sent": self.sent, "retrying": self.retrying, "failed": self.failed, "attempts": attempts}


class _Permanent(CxlensError):
    """A failure that retrying cannot fix (a disabled notifier, a case without an owner)."""


class _Gone(CxlensError):
    """The receiver answered 410 Gone."""


def retry_delay(attempts: int, retry_after: float | None = None, rng: random.Random | None = None) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: BACKOFF × 2^(attempts − 1),
    up to 25 % more at random, and at least what the receiver's Retry-After asked (≤ 1 hour)."""
    base = BACKOFF * (2 ** max(0, attempts - 1))
    delay = base * (1 + 0.25 * (rng or random).random())
    if retry_after:
        delay = max(delay, timedelta(seconds=min(retry_after, 3600)))
    return delay


def deliver_pending(store: Store, *, now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send the outbox rows that are due, at most ``limit`` of them; see the module docstring."""
    now = now or datetime.now(timezone.utc)
    nt = s.notifications
    due = sa.func.coalesce(nt.c.next_attempt_at, nt.c.created_at) <= now
    query = (
        sa.select(nt.c.id, nt.c.attempts, nt.c.status)
        .where(nt.c.status.in_(("pending", "sending")), due)
        .order_by(sa.func.coalesce(nt.c.next_attempt_at, nt.c.created_at), nt.c.id)
        .limit(limit)
    )
    with store.engine.connect() as conn:
        rows = conn.execute(query).all()
    report = DeliveryReport()
    context = _Context(base_url=settings().public_url, smtp=policy_from_env().smtp)
    for row in rows:
        attempt = _deliver_one(store, row.id, row.attempts, row.status, now, context)
        if attempt is not None:
            report.attempts.append(attempt)
    return report


@dataclass(frozen=True)
class _Context:
    base_url: str
    smtp: SmtpSettings


def _deliver_one(
    store: Store, notification_id: int, seen_attempts: int, seen_status: str, now: datetime, context: _Context
) -> Attempt | None:
    nt = s.notifications
    with store.begin() as conn:
        claimed = conn.execute(
            nt.update()
            .where(
                nt.c.id == notification_id,
                nt.c.attempts == seen_attempts,
                nt.c.status == seen_status,
                sa.func.coalesce(nt.c.next_attempt_at, nt.c.created_at) <= now,
            )
            .values(status="sending", attempts=seen_attempts + 1, next_attempt_at=now + LEASE)
        ).rowcount
        if not claimed:
            return None  # another worker has it, or it changed since it was read
        row = conn.execute(sa.select(nt).where(nt.c.id == notification_id)).one()
        if seen_status == "sending":
            conn.execute(
                s.deliveries.insert().values(notification_id=notification_id, at=now, ok=False, error=INTERRUPTED)
            )
            if seen_attempts >= MAX_ATTEMPTS:
                # Interrupted again and again (a message that kills its worker?): stop trying.
                reason = f"gave up after {seen_attempts} attempts; last: {INTERRUPTED.split(';')[0]}"
                conn.execute(
                    nt.update()
                    .where(nt.c.id == notification_id)
                    .values(status="failed", next_attempt_at=None, last_error=reason)
                )
                return Attempt(row.id, row.notifier, row.topic, "failed", error=reason)
        notifier = None if row.notifier == OWNER else load_notifier(conn, row.notifier)
        recipients = _owner_recipients(conn, row.payload) if row.notifier == OWNER else None
    attempts = seen_attempts + 1
    started = time.perf_counter()
    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = None
    gone = permanent = False
    try:
        status_code = _send(row, notifier, recipients, context)
    except _Gone as exc:
        gone, status_code, error = True, 410, str(exc)
    except _HttpFailed as exc:
        status_code, retry_after, error = exc.result.status, exc.result.retry_after, str(exc)
    except _Permanent as exc:
        permanent, error = True, str(exc)
    except (ConfigError, SendFailed, OSError, smtplib.SMTPException) as exc:
        error = _describe(exc)
    except Exception as exc:  # a bug must not stop the other messages: logged, retried, then failed
        log.exception("delivering notification %s failed unexpectedly", notification_id)
        error = _describe(exc)
    duration_ms = (time.perf_counter() - started) * 1000
    return _record(
        store, row, attempts, now, status_code, error, duration_ms, retry_after, gone=gone, permanent=permanent
    )


def _record(
    store: Store,
    row: Any,
    attempts: int,
    now: datetime,
    status_code: int | None,
    error: str | None,
    duration_ms: float,
    retry_after: float | None,
    *,
    gone: bool,
    permanent: bool,
) -> Attempt:
    nt = s.notifications
    ok = error is None
    next_at = None
    if ok:
        outcome, values = "sent", {"status": "sent", "sent_at": now, "next_attempt_at": None, "last_error": None}
    elif gone or permanent or attempts >= MAX_ATTEMPTS:
        reason = error if (gone or permanent) else f"gave up after {attempts} attempts; last: {error}"
        outcome, values = "failed", {"status": "failed", "next_attempt_at": None, "last_error": (reason or "")[:2000]}
    else:
        next_at = now + retry_delay(attempts, retry_after)
        outcome, values = "retry", {"status": "pending", "next_attempt_at": next_at, "last_error": (error or "")[:2000]}
    with store.begin() as conn:
        conn.execute(
            s.deliveries.insert().values(
                notification_id=row.id,
                at=now,
                ok=ok,
                status_code=status_code,
                error=None if error is None else error[:2000],
                duration_ms=round(duration_ms, 3),
            )
        )
        conn.execute(
            nt.update().where(nt.c.id == row.id, nt.c.status == "sending", nt.c.attempts == attempts).values(**values)
        )
        if gone:
            disable_notifier(conn, row.notifier, f"the receiver answered 410 Gone ({now:%Y-%m-%d %H:%M} UTC)", now)
    return Attempt(row.id, row.notifier, row.topic, outcome, status_code, error, round(duration_ms, 3), next_at)


def _describe(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if isinstance(exc, (ConfigError, SendFailed)):
        return text
    return f"{type(exc).__name__}: {text}"


def _send(row: Any, notifier: Notifier | None, recipients: list[str] | None, context: _Context) -> int | None:
    """Send one notification; return the HTTP status (None for e-mail); raise on failure."""
    payload = row.payload or {}
    if row.notifier == OWNER:
        if not recipients:
            raise _Permanent("no recipient: the payload names no owner (to, owner_email or case_id with an owner)")
        _email(row, recipients, context)
        return None
    if notifier is None:
        raise ConfigError(
            f"no notifier named {row.notifier!r}; declare it under notifiers: in the journeys file "
            "and run `cxlens journeys load`"
        )
    if notifier.disabled_at is not None:
        raise _Permanent(f"notifier {notifier.name!r} is disabled: {notifier.disabled_reason}")
    if notifier.kind == "email":
        _email(row, list(notifier.to), context)
        return None
    url = notifier.target_url()
    if notifier.kind == "slack":
        result = post_json(url, slack_body(row.topic, payload, context.base_url), allow_private=notifier.allow_private)
    else:
        secret = notifier.secret()
        body = webhook_body(row.topic, payload, context.base_url)
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        headers = signature_headers(secret, message_id(row.key), data)
        result = post_json(url, None, body=data, headers=headers, allow_private=notifier.allow_private)
    return _check_answer(notifier, result, row)


def _check_answer(notifier: Notifier, result: HttpResult, row: Any) -> int:
    if result.ok:
        return result.status
    if result.status == 410:
        raise _Gone(
            f"{notifier.name}: the receiver answered 410 Gone; the notifier is disabled until its target "
            "changes in the journeys file (or `cxlens alerts notifiers --enable`)"
        )
    raise _HttpFailed(result)


class _HttpFailed(OSError):
    def __init__(self, result: HttpResult):
        self.result = result
        body = " ".join(result.body.split())[:200]
        super().__init__(f"HTTP {result.status}" + (f": {body}" if body else ""))


def _owner_recipients(conn: sa.Connection, payload: dict[str, Any] | None) -> list[str]:
    payload = payload or {}
    to = payload.get("to") or payload.get("owner_email")
    if isinstance(to, str):
        return [to]
    if isinstance(to, list):
        return [t for t in to if isinstance(t, str)]
    case_id = payload.get("case_id")
    if case_id is None:
        return []
    c, u = s.cases, s.users
    email = conn.execute(
        sa.select(u.c.email).select_from(c.join(u, u.c.id == c.c.owner_id)).where(c.c.id == case_id)
    ).scalar()
    return [email] if email else []


def _email(row: Any, recipients: list[str], context: _Context) -> None:
    msg = email_message(
        row.topic,
        row.payload or {},
        context.base_url,
        sender=context.smtp.sender,
        to=recipients,
        msg_id=f"<{message_id(row.key)}@cxlens>",
    )
    send_email(context.smtp, msg, recipients)


def send_email(smtp: SmtpSettings, message: EmailMessage, recipients: list[str], timeout: float = 30.0) -> None:
    """One SMTP transaction to all ``recipients`` (so a retry never mails half of them twice)."""
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=timeout) as conn:
            if smtp.starttls:
                conn.starttls()
            if smtp.username:
                conn.login(smtp.username, smtp.password or "")
            conn.send_message(message, to_addrs=recipients)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(
            f"SMTP {smtp.host}:{smtp.port} did not take the e-mail to {', '.join(recipients)}: {exc}; "
            "check CXLENS_SMTP_HOST/PORT and that the server accepts mail from cxlens"
        ) from exc


# -- what admins read ----------------------------------------------------------------------


def recent_deliveries(conn: sa.Connection, *, notifier: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The latest delivery attempts, newest first, with their notification's notifier and topic."""
    d, nt = s.deliveries, s.notifications
    query = (
        sa.select(
            d.c.id,
            d.c.at,
            d.c.ok,
            d.c.status_code,
            d.c.error,
            d.c.duration_ms,
            nt.c.id.label("notification_id"),
            nt.c.notifier,
            nt.c.topic,
            nt.c.status,
            nt.c.attempts,
        )
        .select_from(d.join(nt, nt.c.id == d.c.notification_id))
        .order_by(d.c.at.desc(), d.c.id.desc())
        .limit(limit)
    )
    if notifier is not None:
        query = query.where(nt.c.notifier == notifier)
    return [dict(r._mapping) for r in conn.execute(query)]


def notifier_overview(conn: sa.Connection) -> list[dict[str, Any]]:
    """Each notifier (and ``owner`` if used) with its state, outbox counts and last attempt."""
    n, nt, d = s.notifiers, s.notifications, s.deliveries
    counts: dict[str, dict[str, int]] = {}
    by_status = sa.select(nt.c.notifier, nt.c.status, sa.func.count()).group_by(nt.c.notifier, nt.c.status)
    for name, status, k in conn.execute(by_status):
        counts.setdefault(name, {})[status] = k
    last_ids = (
        sa.select(nt.c.notifier, sa.func.max(d.c.id).label("id"))
        .select_from(d.join(nt, nt.c.id == d.c.notification_id))
        .group_by(nt.c.notifier)
        .subquery()
    )
    last = {
        r.notifier: r
        for r in conn.execute(
            sa.select(last_ids.c.notifier, d.c.at, d.c.ok, d.c.status_code, d.c.error).join(d, d.c.id == last_ids.c.id)
        )
    }
    rows = []
    declared = {r.name: Notifier.from_row(r) for r in conn.execute(sa.select(n).order_by(n.c.name))}
    names = list(declared) + sorted(set(counts) - set(declared))
    for name in names:
        spec = declared.get(name)
        attempt = last.get(name)
        rows.append(
            {
                "name": name,
                "kind": spec.kind if spec else ("email" if name == OWNER else "(undeclared)"),
                "target": _target(spec, name),
                "state": "disabled" if spec and spec.disabled_at else "active" if spec or name == OWNER else "unknown",
                "disabled_reason": spec.disabled_reason if spec else None,
                "pending": counts.get(name, {}).get("pending", 0) + counts.get(name, {}).get("sending", 0),
                "sent": counts.get(name, {}).get("sent", 0),
                "failed": counts.get(name, {}).get("failed", 0),
                "last_attempt_at": attempt.at if attempt else None,
                "last_ok": attempt.ok if attempt else None,
                "last_status_code": attempt.status_code if attempt else None,
                "last_error": attempt.error if attempt else None,
            }
        )
    return rows


def _target(spec: Notifier | None, name: str) -> str:
    if spec is None:
        return "the case owner" if name == OWNER else "-"
    if spec.kind == "email":
        return ", ".join(spec.to)
    if spec.url_env:
        return f"${spec.url_env}"
    parts = urlsplit(spec.url or "")
    return f"{parts.scheme}://{parts.netloc}/…" if parts.path not in ("", "/") else f"{parts.scheme}://{parts.netloc}/"
