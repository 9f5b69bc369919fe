"""A touchpoint's page: the KPIs it is measured by, their trends against its targets and their
breakdowns by channel, team and segment, then its latest comments and tickets.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from ...access import Session
from ...analytics.kpis import SPECS
from ...errors import InputError
from ...ingest.journeys import journey_tree
from ...store.reads import touchpoint_recent
from .. import charts
from ..deps import kpi_engine_of
from .filters import Filters, dimensions_of
from .render import error_page, page_context, render
from .session import current_session

__all__ = ["router", "touchpoint_view"]

router = APIRouter(include_in_schema=False)


def _touchpoint_info(store, key: str) -> dict | None:
    for j in journey_tree(store):
        for st in j["stages"]:
            for tp in st["touchpoints"]:
                if tp["key"] == key:
                    return tp | {"journey": j, "stage": st}
    return None


def _default_metrics(tp: dict) -> list[str]:
    """What a touchpoint is measured by: its targets' KPIs (each with the statistic its target
    names), else its survey scores."""
    wanted = [m for m in tp["targets"] if m in SPECS and "touchpoint" in dimensions_of(m)]
    return wanted or ["nps", "csat", "ces"]


def _breakdowns(kpis, metric: str, filters: Filters, where: dict) -> list[dict]:
    """The KPI by channel, team and segment, where it splits into more than one group (a
    dimension the view filters on has one group by definition)."""
    found = []
    for dim in ("channel", "team", "segment"):
        if dim in dimensions_of(metric) and dim not in filters.chosen():
            rows = kpis.compute(metric, by=[dim], since=filters.since, until=filters.until, where=where).rows
            rows = [r for r in rows if r.get(dim) is not None]
            if len(rows) > 1:
                found.append({"dimension": dim, "rows": rows, "chart": charts.breakdown(rows, metric, dim)})
    return found


def _section(kpis, tp: dict, metric: str, filters: Filters) -> dict | None:
    """One KPI at the touchpoint: its trend against the target, overall value and breakdowns;
    None when the view has no data for it."""
    where, ignored = filters.where_for(metric)
    where = where | {"touchpoint": [tp["key"]]}
    series = kpis.compute(metric, grain=filters.grain, since=filters.since, until=filters.until, where=where).rows
    if not series:
        return None
    overall = kpis.compute(metric, since=filters.since, until=filters.until, where=where).rows
    # Only a target of this very statistic: a median shown beside a mean's target misleads.
    target = tp["targets"].get(metric)
    return {
        "metric": metric,
        "series": series,
        "overall": overall[0] if overall else None,
        "ignored": ignored,
        "chart": charts.trend(series, metric, target=target, grain=filters.grain),
        "target": target,
        "breakdowns": _breakdowns(kpis, metric, filters, where),
    }


def touchpoint_view(kpis, store, key: str, filters: Filters) -> dict:
    """The touchpoint and a section per KPI it is measured by; 404 for an unknown key."""
    tp = _touchpoint_info(store, key)
    if tp is None:
        raise HTTPException(404, f"no touchpoint has the key {key!r}; the journey map lists them")
    sections = [s for s in (_section(kpis, tp, m, filters) for m in _default_metrics(tp)) if s is not None]
    return {"touchpoint": tp, "sections": sections}


@router.get("/touchpoints/{key}", response_class=HTMLResponse)
def touchpoint_page(request: Request, key: str, session: Session = Depends(current_session)):
    store = request.app.state.store
    try:
        filters = Filters.from_request(request)
        view = touchpoint_view(kpi_engine_of(request), store, key, filters)
        comments, ticket_rows = touchpoint_recent(
            store,
            key,
            filters.since,
            filters.until,
            segment=filters.segment,
            channel=filters.channel,
            team=filters.team_names(),
        )
    except InputError as exc:
        return error_page(request, exc)
    return render(
        request,
        "dashboard/touchpoint.html",
        page_context(
            request, filters, **view, comments=comments, tickets=ticket_rows, title=view["touchpoint"]["name"]
        ),
    )
