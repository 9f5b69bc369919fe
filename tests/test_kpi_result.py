"""KPIResult: what every KPI returns reads well, says its confidence, and converts to dataframes."""

from datetime import datetime, timezone

import pytest

from cxlens.analytics.kpis import kpi
from cxlens.analytics.result import KPIResult
from cxlens.demo import generate_demo
from cxlens.errors import MissingDependency


def _result() -> KPIResult:
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    rows = [
        {
            "touchpoint": "checkout",
            "period": at,
            "value": 31.2,
            "low": 24.04,
            "high": 38.1,
            "n": 612,
            "method": "adjusted-wald",
            "sufficient": True,
            "change": 4.5,
            "change_low": -1.0,
            "change_high": 10.0,
            "p_value": 0.11,
            "significant": False,
        },
        {
            "touchpoint": "delivery",
            "period": at,
            "value": -12.0,
            "low": -40.0,
            "high": 20.0,
            "n": 12,
            "method": "adjusted-wald",
            "sufficient": False,
            "change": None,
            "change_low": None,
            "change_high": None,
            "p_value": None,
            "significant": False,
        },
    ]
    return KPIResult("nps", ["touchpoint"], "month", rows, confidence=0.9)


def test_summary_says_what_it_is_in_words_and_a_table():
    text = _result().summary()
    lines = text.splitlines()
    assert lines[0] == "Net Promoter Score by touchpoint, per month: 2 row(s) (90% intervals)."
    assert lines[1].split() == ["touchpoint", "period", "value", "interval", "n", "change", "p", "significant"]
    assert "checkout" in lines[2] and "2026-01" in lines[2] and "31.2" in lines[2] and "24.0 to 38.1" in lines[2]
    assert "1 row(s) rest on n < 30" in text and "significant when p < 0.1" in text
    assert str(_result()) == text
    assert KPIResult("csat", [], None).summary() == "CSAT, % satisfied: no data."
    assert "... and 1 more row(s)." in _result().summary(max_rows=1)


def test_conversions_keep_every_row_and_column():
    result = _result()
    table = result.to_arrow()
    assert table.num_rows == 2 and table.column_names[:3] == ["touchpoint", "period", "value"]
    frame = result.to_pandas()
    assert list(frame["touchpoint"]) == ["checkout", "delivery"] and frame["n"].sum() == 624
    assert KPIResult("nps", ["segment"], None).to_arrow().column_names == [
        "segment",
        "value",
        "low",
        "high",
        "n",
        "method",
    ]
    try:
        import polars  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependency, match="pip install polars"):
            result.to_polars()
    else:  # pragma: no cover - polars is not a dependency
        assert result.to_polars().height == 2


def test_a_kpi_result_carries_the_confidence_it_was_asked_for(store):
    generate_demo(store, customers=60, responses=400, seed=3, end=datetime(2026, 3, 31).date())
    k = kpi(store)
    assert k.compute("csat", by=["segment"], confidence=0.8).confidence == 0.8
    assert k.cohort_retention(confidence=0.9).confidence == 0.9
    nps = k.nps(grain="month")
    assert nps.confidence == 0.95 and nps.summary().startswith("Net Promoter Score, per month:")
    # Every KPI of the catalogue has its method on the facade, the same as compute().
    assert k.first_response_p90(by=["team"]).rows == k.compute("first_response_p90", by=["team"]).rows
