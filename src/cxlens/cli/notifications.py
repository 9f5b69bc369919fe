"""``cxlens alerts deliver | work | notifiers``: thin commands over delivery and the worker.

A Typer ``app`` whose commands the main CLI mounts under ``cxlens alerts`` beside the alert
commands. The library is imported inside the commands, so ``--help`` stays light. Errors are
:class:`~cxlens.errors.CxlensError`, which the main command prints as they are.
"""

from __future__ import annotations

import json
import signal
import threading
from datetime import datetime

import typer
from rich.console import Console
from rich.table import Table

from ..errors import CxlensError

__all__ = ["app"]

app = typer.Typer(help="Notifications: deliver the outbox, run the worker, see the notifiers.", no_args_is_help=True)


def _print(*args, **kwargs) -> None:
    Console().print(*args, **kwargs)  # made per print, so the terminal width is read when printing


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else "-"


def _json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(type(value).__name__)


@app.command("deliver")
def deliver(
    limit: int = typer.Option(100, "--limit", min=1, help="at most this many messages"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Send the notifications that are due now, and show each attempt."""
    from ..alerts.delivery import deliver_pending
    from ..store import open_store

    report = deliver_pending(open_store(), limit=limit)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
        return
    if report.attempts:
        table = Table("id", "notifier", "topic", "outcome", "status", "ms", "error / next attempt")
        for a in report.attempts:
            note = a.error or ""
            if a.outcome == "retry" and a.next_attempt_at:
                note = f"{note} (again at {_when(a.next_attempt_at)})"
            table.add_row(
                str(a.notification_id),
                a.notifier,
                a.topic,
                a.outcome,
                str(a.status_code or "-"),
                f"{a.duration_ms:.0f}" if a.duration_ms is not None else "-",
                note,
            )
        _print(table)
    _print(report.summary())


@app.command("work")
def work(
    every: float = typer.Option(5.0, "--every", min=0.5, help="seconds between delivery passes"),
) -> None:
    """Run the alerting worker in the foreground (evaluation on its schedule, escalation,
    delivery) until Ctrl-C."""
    from ..alerts.worker import work as run
    from ..store import open_store

    store = open_store()
    stop = threading.Event()

    def on_signal(signum, frame):
        # The first Ctrl-C lets the message being sent finish (and be marked sent); a second one
        # stops at once, which may leave that message to be sent again after its lease.
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        _print("Stopping after the current message (Ctrl-C again to stop now)...")

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}

    def show(report) -> None:
        if report.check is not None or report.escalated or report.delivery.attempts or report.errors:
            _print(f"{datetime.now():%H:%M:%S} {report.summary()}")

    _print(f"Alerting worker on {store!r}: delivery every {every:g} s; Ctrl-C stops.")
    try:
        run(store, stop, every_seconds=every, on_tick=show)
    except KeyboardInterrupt:
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        store.dispose()
    _print("Stopped.")


@app.command("notifiers")
def notifiers(
    as_json: bool = typer.Option(False, "--json", help="print as JSON"),
    attempts: int = typer.Option(0, "--attempts", min=0, help="also show the latest N delivery attempts"),
    name: str | None = typer.Option(None, "--name", help="only this notifier's attempts"),
    enable: str | None = typer.Option(
        None, "--enable", metavar="NAME", help="send to a disabled notifier again (after fixing its target)"
    ),
) -> None:
    """The notifiers with their state (active, disabled and why), outbox counts and last attempt."""
    from ..alerts.delivery import notifier_overview, recent_deliveries
    from ..alerts.notifiers import enable_notifier, load_notifier
    from ..store import open_store

    store = open_store()
    if enable:
        with store.begin() as conn:
            if load_notifier(conn, enable) is None:
                raise CxlensError(f"no notifier named {enable!r}; `cxlens alerts notifiers` lists them")
            changed = enable_notifier(conn, enable)
        _print(f"{enable}: enabled again." if changed else f"{enable} was not disabled.")
    with store.engine.connect() as conn:
        rows = notifier_overview(conn)
        recent = recent_deliveries(conn, notifier=name, limit=attempts) if attempts else []
    if as_json:
        typer.echo(json.dumps({"notifiers": rows, "attempts": recent}, indent=2, default=_json_default))
        return
    if not rows:
        _print("No notifiers: declare them under notifiers: in the journeys file and run `cxlens journeys load`.")
    else:
        table = Table("name", "kind", "target", "state", "pending", "sent", "failed", "last attempt")
        for r in rows:
            last = "-"
            if r["last_attempt_at"]:
                result = "ok" if r["last_ok"] else (r["last_error"] or "failed")
                code = f" {r['last_status_code']}" if r["last_status_code"] else ""
                last = f"{_when(r['last_attempt_at'])}{code} {result}"[:120]
            state = r["state"] + (f": {r['disabled_reason']}" if r["disabled_reason"] else "")
            table.add_row(
                r["name"], r["kind"], r["target"], state, str(r["pending"]), str(r["sent"]), str(r["failed"]), last
            )
        _print(table)
    if recent:
        table = Table("at", "notification", "notifier", "topic", "ok", "status", "ms", "error")
        for a in recent:
            table.add_row(
                _when(a["at"]),
                str(a["notification_id"]),
                a["notifier"],
                a["topic"],
                "yes" if a["ok"] else "no",
                str(a["status_code"] or "-"),
                f"{a['duration_ms']:.0f}" if a["duration_ms"] is not None else "-",
                (a["error"] or "")[:100],
            )
        _print(table)
