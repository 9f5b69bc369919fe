"""Churn & retention: the churn rate's trend (with a test of whether it is rising or falling)
and its split by segment, cohort retention, survival curves, the reasons customers gave for
leaving and how they changed, and the churn risk model's stored backtest.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ... import periods
from ...access import Session
from ...analytics.trend import rate_trend, reason_shift
from ...errors import InputError
from ...predict.stored import latest_model
from ...store.reads import churn_reasons, churn_reasons_by_period
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


def complete(rows: list[dict], grain: str, now: datetime | None = None) -> list[dict]:
    """The rows of periods that have ended: a period under way has had less time to churn in."""
    now = now or datetime.now(UTC)
    return [r for r in rows if periods.end(periods.as_utc(r["period"]), grain) <= now]


def churn_trend(trend: list[dict], grain: str, now: datetime | None = None) -> dict | None:
    """The test of rising or falling over the view's complete periods, and the first and last
    of them as observed (churned = rate × at risk, the counts the rates came from)."""
    rows = complete(trend, grain, now)
    if not rows:
        return None
    result = rate_trend([(round(r["value"] * r["n"] / 100), r["n"]) for r in rows])
    return {"test": result, "evidence": result.evidence(grain), "first": rows[0], "last": rows[-1]}


def reasons_over_time(rows: list[dict], grain: str) -> dict | None:
    """Reasons (rows, most frequent first) × periods (columns) with counts, and whether the
    mix changed between the first and second half of the periods."""
    if not rows:
        return None
    cols = sorted({r["period"] for r in rows})
    totals: dict[str, int] = {}
    for r in rows:
        totals[r["reason"]] = totals.get(r["reason"], 0) + r["n"]
    reasons = sorted(totals, key=lambda k: (-totals[k], k))
    cells = {(r["reason"], r["period"]): r["n"] for r in rows}
    half = cols[len(cols) // 2] if len(cols) > 1 else None
    first = {k: sum(n for (r, p), n in cells.items() if r == k and half and p < half) for k in reasons}
    second = {k: sum(n for (r, p), n in cells.items() if r == k and half and p >= half) for k in reasons}
    return {
        "periods": cols,
        "rows": [{"reason": k, "total": totals[k], "counts": [cells.get((k, p), 0) for p in cols]} for k in reasons],
        "shift": reason_shift(first, second) if half else None,
        "half": half,
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
    # Reasons per day or week would be a few customers a cell: a month at least.
    reason_grain = filters.grain if filters.grain in ("month", "quarter", "year") else "month"
    by_period = churn_reasons_by_period(store, filters.since, filters.until, reason_grain, segment=filters.segment)
    model = latest_model(store, "churn")
    view = {
        "trend": trend,
        "trend_test": churn_trend(trend, filters.grain),
        "ignored": ignored,
        "cohort_grain": cohort_grain,
        "reasons": reasons,
        "reason_grain": reason_grain,
        "reasons_over_time": reasons_over_time(by_period, reason_grain),
        "survival": survival,
        "churn_model": model,
        "backtest": (model or {}).get("summary", {}).get("backtest") if model else None,
    }
    return (
        view
        | _charts(view, by_segment, cohorts, filters.grain)
        | {
            "reasons_time_chart": charts.reasons_over_time(by_period, reason_grain)
            if len({r["period"] for r in by_period}) > 1
            else None
        }
    )


@router.get("/churn", response_class=HTMLResponse)
def churn_page(request: Request, session: Session = Depends(current_session)):
    store = request.app.state.store
    try:
        filters = Filters.from_request(request)
        view = churn_view(kpi_engine_of(request), store, filters)
    except InputError as exc:
        return error_page(request, exc)
    return render(request, "dashboard/churn.html", page_context(request, filters, **view, title="Churn & retention"))
