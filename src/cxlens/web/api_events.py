"""``POST /api/events``: a business's backend reports touchpoint events as they happen.

One event or a batch (a JSON array, or ``{"events": [...]}``, at most 1,000), authenticated with
an API key holding ``events:write``. Each event::

    {"customer": "c-1001",                # external_id, or an object that creates/updates it:
                                          #   {"external_id": "c-1001", "email": "...", "locale": "fi",
                                          #    "timezone": "Europe/Helsinki", "name": "...", "phone": "..."}
     "touchpoint": "support-chat",        # a touchpoint key
     "occurred_at": "2026-03-02T10:00:00Z",  # ISO 8601 with an offset
     "external_id": "ticket-88-solved",   # optional; makes a resend a no-op
     "channel": "chat", "properties": {...}}

A batch is all or nothing: a 422 lists every bad field as ``{"index", "field", "value",
"problem"}``. Events whose ``external_id`` is already stored are answered as ``duplicate`` and
not stored again. ``Idempotency-Key`` replays the first answer to a retried request (another
body under the same key is a 422). Each stored event plans its survey invitations at once
(see :mod:`cxlens.collect.triggers`).
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..access import ApiKey
from ..collect import plan_invitations
from ..store import schema as s
from .auth import require_scope
from .survey_pages import _in_turn, collection_of

__all__ = ["MAX_BATCH", "router"]

router = APIRouter(tags=["events"])
MAX_BATCH = 1000
_CUSTOMER_FIELDS = ("name", "email", "phone", "locale", "timezone", "segment", "plan")
_EVENT_FIELDS = {"customer", "touchpoint", "occurred_at", "external_id", "channel", "properties"}


def _problem(index: int | None, field: str, value: Any, problem: str) -> dict:
    shown = value if isinstance(value, (str, int, float, bool)) or value is None else json.dumps(value)[:80]
    return {"index": index, "field": field, "value": shown, "problem": problem}


def _events_of(body: Any) -> tuple[list, list[dict]]:
    if isinstance(body, dict) and "events" in body:
        events = body["events"]
    elif isinstance(body, dict):
        events = [body]
    else:
        events = body
    if not isinstance(events, list) or not events:
        return [], [_problem(None, "(body)", None, "expected an event object, a non-empty array of them, or {\"events\": [...]}")]
    if len(events) > MAX_BATCH:
        return [], [_problem(None, "events", len(events), f"at most {MAX_BATCH} events per request; split the batch")]
    return events, []


def _check(events: list, touchpoints: dict[str, int]) -> tuple[list[dict], list[dict]]:
    """Checked events as column values, and every problem found."""
    rows, problems = [], []
    for n, event in enumerate(events):
        if not isinstance(event, dict):
            problems.append(_problem(n, "(event)", event, "expected a JSON object"))
            continue
        bad = [_problem(n, k, None, f"is not an event field; known: {', '.join(sorted(_EVENT_FIELDS))}")
               for k in sorted(set(event) - _EVENT_FIELDS)]
        customer = event.get("customer")
        if isinstance(customer, dict):
            if not isinstance(customer.get("external_id"), str) or not customer["external_id"].strip():
                bad.append(_problem(n, "customer.external_id", customer.get("external_id"), "is missing; the customer's id in your system"))
            for k in set(customer) - {"external_id", *_CUSTOMER_FIELDS}:
                bad.append(_problem(n, f"customer.{k}", None, f"is not a customer field here; known: external_id, {', '.join(_CUSTOMER_FIELDS)}"))
            for k in _CUSTOMER_FIELDS:
                if k in customer and customer[k] is not None and not isinstance(customer[k], str):
                    bad.append(_problem(n, f"customer.{k}", customer[k], "expected text"))
        elif not isinstance(customer, str) or not customer.strip():
            bad.append(_problem(n, "customer", customer, "is missing; give the customer's external_id, or an object with external_id"))
        touchpoint = event.get("touchpoint")
        if touchpoint not in touchpoints:
            bad.append(_problem(n, "touchpoint", touchpoint, "is not a touchpoint key" + (
                f"; known: {', '.join(sorted(touchpoints)[:20])}" if touchpoints else "; load a journeys file first")))
        occurred = _timestamp(event.get("occurred_at"))
        if occurred is None:
            bad.append(_problem(n, "occurred_at", event.get("occurred_at"),
                                "is not an ISO 8601 time with an offset, e.g. 2026-03-02T10:00:00Z"))
        for k in ("external_id", "channel"):
            if event.get(k) is not None and (not isinstance(event[k], str) or not event[k] or len(event[k]) > 200):
                bad.append(_problem(n, k, event[k], "expected text of 1 to 200 characters"))
        if event.get("properties") is not None and not isinstance(event["properties"], dict):
            bad.append(_problem(n, "properties", event["properties"], "expected a JSON object"))
        problems += bad
        if not bad:
            rows.append({"index": n, "customer": customer, "touchpoint_id": touchpoints[touchpoint], "occurred_at": occurred,
                         "external_id": event.get("external_id"), "channel": event.get("channel"),
                         "properties": event.get("properties")})
    return rows, problems


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    # Without an offset the time is ambiguous; guessing UTC would shift a delay by hours.
    return parsed.astimezone(timezone.utc) if parsed.tzinfo else None


def _customer_ids(conn: sa.Connection, rows: list[dict]) -> list[dict]:
    """Resolve (and, for customer objects, create or update) customers; problems for unknown ids."""
    c = s.customers
    problems = []
    cache: dict[str, int] = {}
    for row in rows:
        given = row["customer"]
        ext = given["external_id"] if isinstance(given, dict) else given
        if ext not in cache:
            found = conn.execute(sa.select(c.c.id).where(c.c.external_id == ext)).scalar()
            if isinstance(given, dict):
                values = {k: given[k] for k in _CUSTOMER_FIELDS if given.get(k) is not None}
                if found is None:
                    found = conn.execute(c.insert().values(external_id=ext, **values).returning(c.c.id)).scalar_one()
                elif values:
                    conn.execute(c.update().where(c.c.id == found).values(**values))
            if found is None:
                problems.append(_problem(row["index"], "customer", ext, "no customer has this external_id; import it first, "
                                         "or send the customer as an object with external_id, email, locale, timezone"))
                continue
            cache[ext] = found
        row["customer_id"] = cache[ext]
    return problems


def _fingerprint(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@router.post("/api/events", summary="Report touchpoint events (one or a batch)")
async def post_events(request: Request, key: ApiKey = Depends(require_scope("events:write"))):
    raw = await request.body()
    idem = request.headers.get("idempotency-key")
    store = request.app.state.store
    if idem:
        replay = _replay(store, key.id, idem, _fingerprint(raw))
        if replay is not None:
            return replay
    try:
        body = json.loads(raw, parse_constant=lambda c: math.nan)
    except (ValueError, UnicodeDecodeError) as exc:
        return JSONResponse({"detail": [_problem(None, "(body)", None, f"is not JSON: {exc}")]}, status_code=400)
    events, problems = _events_of(body)
    if problems:
        return JSONResponse({"detail": problems}, status_code=422)
    collection = collection_of(request)
    with store.engine.connect() as conn:
        touchpoints = dict(conn.execute(sa.select(s.touchpoints.c.key, s.touchpoints.c.id)).all())
    rows, problems = _check(events, touchpoints)
    if problems:
        return JSONResponse({"detail": problems}, status_code=422)
    return await _in_turn(collection, _write_events, collection, rows, key.id, idem, raw)


def _write_events(collection, rows: list[dict], api_key_id: int, idem: str | None, raw: bytes) -> JSONResponse:
    """Customers, events, planned invitations and the idempotency record: one transaction."""
    with collection.writing() as conn:
        problems = _customer_ids(conn, rows)
        if problems:
            conn.rollback()
            return JSONResponse({"detail": problems}, status_code=422)
        results = _store_events(conn, rows)
        new_ids = [r["id"] for r in results if r["status"] == "created"]
        planned = plan_invitations(collection, conn, new_ids)
        answer = {"events": results, "invitations_planned": len(planned)}
        if idem:
            conn.execute(s.idempotency_keys.insert().values(
                api_key_id=api_key_id, key=idem[:200], request_hash=_fingerprint(raw), status_code=201, body=answer,
                created_at=collection.now()))
    return JSONResponse(answer, status_code=201)


def _store_events(conn: sa.Connection, rows: list[dict]) -> list[dict]:
    e = s.events
    results = []
    for row in rows:
        if row["external_id"]:
            found = conn.execute(sa.select(e.c.id).where(e.c.external_id == row["external_id"])).scalar()
            if found is not None:
                results.append({"id": found, "external_id": row["external_id"], "status": "duplicate"})
                continue
        new_id = conn.execute(e.insert().values(
            external_id=row["external_id"], customer_id=row["customer_id"], touchpoint_id=row["touchpoint_id"],
            occurred_at=row["occurred_at"], channel=row["channel"], properties=row["properties"],
        ).returning(e.c.id)).scalar_one()
        results.append({"id": new_id, "external_id": row["external_id"], "status": "created"})
    return results


def _replay(store, api_key_id: int, key: str, fingerprint: str) -> JSONResponse | None:
    k = s.idempotency_keys
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(k.c.request_hash, k.c.status_code, k.c.body)
                             .where(k.c.api_key_id == api_key_id, k.c.key == key[:200])).first()
    if found is None:
        return None
    if found.request_hash != fingerprint:
        return JSONResponse({"detail": [_problem(None, "Idempotency-Key", key, "was used before with another body; "
                                                 "use a new key for a new request")]}, status_code=422)
    return JSONResponse(found.body, status_code=found.status_code, headers={"Idempotent-Replayed": "true"})


# -- responses collected elsewhere ----------------------------------------------------------


@router.post("/api/responses", tags=["responses"], summary="Report survey responses collected elsewhere")
async def post_responses(request: Request, key: ApiKey = Depends(require_scope("responses:write"))):
    """Responses from another tool (a call-centre IVR, a kiosk): the fields of the ``responses``
    import kind (README), one object or an array, checked and written exactly as an import of
    them would be — all or nothing, idempotent by ``external_id``. A 422 names the index,
    field, value and problem of every bad row."""
    import pyarrow as pa

    from ..errors import ImportRejected
    from ..ingest import import_table

    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        return JSONResponse({"detail": [_problem(None, "(body)", None, f"is not JSON: {exc}")]}, status_code=400)
    items = body.get("responses") if isinstance(body, dict) and "responses" in body else body
    items = [items] if isinstance(items, dict) else items
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return JSONResponse({"detail": [_problem(None, "(body)", None, "expected a response object or a non-empty array of them")]},
                            status_code=422)
    if len(items) > MAX_BATCH:
        return JSONResponse({"detail": [_problem(None, "responses", len(items), f"at most {MAX_BATCH} per request")]}, status_code=422)
    # The importer reads text columns as a file would give them; JSON members become JSON text.
    columns = sorted({k for item in items for k in item})
    table = pa.table({c: pa.array([_as_text(item.get(c)) for item in items], pa.string()) for c in columns})
    try:
        result = import_table(request.app.state.store, "responses", table, source=f"POST /api/responses ({key.name})")
    except ImportRejected as exc:
        problems = [_problem(b.row - 1, b.column, b.value, f"{b.problem}; {b.fix}") for b in exc.bad_rows]
        return JSONResponse({"detail": problems}, status_code=422)
    return JSONResponse({"rows": result.rows, "inserted": result.inserted, "unchanged": result.unchanged,
                         "ignored_columns": result.ignored_columns}, status_code=201)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- surveys through the API ---------------------------------------------------------------


@router.post("/api/surveys", tags=["surveys"], summary="Create or update surveys")
async def post_surveys(request: Request, key: ApiKey = Depends(require_scope("surveys:write"))):
    """``{"surveys": [...]}`` with the same fields as a surveys YAML file (README), checked the
    same way: all or nothing, every problem listed by path in a 422. Surveys are upserted by key."""
    from ..collect.surveys import load_survey_data
    from ..errors import JourneyFileError

    try:
        body = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as exc:
        return JSONResponse({"detail": [_problem(None, "(body)", None, f"is not JSON: {exc}")]}, status_code=400)
    if not isinstance(body, dict) or set(body) != {"surveys"}:
        return JSONResponse({"detail": [_problem(None, "(body)", None, 'expected {"surveys": [...]}')]}, status_code=422)
    try:
        result = load_survey_data(request.app.state.store, body, "POST /api/surveys")
    except JourneyFileError as exc:
        detail = [{"field": p.split(": ", 1)[0], "problem": p.split(": ", 1)[-1]} for p in exc.problems]
        return JSONResponse({"detail": detail}, status_code=422)
    collection_of(request).catalog.reload()
    return JSONResponse({"surveys": result.surveys}, status_code=201)


@router.get("/api/invitations/rates", tags=["responses"], summary="Response rate per survey, channel and touchpoint")
def get_response_rates(request: Request, since: str | None = None, until: str | None = None,
                       key: ApiKey = Depends(require_scope("kpi:read"))):
    """Invited, sent, skipped by reason, failed, pending and answered invitations, and the
    response rate (answered ÷ sent), over invitations due in [since, until)."""
    from ..collect import response_rates

    bounds = {}
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            parsed = _timestamp(value if "T" in value else f"{value}T00:00:00+00:00")
            if parsed is None:
                return JSONResponse({"detail": [_problem(None, name, value, "is not a date or an ISO 8601 time with an offset")]},
                                    status_code=422)
            bounds[name] = parsed
    return {"rates": response_rates(collection_of(request), bounds.get("since"), bounds.get("until"))}
