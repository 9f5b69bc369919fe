"""``cxlens demo``: a realistic demo company in the store, and its admin's login; then serve it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from .serve import serve
from .shared import open_store, out, progress_bar

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["DEMO_ADMIN", "app", "demo_admin"]

app = typer.Typer()

DEMO_ADMIN = "demo@cxlens.example"


def demo_admin(store: Store) -> str:
    """A fresh password for the demo's admin (created on first use), to print: only its hash is kept."""
    import secrets

    from ..access import create_user, get_user, set_password

    password = secrets.token_urlsafe(12)
    if get_user(store, email=DEMO_ADMIN) is None:
        create_user(store, DEMO_ADMIN, password, role="admin", name="Demo admin")
    else:
        set_password(store, DEMO_ADMIN, password)
    return password


@app.command("demo")
def demo(
    customers: int = typer.Option(3000, help="how many customers"),
    responses: int = typer.Option(20000, help="how many survey responses"),
    seed: int = typer.Option(7, help="same seed, same data"),
    reset: bool = typer.Option(
        False,
        "--reset",
        help="delete the store's data (customers, answers, tickets, …) and generate a new demo company",
    ),
    serve_: bool = typer.Option(True, "--serve/--no-serve", help="start the web app afterwards"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    """Generate a realistic demo company into the store, then serve it.

    A store that already holds data is served as it is (run again with --reset to replace it)."""
    from ..demo import generate_demo

    store = open_store(create=True)
    with progress_bar() as progress:
        summary = generate_demo(
            store, customers=customers, responses=responses, seed=seed, reset=reset, progress=progress
        )
    out.print(summary.describe(), highlight=False)
    if not summary.skipped:
        _first_evaluation(store)
    password = demo_admin(store)
    out.print(
        f"Log in at http://{host}:{port}/login as [bold]{DEMO_ADMIN}[/] with the password [bold]{password}[/] "
        "(a new one each run).",
        highlight=False,
        soft_wrap=True,
    )
    if serve_:
        serve(host=host, port=port)


def _first_evaluation(store: Store) -> None:
    """Evaluate the demo's alert rules once and say what fired (the dashboard's Alerts page)."""
    from ..demo.alerting import evaluate_demo

    with out.status("Evaluating the demo's alert rules…"):
        result = evaluate_demo(store)
    out.print(
        f"Alerts: {result.rules} rules over {result.slices} slices, {result.tests} tests "
        f"(false-discovery rate q = {result.q}): {len(result.fired)} firing.",
        highlight=False,
    )
    from ..alerts.lifecycle import list_alerts
    from .alerts import describe_alert

    with store.engine.connect() as conn:
        firing = list_alerts(conn, state="firing", limit=8)
    for a in firing:
        out.print(
            f"  #{a['id']} {a['rule']}: {describe_alert(a['rule'], a['slice'], a['evidence'])}",
            highlight=False,
            soft_wrap=True,
        )
    if len(result.fired) > 8:
        out.print(f"  … and {len(result.fired) - 8} more: cxlens alerts list --state firing", highlight=False)
