"""``cxlens db …``: the store's schema (migrate, inspect)."""

from __future__ import annotations

import typer

from .shared import out

__all__ = ["app"]

app = typer.Typer(name="db", help="The store's schema: migrate, inspect.", no_args_is_help=True)


@app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Migrate the store to the newest schema (or REVISION)."""
    from ..store import Store

    store = Store()
    store.upgrade(revision)
    out.print(f"{store!r} is at schema {store.current_revision()}")


@app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="target revision, e.g. base")) -> None:
    """Migrate the store back to REVISION (data in dropped tables is lost)."""
    from ..store import Store

    store = Store()
    store.downgrade(revision)
    out.print(f"{store!r} is at schema {store.current_revision() or '(empty)'}")


@app.command("current")
def db_current() -> None:
    """Show the store, its schema version and row counts."""
    from rich.table import Table

    from ..store import Store

    store = Store()
    current, head = store.current_revision(), store.head_revision()
    out.print(f"{store!r}: schema {current or '(empty)'}; this cxlens needs {head}")
    store.check_schema()  # an out-of-date or newer schema: say what to do, show no counts
    table = Table("table", "rows")
    for name, n in store.row_counts().items():
        table.add_row(name, f"{n:,}")
    out.print(table)
