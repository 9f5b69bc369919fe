"""How a dashboard page answers: the whole page or, for HTMX, only its content; its headers;
the filters' choices every page offers; and errors as pages people can act on.

Jinja2 autoescapes everything people typed, and chart data goes into ``<script
type="application/json">`` with ``<`` escaped (:func:`~.format.chart_json`), so a comment
cannot close the tag. The Content-Security-Policy allows scripts from ``/static`` only, so an
injected ``<script>`` would not run even if escaping failed.
"""

from __future__ import annotations

import time
from pathlib import Path

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ... import __version__
from ...access import Session
from ...analytics.kpis import GRAINS
from ...errors import InputError
from ...ingest.journeys import journey_tree
from ...store.reads import filter_values
from .filters import Filters, team_mapping
from .format import chart_json, format_interval, format_p, format_period, format_value, label_of
from .login_note import LOGIN_NOTE_COOKIE, note_text
from .session import session_of

__all__ = [
    "CSP",
    "PAGES",
    "TEMPLATES",
    "error_page",
    "filter_options",
    "is_page",
    "page_context",
    "page_errors",
    "render",
]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parents[1] / "templates"))
TEMPLATES.env.filters["chart_json"] = chart_json
TEMPLATES.env.globals.update(
    format_value=format_value,
    format_interval=format_interval,
    format_p=format_p,
    label_of=label_of,
    format_period=format_period,
    version=__version__,
)
# Vega compiles its expressions with Function(), hence 'unsafe-eval'; vega-embed and htmx add
# inline styles.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
PAGES = (
    "/",
    "/journeys",
    "/touchpoints",
    "/explorer",
    "/support",
    "/churn",
    "/feedback",
    "/surveys",
    "/customers",
    "/alerts",
    "/cases",
)


def render(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    """The whole page, or (for an HTMX request aimed at #content) only its content block."""
    session: Session | None = getattr(request.state, "session", None)
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "content"
    context = {
        "session": session,
        "user": session.user if session else None,
        "csrf_token": session.csrf_token if session else "",
        "partial": partial,
        "path": request.url.path,
        # Shown once, on the first whole page after login (not inside an HTMX fragment).
        "login_note": None if partial or not session else note_text(request.cookies.get(LOGIN_NOTE_COOKIE)),
        **context,
    }
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    if context["login_note"] is not None:
        response.delete_cookie(LOGIN_NOTE_COOKIE)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Vary"] = "HX-Request, HX-Target, Cookie"
    return response


def error_page(request: Request, exc: InputError) -> HTMLResponse:
    """A view that cannot be shown (a bad filter in the URL): 422 with what to change."""
    return render(request, "dashboard/problem.html", {"title": "That view cannot be shown", "message": str(exc)}, 422)


def filter_options(request: Request) -> dict[str, list]:
    """The values each filter can take, cached for a minute (DISTINCT over millions of rows)."""
    state = request.app.state
    cached = getattr(state, "dashboard_options", None)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    store = state.store
    values = filter_values(store)
    # A helpdesk team a journey team covers is chosen as that journey team.
    owner = {name: team for team, names in team_mapping(request).items() for name in names}
    values["team"] = sorted({owner.get(t, t) for t in values["team"]})
    journeys = [(j["key"], j["name"]) for j in journey_tree(store)]
    options = {"journey": journeys, **values}
    state.dashboard_options = (time.monotonic(), options)
    return options


def page_context(request: Request, filters: Filters, **context) -> dict:
    """What every page's template gets: the filters, their choices and the grains."""
    return {"filters": filters, "options": filter_options(request), "grains": list(GRAINS), **context}


def is_page(path: str) -> bool:
    """Whether ``path`` is a dashboard page (people read its errors), not the API or a survey."""
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PAGES[1:])


async def page_errors(request: Request, exc: HTTPException):
    """A dashboard page's 403 and 404 as a page that says what to do; everything else (the API,
    redirects to the login) as FastAPI answers it."""
    from fastapi.exception_handlers import http_exception_handler

    if exc.status_code in (403, 404) and is_page(request.url.path) and not request.headers.get("HX-Request"):
        title = "Not allowed" if exc.status_code == 403 else "Not found"
        request.state.session = session_of(request)
        return render(request, "dashboard/problem.html", {"title": title, "message": exc.detail}, exc.status_code)
    return await http_exception_handler(request, exc)
