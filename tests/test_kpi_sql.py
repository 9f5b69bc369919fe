"""The SQL each KPI compiles to, per dialect, is kept in tests/snapshots/kpi_sql.

A dependency upgrade (Ibis, sqlglot) that changes the SQL shows up here as a failing test and
a diff; so does a new KPI, whose snapshot is missing. When the change is intended, (re)generate:
CXLENS_UPDATE_SNAPSHOTS=1 pytest tests/test_kpi_sql.py
"""

from pathlib import Path

import pytest
from conftest import update_snapshot

from cxlens.analytics.kpis import SPECS, kpi
from cxlens.store import open_store

SNAPSHOTS = Path(__file__).parent / "snapshots" / "kpi_sql"
# The embedded engine, PostgreSQL (tier 1), DuckDB (tier 0), Spark (tier 2, the distributed
# engine the parity test runs: tests/test_spark.py) and Trino (another distributed one).
DIALECTS = ("sqlite", "postgres", "duckdb", "pyspark", "trino")
SLICES = {
    "answers": ["touchpoint", "segment"],
    "tickets": ["team", "channel"],
    "invitations": ["survey", "channel"],
    "mentions": ["source", "segment"],
    "cases": ["touchpoint", "team"],
}


@pytest.fixture(scope="module")
def kpis(tmp_path_factory):
    # Compiled from the SQLite store's schema, so the snapshots do not depend on the backend.
    return kpi(open_store(f"sqlite:///{tmp_path_factory.mktemp('sql') / 'cx.db'}"))


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("metric", sorted(SPECS))
def test_compiled_sql_matches_its_snapshot(kpis, metric, dialect):
    if SPECS[metric].source == "customers":  # churn and retention: counts by sign-up and churn period
        expr = kpis.customer_expression(by=["segment"], grain="month")
    else:
        expr = kpis.expression(metric, by=SLICES[SPECS[metric].source], grain="month", since="2026-01-01")
    sql = kpis.engine.sql(expr, dialect).strip() + "\n"
    path = SNAPSHOTS / f"{metric}.{dialect}.sql"
    update_snapshot(path, sql)
    assert sql == path.read_text(), f"{metric} compiles differently for {dialect}: see git diff {path}"


def _outcome_expressions(k):
    """The expressions behind the KPIs that are not one aggregation (see analytics/customers.py
    and analytics/funnel.py), with fixed times so the SQL does not change with the clock."""
    from datetime import datetime, timezone

    from cxlens.analytics import customers, funnel

    start, end = datetime(2025, 7, 1, tzinfo=timezone.utc), datetime(2026, 7, 1, tzinfo=timezone.utc)
    # Discover (touchpoints 1 and 2, alternatives) → Evaluate (3, optional) → Purchase (4).
    discover = funnel.Step(1, 1, "discover", False, [(1, "a"), (2, "b")])
    evaluate = funnel.Step(2, 2, "evaluate", True, [(3, "c")], source=discover)
    purchase = funnel.Step(3, 3, "purchase", False, [(4, "d")], source=discover)
    discover.next = evaluate.next = purchase
    steps = {"buy": [discover, evaluate, purchase]}
    exprs = funnel.funnel_expressions(k, steps, by=["segment"], since=start)
    return {
        "survival": customers.survival_expression(k, by=["segment"], unit="month", since=None, as_of=end),
        "net_revenue_retention": customers.revenue_retention_expression(k, gross=False, by=["plan"], grain="quarter"),
        "gross_revenue_retention": customers.revenue_retention_expression(k, gross=True, grain="month", since=start),
        "clv": customers.clv_expression(k, by=["segment"], start=start, end=end),
        "funnel_at_step": exprs["at_step"],
        "funnel_first_at": exprs["first_at"],
        "funnel_into_step": exprs["into_step"][0],
        "funnel_went_on": exprs["went_on"],
    }


OUTCOMES = (
    "survival",
    "net_revenue_retention",
    "gross_revenue_retention",
    "clv",
    "funnel_at_step",
    "funnel_first_at",
    "funnel_into_step",
    "funnel_went_on",
)


@pytest.mark.parametrize("dialect", DIALECTS)
@pytest.mark.parametrize("name", OUTCOMES)
def test_outcome_sql_matches_its_snapshot(kpis, name, dialect):
    sql = kpis.engine.sql(_outcome_expressions(kpis)[name], dialect).strip() + "\n"
    path = SNAPSHOTS / f"{name}.{dialect}.sql"
    update_snapshot(path, sql)
    assert sql == path.read_text(), f"{name} compiles differently for {dialect}: see git diff {path}"
