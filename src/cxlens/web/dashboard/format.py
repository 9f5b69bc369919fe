"""How the dashboard writes numbers, durations, periods and chart specs.

One place, so that a tile, a table and a test (the browser tests format the API's value with
:func:`format_value` to find it on the page) write the same value the same way.
"""

from __future__ import annotations

import json
from datetime import datetime

from ... import catalog

__all__ = [
    "base_metric",
    "chart_json",
    "format_interval",
    "format_p",
    "format_period",
    "format_value",
    "label_of",
    "unit_of",
]


def base_metric(metric: str) -> str:
    """The :data:`~cxlens.metrics.METRICS` entry a KPI belongs to (``first_response_median`` and
    ``first_response_p90`` are statistics of ``first_response_time``), from the KPI catalogue."""
    return catalog.base_metric(metric)


def unit_of(metric: str) -> str:
    """seconds, percent, count or score: what decides how a value is written."""
    return catalog.unit(metric) or "score"


def label_of(metric: str) -> str:
    """A KPI's name for people, saying which statistic of a duration it is."""
    return catalog.label(metric)


def duration(seconds: float) -> str:
    """Seconds in the unit a person reads them in: 45 s, 12.5 min, 3.2 h, 4.0 d."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 3 * 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} d"


def format_value(metric: str, value: float | None) -> str:
    """How a page writes a KPI value: the browser tests format the API's value with this too."""
    if value is None or value != value:
        return "–"
    unit = unit_of(metric)
    if unit == "seconds":
        return duration(value)
    if unit == "percent":
        return f"{value:.1f} %"
    if unit == "count":
        return f"{value:,.0f}"
    if metric == "nps":
        return f"{value:+.1f}"
    return f"{value:.2f}"


def format_p(name: str, value: float | None) -> str:
    """``p = 0.347``, or ``p < 0.001`` where three decimals would round to a misleading 0."""
    if value is None:
        return f"{name} unknown"
    return f"{name} < 0.001" if value < 0.0005 else f"{name} = {value:.3f}"


def format_interval(metric: str, low: float | None, high: float | None) -> str:
    """An interval as "low – high"; "no interval" when one bound is missing or infinite (a
    single answer), nothing for a count, which is exact."""
    if unit_of(metric) == "count":
        return ""
    if (
        low is None
        or high is None
        or low != low
        or high != high
        or abs(low) == float("inf")
        or abs(high) == float("inf")
    ):
        return "no interval"
    if unit_of(metric) == "seconds":
        return f"{duration(low)} – {duration(high)}"
    return f"{format_value(metric, low)} – {format_value(metric, high)}".replace(" % –", " –")


def format_period(period: datetime | None, grain: str) -> str:
    """A period by its grain: "Mar 2026", "Q1 2026", "week of 02 Mar 2026"."""
    if period is None:
        return "whole range"
    if grain == "month":
        return period.strftime("%b %Y")
    if grain == "quarter":
        return f"Q{(period.month - 1) // 3 + 1} {period.year}"
    if grain == "year":
        return str(period.year)
    if grain == "week":
        return f"week of {period:%d %b %Y}"
    return f"{period:%d %b %Y}"


def chart_json(spec: dict) -> str:
    """A spec as JSON safe inside <script type="application/json">: '<' never reaches the HTML."""
    return (
        json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    )
