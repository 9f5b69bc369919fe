"""Surveys: each survey's definition (touchpoint, channels, trigger, languages), its answers
in the view, and its response rates by channel.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ...access import Session
from ...errors import InputError
from ...store.reads import surveys_with_answers
from ..deps import kpi_engine_of
from .filters import Filters
from .render import error_page, page_context, render
from .session import current_session

__all__ = ["router", "surveys_view"]

router = APIRouter(include_in_schema=False)


def _rate_kpis(request: Request):
    """Where response rates come from: the shared engine on PostgreSQL; on SQLite a KPIs
    object over the store itself, made per request (an SQLite connection belongs to the thread
    that opened it). Invitations are not in the tier-0 mirror, and sent invitations are few
    next to answers."""
    store = request.app.state.store
    if store.dialect != "sqlite":
        return kpi_engine_of(request)
    from ...analytics.kpis import KPIs

    return KPIs(store, tier="store")


def surveys_view(request: Request, filters: Filters) -> dict:
    """Survey definitions with their answers in the view, and response rates by channel."""
    rows = surveys_with_answers(request.app.state.store, filters.since, filters.until)
    where, ignored = filters.where_for("response_rate")
    rates = (
        _rate_kpis(request)
        .compute(
            "response_rate", by=["survey", "channel"], since=filters.since, until=filters.until, where=where or None
        )
        .rows
    )
    by_survey: dict[str, list[dict]] = {}
    for rate in rates:
        by_survey.setdefault(rate["survey"], []).append(rate)
    for row in rows:
        row["rates"] = by_survey.get(row["key"], [])
    return {"surveys": rows, "ignored": ignored}


@router.get("/surveys", response_class=HTMLResponse)
def surveys_page(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        view = surveys_view(request, filters)
    except InputError as exc:
        return error_page(request, exc)
    return render(request, "dashboard/surveys.html", page_context(request, filters, **view, title="Surveys"))
