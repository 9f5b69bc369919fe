"""Cases: the follow-ups that close the loop, by view (mine, my team's, all open, overdue,
closed); one case with its customer, the answer it is about, its SLA and timeline; and the
forms that open a case (from a feedback item or a customer), assign it, change its status,
record a contact, add a note and close it with an outcome (analysts and admins; viewers read,
without the customer's name and contact details, which are for analysts as on /customers).

Thin: every list and change is a function of :mod:`cxlens.alerts.cases`; the users, teams and
taxonomy the forms offer come from :mod:`cxlens.alerts.views` and the case settings. Forms are
plain POSTs with the session's CSRF token that answer with a redirect to the case (a reload does
not repeat them); a change the library refuses comes back as a page saying why.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ...access import Session, csrf_matches
from ...alerts import case_views, views
from ...alerts import cases as case_lib
from ...alerts.case_settings import OUTCOMES, PRIORITIES, STATUSES, load_case_settings
from ...errors import InputError
from .render import error_page, render
from .session import CSRF_HEADER, current_session, require_role

__all__ = ["CASE_VIEWS", "router"]

router = APIRouter(include_in_schema=False)
CASE_VIEWS = {"mine": "Mine", "team": "My team's", "open": "All open", "overdue": "Overdue", "closed": "Closed"}
DONE = {
    "opened": "Case opened.",
    "assigned": "Assigned.",
    "status": "Status changed.",
    "contacted": "Contact recorded.",
    "note": "Note added.",
    "closed": "Case closed.",
    "reopened": "Case reopened.",
    "unchanged": "Nothing to change: it was so already.",
}
OUTCOME_WORDS = {
    "recovered": "recovered: the customer is happy again",
    "not_recovered": "not recovered",
    "no_action_needed": "no action needed",
    "false_alarm": "false alarm",
}
PAGE_SIZE = 100


def _store(request: Request):
    return request.app.state.store


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request, session: Session = Depends(current_session)):
    user = session.user
    view = request.query_params.get("view") or ("mine" if user.may("analyst") else "open")
    if view not in CASE_VIEWS:
        raise HTTPException(404, f"there is no view {view!r}; the views are {', '.join(CASE_VIEWS)}")
    teams: list[str] = []
    with _store(request).engine.connect() as conn:
        if view == "mine":
            found = case_views.list_cases(conn, owner_id=user.id, status="active", limit=PAGE_SIZE)
        elif view == "team":
            teams = views.teams_of(conn, user.id)
            found = [c for t in teams for c in case_views.list_cases(conn, team=t, status="active", limit=PAGE_SIZE)]
        elif view == "open":
            found = case_views.list_cases(conn, status="active", limit=PAGE_SIZE)
        elif view == "overdue":
            found = case_views.list_cases(conn, overdue=True, limit=PAGE_SIZE)
        else:
            found = case_views.list_cases(conn, status="closed", limit=PAGE_SIZE)
    return render(
        request,
        "dashboard/cases.html",
        {
            "title": "Cases",
            "view": view,
            "views": CASE_VIEWS,
            "cases": found,
            "teams": teams,
            "page_size": PAGE_SIZE,
            "outcome_words": OUTCOME_WORDS,
        },
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int, session: Session = Depends(current_session)):
    with _store(request).engine.connect() as conn:
        detail = case_views.case_detail(conn, case_id)
        if detail is None:
            raise HTTPException(404, f"there is no case {case_id}; the list is on /cases")
        users = views.assignable_users(conn)
        settings = load_case_settings(conn)
    names = {u["id"]: u["email"] for u in users}
    return render(
        request,
        "dashboard/case.html",
        {
            "title": f"Case {case_id}",
            "detail": detail,
            "c": detail.case,
            "users": users,
            "names": names,
            "statuses": [s for s in STATUSES if s != "closed"],
            "outcomes": OUTCOMES,
            "outcome_words": OUTCOME_WORDS,
            "resolutions": settings.resolutions,
            "root_causes": settings.root_causes,
            "priorities": PRIORITIES,
            "done": DONE.get(request.query_params.get("done") or ""),
        },
    )


def _check(request: Request, session: Session, csrf_token: str) -> None:
    if not csrf_matches(session, csrf_token or request.headers.get(CSRF_HEADER)):
        raise HTTPException(403, "the form's security token is missing or old: reload the page and try again")


def _change(request: Request, session: Session, case_id: int, csrf_token: str, code: str, call):
    """CSRF, then the case must exist (404), then the change in one transaction; back to the case."""
    _check(request, session, csrf_token)
    try:
        with _store(request).engine.begin() as conn:
            if not views.case_exists(conn, case_id):
                raise HTTPException(404, f"there is no case {case_id}; the list is on /cases")
            changed = call(conn)
    except InputError as exc:
        return error_page(request, InputError(f"Case {case_id} not changed: {exc}"))
    return RedirectResponse(f"/cases/{case_id}?done={code if changed is not False else 'unchanged'}#timeline", 303)


def _int(value: str, what: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InputError(f"{what}={value!r} is not a number")
    return int(value)


@router.post("/cases/new")
def new_case(
    request: Request,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    response_id: str = Form(""),
    mention_id: str = Form(""),
    customer_id: str = Form(""),
    title: str = Form(""),
    priority: str = Form("normal"),
):
    _check(request, session, csrf_token)
    try:
        rid, mid, cid = (
            _int(response_id, "response_id"),
            _int(mention_id, "mention_id"),
            _int(customer_id, "customer_id"),
        )
        with _store(request).engine.begin() as conn:
            if rid is not None:
                found = views.response_customer(conn, rid)
                if found is None:
                    raise HTTPException(404, f"there is no answer {rid}")
                _, score, comment = found
                source = "response"
                title = (
                    title or f"Answer scored {score if score is not None else '–'}: {(comment or '(no comment)')[:120]}"
                )
            elif mid is not None:
                source, title = "mention", title or f"Follow up on mention {mid}"
            elif cid is not None:
                label = views.customer_label(conn, cid)
                if label is None:
                    raise HTTPException(404, f"there is no customer {cid}; search for them on /customers")
                source, title = "manual", title or f"Follow up with {label}"
            else:
                raise InputError("a case needs what it is about: an answer, a mention or a customer")
            case_id = case_lib.open_case(
                conn,
                source=source,
                title=title,
                response_id=rid,
                mention_id=mid,
                customer_id=cid,
                priority=priority,
                actor_id=session.user.id,
            )
    except InputError as exc:
        return error_page(request, InputError(f"No case opened: {exc}"))
    return RedirectResponse(f"/cases/{case_id}?done=opened", 303)


@router.post("/cases/{case_id}/assign")
def assign_case(
    request: Request,
    case_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    owner_id: str = Form(""),
):
    def call(conn):
        owner = _int(owner_id, "owner_id")
        if owner is None:
            raise InputError("choose whom to give it to")
        return case_lib.assign(conn, case_id, owner, session.user.id)

    return _change(request, session, case_id, csrf_token, "assigned", call)


@router.post("/cases/{case_id}/status")
def case_status(
    request: Request,
    case_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    status: str = Form(""),
    note: str = Form(""),
):
    return _change(
        request,
        session,
        case_id,
        csrf_token,
        "status",
        lambda conn: case_lib.set_status(conn, case_id, status, session.user.id, note=note.strip() or None),
    )


@router.post("/cases/{case_id}/contacted")
def case_contacted(
    request: Request,
    case_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    channel: str = Form(""),
    note: str = Form(""),
):
    return _change(
        request,
        session,
        case_id,
        csrf_token,
        "contacted",
        lambda conn: (
            case_lib.mark_contacted(
                conn, case_id, session.user.id, channel=channel.strip() or None, note=note.strip() or None
            )
            or None
        ),
    )


@router.post("/cases/{case_id}/note")
def case_note(
    request: Request,
    case_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    text: str = Form(""),
):
    return _change(
        request,
        session,
        case_id,
        csrf_token,
        "note",
        lambda conn: case_lib.add_note(conn, case_id, text, session.user.id),
    )


@router.post("/cases/{case_id}/close")
def case_close(
    request: Request,
    case_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    outcome: str = Form(""),
    resolution: str = Form(""),
    root_cause: str = Form(""),
    note: str = Form(""),
):
    return _change(
        request,
        session,
        case_id,
        csrf_token,
        "closed",
        lambda conn: case_lib.close(
            conn, case_id, outcome, resolution or None, root_cause or None, session.user.id, note=note.strip() or None
        ),
    )


@router.post("/cases/{case_id}/reopen")
def case_reopen(
    request: Request,
    case_id: int,
    session: Session = Depends(require_role("analyst")),
    csrf_token: str = Form(""),
    note: str = Form(""),
):
    return _change(
        request,
        session,
        case_id,
        csrf_token,
        "reopened",
        lambda conn: case_lib.reopen(conn, case_id, session.user.id, note=note.strip() or None),
    )
