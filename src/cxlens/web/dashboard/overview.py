"""The Overview: one tile per headline KPI, in the order a CX lead reads them (perception,
interaction, outcome), each with its latest period, the change from the one before, whether
that change is significant (Benjamini–Hochberg across the tiles shown, :mod:`.significance`),
and a sparkline; then the journeys and the store's row counts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from ...access import Session
from ...errors import InputError
from ...ingest.journeys import journey_tree
from ...metrics import METRICS
from .. import charts
from ..deps import kpi_engine_of
from .filters import COMPARABLE, Filters, periods_back
from .format import base_metric, format_period, label_of
from .render import error_page, page_context, render
from .session import current_session
from .significance import fdr_rows, footnote, page_q

__all__ = ["TILES", "Tile", "correct_tiles", "router", "tile_query"]

router = APIRouter(include_in_schema=False)
# First response time is the median: the mean of a skewed duration misleads (DESIGN.md §5).
TILES = (
    "nps",
    "csat",
    "ces",
    "first_response_median",
    "first_contact_resolution",
    "churn_rate",
    "net_revenue_retention",
)


@dataclass
class Tile:
    """One KPI on the Overview."""

    metric: str
    label: str
    row: dict | None  # the latest period's KPI row
    series: list[dict]
    ignored: list[str]
    chart: dict | None
    link: str
    note: str | None = None
    q_value: float | None = None  # Benjamini–Hochberg across the tiles shown (correct_tiles)
    fdr_significant: bool = False

    @property
    def significant(self) -> bool:
        """Flagged: the change survives the correction across the tiles (its own test alone,
        ``row["significant"]``, is not enough)."""
        return bool(self.row and self.fdr_significant)

    @property
    def direction(self) -> str | None:
        """'better' or 'worse' for a significant change, by whether higher is better."""
        if not self.significant or self.row.get("change") is None:
            return None
        m = METRICS.get(base_metric(self.metric))
        higher = m.higher_is_better if m else True
        return "better" if (self.row["change"] > 0) == higher else "worse"


def tile_query(metric: str, filters: Filters) -> dict:
    """The KPI call behind a tile, as keyword arguments of ``KPIs.compute``: what the browser
    tests ask the KPI API for to check the tile."""
    where, _ = filters.where_for(metric)
    options = {"grain": filters.grain, "since": filters.since, "until": filters.until, "where": where or None}
    if metric in COMPARABLE:
        options["compare"] = "previous"
    return options


def _tile(kpis, metric: str, filters: Filters) -> Tile:
    """A tile shows the latest period with data, and says so when that is not the last one."""
    _, ignored = filters.where_for(metric)
    result = kpis.compute(metric, **tile_query(metric, filters))
    series = sorted((r for r in result.rows if r.get("value") is not None), key=lambda r: r["period"])
    row = series[-1] if series else None
    note = None
    if row is not None and row["period"].date() != periods_back(filters.until, filters.grain, 1):
        note = f"latest with data: {format_period(row['period'], filters.grain)}"
    link = f"/explorer?{filters.query(metric=metric)}"
    return Tile(
        metric,
        label_of(metric),
        row,
        series,
        ignored,
        charts.sparkline(series, metric) if len(series) > 1 else None,
        link,
        note,
    )


def correct_tiles(tiles: list[Tile], q: float) -> int:
    """Benjamini–Hochberg at ``q`` over the tiles' latest changes; sets each tile's q-value and
    flag, and returns how many tiles had a change to test."""
    shown = [t for t in tiles if t.row is not None]
    corrected = fdr_rows([t.row for t in shown], q)
    for tile, row in zip(shown, corrected):
        tile.q_value, tile.fdr_significant = row["q_value"], row["fdr_significant"]
    return sum(1 for r in corrected if r["q_value"] is not None)


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


@router.get("/", response_class=HTMLResponse)
def overview(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        engine = kpi_engine_of(request)
        tiles = [_tile(engine, m, filters) for m in TILES]
        today = datetime.now(UTC).date()
    except InputError as exc:
        return error_page(request, exc)
    store = request.app.state.store
    q = page_q(store)
    tested = correct_tiles(tiles, q)
    return render(
        request,
        "dashboard/overview.html",
        page_context(
            request,
            filters,
            tiles=tiles,
            journeys=journey_tree(store),
            counts=_row_counts(request),
            fdr_note=footnote(tested, q, "tiles") if tested else None,
            title="Overview",
            live=filters.until > today,
            tomorrow=str(today + timedelta(days=1)),
        ),
    )
