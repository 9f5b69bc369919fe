"""The login and logout pages.

The login form has no session to hold a CSRF token yet, so it is checked with a double-submit
cookie: a random token both in a cookie (SameSite=Strict, scoped to /login) and in the form,
which another site can neither read nor set. Failed attempts are throttled in the store, by
e-mail and by address, and a throttled attempt says when to try again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ...access import Session, authenticate, check_login_allowed, create_session, end_session, record_login_attempt
from ...errors import LoginFailed, LoginThrottled
from .login_note import LOGIN_NOTE_COOKIE, note_cookie
from .render import render
from .session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    check_csrf,
    client_address,
    current_session,
    is_secure,
    safe_next,
    session_of,
)

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    if session_of(request):
        return RedirectResponse(safe_next(next), 303)
    return _login_page(request, next)


def _login_page(
    request: Request, next: str, error: str | None = None, email: str = "", status: int = 200
) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(
        request,
        "dashboard/login.html",
        {"next": safe_next(next), "error": error, "email": email, "login_csrf": token},
        status,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=is_secure(request), path="/login"
    )
    return response


def _logged_in(request: Request, new: Session, next: str) -> RedirectResponse:
    """Back where they were going, with the new session's cookie."""
    response = RedirectResponse(safe_next(next), 303)
    response.set_cookie(
        SESSION_COOKIE,
        new.token,
        httponly=True,
        samesite="lax",
        secure=is_secure(request),
        max_age=int((new.expires_at - datetime.now(UTC)).total_seconds()) + 7 * 86400,
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request, email: str = Form(""), password: str = Form(""), next: str = Form("/"), csrf_token: str = Form("")
):
    store = request.app.state.store
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        return _login_page(request, next, "The form expired: please log in again.", email, 403)
    address = client_address(request)
    try:
        check_login_allowed(store, email, address)
        user = authenticate(store, email, password)
    except LoginThrottled as exc:
        response = _login_page(request, next, str(exc).capitalize() + ".", email, 429)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except LoginFailed as exc:
        record_login_attempt(store, email, address, False)
        return _login_page(request, next, str(exc).capitalize() + ".", email, 401)
    note = record_login_attempt(store, email, address, True)
    response = _logged_in(request, create_session(store, user), next)
    if note is not None:
        response.set_cookie(
            LOGIN_NOTE_COOKIE, note_cookie(note), max_age=300, httponly=True, samesite="lax", secure=is_secure(request)
        )
    return response


@router.post("/logout")
async def logout(request: Request, session: Session = Depends(current_session)):
    await check_csrf(request, session)
    end_session(request.app.state.store, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
