"""The dashboard: login, Overview, Journey map, Touchpoint and Explorer pages.

Thin, like the rest of web/: every number comes from ``KPIs.compute`` (through the app's shared
:class:`~cxlens.web.kpi_engine.KPIEngine`) with the filters in the URL, so a page shows what
``cxlens.kpi(store).compute(...)`` returns for the same filter, and a filtered view is a link
someone can share. Pages are plain HTML forms and links that work without JavaScript; with it,
HTMX swaps only ``#content`` (the server renders just that part when ``HX-Request`` is set)
and vega-embed draws the charts.

Security: a server-side session cookie (HttpOnly, SameSite=Lax); a CSRF token checked on every
POST (a form field or the ``X-CSRF-Token`` header HTMX sends); the login form's own CSRF check
is a double-submit cookie; login attempts are throttled in the store. Jinja2 autoescapes
everything people typed, and chart data goes into ``<script type="application/json">`` with
``<`` escaped, so a comment cannot close the tag.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from ibis.common.exceptions import TableNotFound

from .. import __version__
from ..access import (
    Session,
    authenticate,
    check_login_allowed,
    create_session,
    csrf_matches,
    end_session,
    record_login_attempt,
    resolve_session,
)
from ..analytics.kpis import CUSTOMER_DIMENSIONS, GRAINS, NAMES, SPECS, TICKET_DIMENSIONS, _FACTS
from ..errors import InputError, LoginFailed, LoginThrottled
from ..ingest.journeys import journey_tree
from ..metrics import METRICS
from ..store.schema import (
    customers,
    journeys,
    mentions,
    responses,
    surveys,
    text_results,
    text_themes,
    tickets,
    touchpoints,
)
from . import charts
from .deps import kpi_engine_of

__all__ = ["router", "page_errors", "Filters", "TILES", "format_value", "format_interval", "SESSION_COOKIE", "CSRF_HEADER"]

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
SESSION_COOKIE = "cxlens_session"
LOGIN_CSRF_COOKIE = "cxlens_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
router = APIRouter(include_in_schema=False)
# Scripts only from /static: an injected <script> would not run even if escaping failed. Vega
# compiles its expressions with Function(), hence 'unsafe-eval'; vega-embed and htmx add inline
# styles.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")

# The Overview's tiles, in the order a CX lead reads them: perception, interaction, outcome.
# First response time is the median: the mean of a skewed duration misleads (DESIGN.md §5).
TILES = ("nps", "csat", "ces", "first_response_median", "first_contact_resolution", "churn_rate", "net_revenue_retention")
FILTER_DIMENSIONS = ("journey", "segment", "channel", "team")
# How many periods a view shows by default, per grain.
_DEFAULT_SPAN = {"day": 30, "week": 13, "month": 12, "quarter": 8, "year": 5}
# KPIs whose compute() takes compare= (the aggregations); the special ones have their own shape.
_COMPARABLE = set(SPECS)


# --- formatting -------------------------------------------------------------------------------

def _base(metric: str) -> str:
    for prefix in ("first_response", "resolution"):
        if metric.startswith(prefix):
            return f"{prefix}_time"
    return metric


def unit_of(metric: str) -> str:
    m = METRICS.get(_base(metric))
    if metric in ("response_count", "ticket_volume"):
        return "count"
    return m.unit if m else "score"


def label_of(metric: str) -> str:
    m = METRICS.get(_base(metric))
    label = m.label if m else metric.replace("_", " ").capitalize()
    if metric.endswith("_median"):
        label += " (median)"
    elif metric.endswith("_p90"):
        label += " (p90)"
    elif metric.endswith("_time") and unit_of(metric) == "seconds":
        label += " (mean)"
    if metric == "response_count":
        label = "Responses"
    return label


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def format_value(metric: str, value: float | None) -> str:
    """How a page writes a KPI value: the browser tests format the API's value with this too."""
    if value is None or value != value:
        return "–"
    unit = unit_of(metric)
    if unit == "seconds":
        return _duration(value)
    if unit == "percent":
        return f"{value:.1f} %"
    if unit == "count":
        return f"{value:,.0f}"
    if metric == "nps":
        return f"{value:+.1f}"
    return f"{value:.2f}"


def format_interval(metric: str, low: float | None, high: float | None) -> str:
    if unit_of(metric) == "count":
        return ""  # a count is exact: no interval to show
    if low is None or high is None or low != low or high != high or abs(low) == float("inf") or abs(high) == float("inf"):
        return "no interval"
    if unit_of(metric) == "seconds":
        return f"{_duration(low)} – {_duration(high)}"
    return f"{format_value(metric, low)} – {format_value(metric, high)}".replace(" % –", " –")


def format_period(period: datetime | None, grain: str) -> str:
    if period is None:
        return "whole range"
    if grain == "month":
        return period.strftime("%b %Y")
    if grain == "quarter":
        return f"Q{(period.month - 1) // 3 + 1} {period.year}"
    if grain == "year":
        return str(period.year)
    if grain == "week":
        return f"week of {period:%d %b %Y}"
    return f"{period:%d %b %Y}"


def chart_json(spec: dict) -> str:
    """A spec as JSON safe inside <script type="application/json">: '<' never reaches the HTML."""
    return json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


TEMPLATES.env.filters["chart_json"] = chart_json
TEMPLATES.env.globals.update(format_value=format_value, format_interval=format_interval, label_of=label_of,
                             format_period=format_period, version=__version__)


# --- filters in the URL ------------------------------------------------------------------------

def _period_start(day: date, grain: str) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    if grain == "quarter":
        return day.replace(day=1, month=(day.month - 1) // 3 * 3 + 1)
    if grain == "year":
        return day.replace(day=1, month=1)
    return day


def _periods_back(day: date, grain: str, n: int) -> date:
    if grain == "day":
        return day - timedelta(days=n)
    if grain == "week":
        return day - timedelta(weeks=n)
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * n
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _parse_date(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name}={text!r} is not a date like 2026-01-31") from None


@dataclass(frozen=True)
class Filters:
    """The view's filters, read from and written to the query string.

    ``until`` is the day after the last one shown. By default a view ends where the current
    period starts (the last complete one: a period under way has too few answers to compare)
    and goes back ``_DEFAULT_SPAN`` periods."""

    grain: str = "month"
    since: date | None = None
    until: date | None = None
    journey: str | None = None
    segment: str | None = None
    channel: str | None = None
    team: str | None = None
    explicit: dict = field(default_factory=dict, compare=False)  # what the URL said, for links

    @classmethod
    def from_request(cls, request: Request, today: date | None = None) -> Filters:
        q = request.query_params
        grain = q.get("grain") or "month"
        if grain not in GRAINS:
            raise InputError(f"grain={grain!r} is not known; use one of: {', '.join(GRAINS)}")
        today = today or datetime.now(UTC).date()
        until = _parse_date(q.get("until"), "until") or _period_start(today, grain)
        since = _parse_date(q.get("since"), "since") or _periods_back(_period_start(until, grain), grain, _DEFAULT_SPAN[grain])
        if since >= until:
            raise InputError(f"since={since} is not before until={until}: the view would be empty")
        dims = {d: (q.get(d) or None) for d in FILTER_DIMENSIONS}
        explicit = {k: v for k, v in q.items() if k in ("grain", "since", "until", *FILTER_DIMENSIONS) and v}
        return cls(grain=grain, since=since, until=until, explicit=explicit, **dims)

    def chosen(self) -> dict[str, str]:
        return {d: getattr(self, d) for d in FILTER_DIMENSIONS if getattr(self, d)}

    def where_for(self, metric: str) -> tuple[dict[str, list[str]], list[str]]:
        """(the filters ``metric`` can be sliced by, the chosen ones it cannot)."""
        dims = dimensions_of(metric)
        where = {d: [v] for d, v in self.chosen().items() if d in dims}
        ignored = [d for d in self.chosen() if d not in dims]
        return where, ignored

    def query(self, **changes) -> str:
        """The query string of this view with ``changes`` (a None value removes its key)."""
        params = dict(self.explicit)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return urlencode(params)


def dimensions_of(metric: str) -> tuple[str, ...]:
    """The dimensions a KPI can be sliced and filtered by."""
    spec = SPECS.get(metric)
    if spec is not None:
        return CUSTOMER_DIMENSIONS if spec.source == "customers" else _FACTS[spec.source].dimensions
    if metric == "funnel":
        return ("journey", *CUSTOMER_DIMENSIONS)
    if metric == "touchpoint_health":
        return TICKET_DIMENSIONS
    return CUSTOMER_DIMENSIONS


# --- sessions, roles, CSRF ---------------------------------------------------------------------

def _to_login(request: Request) -> HTTPException:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    location = f"/login?{urlencode({'next': target})}"
    if request.headers.get("HX-Request"):
        # HTMX would swap the login page into a fragment; HX-Redirect makes it load the page.
        return HTTPException(401, "log in first", headers={"HX-Redirect": location})
    return HTTPException(303, "log in first", headers={"Location": location})


def current_session(request: Request) -> Session:
    """The logged-in session, or a redirect to the login page that comes back here."""
    session = resolve_session(request.app.state.store, request.cookies.get(SESSION_COOKIE))
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


async def _check_csrf(request: Request, session: Session) -> None:
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        sent = form.get("csrf_token")
    if not csrf_matches(session, sent):
        raise HTTPException(403, "the form's security token is missing or old: reload the page and try again")


def _safe_next(target: str | None) -> str:
    # Only paths on this site: an open redirect would make the login page a phishing tool.
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _client(request: Request) -> str | None:
    return request.client.host if request.client else None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


# --- rendering ---------------------------------------------------------------------------------

def render(request: Request, template: str, context: dict, status: int = 200) -> HTMLResponse:
    """The whole page, or (for an HTMX request aimed at #content) only its content block."""
    session: Session | None = getattr(request.state, "session", None)
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "content"
    context = {"session": session, "user": session.user if session else None, "csrf_token": session.csrf_token if session else "",
               "partial": partial, "path": request.url.path, **context}
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Vary"] = "HX-Request, HX-Target, Cookie"
    return response


def _error_page(request: Request, exc: InputError) -> HTMLResponse:
    return render(request, "dashboard/problem.html", {"title": "That view cannot be shown", "message": str(exc)}, 422)


def _options(request: Request) -> dict[str, list[str]]:
    """The values each filter can take, cached for a minute (DISTINCT over millions of rows)."""
    state = request.app.state
    cached = getattr(state, "dashboard_options", None)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    store = state.store
    with store.engine.connect() as conn:
        segments = conn.execute(sa.select(customers.c.segment).distinct().where(customers.c.segment.isnot(None))).scalars().all()
        channels = conn.execute(sa.select(touchpoints.c.channel).distinct().where(touchpoints.c.channel.isnot(None))).scalars().all()
        teams = conn.execute(sa.select(touchpoints.c.team).distinct().where(touchpoints.c.team.isnot(None))).scalars().all()
    journeys = [(j["key"], j["name"]) for j in journey_tree(store)]
    options = {"journey": journeys, "segment": sorted(segments), "channel": sorted(channels), "team": sorted(teams)}
    state.dashboard_options = (time.monotonic(), options)
    return options


def _row_counts(request: Request) -> dict[str, int]:
    """The store's row counts, at most a minute old: count(*) of ten million rows takes SQLite
    a good part of a second."""
    state = request.app.state
    cached = getattr(state, "dashboard_counts", None)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    counts = state.store.row_counts()
    state.dashboard_counts = (time.monotonic(), counts)
    return counts


def _page(request: Request, filters: Filters, **context) -> dict:
    return {"filters": filters, "options": _options(request), "grains": list(GRAINS), **context}


PAGES = ("/", "/journeys", "/touchpoints", "/explorer", "/support", "/churn", "/feedback", "/surveys", "/customers")


def is_page(path: str) -> bool:
    """Whether ``path`` is a dashboard page (people read its errors), not the API or a survey."""
    return path == "/" or any(path == p or path.startswith(p + "/") for p in PAGES[1:])


async def page_errors(request: Request, exc: HTTPException):
    """A dashboard page's 403 and 404 as a page that says what to do; everything else (the API,
    redirects to the login) as FastAPI answers it."""
    from fastapi.exception_handlers import http_exception_handler

    if exc.status_code in (403, 404) and is_page(request.url.path) and not request.headers.get("HX-Request"):
        title = "Not allowed" if exc.status_code == 403 else "Not found"
        session = resolve_session(request.app.state.store, request.cookies.get(SESSION_COOKIE))
        request.state.session = session
        return render(request, "dashboard/problem.html", {"title": title, "message": exc.detail}, exc.status_code)
    return await http_exception_handler(request, exc)


# --- login and logout ---------------------------------------------------------------------------

@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/"):
    if resolve_session(request.app.state.store, request.cookies.get(SESSION_COOKIE)):
        return RedirectResponse(_safe_next(next), 303)
    return _login_page(request, next)


def _login_page(request: Request, next: str, error: str | None = None, email: str = "", status: int = 200) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "dashboard/login.html",
                      {"next": _safe_next(next), "error": error, "email": email, "login_csrf": token}, status)
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request), path="/login")
    return response


@router.post("/login", response_class=HTMLResponse)
def login(request: Request, email: str = Form(""), password: str = Form(""), next: str = Form("/"),
          csrf_token: str = Form("")):
    store = request.app.state.store
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie or not csrf_token or not secrets.compare_digest(cookie, csrf_token):
        return _login_page(request, next, "The form expired: please log in again.", email, 403)
    address = _client(request)
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
    record_login_attempt(store, email, address, True)
    new = create_session(store, user)
    response = RedirectResponse(_safe_next(next), 303)
    response.set_cookie(SESSION_COOKIE, new.token, httponly=True, samesite="lax", secure=_secure(request),
                        max_age=int((new.expires_at - datetime.now(UTC)).total_seconds()) + 7 * 86400, path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, session: Session = Depends(current_session)):
    await _check_csrf(request, session)
    end_session(request.app.state.store, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- Overview -----------------------------------------------------------------------------------

@dataclass
class Tile:
    metric: str
    label: str
    row: dict | None  # the latest period's KPI row
    series: list[dict]
    ignored: list[str]
    chart: dict | None
    link: str
    note: str | None = None

    @property
    def significant(self) -> bool:
        return bool(self.row and self.row.get("significant"))

    @property
    def direction(self) -> str | None:
        """'better' or 'worse' for a significant change, by whether higher is better."""
        if not self.significant or self.row.get("change") is None:
            return None
        m = METRICS.get(_base(self.metric))
        higher = m.higher_is_better if m else True
        return "better" if (self.row["change"] > 0) == higher else "worse"


def tile_query(metric: str, filters: Filters) -> dict:
    """The KPI call behind a tile, as keyword arguments of ``KPIs.compute``: what the browser
    tests ask the KPI API for to check the tile."""
    where, _ = filters.where_for(metric)
    options = {"grain": filters.grain, "since": filters.since, "until": filters.until, "where": where or None}
    if metric in _COMPARABLE:
        options["compare"] = "previous"
    return options


def _tile(kpis, metric: str, filters: Filters) -> Tile:
    _, ignored = filters.where_for(metric)
    result = kpis.compute(metric, **tile_query(metric, filters))
    series = sorted((r for r in result.rows if r.get("value") is not None), key=lambda r: r["period"])
    row = series[-1] if series else None
    note = None
    if row is not None and row["period"].date() != _periods_back(filters.until, filters.grain, 1):
        note = f"latest with data: {format_period(row['period'], filters.grain)}"
    link = f"/explorer?{filters.query(metric=metric)}"
    return Tile(metric, label_of(metric), row, series, ignored, charts.sparkline(series, metric) if len(series) > 1 else None,
                link, note)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        engine = kpi_engine_of(request)
        tiles = [_tile(engine, m, filters) for m in TILES]
        today = datetime.now(UTC).date()
    except InputError as exc:
        return _error_page(request, exc)
    store = request.app.state.store
    return render(request, "dashboard/overview.html",
                  _page(request, filters, tiles=tiles, journeys=journey_tree(store), counts=_row_counts(request),
                        title="Overview", live=filters.until > today, tomorrow=str(today + timedelta(days=1))))


# --- Journey map --------------------------------------------------------------------------------

_SEVERITY = {"missed-significant": 4, "missed": 3, "met": 1, "met-significant": 0}


def _health_of(rows: list[dict]) -> str:
    """A touchpoint's colour: the worst of its targets that were measured."""
    worst, measured = None, False
    for r in rows:
        if r["status"] not in ("met", "missed"):
            continue
        measured = True
        key = f"{r['status']}-significant" if r["significant"] else r["status"]
        if worst is None or _SEVERITY[key] > _SEVERITY[worst]:
            worst = key
    if not measured:
        return "unknown"
    return {"missed-significant": "bad", "missed": "warn", "met": "ok", "met-significant": "good"}[worst]


def journey_map(kpis, store, filters: Filters) -> list[dict]:
    """The map with each touchpoint's health, target rows, response count, and each
    journey's funnel (conversion from the previous step and the drop-off)."""
    where_h, _ = filters.where_for("touchpoint_health")
    try:
        health = kpis.compute("touchpoint_health", since=filters.since, until=filters.until, where=where_h or None).rows
    except TableNotFound as exc:
        # A target whose KPI reads a table the tier-0 copy lacks (an engine gap): show the map,
        # its counts and funnel, and say why the colours are missing.
        health, problem = [], f"Touchpoint health cannot be computed on this store's analytics tier yet: its copy lacks the table {exc}."
    else:
        problem = None
    where_r, _ = filters.where_for("response_count")
    counts = {r["touchpoint"]: r["value"] for r in kpis.compute(
        "response_count", by=["touchpoint"], since=filters.since, until=filters.until, where=where_r or None).rows}
    where_f, _ = filters.where_for("funnel")
    steps = {(r["journey"], r["touchpoint"]): r for r in kpis.compute(
        "funnel", since=filters.since, until=filters.until, where=where_f or None).rows}
    by_tp: dict[str, list[dict]] = {}
    for r in health:
        by_tp.setdefault(r["touchpoint"], []).append(r)
    tree = journey_tree(store)
    if filters.journey:
        tree = [j for j in tree if j["key"] == filters.journey]
    for j in tree:
        path = []
        for st in j["stages"]:
            for tp in st["touchpoints"]:
                tp["health"] = _health_of(by_tp.get(tp["key"], []))
                tp["targets_health"] = by_tp.get(tp["key"], [])
                tp["responses"] = counts.get(tp["key"], 0)
                tp["step"] = steps.get((j["key"], tp["key"]))
                if tp["step"]:
                    path.append(tp["step"])
        j["funnel_chart"] = charts.funnel(path) if len(path) > 1 else None
        j["health_problem"] = problem
    return tree


@router.get("/journeys", response_class=HTMLResponse)
def journeys_page(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        store = request.app.state.store
        tree = journey_map(kpi_engine_of(request), store, filters)
    except InputError as exc:
        return _error_page(request, exc)
    ignored = [d for d in filters.chosen() if d not in ("journey", "segment")]
    return render(request, "dashboard/journeys.html", _page(request, filters, journeys=tree, ignored=ignored,
                                                            title="Journey map"))


# --- Touchpoint ---------------------------------------------------------------------------------

def _touchpoint_info(store, key: str) -> dict | None:
    for j in journey_tree(store):
        for st in j["stages"]:
            for tp in st["touchpoints"]:
                if tp["key"] == key:
                    return tp | {"journey": j, "stage": st}
    return None


def _default_metrics(tp: dict) -> list[str]:
    """What a touchpoint is measured by: its targets' KPIs, else its survey scores."""
    mapping = {"first_response_time": "first_response_median", "resolution_time": "resolution_median"}
    wanted = [mapping.get(m, m) for m in tp["targets"] if mapping.get(m, m) in SPECS
              and "touchpoint" in dimensions_of(mapping.get(m, m))]
    return wanted or ["nps", "csat", "ces"]


def touchpoint_view(kpis, store, key: str, filters: Filters) -> dict:
    tp = _touchpoint_info(store, key)
    if tp is None:
        raise HTTPException(404, f"no touchpoint has the key {key!r}; the journey map lists them")
    sections = []
    for metric in _default_metrics(tp):
        where, ignored = filters.where_for(metric)
        where = where | {"touchpoint": [key]}
        series = kpis.compute(metric, grain=filters.grain, since=filters.since, until=filters.until, where=where).rows
        if not series:
            continue
        overall = kpis.compute(metric, since=filters.since, until=filters.until, where=where).rows
        breakdowns = []
        for dim in ("channel", "team", "segment"):
            if dim in dimensions_of(metric) and dim not in filters.chosen():
                rows = kpis.compute(metric, by=[dim], since=filters.since, until=filters.until, where=where).rows
                rows = [r for r in rows if r.get(dim) is not None]
                if len(rows) > 1:
                    breakdowns.append({"dimension": dim, "rows": rows, "chart": charts.breakdown(rows, metric, dim)})
        target = tp["targets"].get(_base(metric) if metric not in tp["targets"] else metric)
        sections.append({"metric": metric, "series": series, "overall": overall[0] if overall else None, "ignored": ignored,
                         "chart": charts.trend(series, metric, target=target, grain=filters.grain), "target": target, "breakdowns": breakdowns})
    return {"touchpoint": tp, "sections": sections}


def _recent(store, key: str, filters: Filters, limit: int = 20) -> tuple[list[dict], list[dict]]:
    """The touchpoint's latest comments and tickets in the view's period."""
    since = datetime.combine(filters.since, datetime.min.time(), UTC)
    until = datetime.combine(filters.until, datetime.min.time(), UTC)
    tp_id = sa.select(touchpoints.c.id).where(touchpoints.c.key == key).scalar_subquery()
    r, t, c = responses, tickets, customers
    q_comments = (sa.select(r.c.submitted_at, r.c.metric, r.c.score, r.c.scale_max, r.c.comment, r.c.language, r.c.channel,
                            c.c.segment)
                  .select_from(r.outerjoin(c, c.c.id == r.c.customer_id))
                  .where(r.c.touchpoint_id == tp_id, r.c.comment.isnot(None), r.c.comment != "",
                         r.c.submitted_at >= since, r.c.submitted_at < until))
    q_tickets = (sa.select(t.c.external_id, t.c.created_at, t.c.status, t.c.channel, t.c.team, t.c.subject,
                           t.c.first_response_seconds, c.c.segment)
                 .select_from(t.outerjoin(c, c.c.id == t.c.customer_id))
                 .where(t.c.touchpoint_id == tp_id, t.c.created_at >= since, t.c.created_at < until))
    for d in ("channel", "segment"):
        value = getattr(filters, d)
        if value:
            col = c.c.segment if d == "segment" else None
            q_comments = q_comments.where(col == value if col is not None else r.c.channel == value)
            q_tickets = q_tickets.where(col == value if col is not None else t.c.channel == value)
    if filters.team:
        q_tickets = q_tickets.where(t.c.team == filters.team)
    with store.engine.connect() as conn:
        comments = [dict(x) for x in conn.execute(q_comments.order_by(r.c.submitted_at.desc()).limit(limit)).mappings()]
        ticket_rows = [dict(x) for x in conn.execute(q_tickets.order_by(t.c.created_at.desc()).limit(limit)).mappings()]
    return comments, ticket_rows


@router.get("/touchpoints/{key}", response_class=HTMLResponse)
def touchpoint_page(request: Request, key: str, session: Session = Depends(current_session)):
    store = request.app.state.store
    try:
        filters = Filters.from_request(request)
        view = touchpoint_view(kpi_engine_of(request), store, key, filters)
        comments, ticket_rows = _recent(store, key, filters)
    except InputError as exc:
        return _error_page(request, exc)
    return render(request, "dashboard/touchpoint.html",
                  _page(request, filters, **view, comments=comments, tickets=ticket_rows, title=view["touchpoint"]["name"]))


# --- Explorer -----------------------------------------------------------------------------------

# The special KPIs have their own shapes (cohort tables, survival curves, the map): they have
# pages of their own, not the Explorer's table of value per group and period.
EXPLORABLE = tuple(n for n in NAMES if n not in ("cohort_retention", "survival", "funnel", "touchpoint_health"))


def explore(kpis, metric: str, by: str | None, filters: Filters, with_grain: bool) -> dict:
    if metric not in EXPLORABLE:
        raise InputError(f"metric={metric!r} is not one the Explorer shows; choose one of: {', '.join(EXPLORABLE)}")
    dims = dimensions_of(metric)
    if by and by not in dims:
        raise InputError(f"{label_of(metric)} cannot be split by {by}; it can by: {', '.join(dims)}")
    where, ignored = filters.where_for(metric)
    grain = filters.grain if with_grain or metric in ("churn_rate", "retention", "net_revenue_retention",
                                                      "gross_revenue_retention") else None
    options: dict[str, Any] = {"by": [by] if by else [], "grain": grain, "since": filters.since, "until": filters.until,
                               "where": where or None}
    if grain and metric in _COMPARABLE:
        options["compare"] = "previous"
    try:
        result = kpis.compute(metric, **options)
    except TableNotFound as exc:
        # The tier-0 mirror copies the tables the KPI engine reads; one it lacks is an engine gap
        # to report, not a reason to answer 500.
        raise InputError(f"{label_of(metric)} cannot be computed on this store's analytics tier yet: "
                         f"its copy lacks the table {exc}; ask another KPI, or query it with `cxlens kpi {metric}`") from None
    rows = [r for r in result.rows if r.get("value") is not None]
    return {"metric": metric, "by": by, "grain": grain, "rows": rows, "ignored": ignored, "dimensions": dims,
            "compute": options, "chart_spec": charts.explorer(rows, metric, by, grain) if rows else None}


def _explorer_args(request: Request) -> tuple[str, str | None, bool]:
    q = request.query_params
    return q.get("metric") or "nps", q.get("by") or None, q.get("trend", "1") != "0"


@router.get("/explorer", response_class=HTMLResponse)
def explorer_page(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        metric, by, with_grain = _explorer_args(request)
        view = explore(kpi_engine_of(request), metric, by, filters, with_grain)
    except InputError as exc:
        return _error_page(request, exc)
    all_dims = sorted({d for m in EXPLORABLE for d in dimensions_of(m)})
    return render(request, "dashboard/explorer.html",
                  _page(request, filters, **view, metrics=EXPLORABLE, all_dimensions=all_dims, trend=with_grain,
                        csv_link=f"/explorer.csv?{request.url.query}", title="Explorer"))


@router.get("/explorer.csv")
def explorer_csv(request: Request, session: Session = Depends(require_role("analyst"))):
    try:
        filters = Filters.from_request(request)
        metric, by, with_grain = _explorer_args(request)
        view = explore(kpi_engine_of(request), metric, by, filters, with_grain)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    out = io.StringIO()
    keys = [*([by] if by else []), *(["period"] if view["grain"] else [])]
    columns = [*keys, "value", "low", "high", "n", "method", "sufficient", "change", "p_value", "significant"]
    writer = csv.writer(out)
    writer.writerow(columns)
    for r in view["rows"]:
        writer.writerow([_csv_cell(r.get(c)) for c in columns])
    name = f"cxlens-{metric}{'-by-' + by if by else ''}-{filters.since}-{filters.until}.csv"
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/explorer.xlsx")
def explorer_xlsx(request: Request, session: Session = Depends(require_role("analyst"))):
    """The Explorer's table as an Excel workbook: numbers as numbers, periods as dates."""
    try:
        filters = Filters.from_request(request)
        metric, by, with_grain = _explorer_args(request)
        view = explore(kpi_engine_of(request), metric, by, filters, with_grain)
    except InputError as exc:
        raise HTTPException(422, str(exc)) from None
    keys = [*([by] if by else []), *(["period"] if view["grain"] else [])]
    columns = [*keys, "value", "low", "high", "n", "method", "sufficient", "change", "p_value", "significant"]
    rows = [[_xlsx_cell(r.get(c)) for c in columns] for r in view["rows"]]
    name = f"cxlens-{metric}{'-by-' + by if by else ''}-{filters.since}-{filters.until}.xlsx"
    return Response(xlsx_workbook(metric[:31], columns, rows),
                    media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _xlsx_cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.date() if v.time() == datetime.min.time() else v.replace(tzinfo=None)
    if isinstance(v, float) and (v != v or abs(v) == float("inf")):
        return None
    return v


def xlsx_workbook(sheet: str, columns: list[str], rows: list[list[Any]]) -> bytes:
    """A one-sheet workbook (what Excel, LibreOffice and Numbers open), written by openpyxl:
    numbers as numbers, dates with a date format, text as text. Control characters, which
    customers can type but the file format cannot hold, are dropped from text cells, and text
    is never read as a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    book = Workbook(write_only=True)
    ws = book.create_sheet(ILLEGAL_CHARACTERS_RE.sub("", sheet)[:31] or "sheet")

    def text(value: str) -> WriteOnlyCell:
        # openpyxl takes a string starting with "=" for a formula: a customer's "=HYPERLINK(…)"
        # must stay the text they typed.
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        return cell

    ws.append([text(c) for c in columns])
    for values in rows:
        ws.append([text(v) if isinstance(v, str) else v for v in values])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _csv_cell(v: Any) -> Any:
    if isinstance(v, datetime):
        return v.date().isoformat() if v.time() == datetime.min.time() else v.isoformat()
    if isinstance(v, str) and v[:1] in ("=", "+", "-", "@"):
        return "'" + v  # a spreadsheet would run it as a formula
    return "" if v is None else v


# --- Support ------------------------------------------------------------------------------------

SUPPORT_KPIS = ("ticket_volume", "first_response_median", "first_response_p90", "resolution_median",
                "first_contact_resolution", "reopen_rate", "handle_time")
SUPPORT_TRENDS = ("ticket_volume", "first_response_median", "first_contact_resolution")
SUPPORT_SPLITS = ("team", "channel", "agent")


def support_view(kpis, filters: Filters, split: str) -> dict:
    """Ticket KPIs over the view, their trends, and a table of every KPI per team, channel or agent."""
    if split not in SUPPORT_SPLITS:
        raise InputError(f"split={split!r}: choose one of: {', '.join(SUPPORT_SPLITS)}")
    where, _ = filters.where_for("ticket_volume")  # every ticket KPI takes the same dimensions
    span = {"since": filters.since, "until": filters.until, "where": where or None}
    summary = {}
    for m in SUPPORT_KPIS:
        rows = kpis.compute(m, **span).rows
        summary[m] = rows[0] if rows else None
    trends = []
    for m in SUPPORT_TRENDS:
        rows = [r for r in kpis.compute(m, grain=filters.grain, **span).rows if r.get("value") is not None]
        if len(rows) > 1:
            trends.append({"metric": m, "chart": charts.trend(rows, m, grain=filters.grain)})
    table: dict[str, dict[str, dict]] = {}
    for m in SUPPORT_KPIS:
        for r in kpis.compute(m, by=[split], **span).rows:
            table.setdefault(r[split] if r[split] is not None else "(none)", {})[m] = r
    groups = sorted(table.items(), key=lambda kv: -(kv[1].get("ticket_volume") or {}).get("value", 0))
    return {"summary": summary, "trends": trends, "groups": groups, "split": split, "kpis": SUPPORT_KPIS}


@router.get("/support", response_class=HTMLResponse)
def support_page(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        split = request.query_params.get("split") or "team"
        view = support_view(kpi_engine_of(request), filters, split)
    except InputError as exc:
        return _error_page(request, exc)
    return render(request, "dashboard/support.html", _page(request, filters, **view, splits=SUPPORT_SPLITS,
                                                           title="Support"))


# --- Churn & retention --------------------------------------------------------------------------

def churn_reasons(store, filters: Filters, limit: int = 15) -> list[dict]:
    """Why customers who left in the view said they left, most frequent first."""
    c = customers
    since = datetime.combine(filters.since, datetime.min.time(), UTC)
    until = datetime.combine(filters.until, datetime.min.time(), UTC)
    reason = sa.func.coalesce(c.c.churn_reason, "(not given)")
    q = (sa.select(reason.label("reason"), sa.func.count().label("n"))
         .where(c.c.churned_at >= since, c.c.churned_at < until).group_by(reason).order_by(sa.desc("n")).limit(limit))
    if filters.segment:
        q = q.where(c.c.segment == filters.segment)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings()]


def churn_view(kpis, store, filters: Filters) -> dict:
    where, ignored = filters.where_for("churn_rate")
    span = {"since": filters.since, "until": filters.until, "where": where or None}
    trend = [r for r in kpis.compute("churn_rate", grain=filters.grain, compare="previous", **span).rows if r["value"] is not None]
    by_segment = [r for r in kpis.compute("churn_rate", by=["segment"], grain=filters.grain, **span).rows
                  if r["value"] is not None and r.get("segment") is not None]
    # Cohorts by day or week would be hundreds of rows: a cohort table reads by month at least.
    cohort_grain = filters.grain if filters.grain in ("month", "quarter", "year") else "month"
    cohorts = kpis.compute("cohort_retention", grain=cohort_grain, **span).rows
    survival = kpis.compute("survival", grain=cohort_grain, where=where or None, until=filters.until).rows
    reasons = churn_reasons(store, filters)
    return {
        "trend": trend, "ignored": ignored, "cohort_grain": cohort_grain, "reasons": reasons, "survival": survival,
        "trend_chart": charts.trend(trend, "churn_rate", grain=filters.grain) if len(trend) > 1 else None,
        "segment_chart": charts.explorer(by_segment, "churn_rate", "segment", filters.grain) if by_segment else None,
        "cohort_chart": charts.cohort_heatmap(cohorts, cohort_grain) if cohorts else None,
        "survival_chart": charts.survival_curve(survival, cohort_grain) if survival else None,
        "reasons_chart": charts.counts(reasons, "reason", "customers who left") if reasons else None,
    }


@router.get("/churn", response_class=HTMLResponse)
def churn_page(request: Request, session: Session = Depends(current_session)):
    store = request.app.state.store
    try:
        filters = Filters.from_request(request)
        view = churn_view(kpi_engine_of(request), store, filters)
    except InputError as exc:
        return _error_page(request, exc)
    return render(request, "dashboard/churn.html", _page(request, filters, **view, title="Churn & retention"))


# --- Feedback -----------------------------------------------------------------------------------

FEEDBACK_PAGE = 50
SENTIMENTS = ("negative", "neutral", "positive", "mixed")


def feedback_stream(store, filters: Filters, *, search: str | None = None, kind: str | None = None,
                    sentiment: str | None = None, page: int = 0, after: datetime | None = None,
                    seen: tuple[tuple[str, int], ...] = ()) -> list[dict]:
    """Comments (survey answers with text) and mentions (reviews, social posts) in the view,
    newest first, with sentiment and theme where text analytics has looked at them. ``search``
    matches words anywhere in the text (case-insensitive). ``after`` keeps only what came at or
    after that moment, less the ``seen`` (kind, id) pairs: what a page polls for to show new
    items (ties at the newest shown moment are neither lost nor shown twice)."""
    if kind not in (None, "response", "mention"):
        raise InputError(f"kind={kind!r}: choose response (survey comments) or mention (reviews and posts)")
    if sentiment not in (None, *SENTIMENTS):
        raise InputError(f"sentiment={sentiment!r}: choose one of: {', '.join(SENTIMENTS)}")
    since = datetime.combine(filters.since, datetime.min.time(), UTC)
    until = datetime.combine(filters.until, datetime.min.time(), UTC)
    r, m, c, tp = responses, mentions, customers, touchpoints
    tr, th = text_results, text_themes
    pattern = f"%{search.strip()}%" if search and search.strip() else None

    def analysed(source: str, id_col):
        return sa.and_(tr.c.source == source, tr.c.source_id == id_col)

    theme = sa.func.coalesce(th.c.name, th.c.label)
    comments = (
        sa.select(sa.literal("response").label("kind"), r.c.id, r.c.submitted_at.label("at"), r.c.comment.label("text"),
                  sa.null().label("title"), r.c.metric.label("what"), sa.cast(r.c.score, sa.Float).label("score"),
                  sa.cast(r.c.scale_max, sa.Float).label("scale_max"), r.c.language, tp.c.name.label("touchpoint"),
                  r.c.channel.label("channel"), c.c.segment, tr.c.sentiment, theme.label("theme"))
        .select_from(r.outerjoin(tp, tp.c.id == r.c.touchpoint_id).outerjoin(c, c.c.id == r.c.customer_id)
                     .outerjoin(tr, analysed("response", r.c.id)).outerjoin(th, th.c.id == tr.c.theme_id))
        .where(r.c.comment.isnot(None), r.c.comment != "", r.c.submitted_at >= since, r.c.submitted_at < until))
    posts = (
        sa.select(sa.literal("mention").label("kind"), m.c.id, m.c.posted_at.label("at"), m.c.text.label("text"), m.c.title,
                  m.c.source.label("what"), m.c.rating.label("score"), m.c.rating_max.label("scale_max"), m.c.language,
                  sa.null().label("touchpoint"), m.c.source.label("channel"), c.c.segment, tr.c.sentiment, theme.label("theme"))
        .select_from(m.outerjoin(c, c.c.id == m.c.customer_id).outerjoin(tr, analysed("mention", m.c.id))
                     .outerjoin(th, th.c.id == tr.c.theme_id))
        .where(m.c.posted_at >= since, m.c.posted_at < until))
    if after is not None:
        comments, posts = comments.where(r.c.submitted_at >= after), posts.where(m.c.posted_at >= after)
        comments = comments.where(r.c.id.notin_([i for k, i in seen if k == "response"] or [-1]))
        posts = posts.where(m.c.id.notin_([i for k, i in seen if k == "mention"] or [-1]))
    if pattern:
        comments = comments.where(r.c.comment.ilike(pattern))
        posts = posts.where(sa.or_(m.c.text.ilike(pattern), m.c.title.ilike(pattern)))
    if filters.segment:
        comments, posts = comments.where(c.c.segment == filters.segment), posts.where(c.c.segment == filters.segment)
    if sentiment:
        comments, posts = comments.where(tr.c.sentiment == sentiment), posts.where(tr.c.sentiment == sentiment)
    if filters.channel:
        comments = comments.where(r.c.channel == filters.channel)
    if filters.journey:
        comments = comments.where(tp.c.journey_id == sa.select(journeys.c.id).where(journeys.c.key == filters.journey)
                                  .scalar_subquery())
    if filters.team:
        comments = comments.where(tp.c.team == filters.team)
    # Mentions belong to no touchpoint, channel or team: a filter on those shows comments only.
    parts = [q for k, q in (("response", comments), ("mention", posts)) if kind in (None, k)
             and not (k == "mention" and (filters.channel or filters.journey or filters.team))]
    if not parts:
        return []
    # Each part is cut to the rows this page can need before the union: otherwise the database
    # would gather and sort every comment of the view (millions) to show fifty.
    enough = (page + 1) * FEEDBACK_PAGE
    cut = [sa.select(q.order_by(sa.desc("at"), sa.desc("id")).limit(enough).subquery()) for q in parts]
    union = sa.union_all(*cut).subquery()
    q = sa.select(union).order_by(union.c.at.desc(), union.c.id.desc()).limit(FEEDBACK_PAGE).offset(page * FEEDBACK_PAGE)
    with store.engine.connect() as conn:
        rows = [dict(x) for x in conn.execute(q).mappings()]
    for row in rows:  # a union hands SQLite's text timestamps back raw
        if isinstance(row["at"], str):
            row["at"] = datetime.fromisoformat(row["at"])
    return rows


# How often an open Feedback page asks for what is new (the Overview's tiles: every minute;
# comments are what a CX lead watches arrive).
FEEDBACK_POLL_SECONDS = 10


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _poll_marker(q) -> tuple[datetime | None, tuple[tuple[str, int], ...]]:
    """The ``after`` and ``seen`` of a poll for new feedback (None: not a poll)."""
    if not q.get("after"):
        return None, ()
    try:
        after = _utc(datetime.fromisoformat(q["after"]))
        seen = tuple((k, int(i)) for k, _, i in (p.partition(":") for p in (q.get("seen") or "").split(",") if p))
    except ValueError:
        raise InputError(f"after={q['after']!r} seen={q.get('seen')!r}: not the marker this page writes; reload it") from None
    return after, seen


def _next_poll(filters: Filters, q, items: list[dict], after: datetime, seen=()) -> str:
    """The query of the next poll: from the newest item shown, those at that moment seen."""
    if items:
        newest = _utc(items[0]["at"])
        seen = [*(x for x in seen if newest == after), *((i["kind"], i["id"]) for i in items if _utc(i["at"]) == newest)]
        after = newest
    return filters.query(q=q.get("q") or None, kind=q.get("kind") or None, sentiment=q.get("sentiment") or None,
                         after=after.isoformat(), seen=",".join(f"{k}:{i}" for k, i in seen) or None)


@router.get("/feedback", response_class=HTMLResponse)
def feedback_page(request: Request, session: Session = Depends(current_session)):
    """The stream; with ``after`` (the page's own poll) only the items new since then, to be
    put on top, or 204 when there are none."""
    q = request.query_params
    try:
        filters = Filters.from_request(request)
        page = int(q.get("page") or 0)
        if page < 0:
            raise InputError(f"page={page}: pages count from 0")
        after, seen = _poll_marker(q)
        items = feedback_stream(request.app.state.store, filters, search=q.get("q"), kind=q.get("kind") or None,
                                sentiment=q.get("sentiment") or None, page=page, after=after, seen=seen)
    except ValueError:
        return _error_page(request, InputError(f"page={q.get('page')!r} is not a whole number"))
    except InputError as exc:
        if q.get("after"):
            raise HTTPException(422, str(exc)) from None  # a poll's error must not land inside the list
        return _error_page(request, exc)
    if after is not None:
        if not items:
            return Response(status_code=204)
        return render(request, "dashboard/feedback_new.html",
                      {"items": items, "poll": _next_poll(filters, q, items, after, seen), "poll_every": FEEDBACK_POLL_SECONDS})
    since = datetime.combine(filters.since, datetime.min.time(), UTC)
    today = datetime.now(UTC).date()
    live = page == 0 and filters.until > today
    return render(request, "dashboard/feedback.html",
                  _page(request, filters, items=items, search=q.get("q") or "", kind=q.get("kind") or "",
                        sentiment=q.get("sentiment") or "", sentiments=SENTIMENTS, page=page, page_size=FEEDBACK_PAGE,
                        live=live, poll=_next_poll(filters, q, items, since) if live else None, poll_every=FEEDBACK_POLL_SECONDS,
                        tomorrow=str(today + timedelta(days=1)), title="Feedback"))


# --- Surveys ------------------------------------------------------------------------------------

def surveys_view(request: Request, filters: Filters) -> dict:
    """Survey definitions with their answers in the view, and response rates by channel."""
    store = request.app.state.store
    since = datetime.combine(filters.since, datetime.min.time(), UTC)
    until = datetime.combine(filters.until, datetime.min.time(), UTC)
    s, tp, r = surveys, touchpoints, responses
    answered = (sa.select(r.c.survey_id, sa.func.count().label("answers")).where(r.c.submitted_at >= since, r.c.submitted_at < until)
                .group_by(r.c.survey_id).subquery())
    q = (sa.select(s.c.key, s.c.name, s.c.metric, s.c.scale_min, s.c.scale_max, s.c.definition, tp.c.name.label("touchpoint"),
                   tp.c.key.label("touchpoint_key"), sa.func.coalesce(answered.c.answers, 0).label("answers"))
         .select_from(s.outerjoin(tp, tp.c.id == s.c.touchpoint_id).outerjoin(answered, answered.c.survey_id == s.c.id))
         .order_by(s.c.key))
    with store.engine.connect() as conn:
        rows = [dict(x) for x in conn.execute(q).mappings()]
    # Invitations are not in the tier-0 mirror: response rates are read from the store itself
    # (sent invitations are few next to answers).
    where, ignored = filters.where_for("response_rate")
    rates = _rate_kpis(request).compute("response_rate", by=["survey", "channel"], since=filters.since, until=filters.until,
                                         where=where or None).rows
    by_survey: dict[str, list[dict]] = {}
    for rate in rates:
        by_survey.setdefault(rate["survey"], []).append(rate)
    for row in rows:
        d = row.pop("definition") or {}
        row["channels"] = d.get("channels") or []
        row["trigger"] = d.get("trigger")
        row["languages"] = d.get("languages") or []
        row["rates"] = by_survey.get(row["key"], [])
    return {"surveys": rows, "ignored": ignored}


def _rate_kpis(request: Request):
    """Where response rates come from: the shared engine on PostgreSQL; on SQLite a KPIs
    object over the store itself, made per request (an SQLite connection belongs to the thread
    that opened it)."""
    store = request.app.state.store
    if store.dialect != "sqlite":
        return kpi_engine_of(request)
    from ..analytics.kpis import KPIs

    return KPIs(store, tier="store")


@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        view = surveys_view(request, filters)
    except InputError as exc:
        return _error_page(request, exc)
    return render(request, "dashboard/surveys.html", _page(request, filters, **view, title="Surveys"))


# --- Customers ----------------------------------------------------------------------------------
# Names, e-mails and what one person said are personal data: analysts and admins only.

CUSTOMER_PAGE = 50
TIMELINE_LIMIT = 200


def find_customers(store, search: str, segment: str | None = None, limit: int = CUSTOMER_PAGE) -> list[dict]:
    """Customers whose name, e-mail or external id contains ``search`` (case-insensitive)."""
    c = customers
    q = sa.select(c.c.id, c.c.external_id, c.c.name, c.c.email, c.c.segment, c.c.plan, c.c.signed_up_at, c.c.churned_at)
    if search.strip():
        pattern = f"%{search.strip()}%"
        q = q.where(sa.or_(c.c.name.ilike(pattern), c.c.email.ilike(pattern), c.c.external_id.ilike(pattern)))
    if segment:
        q = q.where(c.c.segment == segment)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(q.order_by(c.c.name, c.c.id).limit(limit)).mappings()]


def customer_timeline(store, customer_id: int) -> tuple[dict, list[dict]]:
    """A customer and everything that happened with them, newest first: events, invitations,
    answers, tickets, payments, sign-up and churn."""
    from ..store.schema import events, invitations, revenue

    c = customers
    with store.engine.connect() as conn:
        person = conn.execute(sa.select(c).where(c.c.id == customer_id)).mappings().first()
        if person is None:
            raise HTTPException(404, f"no customer has the id {customer_id}; search for them on /customers")
        tp, s = touchpoints, surveys
        parts = [
            sa.select(sa.literal("event").label("kind"), events.c.occurred_at.label("at"), tp.c.name.label("what"),
                      events.c.channel.label("detail"), sa.null().label("text"))
            .select_from(events.join(tp, tp.c.id == events.c.touchpoint_id)).where(events.c.customer_id == customer_id),
            sa.select(sa.literal("invitation").label("kind"), sa.func.coalesce(invitations.c.sent_at, invitations.c.due_at).label("at"),
                      s.c.name.label("what"), (invitations.c.channel + " · " + invitations.c.status).label("detail"),
                      sa.null().label("text"))
            .select_from(invitations.join(s, s.c.id == invitations.c.survey_id)).where(invitations.c.customer_id == customer_id),
            sa.select(sa.literal("response").label("kind"), responses.c.submitted_at.label("at"),
                      (sa.func.upper(responses.c.metric) + " " + sa.func.coalesce(sa.cast(responses.c.score, sa.String), "–")).label("what"),
                      tp.c.name.label("detail"), responses.c.comment.label("text"))
            .select_from(responses.outerjoin(tp, tp.c.id == responses.c.touchpoint_id)).where(responses.c.customer_id == customer_id),
            sa.select(sa.literal("ticket").label("kind"), tickets.c.created_at.label("at"),
                      (tickets.c.external_id + " · " + sa.func.coalesce(tickets.c.status, "")).label("what"),
                      tickets.c.team.label("detail"), tickets.c.subject.label("text"))
            .where(tickets.c.customer_id == customer_id),
            sa.select(sa.literal("payment").label("kind"), revenue.c.occurred_at.label("at"),
                      sa.cast(revenue.c.amount, sa.String).label("what"), revenue.c.currency.label("detail"), sa.null().label("text"))
            .where(revenue.c.customer_id == customer_id),
        ]
        union = sa.union_all(*parts).subquery()
        rows = [dict(r) for r in conn.execute(sa.select(union).order_by(union.c.at.desc()).limit(TIMELINE_LIMIT)).mappings()]
    for row in rows:
        if isinstance(row["at"], str):
            row["at"] = datetime.fromisoformat(row["at"])
        if row["at"] is not None and row["at"].tzinfo is None:
            row["at"] = row["at"].replace(tzinfo=UTC)
    person = dict(person)
    milestones = [{"kind": "signed up", "at": person["signed_up_at"], "what": person["plan"] or "", "detail": person["segment"], "text": None}]
    if person["churned_at"]:
        milestones.append({"kind": "churned", "at": person["churned_at"], "what": person["churn_reason"] or "no reason given",
                           "detail": None, "text": None})
    rows += [m for m in milestones if m["at"] is not None]
    rows.sort(key=lambda r: r["at"], reverse=True)
    return person, rows


@router.get("/customers", response_class=HTMLResponse)
def customers_page(request: Request, session: Session = Depends(require_role("analyst"))):
    q = request.query_params
    try:
        filters = Filters.from_request(request)
    except InputError as exc:
        return _error_page(request, exc)
    found = find_customers(request.app.state.store, q.get("q") or "", filters.segment)
    return render(request, "dashboard/customers.html", _page(request, filters, customers=found, search=q.get("q") or "",
                                                             page_size=CUSTOMER_PAGE, title="Customers"))


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, customer_id: int, session: Session = Depends(require_role("analyst"))):
    try:
        filters = Filters.from_request(request)
    except InputError as exc:
        return _error_page(request, exc)
    person, timeline = customer_timeline(request.app.state.store, customer_id)
    return render(request, "dashboard/customer.html", _page(request, filters, person=person, timeline=timeline,
                                                            limit=TIMELINE_LIMIT, title=person["name"] or person["external_id"]))
