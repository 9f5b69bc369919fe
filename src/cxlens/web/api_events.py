"""``POST /api/events``: a business's backend reports touchpoint events as they happen; also
survey responses collected elsewhere, surveys, and response rates, through the REST API.

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
(see :mod:`cxlens.collect.triggers`). The checks and writes are :mod:`cxlens.collect.events`;
this module only speaks HTTP.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ..access import ApiKey
from ..collect.events import (
    MAX_BATCH,
    EventsAnswer,
    check_events,
    events_of,
    parse_time,
    problem,
    record_events,
    replay,
    touchpoint_ids,
)
from .api_bodies import EventsBody, ResponsesBody, SurveysBody
from .auth import require_scope
from .deps import collection_of, in_turn
from .guard import ERRORS, body_schema, json_body

__all__ = ["MAX_BATCH", "router"]

router = APIRouter(tags=["events"], responses=ERRORS)


def _answer(answer: EventsAnswer) -> JSONResponse:
    headers = {"Idempotent-Replayed": "true"} if answer.replayed else None
    return JSONResponse(answer.body, status_code=answer.status, headers=headers)


def _rejected(problems: list[dict], status: int = 422) -> JSONResponse:
    return JSONResponse({"detail": problems}, status_code=status)


@router.post(
    "/api/events",
    status_code=201,
    summary="Report touchpoint events (one or a batch)",
    openapi_extra=body_schema(EventsBody, 'One event, an array of them, or {"events": [...]}'),
)
async def post_events(
    request: Request, key: ApiKey = Depends(require_scope("events:write")), body: Any = Depends(json_body)
):
    raw = await request.body()
    idem = request.headers.get("idempotency-key")
    store = request.app.state.store
    if idem:
        previous = await run_in_threadpool(replay, store, key.id, idem, raw)
        if previous is not None:
            return _answer(previous)
    events, problems = events_of(body)
    if problems:
        return _rejected(problems)
    collection = collection_of(request)
    rows, problems = check_events(events, await run_in_threadpool(touchpoint_ids, store))
    if problems:
        return _rejected(problems)
    return _answer(await in_turn(collection, record_events, collection, rows, key.id, idem, raw))


# -- responses collected elsewhere ----------------------------------------------------------


@router.post(
    "/api/responses",
    status_code=201,
    tags=["responses"],
    summary="Report survey responses collected elsewhere",
    openapi_extra=body_schema(ResponsesBody, 'One response, an array of them, or {"responses": [...]}'),
)
async def post_responses(
    request: Request, key: ApiKey = Depends(require_scope("responses:write")), body: Any = Depends(json_body)
):
    """Responses from another tool (a call-centre IVR, a kiosk): the fields of the ``responses``
    import kind (README), one object or an array, checked and written exactly as an import of
    them would be — all or nothing, idempotent by ``external_id``. A 422 names the index,
    field, value and problem of every bad row."""
    import pyarrow as pa

    from ..errors import ImportRejected, InputError
    from ..ingest import import_table

    items = body.get("responses") if isinstance(body, dict) and "responses" in body else body
    items = [items] if isinstance(items, dict) else items
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        return JSONResponse(
            {"detail": [problem(None, "(body)", None, "expected a response object or a non-empty array of them")]},
            status_code=422,
        )
    if len(items) > MAX_BATCH:
        return JSONResponse(
            {"detail": [problem(None, "responses", len(items), f"at most {MAX_BATCH} per request")]}, status_code=422
        )
    # The importer reads text columns as a file would give them; JSON members become JSON text.
    columns = sorted({k for item in items for k in item})
    table = pa.table({c: pa.array([_as_text(item.get(c)) for item in items], pa.string()) for c in columns})
    try:
        result = await run_in_threadpool(
            import_table, request.app.state.store, "responses", table, source=f"POST /api/responses ({key.name})"
        )
    except ImportRejected as exc:
        problems = [problem(b.row - 1, b.column, b.value, f"{b.problem}; {b.fix}") for b in exc.bad_rows]
        return JSONResponse({"detail": problems}, status_code=422)
    except InputError as exc:  # a required field missing from every response, or a bad value the import names
        return JSONResponse({"detail": [problem(None, "(body)", None, str(exc))]}, status_code=422)
    return JSONResponse(
        {
            "rows": result.rows,
            "inserted": result.inserted,
            "unchanged": result.unchanged,
            "ignored_columns": result.ignored_columns,
        },
        status_code=201,
    )


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# -- surveys through the API ---------------------------------------------------------------


@router.post(
    "/api/surveys",
    status_code=201,
    tags=["surveys"],
    summary="Create or update surveys",
    openapi_extra=body_schema(SurveysBody),
)
async def post_surveys(
    request: Request, key: ApiKey = Depends(require_scope("surveys:write")), body: Any = Depends(json_body)
):
    """``{"surveys": [...]}`` with the same fields as a surveys YAML file (README), checked the
    same way: all or nothing, every problem listed by path in a 422. Surveys are upserted by key."""
    from ..collect.surveys import load_survey_data
    from ..errors import JourneyFileError

    if not isinstance(body, dict) or set(body) != {"surveys"}:
        return JSONResponse({"detail": [problem(None, "(body)", None, 'expected {"surveys": [...]}')]}, status_code=422)
    try:
        result = await run_in_threadpool(load_survey_data, request.app.state.store, body, "POST /api/surveys")
    except JourneyFileError as exc:
        detail = [{"field": p.split(": ", 1)[0], "problem": p.split(": ", 1)[-1]} for p in exc.problems]
        return JSONResponse({"detail": detail}, status_code=422)
    collection_of(request).catalog.reload()
    return JSONResponse({"surveys": result.surveys}, status_code=201)


@router.get("/api/invitations/rates", tags=["responses"], summary="Response rate per survey, channel and touchpoint")
def get_response_rates(
    request: Request,
    since: str | None = None,
    until: str | None = None,
    key: ApiKey = Depends(require_scope("kpi:read")),
):
    """Invited, sent, skipped by reason, failed, pending and answered invitations, and the
    response rate (answered ÷ sent), over invitations due in [since, until)."""
    from ..collect import response_rates

    bounds = {}
    for name, value in (("since", since), ("until", until)):
        if value is not None:
            parsed = parse_time(value if "T" in value else f"{value}T00:00:00+00:00")
            if parsed is None:
                return JSONResponse(
                    {"detail": [problem(None, name, value, "is not a date or an ISO 8601 time with an offset")]},
                    status_code=422,
                )
            bounds[name] = parsed
    return {"rates": response_rates(collection_of(request), bounds.get("since"), bounds.get("until"))}
