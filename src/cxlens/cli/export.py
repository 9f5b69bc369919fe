"""``cxlens export --parquet DIR``: the store's tables as Parquet, for Spark and other engines (tier 2)."""

from __future__ import annotations

from pathlib import Path

import typer

from .shared import open_store, out, progress_bar

__all__ = ["app"]

app = typer.Typer()


@app.command("export")
def export(
    parquet: Path = typer.Option(
        ..., "--parquet", help="directory for one <table>.parquet per table (created if missing)"
    ),
    table: list[str] = typer.Option([], "--table", help="only this table (repeatable); default: every table"),
) -> None:
    """Write the store's tables to Parquet, for Spark and other engines (tier 2)."""
    from ..store.export import export_parquet

    store = open_store()
    with progress_bar() as progress:
        result = export_parquet(store, parquet, tables=table or None, progress=progress)
    out.print(result.summary(), highlight=False)
