"""Support: the ticket KPIs over the view, their trends, and every ticket KPI per team,
channel or agent, busiest first.
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

__all__ = ["SUPPORT_KPIS", "SUPPORT_SPLITS", "SUPPORT_TRENDS", "router", "support_view"]

router = APIRouter(include_in_schema=False)
SUPPORT_KPIS = (
    "ticket_volume",
    "first_response_median",
    "first_response_p90",
    "resolution_median",
    "first_contact_resolution",
    "reopen_rate",
    "handle_time",
)
SUPPORT_TRENDS = ("ticket_volume", "first_response_median", "first_contact_resolution")
SUPPORT_SPLITS = ("team", "channel", "agent")


def _groups(kpis, split: str, span: dict) -> list[tuple[str, dict[str, dict]]]:
    """Every support KPI per group of ``split``, the group with most tickets first."""
    table: dict[str, dict[str, dict]] = {}
    for m in SUPPORT_KPIS:
        for r in kpis.compute(m, by=[split], **span).rows:
            table.setdefault(r[split] if r[split] is not None else "(none)", {})[m] = r
    return sorted(table.items(), key=lambda kv: -(kv[1].get("ticket_volume") or {}).get("value", 0))


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
    return {
        "summary": summary,
        "trends": trends,
        "groups": _groups(kpis, split, span),
        "split": split,
        "kpis": SUPPORT_KPIS,
    }


@router.get("/support", response_class=HTMLResponse)
def support_page(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        split = request.query_params.get("split") or "team"
        view = support_view(kpi_engine_of(request), filters, split)
    except InputError as exc:
        return error_page(request, exc)
    return render(
        request,
        "dashboard/support.html",
        page_context(request, filters, **view, splits=SUPPORT_SPLITS, title="Support"),
    )
