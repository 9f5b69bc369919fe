"""Words: what customers write. Sentiment over time by language with its interval; topics
with volume, trend, share negative, their effect on NPS and representative comments (escaped
by the templates, like every customer text); feature requests with requesters, revenue and
trend.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ...access import Session
from ...errors import InputError
from .. import charts
from ..deps import kpi_engine_of
from .filters import Filters
from .render import error_page, page_context, render
from .session import current_session

__all__ = ["router", "words_view"]

router = APIRouter(include_in_schema=False)
REQUESTS_SHOWN = 10


def words_view(kpis, store, filters: Filters) -> dict:
    """Sentiment per period and language, topic insights, feature request groups."""
    from ...text import feature_requests
    from ...text.insights import topic_insights

    where, ignored = filters.where_for("sentiment")
    span = {"since": filters.since, "until": filters.until, "where": where or None}
    by_language = [
        r
        for r in kpis.compute("sentiment", by=["language"], grain=filters.grain, **span).rows
        if r["value"] is not None and r.get("language") is not None
    ]
    topics, drivers = topic_insights(store)
    requests = feature_requests(store)[:REQUESTS_SHOWN]
    return {
        "ignored": ignored,
        "sentiment_rows": by_language,
        "sentiment_chart": charts.explorer(by_language, "sentiment", "language", filters.grain)
        if by_language
        else None,
        "topics": topics,
        "drivers": drivers,
        "requests": requests,
    }


@router.get("/words", response_class=HTMLResponse)
def words_page(request: Request, session: Session = Depends(current_session)):
    store = request.app.state.store
    try:
        filters = Filters.from_request(request)
        view = words_view(kpi_engine_of(request), store, filters)
    except InputError as exc:
        return error_page(request, exc)
    return render(request, "dashboard/words.html", page_context(request, filters, **view, title="Words"))
