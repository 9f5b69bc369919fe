"""Touchpoint events reported by a business's backend: checked, stored, and their invitations planned.

``POST /api/events`` (``cxlens.web.api_events``) is the HTTP face of this module; a script
can call the same functions. A batch is all or nothing: :func:`check_events` lists every bad
field as ``{"index", "field", "value", "problem"}`` before anything is written, and
:func:`record_events` writes customers, events, their planned invitations and the
idempotency record in one transaction. An event whose ``external_id`` is already stored is
answered as ``duplicate`` and not stored again; an ``Idempotency-Key`` makes a retried request
get the first answer back (:func:`replay`), so a client that lost the answer can resend safely.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s
from .invitations import Collection
from .triggers import plan_invitations

__all__ = [
    "CUSTOMER_FIELDS",
    "EVENT_FIELDS",
    "MAX_BATCH",
    "EventsAnswer",
    "check_events",
    "events_of",
    "fingerprint",
    "parse_time",
    "problem",
    "record_events",
    "replay",
    "touchpoint_ids",
]

MAX_BATCH = 1000  # events per request: a bigger batch would hold the write lock too long
CUSTOMER_FIELDS = ("name", "email", "phone", "locale", "timezone", "segment", "plan")
EVENT_FIELDS = frozenset({"customer", "touchpoint", "occurred_at", "external_id", "channel", "properties"})


@dataclass(frozen=True)
class EventsAnswer:
    """An answer to a batch of events: its HTTP status and JSON body (what the idempotency
    record keeps); ``replayed`` when it is the stored answer to an earlier request."""

    status: int
    body: dict
    replayed: bool = False


def problem(index: int | None, field: str, value: Any, text: str) -> dict:
    """One bad field, as every 422 of the collection API lists it; a long value is cut to 80
    characters of JSON so that the answer stays readable."""
    if isinstance(value, float) and not math.isfinite(value):
        shown: Any = str(value)  # NaN is no JSON: the answer must stay readable by the client
    elif isinstance(value, (str, int, float, bool)) or value is None:
        shown = value[:200] if isinstance(value, str) else value
    else:
        shown = json.dumps(value, default=str)[:80]
    return {"index": index, "field": field, "value": shown, "problem": text}


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time with an offset, in UTC; None for anything else. Without an offset the
    time is ambiguous, and guessing UTC would shift a survey's delay by hours."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    return parsed.astimezone(timezone.utc) if parsed.tzinfo else None


def fingerprint(body: bytes) -> str:
    """What tells a retried request from another one sent under the same Idempotency-Key."""
    return hashlib.sha256(body).hexdigest()


def events_of(body: Any) -> tuple[list, list[dict]]:
    """The events of a request body (one event, an array, or ``{"events": [...]}``), or the
    problem with its shape."""
    if isinstance(body, dict) and "events" in body:
        events = body["events"]
    elif isinstance(body, dict):
        events = [body]
    else:
        events = body
    if not isinstance(events, list) or not events:
        return [], [
            problem(None, "(body)", None, 'expected an event object, a non-empty array of them, or {"events": [...]}')
        ]
    if len(events) > MAX_BATCH:
        return [], [problem(None, "events", len(events), f"at most {MAX_BATCH} events per request; split the batch")]
    return events, []


def touchpoint_ids(store: Store) -> dict[str, int]:
    """Each touchpoint's key and id: events name their touchpoint by key."""
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(s.touchpoints.c.key, s.touchpoints.c.id)).all())


def _customer_problems(n: int, customer: Any) -> list[dict]:
    """What is wrong with an event's customer: an external_id, or an object that creates it."""
    if not isinstance(customer, dict):
        if not isinstance(customer, str) or not customer.strip():
            return [
                problem(
                    n,
                    "customer",
                    customer,
                    "is missing; give the customer's external_id, or an object with external_id",
                )
            ]
        return []
    bad = []
    if not isinstance(customer.get("external_id"), str) or not customer["external_id"].strip():
        bad.append(
            problem(
                n, "customer.external_id", customer.get("external_id"), "is missing; the customer's id in your system"
            )
        )
    for k in set(customer) - {"external_id", *CUSTOMER_FIELDS}:
        bad.append(
            problem(
                n,
                f"customer.{k}",
                None,
                f"is not a customer field here; known: external_id, {', '.join(CUSTOMER_FIELDS)}",
            )
        )
    for k in ("external_id", *CUSTOMER_FIELDS):
        value = customer.get(k)
        if value is None or (k == "external_id" and not isinstance(value, str)):
            continue
        if not isinstance(value, str):
            bad.append(problem(n, f"customer.{k}", value, "expected text"))
        elif len(value) > s.customers.c[k].type.length:
            bad.append(problem(n, f"customer.{k}", value, f"is longer than {s.customers.c[k].type.length} characters"))
    return bad


def _field_problems(n: int, event: dict, touchpoints: dict[str, int]) -> list[dict]:
    """What is wrong with an event's touchpoint, time, ids and properties."""
    bad = []
    touchpoint = event.get("touchpoint")
    if not isinstance(touchpoint, str) or touchpoint not in touchpoints:
        bad.append(
            problem(
                n,
                "touchpoint",
                touchpoint,
                "is not a touchpoint key"
                + (
                    f"; known: {', '.join(sorted(touchpoints)[:20])}" if touchpoints else "; load a journeys file first"
                ),
            )
        )
    if parse_time(event.get("occurred_at")) is None:
        bad.append(
            problem(
                n,
                "occurred_at",
                event.get("occurred_at"),
                "is not an ISO 8601 time with an offset, e.g. 2026-03-02T10:00:00Z",
            )
        )
    for k in ("external_id", "channel"):
        longest = s.events.c[k].type.length
        if event.get(k) is not None and (not isinstance(event[k], str) or not event[k] or len(event[k]) > longest):
            bad.append(problem(n, k, event[k], f"expected text of 1 to {longest} characters"))
    if event.get("properties") is not None and not isinstance(event["properties"], dict):
        bad.append(problem(n, "properties", event["properties"], "expected a JSON object"))
    return bad


def check_events(events: list, touchpoints: dict[str, int]) -> tuple[list[dict], list[dict]]:
    """Checked events as column values (with their index in the batch), and every problem
    found: all of them at once, so that one fix round is enough."""
    rows, problems = [], []
    for n, event in enumerate(events):
        if not isinstance(event, dict):
            problems.append(problem(n, "(event)", event, "expected a JSON object"))
            continue
        bad = [
            problem(n, k, None, f"is not an event field; known: {', '.join(sorted(EVENT_FIELDS))}")
            for k in sorted(set(event) - EVENT_FIELDS)
        ]
        bad += _customer_problems(n, event.get("customer"))
        bad += _field_problems(n, event, touchpoints)
        problems += bad
        if not bad:
            rows.append(
                {
                    "index": n,
                    "customer": event.get("customer"),
                    "touchpoint_id": touchpoints[event["touchpoint"]],
                    "occurred_at": parse_time(event["occurred_at"]),
                    "external_id": event.get("external_id"),
                    "channel": event.get("channel"),
                    "properties": event.get("properties"),
                }
            )
    return rows, problems


def _customer_id(conn: sa.Connection, given: str | dict) -> int | None:
    """The customer's id; a customer object creates the customer or updates the given fields."""
    c = s.customers
    ext = given["external_id"] if isinstance(given, dict) else given
    found = conn.execute(sa.select(c.c.id).where(c.c.external_id == ext)).scalar()
    if isinstance(given, dict):
        values = {k: given[k] for k in CUSTOMER_FIELDS if given.get(k) is not None}
        if found is None:
            found = conn.execute(c.insert().values(external_id=ext, **values).returning(c.c.id)).scalar_one()
        elif values:
            conn.execute(c.update().where(c.c.id == found).values(**values))
    return found


def _resolve_customers(conn: sa.Connection, rows: list[dict]) -> list[dict]:
    """Set each row's ``customer_id``; the problems of those whose customer is unknown. A
    customer named again later in the batch is looked up (and written) once."""
    problems = []
    cache: dict[str, int] = {}
    for row in rows:
        given = row["customer"]
        ext = given["external_id"] if isinstance(given, dict) else given
        if ext not in cache:
            found = _customer_id(conn, given)
            if found is None:
                problems.append(
                    problem(
                        row["index"],
                        "customer",
                        ext,
                        "no customer has this external_id; import it first, "
                        "or send the customer as an object with external_id, email, locale, timezone",
                    )
                )
                continue
            cache[ext] = found
        row["customer_id"] = cache[ext]
    return problems


def _store_events(conn: sa.Connection, rows: list[dict]) -> list[dict]:
    """Insert the events; one whose external_id is stored already is a duplicate, kept as it was."""
    e = s.events
    results = []
    for row in rows:
        if row["external_id"]:
            found = conn.execute(sa.select(e.c.id).where(e.c.external_id == row["external_id"])).scalar()
            if found is not None:
                results.append({"id": found, "external_id": row["external_id"], "status": "duplicate"})
                continue
        new_id = conn.execute(
            e.insert()
            .values(
                external_id=row["external_id"],
                customer_id=row["customer_id"],
                touchpoint_id=row["touchpoint_id"],
                occurred_at=row["occurred_at"],
                channel=row["channel"],
                properties=row["properties"],
            )
            .returning(e.c.id)
        ).scalar_one()
        results.append({"id": new_id, "external_id": row["external_id"], "status": "created"})
    return results


def record_events(
    collection: Collection, rows: list[dict], api_key_id: int, idempotency_key: str | None, body: bytes
) -> EventsAnswer:
    """Customers, events, planned invitations and the idempotency record: one transaction.
    ``rows`` come from :func:`check_events`; an unknown customer rolls the whole batch back.

    Two requests at once may carry the same Idempotency-Key, event or new customer: the
    store's unique keys let one commit and make the other fail as a whole, which then answers
    from what the first stored (its answer, or ``duplicate`` events)."""
    try:
        return _record(collection, rows, api_key_id, idempotency_key, body)
    except sa.exc.IntegrityError:
        if idempotency_key:
            previous = replay(collection.store, api_key_id, idempotency_key, body)
            if previous is not None:
                return previous
        return _record(collection, rows, api_key_id, idempotency_key, body)


def _record(
    collection: Collection, rows: list[dict], api_key_id: int, idempotency_key: str | None, body: bytes
) -> EventsAnswer:
    with collection.writing() as conn:
        problems = _resolve_customers(conn, rows)
        if problems:
            conn.rollback()
            return EventsAnswer(422, {"detail": problems})
        results = _store_events(conn, rows)
        new_ids = [r["id"] for r in results if r["status"] == "created"]
        planned = plan_invitations(collection, conn, new_ids)
        answer = {"events": results, "invitations_planned": len(planned)}
        if idempotency_key:
            conn.execute(
                s.idempotency_keys.insert().values(
                    api_key_id=api_key_id,
                    key=idempotency_key[:200],
                    request_hash=fingerprint(body),
                    status_code=201,
                    body=answer,
                    created_at=collection.now(),
                )
            )
    return EventsAnswer(201, answer)


def replay(store: Store, api_key_id: int, key: str, body: bytes) -> EventsAnswer | None:
    """The stored answer to an earlier request of this API key under ``key``; a 422 when that
    request had another body (a key names one request); None for a new key."""
    k = s.idempotency_keys
    with store.engine.connect() as conn:
        found = conn.execute(
            sa.select(k.c.request_hash, k.c.status_code, k.c.body).where(
                k.c.api_key_id == api_key_id, k.c.key == key[:200]
            )
        ).first()
    if found is None:
        return None
    if found.request_hash != fingerprint(body):
        return EventsAnswer(
            422,
            {
                "detail": [
                    problem(
                        None,
                        "Idempotency-Key",
                        key,
                        "was used before with another body; use a new key for a new request",
                    )
                ]
            },
        )
    return EventsAnswer(found.status_code, found.body, replayed=True)
