"""The metrics a touchpoint can carry a target for, with their kind, unit and valid range.

Kinds follow Forrester: *interaction* (what happened), *perception* (what customers felt) and
*outcome* (what they did next). ``METRICS`` is a view of the KPI catalogue (``cxlens.catalog``):
its entries that a target may name. Journey files are validated against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from .catalog import CATALOGUE

__all__ = ["METRICS", "Metric", "SCALES", "default_scale", "format_target", "parse_duration", "written_target"]

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


METRICS: dict[str, Metric] = {
    k.name: Metric(k.name, k.kind, k.unit, *k.target_range, k.higher_is_better, k.label)
    for k in CATALOGUE.values()
    if k.target_range is not None
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


def written_target(metric: str) -> str:
    """A stored target's metric as a journeys file names it: first_response_median →
    "first_response_time (median)", the metric with the statistic its target is for."""
    entry = CATALOGUE[metric]
    return f"{entry.base} ({entry.statistic})" if entry.base and entry.base != metric else metric


def format_target(metric: str, value: float) -> str:
    """A target as a person writes it: ``2m`` for 120 seconds, ``85%``, ``40``."""
    unit = METRICS[metric].unit
    if unit == "seconds":
        for size, suffix in ((86400, "d"), (3600, "h"), (60, "m")):
            if value >= size and value % size == 0:
                return f"{value / size:g}{suffix}"
        return f"{value:g}s"
    return f"{value:g}%" if unit == "percent" else f"{value:g}"
