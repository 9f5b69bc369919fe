"""Who is logged in, what their role lets them see, and the CSRF checks of their forms.

Shared by the dashboard's pages and the admin pages (:mod:`cxlens.web.admin`). A server-side
session sits behind an HttpOnly, SameSite=Lax cookie; every POST carries the session's CSRF
token (a form field, or the ``X-CSRF-Token`` header HTMX sends); the login form, which has no
session yet, is checked with a double-submit cookie instead (see :mod:`.login`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import Depends, HTTPException, Request

from ...access import Session, csrf_matches, resolve_session

__all__ = [
    "CSRF_HEADER",
    "LOGIN_CSRF_COOKIE",
    "SESSION_COOKIE",
    "check_csrf",
    "client_address",
    "current_session",
    "is_secure",
    "require_role",
    "safe_next",
    "session_of",
]

SESSION_COOKIE = "cxlens_session"
LOGIN_CSRF_COOKIE = "cxlens_login_csrf"
CSRF_HEADER = "X-CSRF-Token"


def _to_login(request: Request) -> HTTPException:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?{urlencode({'next': target})}"
    if request.headers.get("HX-Request"):
        # HTMX would swap the login page into a fragment; HX-Redirect makes it load the page.
        return HTTPException(401, "log in first", headers={"HX-Redirect": location})
    return HTTPException(303, "log in first", headers={"Location": location})


def session_of(request: Request) -> Session | None:
    """The request's session, or None when its cookie names no open one."""
    return resolve_session(request.app.state.store, request.cookies.get(SESSION_COOKIE))


def current_session(request: Request) -> Session:
    """The logged-in session, or a redirect to the login page that comes back here."""
    session = session_of(request)
    if session is None:
        raise _to_login(request)
    request.state.session = session
    return session


def require_role(role: str):
    """A dependency admitting sessions whose user has ``role`` or a higher one."""

    def dependency(session: Session = Depends(current_session)) -> Session:
        if not session.user.may(role):
            raise HTTPException(403, f"this needs the {role} role; you are a {session.user.role}: ask an admin")
        return session

    return dependency


async def check_csrf(request: Request, session: Session) -> None:
    """403 unless the request carries the session's CSRF token (header or form field)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        sent = form.get("csrf_token")
    if not csrf_matches(session, sent):
        raise HTTPException(403, "the form's security token is missing or old: reload the page and try again")


def safe_next(target: str | None) -> str:
    """Where to go after logging in: only paths on this site, since an open redirect would
    make the login page a phishing tool."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def client_address(request: Request) -> str | None:
    """The client's address, which login throttling counts attempts by."""
    return request.client.host if request.client else None


def is_secure(request: Request) -> bool:
    """Whether cookies can be marked Secure: only over https, or the browser drops them."""
    return request.url.scheme == "https"
