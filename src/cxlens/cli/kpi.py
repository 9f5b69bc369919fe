"""``cxlens kpi NAME``: a KPI with its interval and n, sliced by dimensions and time."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from ..errors import CxlensError
from .shared import cell, open_store, out, print_table

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
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
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
    print_kpi(result, fmt, wide=wide)


# What a narrow terminal leaves out first: the method and flags before the change's bounds,
# the estimate, its interval and n last.
KPI_DROP = ("method", "sufficient", "significant", ("change_low", "change_high"), "p_value", "change")


def print_kpi(result, fmt: str, wide: bool = False) -> None:
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
        if not result.rows:
            out.print("No answers match.")
            return
        names = table.column_names
        rest = [
            c
            for c in reversed(names[1:])
            if c not in ("method", "sufficient", "significant", "change_low", "change_high", "p_value", "change")
            and c not in ("value", "low", "high", "n")
        ]
        drop = [*KPI_DROP, *rest, ("low", "high"), "n"]
        print_table(names, [[cell(row.get(c)) for c in names] for row in result.rows], wide=wide, drop=drop)
    else:
        raise CxlensError(f"--format {fmt!r}: use table, csv or json")
