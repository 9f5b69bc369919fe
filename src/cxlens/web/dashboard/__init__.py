"""The dashboard: login, Overview, Journey map, Touchpoint, Explorer (with CSV and Excel
export), Support, Churn & retention, Feedback, Words, Surveys and Customers (with one customer's
timeline). User management for admins is :mod:`cxlens.web.admin`.

Thin, like the rest of web/: every number comes from ``KPIs.compute`` (through the app's shared
:class:`~cxlens.web.kpi_engine.KPIEngine`) with the filters in the URL, so a page shows what
``cxlens.kpi(store).compute(...)`` returns for the same filter, and a filtered view is a link
someone can share; the lists people scroll through come from :mod:`cxlens.store.reads`. Pages
are plain HTML forms and links that work without JavaScript; with it, HTMX swaps only
``#content`` (the server renders just that part when ``HX-Request`` is set) and vega-embed
draws the charts.

One module per page; beside them :mod:`.format` (how values are written), :mod:`.filters`
(the URL's filters), :mod:`.session` (login state, roles, CSRF), :mod:`.render` (templates,
headers, error pages) and :mod:`.export` (the Explorer as CSV and Excel). Security is
described in :mod:`.session`, :mod:`.login` and :mod:`.render`.
"""

from __future__ import annotations

from fastapi import APIRouter

from . import (
    alerts,
    cases,
    churn,
    customers,
    explorer,
    export,
    feedback,
    journeys,
    login,
    overview,
    support,
    surveys,
    touchpoint,
    words,
)
from .explorer import explore
from .export import xlsx_workbook
from .filters import Filters
from .format import chart_json, format_interval, format_value
from .journeys import journey_map
from .overview import TILES, tile_query
from .render import page_errors
from .session import CSRF_HEADER, SESSION_COOKIE
from .touchpoint import touchpoint_view

__all__ = [
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "TILES",
    "Filters",
    "chart_json",
    "explore",
    "format_interval",
    "format_value",
    "journey_map",
    "page_errors",
    "router",
    "tile_query",
    "touchpoint_view",
    "xlsx_workbook",
]

router = APIRouter(include_in_schema=False)
# No two pages share a path, so the order does not decide which one answers.
for page in (
    login,
    overview,
    journeys,
    touchpoint,
    explorer,
    export,
    support,
    churn,
    feedback,
    surveys,
    customers,
    alerts,
    cases,
    words,
):
    router.include_router(page.router)
del page
