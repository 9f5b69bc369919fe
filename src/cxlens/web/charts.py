"""Vega-Lite specs built in Python, one function per kind of chart the dashboard draws.

Each function takes KPI rows (``KPIResult.rows``: value, low, high, n, period …) and returns a
plain dict that ``vega-embed`` renders in the browser. The data travels inside the spec, so a
chart shows exactly the numbers of the table beside it. Charts say what they show: every axis
has a title with its unit; intervals are drawn as bands or whiskers, never left out.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from ..metrics import METRICS

__all__ = [
    "SCHEMA",
    "breakdown",
    "cohort_heatmap",
    "counts",
    "duration_scale",
    "explorer",
    "funnel",
    "reasons_over_time",
    "sparkline",
    "survival_curve",
    "topic_trend",
    "trend",
    "values",
]

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier: nothing is fetched
_FONT = "system-ui, sans-serif"
_CONFIG = {
    "font": _FONT,
    "view": {"stroke": None},
    "axis": {"labelFontSize": 11, "titleFontSize": 11, "grid": True, "gridOpacity": 0.4},
    "background": None,
}
_LINE = "#2563eb"
_BAND = "#93c5fd"


_TICKS = {
    "day": ({"interval": "day"}, "%d %b"),
    "week": ({"interval": "week"}, "%d %b"),
    "month": ({"interval": "month"}, "%b %y"),
    "quarter": ({"interval": "month", "step": 3}, "%b %y"),
    "year": ({"interval": "year"}, "%Y"),
}


def _time_axis(grain: str | None) -> dict:
    """An x axis whose ticks fall on the periods' starts (Vega's own pick is every other week)."""
    x = {"field": "period", "type": "temporal", "title": None}
    if grain in _TICKS:
        ticks, fmt = _TICKS[grain]
        x["axis"] = {"tickCount": ticks, "format": fmt, "labelOverlap": True}
    return x


def duration_scale(seconds: list[float | None]) -> tuple[float, str]:
    """(divisor, unit) that keeps durations readable: minutes under three hours, else hours."""
    top = max((abs(s) for s in seconds if s is not None and math.isfinite(s)), default=0)
    if top >= 3 * 3600:
        return 3600.0, "hours"
    if top >= 180:
        return 60.0, "minutes"
    return 1.0, "seconds"


def _unit(metric: str) -> str:
    m = METRICS.get(_base(metric))
    return m.unit if m else "score"


def _base(metric: str) -> str:
    """The catalog's name of a KPI variant: first_response_p90 → first_response_time."""
    for prefix in ("first_response", "resolution"):
        if metric.startswith(prefix):
            return f"{prefix}_time"
    return metric


def _axis_title(metric: str, unit: str | None = None) -> str:
    m = METRICS.get(_base(metric))
    label = m.label if m else metric.replace("_", " ")
    if metric.endswith("_median"):
        label += ", median"
    elif metric.endswith("_p90"):
        label += ", 90th percentile"
    return f"{label} ({unit})" if unit else label


def _clean(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if isinstance(v, datetime | date):
        return v.isoformat()
    return v


def values(rows: list[dict], metric: str, keys: list[str] = ()) -> tuple[list[dict], str | None]:
    """Chart rows: keys, period, value, low, high, n; durations scaled to minutes or hours.
    Returns (rows, unit) where unit names what a duration was divided into."""
    divisor, unit = 1.0, None
    if _unit(metric) == "seconds":
        divisor, unit = duration_scale([r.get("value") for r in rows])
    elif _unit(metric) == "percent":
        unit = "%"
    out = []
    for r in rows:
        row = {k: _clean(r.get(k)) for k in (*keys, "period") if k in r}
        for k in ("value", "low", "high"):
            v = _clean(r.get(k))
            row[k] = v / divisor if isinstance(v, int | float) else v
        row["n"] = r.get("n")
        out.append(row)
    return out, unit


def sparkline(rows: list[dict], metric: str) -> dict:
    """A tile's trend: the value per period as a thin line with its interval as a faint band;
    no axes (the tile carries the number), a tooltip per point."""
    data, _ = values(rows, metric)
    x = {"field": "period", "type": "temporal", "axis": None}
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 36,
        "config": _CONFIG | {"view": {"stroke": None}},
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.25, "color": _BAND},
                "encoding": {
                    "x": x,
                    "y": {"field": "low", "type": "quantitative", "axis": None, "scale": {"zero": False}},
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "line", "color": _LINE, "point": {"size": 12, "color": _LINE}},
                "encoding": {
                    "x": x,
                    "y": {"field": "value", "type": "quantitative", "axis": None},
                    "tooltip": _tooltip(metric, with_period=True),
                },
            },
        ],
    }


def _tooltip(metric: str, *, with_period: bool = False, keys: list[str] = ()) -> list[dict]:
    tips = [{"field": k, "type": "nominal"} for k in keys]
    if with_period:
        tips.append({"field": "period", "type": "temporal", "title": "period"})
    return tips + [
        {"field": "value", "type": "quantitative", "format": ".1f", "title": "value"},
        {"field": "low", "type": "quantitative", "format": ".1f", "title": "low"},
        {"field": "high", "type": "quantitative", "format": ".1f", "title": "high"},
        {"field": "n", "type": "quantitative", "title": "n"},
    ]


def trend(rows: list[dict], metric: str, *, target: float | None = None, grain: str | None = None) -> dict:
    """Value per period with its confidence interval as a band, and the target as a dashed
    rule when there is one."""
    data, unit = values(rows, metric)
    title = _axis_title(metric, unit)
    x = _time_axis(grain)
    layers: list[dict] = [
        {
            "mark": {"type": "area", "opacity": 0.3, "color": _BAND},
            "encoding": {
                "x": x,
                "y": {"field": "low", "type": "quantitative", "title": title, "scale": {"zero": False}},
                "y2": {"field": "high"},
            },
        },
        {
            "mark": {"type": "line", "color": _LINE, "point": True},
            "encoding": {
                "x": x,
                "y": {"field": "value", "type": "quantitative"},
                "tooltip": _tooltip(metric, with_period=True),
            },
        },
    ]
    if target is not None:
        divisor = 1.0
        if _unit(metric) == "seconds":
            divisor, _ = duration_scale([r.get("value") for r in rows])
        layers.append(
            {
                "data": {"values": [{"target": target / divisor}]},
                "mark": {"type": "rule", "strokeDash": [4, 4], "color": "#b45309"},
                "encoding": {"y": {"field": "target", "type": "quantitative"}},
            }
        )
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 180,
        "config": _CONFIG,
        "data": {"values": data},
        "layer": layers,
    }


def breakdown(rows: list[dict], metric: str, dimension: str) -> dict:
    """One bar per group with its interval as a whisker, largest first."""
    data, unit = values(rows, metric, [dimension])
    y = {"field": dimension, "type": "nominal", "title": dimension, "sort": "-x"}
    title = _axis_title(metric, unit)
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": {"step": 22},
        "config": _CONFIG,
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "bar", "color": _BAND},
                "encoding": {
                    "y": y,
                    "x": {"field": "value", "type": "quantitative", "title": title},
                    "tooltip": _tooltip(metric, keys=[dimension]),
                },
            },
            {
                "mark": {"type": "rule", "color": "#1e3a8a"},
                "encoding": {"y": y, "x": {"field": "low", "type": "quantitative"}, "x2": {"field": "high"}},
            },
        ],
    }


def funnel(rows: list[dict]) -> dict:
    """Customers reaching each step of one journey, as bars in map order."""
    data = [
        {
            "step": r["step"],
            "touchpoint": r["touchpoint"],
            "reached": r.get("reached", 0),
            "conversion": _clean(r.get("value")),
            "drop_off": _clean(r.get("drop_off")),
        }
        for r in rows
    ]
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 160,
        "config": _CONFIG,
        "data": {"values": data},
        "mark": {"type": "bar", "color": _LINE},
        "encoding": {
            "x": {
                "field": "touchpoint",
                "type": "nominal",
                "sort": {"field": "step"},
                "title": None,
                "axis": {"labelAngle": 0, "labelLimit": 120},
            },
            "y": {"field": "reached", "type": "quantitative", "title": "customers reaching it"},
            "tooltip": [
                {"field": "touchpoint"},
                {"field": "reached", "type": "quantitative"},
                {"field": "conversion", "type": "quantitative", "format": ".1f", "title": "% from previous"},
                {"field": "drop_off", "type": "quantitative", "format": ".1f", "title": "% dropped"},
            ],
        },
    }


def explorer(rows: list[dict], metric: str, dimension: str | None, grain: str | None) -> dict:
    """The Explorer's chart: a line per group over time when there is a grain, else bars."""
    if grain and not dimension:
        return trend(rows, metric, grain=grain)
    if not grain:
        if dimension:
            return breakdown(rows, metric, dimension)
        return breakdown([{**r, "all": "all"} for r in rows], metric, "all")
    data, unit = values(rows, metric, [dimension])
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 240,
        "config": _CONFIG,
        "data": {"values": data},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": _time_axis(grain),
            "y": {
                "field": "value",
                "type": "quantitative",
                "title": _axis_title(metric, unit),
                "scale": {"zero": False},
            },
            "color": {"field": dimension, "type": "nominal", "title": dimension},
            "tooltip": _tooltip(metric, with_period=True, keys=[dimension]),
        },
    }


def cohort_heatmap(rows: list[dict], grain: str) -> dict:
    """Cohort retention: one row per sign-up cohort, one column per age (periods since
    sign-up), each cell the % still a customer (n in the tooltip)."""
    data = [
        {
            "cohort": _clean(r["cohort"]),
            "age": r["age"],
            "value": _clean(r.get("value")),
            "low": _clean(r.get("low")),
            "high": _clean(r.get("high")),
            "n": r.get("n"),
        }
        for r in rows
    ]
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": {"step": 18},
        "config": _CONFIG,
        "data": {"values": data},
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "age", "type": "ordinal", "title": f"{grain}s since sign-up"},
            "y": {
                "field": "cohort",
                "type": "ordinal",
                "timeUnit": "yearmonthdate",
                "title": "sign-up cohort",
                "axis": {"format": "%b %Y"},
            },
            "color": {
                "field": "value",
                "type": "quantitative",
                "title": "% retained",
                "scale": {"scheme": "blues", "domain": [0, 100]},
            },
            "tooltip": [
                {"field": "cohort", "type": "temporal", "format": "%b %Y"},
                {"field": "age", "type": "ordinal"},
                {"field": "value", "type": "quantitative", "format": ".1f", "title": "% retained"},
                {"field": "n", "type": "quantitative"},
            ],
        },
    }


def survival_curve(rows: list[dict], grain: str) -> dict:
    """Kaplan–Meier: % of customers still a customer after t periods, with its interval band."""
    data = [
        {
            "time": r["time"],
            "value": _clean(r.get("value")),
            "low": _clean(r.get("low")),
            "high": _clean(r.get("high")),
            "n": r.get("n"),
        }
        for r in rows
    ]
    x = {"field": "time", "type": "quantitative", "title": f"{grain}s since sign-up"}
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 200,
        "config": _CONFIG,
        "data": {"values": data},
        "layer": [
            {
                "mark": {"type": "area", "opacity": 0.3, "color": _BAND, "interpolate": "step-after"},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "low",
                        "type": "quantitative",
                        "title": "% still a customer",
                        "scale": {"zero": False},
                    },
                    "y2": {"field": "high"},
                },
            },
            {
                "mark": {"type": "line", "color": _LINE, "interpolate": "step-after"},
                "encoding": {
                    "x": x,
                    "y": {"field": "value", "type": "quantitative"},
                    "tooltip": [
                        {"field": "time", "type": "quantitative", "title": f"{grain}s"},
                        {"field": "value", "type": "quantitative", "format": ".1f", "title": "% surviving"},
                        {"field": "n", "type": "quantitative", "title": "at risk"},
                    ],
                },
            },
        ],
    }


def counts(rows: list[dict], field: str, title: str) -> dict:
    """Plain counts per category (e.g. churn reasons), largest first."""
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": {"step": 22},
        "config": _CONFIG,
        "data": {"values": rows},
        "mark": {"type": "bar", "color": _BAND},
        "encoding": {
            "y": {"field": field, "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "n", "type": "quantitative", "title": title},
            "tooltip": [{"field": field}, {"field": "n", "type": "quantitative"}],
        },
    }


def topic_trend(rows: list[dict], grain: str) -> dict:
    """A line per topic: the % of the period's analysed texts whose main topic it is (rows of
    :func:`cxlens.text.insights.topic_trend`; the interval and n are in the tooltip and the table)."""
    data = [
        {
            "topic": r["topic"],
            "period": _clean(r["period"]),
            "value": _clean(r["value"]),
            "low": _clean(r["low"]),
            "high": _clean(r["high"]),
            "n": r["n"],
            "total": r["total"],
        }
        for r in rows
    ]
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 240,
        "config": _CONFIG,
        "data": {"values": data},
        "mark": {"type": "line", "point": True},
        "encoding": {
            "x": _time_axis(grain),
            "y": {"field": "value", "type": "quantitative", "title": "% of analysed texts"},
            "color": {
                "field": "topic",
                "type": "nominal",
                "title": "topic",
                "legend": {"orient": "bottom", "columns": 2},
            },
            "tooltip": [
                {"field": "period", "type": "temporal", "title": grain},
                {"field": "topic", "type": "nominal"},
                {"field": "value", "type": "quantitative", "format": ".1f", "title": "% of texts"},
                {"field": "low", "type": "quantitative", "format": ".1f", "title": "95 % from"},
                {"field": "high", "type": "quantitative", "format": ".1f", "title": "95 % to"},
                {"field": "n", "type": "quantitative", "title": "texts"},
                {"field": "total", "type": "quantitative", "title": "all texts"},
            ],
        },
    }


def reasons_over_time(rows: list[dict], grain: str) -> dict:
    """Customers who left per period, stacked by the reason they gave (rows: period, reason, n)."""
    data = [{"period": r["period"].isoformat(), "reason": r["reason"], "n": r["n"]} for r in rows]
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 220,
        "config": _CONFIG | {"legend": {"orient": "bottom", "columns": 2}},
        "data": {"values": data},
        "mark": {"type": "bar"},
        "encoding": {
            "x": _time_axis(grain) | {"timeUnit": "yearmonth"},
            "y": {"field": "n", "type": "quantitative", "aggregate": "sum", "title": "customers who left"},
            "color": {"field": "reason", "type": "nominal", "title": None},
            "tooltip": [
                {"field": "period", "type": "temporal", "format": "%b %Y"},
                {"field": "reason"},
                {"field": "n", "type": "quantitative"},
            ],
        },
    }
