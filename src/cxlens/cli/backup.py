"""``cxlens backup`` and ``cxlens restore``: a copy of the embedded store while it runs, and back."""

from __future__ import annotations

from pathlib import Path

import typer

from .shared import open_store, out

__all__ = ["app"]

app = typer.Typer()


@app.command("backup")
def backup_command(path: Path = typer.Argument(..., help="the backup file to write (must not exist)")) -> None:
    """Copy the SQLite store to PATH, consistent while the server runs (PostgreSQL: pg_dump, see README)."""
    from ..store.audit import audit
    from ..store.backup import backup

    store = open_store()
    backup(store, path)
    audit(store, "cli", "store.backup", str(path))
    out.print(f"Backed up the store to {path}.", highlight=False)


@app.command("restore")
def restore_command(
    path: Path = typer.Argument(..., help="a file written by cxlens backup"),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
) -> None:
    """Replace the store's contents with a backup's (PostgreSQL: pg_restore, see README)."""
    from ..store.audit import audit
    from ..store.backup import restore

    if not yes:
        typer.confirm("Replace everything in the store with the backup?", abort=True)
    store = open_store()
    revision = restore(store, path)
    if revision == store.head_revision():  # an older backup has no audit log until upgraded
        audit(store, "cli", "store.restore", str(path), {"schema": revision})
    out.print(f"Restored {path} (schema {revision}).", highlight=False)
