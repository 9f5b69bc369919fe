"""A customer's data under their control: everything held about one customer as JSON
(:func:`export_customer`), and its erasure (:func:`erase_customer`).

Erasure removes personal data everywhere it can be, free text included, and keeps what the
KPIs count, anonymised (a documented choice: erasing scores would silently move last
quarter's NPS):

- the customer row stays, so that their scores, events, revenue and churn keep counting: its
  external id becomes ``erased-<id>``, name, e-mail, phone, time zone, attributes and churn
  reason are emptied; segment, plan, persona, locale and dates stay (they slice the KPIs and
  name no one);
- their answers keep score, survey, touchpoint, channel and time; comment and follow-up answers
  go; their tickets keep times and counts, lose subject and text; their mentions and feature
  requests lose text, title, author and link; their events lose properties;
- cases about them lose title, notes and every note and datum of their timelines; text results
  of their words are deleted; their invitations lose the link nonce (old links stop working);
- a user account with their e-mail loses its sessions; stored API answers and notifications
  that quote them are deleted;
- a suppression entry keeps a SHA-256 digest of the e-mail and phone, so that the same person
  imported again is never invited (:func:`is_suppressed`); opt-outs stay.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from ..errors import InputError
from . import schema as s
from .database import Store

__all__ = ["ERASED_TEXT", "digest", "erase_customer", "export_customer", "find_customer", "is_suppressed"]

ERASED_TEXT = ""  # what a NOT NULL text column holds once its words are erased

# Tables holding rows of one customer, by their customer_id column.
_OWNED = ("responses", "tickets", "mentions", "feature_requests", "events", "invitations", "revenue", "opt_outs")


def digest(kind: str, value: str) -> str:
    """The suppression digest of an e-mail address or phone number (normalised first)."""
    text = value.strip().lower() if kind == "email" else "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return hashlib.sha256(f"{kind}:{text}".encode()).hexdigest()


def find_customer(conn: sa.Connection, ref: str | int) -> dict:
    """A customer by id or external id; an :class:`InputError` naming the reference otherwise."""
    c = s.customers
    text = str(ref)
    cond = c.c.external_id == text
    if text.isdigit():
        cond = sa.or_(cond, c.c.id == int(text))
    row = conn.execute(sa.select(c).where(cond).order_by((c.c.external_id == text).desc())).mappings().first()
    if row is None:
        raise InputError(
            f"no customer has the id or external_id {text!r}; the dashboard's Customers page finds them by name"
        )
    return dict(row)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__float__") and not isinstance(value, (int, float, bool)):
        return float(value)  # Decimal amounts
    return value


def _rows(conn: sa.Connection, table: sa.Table, cond) -> list[dict]:
    return [_plain(dict(r)) for r in conn.execute(sa.select(table).where(cond).order_by(table.c.id)).mappings()]


def export_customer(store: Store, ref: str | int) -> dict:
    """Everything held about one customer, table by table, as plain JSON-ready values."""
    with store.engine.connect() as conn:
        customer = find_customer(conn, ref)
        cid = customer["id"]
        out: dict[str, Any] = {"customer": _plain(customer)}
        for name in _OWNED:
            table = s.metadata.tables[name]
            out[name] = _rows(conn, table, table.c.customer_id == cid)
        out["cases"] = _rows(conn, s.cases, s.cases.c.customer_id == cid)
        case_ids = [c["id"] for c in out["cases"]]
        out["case_events"] = _rows(conn, s.case_events, s.case_events.c.case_id.in_(case_ids)) if case_ids else []
        out["text_results"] = _rows(conn, s.text_results, s.text_results.c.customer_id == cid)
        if customer.get("email"):
            users = _rows(conn, s.users, sa.func.lower(s.users.c.email) == customer["email"].strip().lower())
            out["user"] = [{k: v for k, v in u.items() if k != "password_hash"} for u in users]
    out["exported_at"] = datetime.now(UTC).isoformat()
    return out


def is_suppressed(conn: sa.Connection, email: str | None = None, phone: str | None = None) -> bool:
    """Whether an erased customer had this e-mail address or phone number."""
    wanted = [("email", email), ("phone", phone)]
    digests = [(k, digest(k, v)) for k, v in wanted if v]
    if not digests:
        return False
    sup = s.suppressions
    cond = sa.or_(*[sa.and_(sup.c.kind == k, sup.c.digest == d) for k, d in digests])
    return conn.execute(sa.select(sup.c.id).where(cond).limit(1)).first() is not None


def _suppress(conn: sa.Connection, customer: dict, now: datetime) -> None:
    sup = s.suppressions
    for kind in ("email", "phone"):
        if customer.get(kind):
            d = digest(kind, customer[kind])
            if conn.execute(sa.select(sup.c.id).where(sup.c.kind == kind, sup.c.digest == d)).first() is None:
                conn.execute(sup.insert().values(kind=kind, digest=d, reason="erased", created_at=now))


def _quoting(column, words: list[str]):
    """Rows whose text (or JSON as text) holds any of ``words``."""
    as_text = sa.cast(column, sa.Text)
    return sa.or_(*[as_text.contains(w, autoescape=True) for w in words])


def _erase_text(conn: sa.Connection, cid: int, words: list[str]) -> None:
    r, t, m, f, e = s.responses, s.tickets, s.mentions, s.feature_requests, s.events
    conn.execute(r.update().where(r.c.customer_id == cid).values(comment=None, answers=None))
    conn.execute(t.update().where(t.c.customer_id == cid).values(subject=None, text=None))
    mention_cond = m.c.customer_id == cid
    if words:
        mention_cond = sa.or_(mention_cond, m.c.author.in_(words))
    conn.execute(m.update().where(mention_cond).values(text=ERASED_TEXT, title=None, author=None, url=None))
    conn.execute(f.update().where(f.c.customer_id == cid).values(text=ERASED_TEXT))
    conn.execute(e.update().where(e.c.customer_id == cid).values(properties=None))
    conn.execute(s.invitations.update().where(s.invitations.c.customer_id == cid).values(token_nonce=None))
    conn.execute(s.text_results.delete().where(s.text_results.c.customer_id == cid))


def _erase_cases(conn: sa.Connection, cid: int, words: list[str]) -> None:
    c, ce = s.cases, s.case_events
    case_ids = [i for (i,) in conn.execute(sa.select(c.c.id).where(c.c.customer_id == cid))]
    if words:  # a case about their answer or ticket may not carry their customer id
        case_ids += [i for (i,) in conn.execute(sa.select(c.c.id).where(_quoting(c.c.title, words)))]
    if not case_ids:
        return
    conn.execute(c.update().where(c.c.id.in_(case_ids)).values(title="(erased customer)", notes=None))
    conn.execute(ce.update().where(ce.c.case_id.in_(case_ids)).values(note=None, data=None))


def _erase_copies(conn: sa.Connection, words: list[str]) -> None:
    """Stored API answers and notifications that quote the customer: deleted (they are copies)."""
    if not words:
        return
    conn.execute(s.idempotency_keys.delete().where(_quoting(s.idempotency_keys.c.body, words)))
    conn.execute(s.notifications.delete().where(_quoting(s.notifications.c.payload, words)))
    conn.execute(s.alerts.update().where(_quoting(s.alerts.c.evidence, words)).values(evidence=None))
    conn.execute(s.alert_events.update().where(_quoting(s.alert_events.c.evidence, words)).values(evidence=None))


def erase_customer(store: Store, ref: str | int, now: datetime | None = None) -> dict:
    """Erase one customer's personal data (see the module's text); returns what was erased."""
    now = now or datetime.now(UTC)
    with store.engine.begin() as conn:
        customer = find_customer(conn, ref)
        cid = customer["id"]
        # Their own words, found again in copies: comments are matched whole (a short one
        # like "ok" would match everyone's text), names and addresses anywhere.
        words = [customer[k] for k in ("name", "email", "phone", "external_id") if customer.get(k)]
        comments = [
            c for (c,) in conn.execute(sa.select(s.responses.c.comment).where(s.responses.c.customer_id == cid)) if c
        ]
        quoted = words + [c for c in comments if len(c) >= 12]
        _suppress(conn, customer, now)
        _erase_text(conn, cid, words)
        _erase_cases(conn, cid, quoted)
        _erase_copies(conn, quoted)
        if customer.get("email"):
            users = sa.select(s.users.c.id).where(sa.func.lower(s.users.c.email) == customer["email"].strip().lower())
            conn.execute(s.user_sessions.delete().where(s.user_sessions.c.user_id.in_(users)))
        conn.execute(
            s.customers.update()
            .where(s.customers.c.id == cid)
            .values(
                external_id=f"erased-{cid}",
                name=None,
                email=None,
                phone=None,
                timezone=None,
                attributes=None,
                churn_reason=None,
            )
        )
    return {"customer_id": cid, "suppressed": [k for k in ("email", "phone") if customer.get(k)]}
