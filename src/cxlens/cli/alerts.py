"""``cxlens alerts``: evaluate the rules now, list alerts, acknowledge, snooze, resolve.

Thin: each command calls :mod:`cxlens.alerts.evaluation` or :mod:`cxlens.alerts.lifecycle`
and prints what it returns, in plain words (value, interval, n, p and q).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import typer
from rich.console import Console

from ..errors import InputError
from ..metrics import parse_duration
from . import notifications
from .shared import open_store

__all__ = ["app", "describe_alert"]

app = typer.Typer(
    name="alerts", help="Alerts: evaluate rules, list what fired, acknowledge, snooze, resolve.", no_args_is_help=True
)
# deliver, work and notifiers: the outbox's commands, in the same group.
app.add_typer(notifications.app)
out = Console(highlight=False)
STATES = ("pending", "firing", "resolved")


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"--now {value!r} is not a time; write it as 2026-07-10 or 2026-07-10T12:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def describe_alert(rule: str, slice_: dict, evidence: dict | None) -> str:
    """One alert in plain words: what, where, value with interval and n, baseline or target, p, q."""
    from ..alerts.evaluation import describe
    from ..alerts.rules import AlertRule

    _, summary = describe(AlertRule(rule, (evidence or {}).get("kind", ""), None, {}), slice_, evidence or {})
    return f"{', '.join(f'{k}={v}' for k, v in slice_.items()) or 'all'}: {summary}"


@app.command("check")
def check_cmd(
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
    now: str = typer.Option(None, "--now", help="evaluate as of this UTC time (default: now)"),
    rules: str = typer.Option(
        None, "--rules", help="FILE: evaluate the rules of this YAML file as a dry run (nothing is stored)"
    ),
    tier: str = typer.Option(
        "store",
        "--tier",
        help="store (the store's own database) or duckdb (tier 0: a DuckDB copy of "
        "the SQLite store, faster on large stores once copied)",
    ),
) -> None:
    """Evaluate every enabled rule now and print what fired and what resolved."""
    from ..alerts.evaluation import run_check
    from ..alerts.rules import load_rules_file
    from ..analytics.kpis import KPIs

    store = open_store()
    parsed = load_rules_file(rules) if rules else None
    result = run_check(store, trigger="cli", now=_when(now), rules=parsed, kpis=KPIs(store, tier=tier))
    if as_json:
        out.print_json(json.dumps(result.to_dict(), default=str))
        return
    out.print(
        f"checked {result.rules} rule(s), {result.slices} slice(s); {result.tests} test(s) corrected together "
        f"(Benjamini–Hochberg, false-discovery rate q={result.q:g})"
    )
    for label, items in (("fired", result.fired), ("resolved", result.resolved)):
        out.print(f"{label}: {len(items)}")
        for t in items:
            d = t if isinstance(t, dict) else t.to_dict()
            ev = d.get("evidence") or {k: v for k, v in d.items() if k not in ("rule", "slice")}
            rule = d.get("rule") or ""
            ident = f"#{d['alert_id']} " if d.get("alert_id") else ""
            out.print(f"  {ident}{rule} {describe_alert(rule, d['slice'], ev)}")
    for name, error in result.errors.items():
        out.print(f"[red]rule {name} could not be evaluated: {error}[/red]")
    if result.queued:
        out.print(f"{result.queued} notification(s) queued")


@app.command("list")
def list_cmd(
    state: str = typer.Option(None, "--state", help="pending, firing or resolved"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """List alerts, newest first."""
    if state is not None and state not in STATES:
        raise InputError(f"--state {state!r} is not known; use one of: {', '.join(STATES)}")
    from ..alerts.lifecycle import list_alerts

    with open_store().engine.connect() as conn:
        rows = list_alerts(conn, state=state)
    if as_json:
        keys = (
            "id",
            "rule",
            "slice",
            "state",
            "fired_at",
            "resolved_at",
            "acknowledged_at",
            "snoozed_until",
            "evidence",
            "link",
        )
        out.print_json(json.dumps([{k: row[k] for k in keys} for row in rows], default=str))
        return
    if not rows:
        out.print("no alerts" + (f" in state {state}" if state else ""))
    for row in rows:
        marks = [m for m, on in (("acknowledged", row["acknowledged_at"]), ("snoozed", row["snoozed_until"])) if on]
        out.print(
            f"#{row['id']} {row['state']}{' (' + ', '.join(marks) + ')' if marks else ''} {row['rule']} "
            f"{describe_alert(row['rule'], row['slice'], row['evidence'])}  {row['link'] or ''}"
        )


@app.command("ack")
def ack_cmd(alert_id: int = typer.Argument(..., help="the alert's number")) -> None:
    """Acknowledge an alert (someone is on it)."""
    from ..alerts.lifecycle import acknowledge

    with open_store().engine.begin() as conn:
        done = acknowledge(conn, alert_id)
    out.print(f"alert #{alert_id} acknowledged" if done else f"alert #{alert_id} was acknowledged or resolved already")


@app.command("snooze")
def snooze_cmd(
    alert_id: int = typer.Argument(..., help="the alert's number"),
    duration: str = typer.Option(..., "--for", help="how long, e.g. 2h, 1d, 30m"),
) -> None:
    """Keep an alert quiet for a while (it still resolves when the data do)."""
    from ..alerts.lifecycle import snooze

    seconds = parse_duration(duration)
    if not seconds or seconds <= 0:
        raise InputError(f"--for {duration!r} is not a duration; write it as 30m, 2h or 1d")
    until = datetime.now(UTC) + timedelta(seconds=seconds)
    with open_store().engine.begin() as conn:
        snooze(conn, alert_id, until)
    out.print(f"alert #{alert_id} snoozed until {until:%Y-%m-%d %H:%M} UTC")


@app.command("resolve")
def resolve_cmd(alert_id: int = typer.Argument(..., help="the alert's number")) -> None:
    """Resolve an alert by hand."""
    from ..alerts.lifecycle import resolve

    with open_store().engine.begin() as conn:
        done = resolve(conn, alert_id)
    out.print(f"alert #{alert_id} resolved" if done else f"alert #{alert_id} was resolved already")
