"""The demo company's alerting, loaded after its data: the rules, notifiers and case settings
of ``alerting.yaml`` (the sections a journeys file may hold), then one evaluation.

Loaded after the data, not with the journey map before it, so that the answer rules do not
act on two years of generated history (the history has its cases already: ``casework``)."""

from __future__ import annotations

from ..alerts.case_settings import parse_cases, store_cases
from ..alerts.evaluation import CheckResult, run_check
from ..alerts.notifiers import parse_notifiers, store_notifiers
from ..alerts.rules import parse_alerts, store_alerts
from ..store import Store
from .casework import ALERTING_FILE, alerting_config

__all__ = ["evaluate_demo", "load_alerting"]


def load_alerting(store: Store) -> int:
    """Store the demo's alert rules, notifiers and case settings; how many rules."""
    config, source = alerting_config(), str(ALERTING_FILE)
    alerts = parse_alerts(config["alerts"], source)
    notifiers = parse_notifiers(config.get("notifiers") or [], source)
    cases = parse_cases(config["cases"], source)
    with store.begin() as conn:
        store_notifiers(conn, notifiers)
        store_cases(conn, cases)
        store_alerts(conn, alerts)
    return len(alerts.rules)


def evaluate_demo(store: Store) -> CheckResult:
    """One evaluation of every rule, on the tier a dashboard would use (DuckDB for SQLite)."""
    from ..analytics.kpis import KPIs

    kpis = KPIs(store, tier="duckdb") if store.dialect == "sqlite" else KPIs(store)
    return run_check(store, trigger="cli", kpis=kpis)
