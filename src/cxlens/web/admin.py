"""User management for admins: /admin/users lists the dashboard's users; its forms create a
user, change a role, deactivate or reactivate one, and set a new password.

Thin like the pages: every change is a function of :mod:`cxlens.access.users`, which also
keeps the rules (argon2 hashes, at least one active admin, a deactivated user's sessions end).
Forms are plain POSTs that work without JavaScript, each with the session's CSRF token; a
change answers with a redirect back to the list (so a reload does not repeat it) that names
what was done by code and user id, never by text taken from the URL.
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..access import (
    ROLES,
    Session,
    create_user,
    csrf_matches,
    get_user,
    last_seen,
    list_users,
    set_disabled,
    set_password,
    set_role,
    unlock_login,
)
from ..access.users import MIN_PASSWORD
from ..errors import InputError
from ..store.audit import audit
from .dashboard.render import render
from .dashboard.session import CSRF_HEADER, current_session

__all__ = ["admin_or_page", "csrf_ok", "forged", "router"]

router = APIRouter(include_in_schema=False)

# What a redirect's ?done= says, by code: the e-mail is looked up by the user id beside it.
DONE = {
    "created": "User {email} created as {role}: tell them their e-mail and initial password.",
    "role": "{email} is now {role}; it applies to their next page.",
    "deactivated": "{email} is deactivated: they cannot log in, and their open sessions ended.",
    "reactivated": "{email} can log in again.",
    "password": "{email} has a new password; their open sessions ended.",
    "unlocked": "{email}'s failed logins are forgotten: their next login is not delayed.",
}


def admin_or_page(request: Request, session: Session) -> HTMLResponse | None:
    """None for an admin; for anyone else the plain "not allowed" page (403)."""
    if session.user.may("admin"):
        return None
    return render(
        request,
        "dashboard/problem.html",
        {
            "title": "Not allowed",
            "message": f"Managing users needs the admin role; you are a {session.user.role}: "
            "ask an admin to change a user for you.",
            "path": "/",
        },
        403,
    )


def csrf_ok(request: Request, session: Session, sent: str) -> bool:
    return csrf_matches(session, sent or request.headers.get(CSRF_HEADER))


def forged(request: Request) -> HTMLResponse:
    return render(
        request,
        "dashboard/problem.html",
        {
            "title": "Not allowed",
            "message": "The form's security token is missing or old: reload the page and try again.",
        },
        403,
    )


def _list_page(
    request: Request, *, error: str | None = None, done: str | None = None, form: dict | None = None, status: int = 200
) -> HTMLResponse:
    store = request.app.state.store
    return render(
        request,
        "dashboard/admin_users.html",
        {
            "title": "Users",
            "users": list_users(store),
            "seen": last_seen(store),
            "roles": ROLES,
            "error": error,
            "done": done,
            "form": form or {"email": "", "name": "", "role": "viewer"},
            "min_password": MIN_PASSWORD,
        },
        status,
    )


def _done_message(request: Request) -> str | None:
    q = request.query_params
    code, user_id = q.get("done"), q.get("user")
    if code not in DONE or not (user_id or "").isdigit():
        return None
    user = get_user(request.app.state.store, int(user_id))
    return DONE[code].format(email=user.email, role=user.role) if user else None


def _back(code: str, user_id: int) -> RedirectResponse:
    return RedirectResponse(f"/admin/users?{urlencode({'done': code, 'user': user_id})}#user-{user_id}", 303)


def _target(request: Request, user_id: int):
    user = get_user(request.app.state.store, user_id)
    if user is None:
        raise InputError(f"no user has the id {user_id}: someone may have removed them; the list below is current")
    return user


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, session: Session = Depends(current_session)):
    return admin_or_page(request, session) or _list_page(request, done=_done_message(request))


@router.post("/admin/users", response_class=HTMLResponse)
def add_user(
    request: Request,
    session: Session = Depends(current_session),
    email: str = Form(""),
    name: str = Form(""),
    role: str = Form("viewer"),
    password: str = Form(""),
    csrf_token: str = Form(""),
):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    if not csrf_ok(request, session, csrf_token):
        return forged(request)
    try:
        user = create_user(request.app.state.store, email, password, role=role, name=name.strip() or None)
    except InputError as exc:
        # The form comes back filled in (but the password) so that one fix is one change.
        return _list_page(
            request, error=f"User not created: {exc}.", form={"email": email, "name": name, "role": role}, status=422
        )
    audit(request.app.state.store, session.user.email, "user.create", f"user {user.id}", {"role": user.role})
    return _back("created", user.id)


@router.post("/admin/users/{user_id}/role", response_class=HTMLResponse)
def change_role(
    request: Request,
    user_id: int,
    session: Session = Depends(current_session),
    role: str = Form(""),
    csrf_token: str = Form(""),
):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    if not csrf_ok(request, session, csrf_token):
        return forged(request)
    try:
        user = set_role(request.app.state.store, _target(request, user_id).email, role)
    except InputError as exc:
        return _list_page(request, error=f"Role not changed: {exc}.", status=422)
    audit(request.app.state.store, session.user.email, "user.role", f"user {user.id}", {"role": user.role})
    return _back("role", user.id)


@router.post("/admin/users/{user_id}/active", response_class=HTMLResponse)
def change_active(
    request: Request,
    user_id: int,
    session: Session = Depends(current_session),
    active: str = Form(""),
    csrf_token: str = Form(""),
):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    if not csrf_ok(request, session, csrf_token):
        return forged(request)
    if active not in ("0", "1"):
        return _list_page(
            request, error=f"Nothing changed: active={active!r} should be 1 (reactivate) or 0 (deactivate).", status=422
        )
    try:
        user = _target(request, user_id)
        set_disabled(request.app.state.store, user.email, active == "0")
    except InputError as exc:
        return _list_page(request, error=f"Not changed: {exc}.", status=422)
    audit(request.app.state.store, session.user.email, "user.active", f"user {user.id}", {"active": active == "1"})
    if active == "0" and user.id == session.user.id:
        return RedirectResponse("/login", 303)  # they deactivated themselves: their session has ended
    return _back("reactivated" if active == "1" else "deactivated", user.id)


@router.post("/admin/users/{user_id}/password", response_class=HTMLResponse)
def reset_password(
    request: Request,
    user_id: int,
    session: Session = Depends(current_session),
    password: str = Form(""),
    csrf_token: str = Form(""),
):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    if not csrf_ok(request, session, csrf_token):
        return forged(request)
    try:
        user = _target(request, user_id)
        set_password(request.app.state.store, user.email, password, end_sessions=True)
    except InputError as exc:
        return _list_page(request, error=f"Password not changed: {exc}.", status=422)
    audit(request.app.state.store, session.user.email, "user.password", f"user {user.id}")
    if user.id == session.user.id:
        return RedirectResponse("/login", 303)  # their own reset ended their session too
    return _back("password", user.id)


@router.post("/admin/users/{user_id}/unlock", response_class=HTMLResponse)
def unlock(request: Request, user_id: int, session: Session = Depends(current_session), csrf_token: str = Form("")):
    if (denied := admin_or_page(request, session)) is not None:
        return denied
    if not csrf_ok(request, session, csrf_token):
        return forged(request)
    try:
        user = _target(request, user_id)
    except InputError as exc:
        return _list_page(request, error=f"Not unlocked: {exc}.", status=422)
    forgotten = unlock_login(request.app.state.store, user.email)
    audit(request.app.state.store, session.user.email, "user.unlock", f"user {user.id}", {"failures": forgotten})
    return _back("unlocked", user.id)
