"""Churn & retention: the churn rate's trend and its split by segment, cohort retention,
survival curves, and the reasons customers gave for leaving.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ...access import Session
from ...errors import InputError
from ...store.reads import churn_reasons
from .. import charts
from ..deps import kpi_engine_of
from .filters import Filters
from .render import error_page, page_context, render
from .session import current_session

__all__ = ["churn_view", "router"]

router = APIRouter(include_in_schema=False)


def _charts(view: dict, by_segment: list[dict], cohorts: list[dict], grain: str) -> dict:
    """The page's charts, each only when it has data to draw."""
    trend, survival, reasons, cohort_grain = view["trend"], view["survival"], view["reasons"], view["cohort_grain"]
    return {
        "trend_chart": charts.trend(trend, "churn_rate", grain=grain) if len(trend) > 1 else None,
        "segment_chart": charts.explorer(by_segment, "churn_rate", "segment", grain) if by_segment else None,
        "cohort_chart": charts.cohort_heatmap(cohorts, cohort_grain) if cohorts else None,
        "survival_chart": charts.survival_curve(survival, cohort_grain) if survival else None,
        "reasons_chart": charts.counts(reasons, "reason", "customers who left") if reasons else None,
    }


def churn_view(kpis, store, filters: Filters) -> dict:
    """Churn per period and segment, cohorts and survival by month at least, and reasons."""
    where, ignored = filters.where_for("churn_rate")
    span = {"since": filters.since, "until": filters.until, "where": where or None}
    trend = [
        r
        for r in kpis.compute("churn_rate", grain=filters.grain, compare="previous", **span).rows
        if r["value"] is not None
    ]
    by_segment = [
        r
        for r in kpis.compute("churn_rate", by=["segment"], grain=filters.grain, **span).rows
        if r["value"] is not None and r.get("segment") is not None
    ]
    # Cohorts by day or week would be hundreds of rows: a cohort table reads by month at least.
    cohort_grain = filters.grain if filters.grain in ("month", "quarter", "year") else "month"
    cohorts = kpis.compute("cohort_retention", grain=cohort_grain, **span).rows
    survival = kpis.compute("survival", grain=cohort_grain, where=where or None, until=filters.until).rows
    reasons = churn_reasons(store, filters.since, filters.until, segment=filters.segment)
    view = {"trend": trend, "ignored": ignored, "cohort_grain": cohort_grain, "reasons": reasons, "survival": survival}
    return view | _charts(view, by_segment, cohorts, filters.grain)


@router.get("/churn", response_class=HTMLResponse)
def churn_page(request: Request, session: Session = Depends(current_session)):
    store = request.app.state.store
    try:
        filters = Filters.from_request(request)
        view = churn_view(kpi_engine_of(request), store, filters)
    except InputError as exc:
        return error_page(request, exc)
    return render(request, "dashboard/churn.html", page_context(request, filters, **view, title="Churn & retention"))
