"""The metrics a touchpoint can carry a target for, with their kind, unit and valid range.

Kinds follow Forrester: *interaction* (what happened), *perception* (what customers felt) and
*outcome* (what they did next). The catalog is shared by journey files (targets are validated
against it) and, later, the KPI engine (which computes these names).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

__all__ = ["METRICS", "Metric", "SCALES", "default_scale", "format_target", "parse_duration"]

Kind = Literal["interaction", "perception", "outcome"]


@dataclass(frozen=True)
class Metric:
    name: str
    kind: Kind
    unit: Literal["score", "percent", "seconds", "stars", "money", "count"]
    low: float
    high: float
    higher_is_better: bool
    label: str


def _m(name, kind, unit, low, high, better, label):
    return Metric(name, kind, unit, low, high, better, label)


_INF = float("inf")

METRICS: dict[str, Metric] = {
    m.name: m
    for m in [
        _m("nps", "perception", "score", -100, 100, True, "Net Promoter Score"),
        _m("csat", "perception", "percent", 0, 100, True, "CSAT, % satisfied"),
        _m("ces", "perception", "percent", 0, 100, True, "CES, % agreeing it was easy"),
        _m("ces_mean", "perception", "score", 1, 7, True, "CES, mean agreement"),
        _m("sentiment", "perception", "score", -1, 1, True, "Mean sentiment"),
        _m("rating", "perception", "stars", 0, 5, True, "Mean review rating"),
        _m("response_rate", "interaction", "percent", 0, 100, True, "Survey response rate"),
        _m("first_response_time", "interaction", "seconds", 0, _INF, False, "First response time"),
        _m("resolution_time", "interaction", "seconds", 0, _INF, False, "Resolution time"),
        _m("handle_time", "interaction", "seconds", 0, _INF, False, "Handle time"),
        _m("first_contact_resolution", "interaction", "percent", 0, 100, True, "First-contact resolution"),
        _m("reopen_rate", "interaction", "percent", 0, 100, False, "Reopen rate"),
        _m("conversion", "interaction", "percent", 0, 100, True, "Conversion to the next touchpoint"),
        _m("ticket_volume", "interaction", "count", 0, _INF, False, "Tickets"),
        _m("churn_rate", "outcome", "percent", 0, 100, False, "Churn rate"),
        _m("retention", "outcome", "percent", 0, 100, True, "Retention"),
        _m("net_revenue_retention", "outcome", "percent", 0, 1000, True, "Net revenue retention"),
        _m("gross_revenue_retention", "outcome", "percent", 0, 100, True, "Gross revenue retention"),
        _m("clv", "outcome", "money", -_INF, _INF, True, "Customer lifetime value"),
    ]
}

# Allowed answer scales per scored survey metric; the first is the default (DESIGN.md §2).
# A two-point CSAT scale holds helpdesk "bad/good" ratings (Zendesk): 1 = bad, 2 = good.
SCALES: dict[str, tuple[tuple[int, int], ...]] = {
    "nps": ((0, 10),),
    "csat": ((1, 5), (1, 3), (1, 10), (1, 2)),
    "ces": ((1, 7), (1, 5)),
}


def default_scale(metric: str) -> tuple[int, int]:
    return SCALES[metric][0]


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d)?\s*$")
_UNIT_SECONDS = {None: 1, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_duration(value: object) -> float | None:
    """Seconds in ``value`` (a number of seconds, or text such as ``"90s"``, ``"4h"``, ``"2d"``).

    Returns None when it is not a duration."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    match = _DURATION.match(str(value))
    if not match:
        return None
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def format_target(metric: str, value: float) -> str:
    """A target as a person writes it: ``2m`` for 120 seconds, ``85%``, ``40``."""
    unit = METRICS[metric].unit
    if unit == "seconds":
        for size, suffix in ((86400, "d"), (3600, "h"), (60, "m")):
            if value >= size and value % size == 0:
                return f"{value / size:g}{suffix}"
        return f"{value:g}s"
    return f"{value:g}%" if unit == "percent" else f"{value:g}"
