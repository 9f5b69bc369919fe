"""Words: what customers write. Sentiment over time by language, touchpoint and channel with
its interval; topics with volume, trend, share negative, their effect on NPS and
representative comments (escaped by the templates, like every customer text); the share of
texts per topic and period; recurring support issues per team (ticket topics × team × period,
linked from the Support page); feature requests with requesters, revenue and trend.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ...access import Session
from ...errors import InputError
from ...periods import start, step
from .. import charts
from ..deps import kpi_engine_of
from .explorer import chart_note, chart_rows, other_rows
from .filters import Filters
from .render import error_page, page_context, render
from .session import current_session

__all__ = ["SENTIMENT_SPLITS", "router", "words_view"]

router = APIRouter(include_in_schema=False)
REQUESTS_SHOWN = 10
SENTIMENT_SPLITS = ("language", "touchpoint", "channel")
ISSUES_PER_TEAM = 5
TOPICS_DRAWN = 8  # lines a reader can tell apart; the rest is one "other topics" line


def _sentiment_by(kpis, split: str, filters: Filters, span: dict) -> dict:
    """Mean sentiment per period and group of ``split``: rows for the table, a chart of the
    largest groups and the rest as "other"."""
    options = {"by": [split], "grain": filters.grain, **span}
    rows = [r for r in kpis.compute("sentiment", **options).rows if r["value"] is not None]
    drawn = chart_rows(rows, split) + other_rows(kpis, "sentiment", rows, split, options)
    return {
        "split": split,
        "rows": rows,
        "chart": charts.explorer(drawn, "sentiment", split, filters.grain) if rows else None,
        "note": chart_note(rows, split),
    }


def _periods(filters: Filters) -> list[datetime]:
    """The starts of the view's periods, oldest first."""
    out, p = [], start(_midnight(filters.since), filters.grain)
    while p < _midnight(filters.until):
        out.append(p)
        p = step(p, filters.grain)
    return out


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), UTC)


def support_issues(kpis, filters: Filters) -> dict:
    """Ticket topics × team × period: for each team the topics that come back most."""
    from ...text.insights import recurring_issues

    where, _ = filters.where_for("ticket_volume")
    rows = kpis.compute(
        "ticket_volume",
        by=["team", "theme"],
        grain=filters.grain,
        since=filters.since,
        until=filters.until,
        where=where or None,
    ).rows
    periods = _periods(filters)
    return {
        "periods": periods,
        "per_team": ISSUES_PER_TEAM,
        "issues": recurring_issues(rows, len(periods), ISSUES_PER_TEAM),
    }


def words_view(kpis, store, filters: Filters) -> dict:
    """Sentiment per period by language, touchpoint and channel; topic insights and trend;
    recurring support issues per team; feature request groups."""
    from ...text import feature_requests
    from ...text.insights import topic_insights, topic_trend

    where, ignored = filters.where_for("sentiment")
    span = {"since": filters.since, "until": filters.until, "where": where or None}
    sentiment = [_sentiment_by(kpis, split, filters, span) for split in SENTIMENT_SPLITS]
    topics, drivers = topic_insights(store)
    trend = topic_trend(store, filters.grain, filters.since, filters.until, limit=TOPICS_DRAWN)
    requests = feature_requests(store)[:REQUESTS_SHOWN]
    return {
        "ignored": ignored,
        "sentiment": sentiment,
        "topics": topics,
        "drivers": drivers,
        "topic_trend": trend,
        "topics_drawn": TOPICS_DRAWN,
        "topic_chart": charts.topic_trend(trend, filters.grain) if trend else None,
        "support": support_issues(kpis, filters),
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
