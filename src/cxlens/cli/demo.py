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
    reset: bool = typer.Option(False, "--reset", help="delete the store's data (customers, answers, tickets, …) and generate a new demo company"),
    serve_: bool = typer.Option(True, "--serve/--no-serve", help="start the web app afterwards"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    """Generate a realistic demo company into the store, then serve it.

    A store that already holds data is served as it is (run again with --reset to replace it)."""
    from ..demo import generate_demo

    store = open_store()
    with progress_bar() as progress:
        summary = generate_demo(store, customers=customers, responses=responses, seed=seed, reset=reset, progress=progress)
    out.print(summary.describe(), highlight=False)
    password = demo_admin(store)
    out.print(f"Log in at http://{host}:{port}/login as [bold]{DEMO_ADMIN}[/] with the password [bold]{password}[/] "
              "(a new one each run).", highlight=False, soft_wrap=True)
    if serve_:
        serve(host=host, port=port)
