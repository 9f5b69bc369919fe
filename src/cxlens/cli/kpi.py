"""``cxlens kpi NAME``: a KPI with its interval and n, sliced by dimensions and time."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..errors import CxlensError
from .shared import cell, open_store, out

__all__ = ["app", "print_kpi"]

app = typer.Typer()


@app.command("kpi")
def kpi_(
    name: str = typer.Argument(
        ...,
        help="a KPI, e.g. nps, csat, ces, first_response_p90, churn_rate, cohort_retention, survival, net_revenue_retention, clv, funnel, touchpoint_health (a name it does not know lists them all)",
    ),
    by: str = typer.Option("", "--by", help="comma-separated dimensions, e.g. touchpoint,channel"),
    grain: str = typer.Option(None, "--grain", help="day, week, month, quarter or year"),
    since: str = typer.Option(None, "--since", help="first day, e.g. 2026-01-01"),
    until: str = typer.Option(None, "--until", help="day after the last, e.g. 2026-07-01"),
    where: list[str] = typer.Option([], "--where", help="DIMENSION=VALUE, e.g. segment=smb (repeatable)"),
    compare: str = typer.Option(
        None, "--compare", help="previous (the period before) or year (a year before): the change, with a test"
    ),
    fmt: str = typer.Option("table", "--format", help="table, csv or json"),
    tier: str = typer.Option(
        "store",
        "--tier",
        help="store (the database itself), duckdb (an in-memory copy of the embedded store) or spark (with --parquet)",
    ),
    parquet: Path = typer.Option(
        None, "--parquet", help="for --tier spark: a folder written by cxlens export --parquet"
    ),
) -> None:
    """A KPI with its interval and n, sliced by dimensions and time."""
    from ..analytics.kpis import kpi

    filters: dict[str, list[str]] = {}
    for item in where:
        dim, sep, value = item.partition("=")
        if not sep:
            raise CxlensError(f"--where {item!r}: write it as DIMENSION=VALUE, e.g. --where segment=smb")
        filters.setdefault(dim.strip(), []).append(value.strip())
    dims = [d.strip() for d in by.split(",") if d.strip()]
    k = kpi(None if tier == "spark" else open_store(), tier=tier, parquet=parquet)
    result = k.compute(name, by=dims, grain=grain, since=since, until=until, where=filters, compare=compare)
    print_kpi(result, fmt)


def print_kpi(result, fmt: str) -> None:
    """A :class:`~cxlens.analytics.kpis.KPIResult` as a table, CSV or JSON on standard output."""
    table = result.to_arrow()
    if fmt == "json":
        import json

        out.print_json(json.dumps(result.to_dicts(), default=str))
    elif fmt == "csv":
        import io

        import pyarrow.csv as pacsv

        buf = io.BytesIO()
        pacsv.write_csv(table, buf)
        sys.stdout.write(buf.getvalue().decode())
    elif fmt == "table":
        from rich.table import Table

        view = Table(*table.column_names)
        for row in result.rows:
            view.add_row(*(cell(row.get(c)) for c in table.column_names))
        out.print(view if result.rows else "No answers match.")
    else:
        raise CxlensError(f"--format {fmt!r}: use table, csv or json")
