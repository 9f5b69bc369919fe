"""Discovered themes for admins (``/admin/themes``): give one a name, merge it into a taxonomy
topic, or ignore it as noise. The same library functions as ``cxlens text themes --rename /
--merge`` (:mod:`cxlens.text`); each form is a plain POST with the session's CSRF token, each
change is in the audit log and answers with a redirect back to the list that says, by code
and theme id, what was done."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from ..access import Session
from ..errors import InputError
from ..store.audit import audit
from ..text import ignore_theme, merge_themes, pin_theme, rename_theme, taxonomy_themes, themes
from .admin import csrf_ok, forged
from .dashboard.render import render
from .dashboard.session import current_session

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

DONE = {
    "named": "Theme {id} is now called {name}; the name stays when themes are fitted again.",
    "merged": "Theme {id} is merged into {name}: its texts count there, and so will new texts like them.",
    "ignored": "Theme {id} is ignored: it no longer shows on the Words page.",
    "restored": "Theme {id} shows again.",
}


def _admins_only(request: Request, session: Session) -> HTMLResponse | None:
    if session.user.may("admin"):
        return None
    message = f"Editing themes needs the admin role; you are a {session.user.role}: ask an admin."
    return render(
        request, "dashboard/problem.html", {"title": "Not allowed", "message": message, "path": "/words"}, 403
    )


def _page(request: Request, *, done: str | None = None, error: str | None = None, status: int = 200) -> HTMLResponse:
    store = request.app.state.store
    found = [t for t in themes(store, include_ignored=True) if t.topic is None]
    return render(
        request,
        "dashboard/admin_themes.html",
        {"title": "Discovered themes", "themes": found, "topics": taxonomy_themes(store), "done": done, "error": error},
        status,
    )


def _done_message(request: Request) -> str | None:
    q = request.query_params
    code, theme_id = q.get("done"), q.get("theme") or ""
    if code not in DONE or not theme_id.isdigit():
        return None
    names = {t.id: t.name for t in themes(request.app.state.store, include_ignored=True)}
    names.update(dict(taxonomy_themes(request.app.state.store)))
    name = names.get(int(q.get("into") or theme_id), "")
    return DONE[code].format(id=theme_id, name=f"“{name}”")


def _back(code: str, theme_id: int, **more) -> RedirectResponse:
    return RedirectResponse(f"/admin/themes?{urlencode({'done': code, 'theme': theme_id, **more})}", 303)


def _change(request: Request, session: Session, csrf_token: str, action, what: str, theme_id: int, details: dict):
    """Run one change for an admin with a valid token: the problem page otherwise, or the
    list with the library's error (422)."""
    if (denied := _admins_only(request, session)) is not None:
        return denied
    if not csrf_ok(request, session, csrf_token):
        return forged(request)
    try:
        action()
    except InputError as exc:
        return _page(request, error=str(exc), status=422)
    audit(request.app.state.store, session.user.email, what, f"theme {theme_id}", details)
    return None


@router.get("/admin/themes", response_class=HTMLResponse)
def themes_page(request: Request, session: Session = Depends(current_session)):
    return _admins_only(request, session) or _page(request, done=_done_message(request))


@router.post("/admin/themes/{theme_id}/name")
def name_action(
    request: Request,
    theme_id: int,
    session: Session = Depends(current_session),
    name: str = Form(""),
    csrf_token: str = Form(""),
):
    def act():
        rename_theme(request.app.state.store, theme_id, name)
        pin_theme(request.app.state.store, theme_id)  # a name is a decision: a refit keeps it

    failed = _change(request, session, csrf_token, act, "theme.name", theme_id, {"name": name.strip()})
    return failed or _back("named", theme_id)


@router.post("/admin/themes/{theme_id}/merge")
def merge_action(
    request: Request,
    theme_id: int,
    session: Session = Depends(current_session),
    into: str = Form(""),
    csrf_token: str = Form(""),
):
    topics = dict(taxonomy_themes(request.app.state.store))

    def act():
        if not into.isdigit() or int(into) not in topics:
            raise InputError(f"into={into!r} is not a taxonomy topic: choose one from the list")
        merge_themes(request.app.state.store, theme_id, int(into))

    failed = _change(request, session, csrf_token, act, "theme.merge", theme_id, {"into": into})
    return failed or _back("merged", theme_id, into=into)


@router.post("/admin/themes/{theme_id}/ignore")
def ignore_action(
    request: Request,
    theme_id: int,
    session: Session = Depends(current_session),
    ignored: str = Form("1"),
    csrf_token: str = Form(""),
):
    on = ignored != "0"
    failed = _change(
        request,
        session,
        csrf_token,
        lambda: ignore_theme(request.app.state.store, theme_id, on),
        "theme.ignore" if on else "theme.restore",
        theme_id,
        {},
    )
    return failed or _back("ignored" if on else "restored", theme_id)
