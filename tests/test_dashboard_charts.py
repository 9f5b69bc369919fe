"""The Vega-Lite specs the dashboard draws: data equal to the KPI rows, axes that say their
unit, intervals drawn, and JSON that cannot close its <script> tag."""

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxlens.web import charts
from cxlens.web.dashboard import chart_json, format_interval, format_value

ROWS = [
    {
        "period": datetime(2026, m, 1, tzinfo=UTC),
        "value": 20.0 + m,
        "low": 10.0 + m,
        "high": 30.0 + m,
        "n": 100 * m,
        "method": "adjusted-wald",
    }
    for m in (1, 2, 3)
]


def _layers(spec):
    return {
        layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"]: layer for layer in spec["layer"]
    }


def test_a_sparkline_draws_the_value_and_its_interval_without_axes():
    spec = charts.sparkline(ROWS, "nps")
    assert spec["$schema"].endswith("vega-lite/v6.json")
    assert [d["value"] for d in spec["data"]["values"]] == [21.0, 22.0, 23.0]
    assert spec["data"]["values"][0]["period"] == "2026-01-01T00:00:00+00:00"
    layers = _layers(spec)
    assert layers["area"]["encoding"]["y"]["field"] == "low" and layers["area"]["encoding"]["y2"]["field"] == "high"
    assert layers["line"]["encoding"]["y"]["axis"] is None


def test_a_trend_titles_its_axis_with_the_unit_and_draws_the_target():
    spec = charts.trend(ROWS, "csat", target=85)
    layers = _layers(spec)
    assert layers["area"]["encoding"]["y"]["title"] == "CSAT, % satisfied (%)"
    assert layers["rule"]["data"]["values"] == [{"target": 85}]


def test_durations_are_drawn_in_minutes_or_hours():
    rows = [{**r, "value": r["value"] * 60, "low": r["low"] * 60, "high": r["high"] * 60} for r in ROWS]
    spec = charts.trend(rows, "first_response_median", target=1800)
    layers = _layers(spec)
    assert layers["area"]["encoding"]["y"]["title"] == "First response time, median (minutes)"
    assert [d["value"] for d in spec["data"]["values"]] == [21.0, 22.0, 23.0]
    assert layers["rule"]["data"]["values"] == [{"target": 30.0}]
    assert charts.duration_scale([20_000.0]) == (3600.0, "hours")
    assert charts.duration_scale([100.0, None]) == (1.0, "seconds")


def test_an_unbounded_interval_becomes_null_not_infinity():
    data, _ = charts.values([{"value": 5.0, "low": float("-inf"), "high": float("inf"), "n": 1}], "nps")
    assert data == [{"value": 5.0, "low": None, "high": None, "n": 1}]


def test_breakdown_bars_carry_whiskers_and_sort_largest_first():
    rows = [
        {"channel": c, "value": v, "low": v - 5, "high": v + 5, "n": 40} for c, v in (("chat", 70.0), ("email", 60.0))
    ]
    spec = charts.breakdown(rows, "csat", "channel")
    layers = _layers(spec)
    assert layers["bar"]["encoding"]["y"] == {"field": "channel", "type": "nominal", "title": "channel", "sort": "-x"}
    assert layers["rule"]["encoding"]["x"]["field"] == "low" and layers["rule"]["encoding"]["x2"]["field"] == "high"


def test_explorer_picks_lines_per_group_over_time_and_bars_otherwise():
    grouped = [{**r, "segment": s} for r in ROWS for s in ("smb", "enterprise")]
    over_time = charts.explorer(grouped, "nps", "segment", "month")
    assert over_time["mark"]["type"] == "line" and over_time["encoding"]["color"]["field"] == "segment"
    assert "layer" in charts.explorer(ROWS, "nps", None, "month")
    assert _layers(charts.explorer([{**ROWS[0], "segment": "smb"}], "nps", "segment", None))["bar"]
    assert charts.explorer([ROWS[0]], "nps", None, None)["data"]["values"][0]["all"] == "all"


def test_funnel_keeps_map_order():
    rows = [
        {"step": 1, "touchpoint": "visit", "reached": 100, "value": 100.0, "drop_off": 0.0},
        {"step": 2, "touchpoint": "cart", "reached": 40, "value": 40.0, "drop_off": 60.0},
    ]
    spec = charts.funnel(rows)
    assert spec["encoding"]["x"]["sort"] == {"field": "step"}
    assert [d["reached"] for d in spec["data"]["values"]] == [100, 40]


@given(st.text())
def test_chart_json_never_lets_text_close_the_script_tag(text):
    out = chart_json({"data": {"values": [{"comment": text}]}})
    assert "<" not in out and ">" not in out and "&" not in out
    import json

    assert json.loads(out)["data"]["values"][0]["comment"] == text


@pytest.mark.parametrize(
    "metric,value,shown",
    [
        ("nps", 19.74, "+19.7"),
        ("nps", -3.0, "-3.0"),
        ("csat", 57.19, "57.2 %"),
        ("first_response_median", 45.0, "45 s"),
        ("first_response_median", 182.0, "3.0 min"),
        ("first_response_p90", 7 * 3600.0, "7.0 h"),
        ("response_count", 1234.0, "1,234"),
        ("ces_mean", 5.123, "5.12"),
        ("nps", None, "–"),
    ],
)
def test_values_are_written_with_their_unit(metric, value, shown):
    assert format_value(metric, value) == shown


def test_intervals_are_written_once_with_the_unit():
    assert format_interval("csat", 50.0, 60.0) == "50.0 – 60.0 %"
    assert format_interval("nps", float("-inf"), 3.0) == "no interval"


def test_trend_ticks_fall_on_the_grain():
    spec = charts.trend(ROWS, "nps", grain="month")
    assert _layers(spec)["area"]["encoding"]["x"]["axis"]["tickCount"] == {"interval": "month"}
    assert "axis" not in _layers(charts.trend(ROWS, "nps"))["area"]["encoding"]["x"]


def test_cohort_heatmap_and_survival_curve():
    cohorts = [
        {
            "cohort": datetime(2026, 1, 1, tzinfo=UTC),
            "age": a,
            "value": 100.0 - 10 * a,
            "low": 90.0 - 10 * a,
            "high": 100.0,
            "n": 50,
        }
        for a in range(3)
    ]
    heat = charts.cohort_heatmap(cohorts, "month")
    assert heat["mark"]["type"] == "rect" and heat["encoding"]["color"]["scale"]["domain"] == [0, 100]
    assert [d["value"] for d in heat["data"]["values"]] == [100.0, 90.0, 80.0]
    curve = charts.survival_curve(
        [{"time": t, "value": 100.0 - t, "low": 98.0 - t, "high": 100.0, "n": 10} for t in range(3)], "month"
    )
    assert all(layer["mark"]["interpolate"] == "step-after" for layer in curve["layer"])
    bars = charts.counts([{"reason": "too expensive", "n": 3}], "reason", "customers who left")
    assert bars["encoding"]["y"]["sort"] == "-x"
