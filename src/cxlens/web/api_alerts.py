"""REST: alerts under ``/api/alerts`` (scopes ``alerts:read``, ``alerts:write``) and follow-up
cases under ``/api/cases`` (``cases:read``, ``cases:write``).

Thin: reads come from :mod:`cxlens.alerts.views` and :func:`cxlens.alerts.case_views.list_cases` /
``case_detail``; every change is a function of :mod:`cxlens.alerts.lifecycle` or
:mod:`cxlens.alerts.cases`, in one transaction. Errors are 4xx with a message that says what to
change: 404 for an alert or case that does not exist, 422 for a value the library refuses.
Changes made through the API have no acting user (the key is not a person).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from ..alerts import case_views, lifecycle, views
from ..alerts import cases as case_lib
from ..errors import InputError
from ..store.reads import missing_references
from .auth import require_scope
from .guard import ERRORS, MAX_ID, ItemId, ItemPath, storable_body

__all__ = ["alerts_router", "cases_router"]

_STORABLE = [Depends(storable_body)]
alerts_router = APIRouter(prefix="/api/alerts", tags=["alerts"], responses=ERRORS, dependencies=_STORABLE)
cases_router = APIRouter(prefix="/api/cases", tags=["cases"], responses=ERRORS, dependencies=_STORABLE)
_READ_ALERTS, _WRITE_ALERTS = Depends(require_scope("alerts:read")), Depends(require_scope("alerts:write"))
_READ_CASES, _WRITE_CASES = Depends(require_scope("cases:read")), Depends(require_scope("cases:write"))
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    return value


# --- alerts ------------------------------------------------------------------------------------------------


class AlertOut(BaseModel):
    id: int
    rule: str
    rule_kind: str
    kpi: str | None = None
    slice: dict[str, Any]
    state: str = Field(description="pending, firing or resolved")
    acknowledged_at: str | None = None
    acknowledged_by: str | None = Field(None, description="the e-mail of who acknowledged it")
    snoozed_until: str | None = None
    first_seen_at: str | None = None
    fired_at: str | None = None
    resolved_at: str | None = None
    evidence: dict[str, Any] | None = Field(
        None, description="value, low, high (the 95 % interval), n, baseline, p, q, method, periods"
    )
    link: str | None = Field(None, description="the dashboard view that shows it")


class AlertEventOut(BaseModel):
    at: str
    kind: str
    actor: str | None = None
    evidence: dict[str, Any] | None = None


class AlertDetailOut(AlertOut):
    events: list[AlertEventOut]


class AlertActionOut(BaseModel):
    id: int
    changed: bool = Field(description="false when it was so already (acknowledged, resolved)")
    state: str
    acknowledged_at: str | None = None
    snoozed_until: str | None = None


class SnoozeIn(BaseModel):
    duration: str = Field("1d", description="how long: a number and m, h, d or w, e.g. 1h, 1d, 1w", examples=["1h"])


def _alert_out(row: dict) -> dict:
    d = _json(row)
    d["acknowledged_by"] = d.pop("acknowledged_by_email", None)
    d.pop("definition", None)
    return d


def _alert_or_404(conn, alert_id: int) -> dict:
    found = views.alert_detail(conn, alert_id)
    if found is None:
        raise HTTPException(404, f"there is no alert {alert_id}; GET /api/alerts lists them")
    return found


@alerts_router.get("", response_model=list[AlertOut], dependencies=[_READ_ALERTS], summary="Alerts, newest first")
def list_alerts(
    request: Request,
    state: Literal["firing", "acknowledged", "pending", "resolved"] | None = Query(
        None, description="firing or pending (not acknowledged), acknowledged (open and acknowledged), resolved"
    ),
    limit: int = Query(100, ge=1, le=1000),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[dict]:
    with request.app.state.store.engine.connect() as conn:
        return [_alert_out(a) for a in views.list_alerts(conn, state, limit=limit, offset=offset)]


@alerts_router.get(
    "/{alert_id}", response_model=AlertDetailOut, dependencies=[_READ_ALERTS], summary="One alert with its history"
)
def get_alert(request: Request, alert_id: ItemPath) -> dict:
    with request.app.state.store.engine.connect() as conn:
        return _alert_out(_alert_or_404(conn, alert_id))


def _alert_action(request: Request, alert_id: int, call) -> dict:
    try:
        with request.app.state.store.engine.begin() as conn:
            _alert_or_404(conn, alert_id)
            changed = call(conn)
            row = _alert_or_404(conn, alert_id)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    return {
        "id": alert_id,
        "changed": changed is not False,
        "state": row["state"],
        "acknowledged_at": _json(row["acknowledged_at"]),
        "snoozed_until": _json(row["snoozed_until"]),
    }


@alerts_router.post(
    "/{alert_id}/ack", response_model=AlertActionOut, dependencies=[_WRITE_ALERTS], summary="Acknowledge an alert"
)
def ack_alert(request: Request, alert_id: ItemPath) -> dict:
    return _alert_action(request, alert_id, lambda c: lifecycle.acknowledge(c, alert_id))


def _duration(text: str) -> timedelta:
    text = (text or "").strip().lower()
    unit = _UNITS.get(text[-1:]) if text else None
    try:
        amount = float(text[:-1]) if unit else None
    except ValueError:
        amount = None
    if unit is None or amount is None or not math.isfinite(amount) or amount <= 0:
        raise HTTPException(422, f"duration {text!r} is not a duration; write it as 30m, 1h, 1d or 1w")
    return timedelta(seconds=amount * unit)


@alerts_router.post(
    "/{alert_id}/snooze",
    response_model=AlertActionOut,
    dependencies=[_WRITE_ALERTS],
    summary="Keep an alert quiet for a while (it still resolves when the data do)",
)
def snooze_alert(request: Request, alert_id: ItemPath, body: SnoozeIn | None = None) -> dict:
    until = datetime.now(UTC) + _duration((body or SnoozeIn()).duration)
    return _alert_action(request, alert_id, lambda c: lifecycle.snooze(c, alert_id, until))


@alerts_router.post(
    "/{alert_id}/resolve",
    response_model=AlertActionOut,
    dependencies=[_WRITE_ALERTS],
    summary="Resolve an alert by hand",
)
def resolve_alert(request: Request, alert_id: ItemPath) -> dict:
    return _alert_action(request, alert_id, lambda c: lifecycle.resolve(c, alert_id))


# --- cases -------------------------------------------------------------------------------------------------


class CaseOut(BaseModel):
    id: int
    title: str | None = None
    source: str
    status: str
    priority: str
    customer_id: int | None = None
    customer: str | None = None
    owner_id: int | None = None
    owner: str | None = Field(None, description="the owner's e-mail")
    team: str | None = None
    touchpoint: str | None = None
    due_at: str | None = None
    overdue: bool
    first_contacted_at: str | None = None
    created_at: str | None = None
    closed_at: str | None = None
    outcome: str | None = None
    resolution: str | None = None
    root_cause: str | None = None
    escalated_at: str | None = None


class CaseEventOut(BaseModel):
    id: int
    at: str
    kind: str
    actor_id: int | None = None
    actor: str | None = None
    data: dict[str, Any] | None = None
    note: str | None = None


class CaseDetailOut(BaseModel):
    case: CaseOut
    customer: dict[str, Any] | None = None
    item: dict[str, Any] | None = Field(None, description="the answer, mention, ticket or alert the case is about")
    timeline: list[CaseEventOut]
    notes: str | None = None
    business_hours: bool = False


class CaseNew(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    source: Literal["response", "mention", "ticket", "alert", "manual"] = "manual"
    customer_id: ItemId | None = None
    response_id: ItemId | None = None
    mention_id: ItemId | None = None
    ticket_id: ItemId | None = None
    alert_id: ItemId | None = None
    priority: Literal["urgent", "high", "normal", "low"] = "normal"
    team: str | None = None
    owner_id: ItemId | None = None
    note: str | None = None


class AssignIn(BaseModel):
    owner_id: ItemId
    team: str | None = None


class StatusIn(BaseModel):
    status: Literal["open", "in_progress", "waiting_customer", "resolved"]
    note: str | None = None


class NoteIn(BaseModel):
    text: str = Field(min_length=1, max_length=20000)


class CloseIn(BaseModel):
    outcome: Literal["recovered", "not_recovered", "no_action_needed", "false_alarm"]
    resolution: str | None = Field(None, description="a code of the case settings' resolutions")
    root_cause: str | None = Field(None, description="a code of the case settings' root_causes")
    note: str | None = None


def _detail(conn, case_id: int) -> dict:
    found = case_views.case_detail(conn, case_id)
    if found is None:
        raise HTTPException(404, f"there is no case {case_id}; GET /api/cases lists them")
    return _json(found.to_dict())


@cases_router.get("", response_model=list[CaseOut], dependencies=[_READ_CASES], summary="Cases, most urgent first")
def list_cases(
    request: Request,
    owner_id: int | None = Query(None, ge=1, le=MAX_ID),
    team: str | None = Query(None),
    status: list[str] = Query(
        [], description="open, in_progress, waiting_customer, resolved, closed or active; repeatable"
    ),
    overdue: bool = Query(False),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_ID),
) -> list[dict]:
    try:
        with request.app.state.store.engine.connect() as conn:
            found = case_views.list_cases(
                conn, owner_id=owner_id, team=team, status=status or None, overdue=overdue, limit=limit, offset=offset
            )
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    return [_json(c.to_dict()) for c in found]


@cases_router.get(
    "/{case_id}",
    response_model=CaseDetailOut,
    dependencies=[_READ_CASES],
    summary="One case with its customer, source item and timeline",
)
def get_case(request: Request, case_id: ItemPath) -> dict:
    with request.app.state.store.engine.connect() as conn:
        return _detail(conn, case_id)


@cases_router.post(
    "", response_model=CaseDetailOut, status_code=201, dependencies=[_WRITE_CASES], summary="Open a case"
)
def create_case(request: Request, body: CaseNew) -> dict:
    try:
        with request.app.state.store.engine.begin() as conn:
            if body.response_id is not None and views.response_customer(conn, body.response_id) is None:
                raise HTTPException(422, f"there is no answer {body.response_id}")
            if body.customer_id is not None and views.customer_label(conn, body.customer_id) is None:
                raise HTTPException(422, f"there is no customer {body.customer_id}")
            for field, value in missing_references(conn, "cases", body.model_dump()):
                raise HTTPException(422, f"{field}: there is no item {value}")
            case_id = case_lib.open_case(conn, **body.model_dump())
            return _detail(conn, case_id)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None


def _case_action(request: Request, case_id: int, call) -> dict:
    try:
        with request.app.state.store.engine.begin() as conn:
            if not views.case_exists(conn, case_id):
                raise HTTPException(404, f"there is no case {case_id}; GET /api/cases lists them")
            call(conn)
            return _detail(conn, case_id)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None


@cases_router.post(
    "/{case_id}/assign", response_model=CaseDetailOut, dependencies=[_WRITE_CASES], summary="Give a case to a user"
)
def assign_case(request: Request, case_id: ItemPath, body: AssignIn) -> dict:
    with request.app.state.store.engine.connect() as conn:
        if missing_references(conn, "cases", {"owner_id": body.owner_id}):
            raise HTTPException(422, f"owner_id: there is no user {body.owner_id}")
    return _case_action(request, case_id, lambda c: case_lib.assign(c, case_id, body.owner_id, team=body.team))


@cases_router.post(
    "/{case_id}/status", response_model=CaseDetailOut, dependencies=[_WRITE_CASES], summary="Change a case's status"
)
def case_status(request: Request, case_id: ItemPath, body: StatusIn) -> dict:
    return _case_action(request, case_id, lambda c: case_lib.set_status(c, case_id, body.status, note=body.note))


@cases_router.post(
    "/{case_id}/notes", response_model=CaseDetailOut, dependencies=[_WRITE_CASES], summary="Add a note to a case"
)
def case_note(request: Request, case_id: ItemPath, body: NoteIn) -> dict:
    return _case_action(request, case_id, lambda c: case_lib.add_note(c, case_id, body.text))


@cases_router.post(
    "/{case_id}/contacted",
    response_model=CaseDetailOut,
    dependencies=[_WRITE_CASES],
    summary="Record a contact with the customer",
)
def case_contacted(request: Request, case_id: ItemPath) -> dict:
    return _case_action(request, case_id, lambda c: case_lib.mark_contacted(c, case_id))


@cases_router.post(
    "/{case_id}/close",
    response_model=CaseDetailOut,
    dependencies=[_WRITE_CASES],
    summary="Close a case with an outcome",
)
def close_case(request: Request, case_id: ItemPath, body: CloseIn) -> dict:
    return _case_action(
        request,
        case_id,
        lambda c: case_lib.close(c, case_id, body.outcome, body.resolution, body.root_cause, note=body.note),
    )
