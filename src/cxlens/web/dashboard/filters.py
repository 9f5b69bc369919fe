"""A view's filters, read from and written to the query string, and what each KPI can be
filtered, sliced and compared by.

The filters live in the URL so that a filtered view is a link someone can share, and so that
every page computes its numbers with the same ``since``/``until``/``where`` as
``cxlens.kpi(store).compute(...)`` would for that link.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from fastapi import Request

from ... import catalog, periods
from ...analytics.kpis import (
    GRAINS,
    SPECS,
)
from ...errors import InputError
from ...ingest.journeys.teams import covered_teams, read_teams

__all__ = [
    "COMPARABLE",
    "DEFAULT_SPAN",
    "FILTER_DIMENSIONS",
    "Filters",
    "dimensions_of",
    "period_start",
    "periods_back",
    "team_mapping",
]

FILTER_DIMENSIONS = ("journey", "segment", "channel", "team")
# How many periods a view shows by default, per grain.
DEFAULT_SPAN = {"day": 30, "week": 13, "month": 12, "quarter": 8, "year": 5}
# KPIs whose compute() takes compare= (the aggregations); the special ones have their own shape.
COMPARABLE = set(SPECS)
# The dimensions of each source of fact rows a KPI reads (analytics' public constants).


def _moment(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def period_start(day: date, grain: str) -> date:
    """The first day of the period of ``grain`` that holds ``day`` (weeks start on Monday)."""
    return periods.start(_moment(day), grain).date()


def periods_back(day: date, grain: str, n: int) -> date:
    """``n`` periods before ``day``, a period's start (for month and longer grains, the 1st)."""
    if grain in ("day", "week"):
        return periods.step(_moment(day), grain, -n).date()
    return periods.step(periods.start(_moment(day), "month"), grain, -n).date()


def _parse_date(text: str | None, name: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name}={text!r} is not a date like 2026-01-31") from None


@dataclass(frozen=True)
class Filters:
    """The view's filters, read from and written to the query string.

    ``until`` is the day after the last one shown. By default a view ends where the current
    period starts (the last complete one: a period under way has too few answers to compare)
    and goes back ``DEFAULT_SPAN`` periods."""

    grain: str = "month"
    since: date | None = None
    until: date | None = None
    journey: str | None = None
    segment: str | None = None
    channel: str | None = None
    team: str | None = None
    explicit: dict = field(default_factory=dict, compare=False)  # what the URL said, for links
    # The helpdesk teams each journey team covers (the journeys file's ``teams:``).
    teams: dict = field(default_factory=dict, compare=False)

    @classmethod
    def from_request(cls, request: Request, today: date | None = None) -> Filters:
        q = request.query_params
        grain = q.get("grain") or "month"
        if grain not in GRAINS:
            raise InputError(f"grain={grain!r} is not known; use one of: {', '.join(GRAINS)}")
        today = today or datetime.now(UTC).date()
        until = _parse_date(q.get("until"), "until") or period_start(today, grain)
        since = _parse_date(q.get("since"), "since") or periods_back(
            period_start(until, grain), grain, DEFAULT_SPAN[grain]
        )
        if since >= until:
            raise InputError(f"since={since} is not before until={until}: the view would be empty")
        dims = {d: (q.get(d) or None) for d in FILTER_DIMENSIONS}
        explicit = {k: v for k, v in q.items() if k in ("grain", "since", "until", *FILTER_DIMENSIONS) and v}
        teams = team_mapping(request) if dims["team"] else {}
        return cls(grain=grain, since=since, until=until, explicit=explicit, teams=teams, **dims)

    def chosen(self) -> dict[str, str]:
        """The filter dimensions given a value."""
        return {d: getattr(self, d) for d in FILTER_DIMENSIONS if getattr(self, d)}

    def team_names(self) -> list[str]:
        """The team names the team filter finds: the team and the helpdesk teams it covers
        (an answer's team is its touchpoint's, a ticket's its helpdesk's: both are kept)."""
        return covered_teams(self.teams, self.team) if self.team else []

    def where_for(self, metric: str) -> tuple[dict[str, list[str]], list[str]]:
        """(the filters ``metric`` can be sliced by, the chosen ones it cannot)."""
        dims = dimensions_of(metric)
        where = {d: self.team_names() if d == "team" else [v] for d, v in self.chosen().items() if d in dims}
        ignored = [d for d in self.chosen() if d not in dims]
        return where, ignored

    def query(self, **changes) -> str:
        """The query string of this view with ``changes`` (a None value removes its key)."""
        params = dict(self.explicit)
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        return urlencode(params)


def team_mapping(request: Request) -> dict[str, list[str]]:
    """The stored ``teams:`` mapping, read again at most once a minute (one settings row)."""
    state = request.app.state
    cached = getattr(state, "dashboard_teams", None)
    if cached and time.monotonic() - cached[0] < 60:
        return cached[1]
    with state.store.engine.connect() as conn:
        mapping = read_teams(conn)
    state.dashboard_teams = (time.monotonic(), mapping)
    return mapping


def dimensions_of(metric: str) -> tuple[str, ...]:
    """The dimensions a KPI can be sliced and filtered by (the KPI catalogue's)."""
    return catalog.dimensions(metric)
