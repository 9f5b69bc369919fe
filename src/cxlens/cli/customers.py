"""``cxlens customers …``: one customer's data, exported or erased."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from .shared import open_store, out

__all__ = ["app"]

app = typer.Typer(name="customers", help="One customer's data: export it, or erase it.", no_args_is_help=True)


@app.command("export")
def customers_export(
    customer: str = typer.Argument(..., help="the customer's external_id (or store id)"),
    output: Path = typer.Option(None, "--output", "-o", help="write the JSON here (default: standard output)"),
) -> None:
    """Everything held about one customer, as JSON (answers, tickets, events, cases, …)."""
    from ..store.audit import audit
    from ..store.privacy import export_customer

    store = open_store()
    data = export_customer(store, customer)
    audit(store, "cli", "customer.export", f"customer {data['customer']['id']}")
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        out.print(f"Wrote {output}.", highlight=False)
    else:
        print(text)


@app.command("erase")
def customers_erase(
    customer: str = typer.Argument(..., help="the customer's external_id (or store id)"),
    yes: bool = typer.Option(False, "--yes", help="do not ask for confirmation"),
) -> None:
    """Erase a customer's personal data everywhere, free text included; their scores stay,
    anonymised, and their address is kept only as a hash so they are never surveyed again."""
    from ..store.audit import audit
    from ..store.privacy import erase_customer

    if not yes:
        typer.confirm(f"Erase customer {customer}'s personal data? This cannot be undone", abort=True)
    store = open_store()
    done = erase_customer(store, customer)
    audit(store, "cli", "customer.erase", f"customer {done['customer_id']}", {"suppressed": done["suppressed"]})
    out.print(f"Erased customer {customer} (now erased-{done['customer_id']}).", highlight=False)
