"""``cxlens import KIND FILE``: a file of customers, events, responses, tickets, … into the store."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.core import TyperCommand

from ..errors import CxlensError
from .shared import PROGRESS_BYTES, open_store, out, progress_bar

__all__ = ["app", "parse_map"]

app = typer.Typer()


class KindsListedInHelp(TyperCommand):
    """``--help`` lists the import kinds: reading them loads the importer (PyArrow, SQLAlchemy),
    which only this page and the import itself need."""

    def format_help(self, ctx, formatter) -> None:
        from ..ingest import KINDS

        for param in self.params:
            if param.name == "kind":
                param.help = (
                    " · ".join(f"{k} ({spec.help})" for k, spec in KINDS.items())
                    + " · zendesk (a Zendesk ticket export)"
                )
        super().format_help(ctx, formatter)


def parse_map(values: list[str]) -> dict[str, str]:
    """``--map FIELD=COLUMN`` options as ``{field: column}``."""
    mapping = {}
    for item in values:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            raise CxlensError(f"--map {item!r}: write it as FIELD=COLUMN, e.g. --map score=nps_score")
        mapping[field.strip()] = column.strip()
    return mapping


@app.command("import", cls=KindsListedInHelp)
def import_(
    kind: str = typer.Argument(..., help="what FILE holds (listed by --help)"),
    file: Path = typer.Argument(..., help="a .csv, .jsonl or .parquet file (zendesk: the API's JSON)"),
    fmt: str = typer.Option(None, "--format", help="csv, jsonl or parquet (default: from the extension)"),
    map_: list[str] = typer.Option([], "--map", help="FIELD=COLUMN: read FIELD from the file's COLUMN"),
    update: bool = typer.Option(False, "--update", help="update rows whose id exists and whose values changed"),
    skip_bad_rows: bool = typer.Option(
        False, "--skip-bad-rows", help="import the good rows; write the bad ones to a file"
    ),
    rejected: Path = typer.Option(None, "--rejected", help="where --skip-bad-rows writes rejected rows"),
    one_transaction: bool = typer.Option(
        False,
        "--one-transaction",
        help="SQLite: check and publish in one transaction, about 3x faster, holding every other writer "
        "(a server taking answers) off the store until it ends; for loading a store nobody else writes",
    ),
    timezone_name: str = typer.Option(
        "UTC", "--timezone", help="time zone of timestamps without an offset (zendesk: always UTC)"
    ),
    touchpoint: str = typer.Option(None, "--touchpoint", help="zendesk: the touchpoint its tickets belong to"),
) -> None:
    """Import FILE as KIND: every row is checked; a bad row rejects the file unless --skip-bad-rows."""
    store = open_store()
    big = file.exists() and file.stat().st_size > PROGRESS_BYTES
    with progress_bar(big) as progress:
        if kind == "zendesk":
            from ..ingest.zendesk import import_zendesk

            results = import_zendesk(
                store,
                file,
                update=update,
                skip_bad_rows=skip_bad_rows,
                rejected_file=rejected,
                touchpoint=touchpoint,
                progress=progress,
            )
        else:
            from ..ingest import import_file

            results = [
                import_file(
                    store,
                    kind,
                    file,
                    fmt=fmt,
                    mapping=parse_map(map_),
                    update=update,
                    skip_bad_rows=skip_bad_rows,
                    rejected_file=rejected,
                    timezone_name=timezone_name,
                    progress=progress,
                    one_transaction=one_transaction,
                )
            ]
    for result in results:
        out.print(result.summary(), highlight=False)
