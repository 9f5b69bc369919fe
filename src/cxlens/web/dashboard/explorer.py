"""The Explorer: any KPI that is a value per group and period, split by one dimension, as a
chart and a table (the same table as CSV or Excel, see :mod:`.export`). With periods, each row
is compared with the period before; a change is flagged only when it survives
Benjamini–Hochberg across all the rows shown (:mod:`.significance`).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from ibis.common.exceptions import TableNotFound

from ...access import Session
from ...analytics.kpis import NAMES
from ...errors import InputError
from .. import charts
from ..deps import kpi_engine_of
from .filters import COMPARABLE, Filters, dimensions_of
from .format import label_of
from .render import error_page, page_context, render
from .session import current_session
from .significance import fdr_rows, footnote, page_q

__all__ = ["EXPLORABLE", "explore", "explorer_args", "router"]

router = APIRouter(include_in_schema=False)
# The special KPIs have their own shapes (cohort tables, survival curves, the map): they have
# pages of their own, not the Explorer's table of value per group and period.
EXPLORABLE = tuple(n for n in NAMES if n not in ("cohort_retention", "survival", "funnel", "touchpoint_health"))
# Customer-level outcomes are rates per period: without a grain they would mean nothing.
_ALWAYS_BY_PERIOD = ("churn_rate", "retention", "net_revenue_retention", "gross_revenue_retention")


def _options(metric: str, by: str | None, filters: Filters, with_grain: bool) -> dict[str, Any]:
    """The ``KPIs.compute`` keyword arguments of an Explorer view."""
    where, _ = filters.where_for(metric)
    grain = filters.grain if with_grain or metric in _ALWAYS_BY_PERIOD else None
    options: dict[str, Any] = {
        "by": [by] if by else [],
        "grain": grain,
        "since": filters.since,
        "until": filters.until,
        "where": where or None,
    }
    if grain and metric in COMPARABLE:
        options["compare"] = "previous"
    return options


def explore(kpis, metric: str, by: str | None, filters: Filters, with_grain: bool, q: float = 0.05) -> dict:
    """The rows, chart and compute() call of ``metric`` split ``by`` a dimension, per period
    unless ``with_grain`` is off. Compared rows get ``q_value`` and ``fdr_significant``:
    Benjamini–Hochberg at ``q`` over every row of the view that has a p-value (``tested``)."""
    if metric not in EXPLORABLE:
        raise InputError(f"metric={metric!r} is not one the Explorer shows; choose one of: {', '.join(EXPLORABLE)}")
    dims = dimensions_of(metric)
    if by and by not in dims:
        raise InputError(f"{label_of(metric)} cannot be split by {by}; it can by: {', '.join(dims)}")
    _, ignored = filters.where_for(metric)
    options = _options(metric, by, filters, with_grain)
    grain = options["grain"]
    try:
        result = kpis.compute(metric, **options)
    except TableNotFound as exc:
        # The tier-0 mirror copies the tables the KPI engine reads; one it lacks is an engine gap
        # to report, not a reason to answer 500.
        raise InputError(
            f"{label_of(metric)} cannot be computed on this store's analytics tier yet: "
            f"its copy lacks the table {exc}; ask another KPI, or query it with `cxlens kpi {metric}`"
        ) from None
    rows = [r for r in result.rows if r.get("value") is not None]
    tested = 0
    if options.get("compare"):
        rows = fdr_rows(rows, q)
        tested = sum(1 for r in rows if r["q_value"] is not None)
    return {
        "metric": metric,
        "by": by,
        "grain": grain,
        "rows": rows,
        "ignored": ignored,
        "dimensions": dims,
        "compute": options,
        "chart_spec": charts.explorer(
            chart_rows(rows, by) + other_rows(kpis, metric, rows, by, options), metric, by, grain
        )
        if rows
        else None,
        "chart_groups": chart_note(rows, by),
        "tested": tested,
        "q": q,
        "fdr_note": footnote(tested, q) if tested else None,
    }


CHART_GROUPS = 8  # lines a chart can show and a reader can tell apart
NO_GROUP = "(none)"
OTHER_GROUP = "other"  # the groups beyond CHART_GROUPS, computed as one


def _top_groups(rows: list[dict], by: str) -> list:
    totals: dict = {}
    for r in rows:
        totals[r.get(by)] = totals.get(r.get(by), 0) + (r.get("n") or 0)
    return sorted(totals, key=lambda g: -totals[g])[:CHART_GROUPS]


def chart_rows(rows: list[dict], by: str | None) -> list[dict]:
    """The rows the chart draws: the ``CHART_GROUPS`` groups with the most answers (every
    group stays in the table), and a group without a value named, never drawn as "null"."""
    if not by:
        return rows
    top = set(_top_groups(rows, by))
    return [{**r, by: NO_GROUP if r.get(by) is None else r[by]} for r in rows if r.get(by) in top]


def other_rows(kpis, metric: str, rows: list[dict], by: str | None, options: dict[str, Any]) -> list[dict]:
    """The groups the chart leaves out, as one line named "other": the KPI computed again over
    their answers together (a mean of their values would weigh a group of 3 like one of 300),
    with its own interval and n. Empty when every group is drawn."""
    if not by:
        return []
    top = set(_top_groups(rows, by))
    rest = sorted({r.get(by) for r in rows if r.get(by) not in top and r.get(by) is not None}, key=str)
    if not rest:
        return []
    where = dict(options.get("where") or {})
    where[by] = rest
    again = {k: v for k, v in options.items() if k not in ("by", "compare", "where")}
    found = kpis.compute(metric, by=[], where=where, **again).rows
    return [{**r, by: OTHER_GROUP} for r in found if r.get("value") is not None]


def chart_note(rows: list[dict], by: str | None) -> str | None:
    """What the chart leaves out, in words, when it shows only the largest groups."""
    if not by:
        return None
    groups = {r.get(by) for r in rows}
    if len(groups) <= CHART_GROUPS:
        return None
    return (
        f"The chart shows the {CHART_GROUPS} {by} groups with the most answers of {len(groups)} and the rest "
        f'together as "{OTHER_GROUP}"; the table lists all.'
    )


def explorer_args(request: Request) -> tuple[str, str | None, bool]:
    """The metric, the split and whether to show periods, from the query string."""
    q = request.query_params
    return q.get("metric") or "nps", q.get("by") or None, q.get("trend", "1") != "0"


@router.get("/explorer", response_class=HTMLResponse)
def explorer_page(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        metric, by, with_grain = explorer_args(request)
        view = explore(kpi_engine_of(request), metric, by, filters, with_grain, q=page_q(request.app.state.store))
    except InputError as exc:
        return error_page(request, exc)
    all_dims = sorted({d for m in EXPLORABLE for d in dimensions_of(m)})
    return render(
        request,
        "dashboard/explorer.html",
        page_context(
            request,
            filters,
            **view,
            metrics=EXPLORABLE,
            all_dimensions=all_dims,
            trend=with_grain,
            csv_link=f"/explorer.csv?{request.url.query}",
            title="Explorer",
        ),
    )
