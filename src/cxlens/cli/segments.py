"""``cxlens segments rfm|cluster|persona|list``: behaviour segments of the store's customers.

Thin: each command calls :mod:`cxlens.predict.segments` (loaded when it runs) and prints the
segments with their sizes, or every customer's as JSON.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console

from .shared import open_store

__all__ = ["app"]

app = typer.Typer(
    name="segments",
    help="Behaviour segments and personas: RFM codes, k-means clusters, persona definitions.",
    no_args_is_help=True,
)
out = Console()


@app.command("rfm")
def rfm_cmd(
    until: str = typer.Option(None, "--until", help="DATE: as of then (default now)"),
    save: bool = typer.Option(True, "--save/--no-save", help="store each customer's code and segment"),
    as_json: bool = typer.Option(False, "--json", help="print every customer's scores, code and segment"),
) -> None:
    """RFM quintile scores, codes and named segments (champions, loyal, at risk, …)."""
    from .. import predict
    from ..analytics.kpis import kpi
    from ..predict import segments

    store = open_store()
    if save:
        table = segments.save_rfm(store, until=until)
    else:
        table = segments.rfm(predict.purchase_summary(kpi(store), until=until))
    if as_json:
        out.print_json(json.dumps(table.reset_index().to_dict(orient="records"), default=str))
        return
    counts = table["segment"].value_counts()
    about = {rule["name"]: rule["about"] for rule in segments.RFM_SEGMENTS}
    for name, n in counts.items():
        out.print(f"{name:20} {n:>8,}  {n / len(table):6.1%}  {about.get(name, '')}")


@app.command("cluster")
def cluster_cmd(
    until: str = typer.Option(None, "--until", help="DATE: as of then (default now)"),
    max_k: int = typer.Option(8, "--max-k", help="the most clusters to try"),
    seed: int = typer.Option(0, "--seed"),
    save: bool = typer.Option(True, "--save/--no-save", help="store each customer's cluster"),
    as_json: bool = typer.Option(False, "--json", help="print the clusters and every customer's"),
) -> None:
    """k-means on behaviour features (k by silhouette, every cluster ≥ 5 %), each cluster
    described by its most distinctive features for a person to name."""
    from datetime import datetime, timezone

    from ..analytics.kpis import kpi
    from ..periods import timestamp
    from ..predict import segments
    from ..predict.churn_features import NUMERIC, customer_features

    store = open_store()
    at = timestamp(until, "--until") or datetime.now(timezone.utc)
    if save:
        found = segments.save_clusters(store, at=at, max_k=max_k, seed=seed)
    else:
        found = segments.cluster(customer_features(kpi(store), at).table[list(NUMERIC)], max_k=max_k, seed=seed)
    summary = {"k": found.k, "silhouettes": found.silhouettes, "clusters": found.descriptions, "seed": seed}
    if as_json:
        out.print_json(json.dumps(summary | {"customers": found.labels.to_dict()}, default=str))
        return
    scores = ", ".join(f"k={k}: {v:.3f}" for k, v in found.silhouettes.items())
    out.print(f"k = {found.k} by silhouette ({scores})")
    for c, d in found.descriptions.items():
        traits = ", ".join(f"{name} {z:+.2f} sd" for name, z in d["distinctive"].items())
        out.print(f"cluster {c}: {d['n']:,} customers ({d['share']:.0%}); {traits}")


@app.command("persona")
def persona_cmd(
    definition: str = typer.Argument(..., help="FILE: a persona definition (YAML)"),
    until: str = typer.Option(None, "--until", help="DATE: behaviour features as of then (default now)"),
) -> None:
    """Apply a persona definition: each customer its rules match gets the persona, stored
    with the definition's version; the others keep theirs."""
    from ..periods import timestamp
    from ..predict import personas

    store = open_store()
    found = personas.load_definition(definition)
    counts = personas.apply_definition(store, found, at=timestamp(until, "--until"))
    out.print(f"{found.label}: {sum(counts.values()):,} customers")
    for name, n in counts.items():
        out.print(f"{name:30} {n:>8,}")


@app.command("list")
def list_cmd(as_json: bool = typer.Option(False, "--json")) -> None:
    """The stored segments: each kind's version, when computed, and each segment's customers."""
    from ..predict.stored import segment_models

    found = segment_models(open_store())
    if as_json:
        out.print_json(json.dumps(found, default=str))
        return
    if not found:
        out.print("No segments yet: run cxlens segments rfm, cluster or persona FILE.")
    for model in found:
        when = model["computed_at"].strftime("%Y-%m-%d %H:%M UTC") if model["computed_at"] else "imported"
        out.print(f"[bold]{model['kind']}[/bold] {model['version'] or ''} ({when}, {model['n']:,} customers)")
        for name, n in model["segments"].items():
            out.print(f"  {name:30} {n:>8,}")
