"""``cxlens segments rfm|cluster``: behaviour segments of the store's customers.

Thin: each command calls :mod:`cxlens.predict.segments` (loaded when it runs) and prints the
segments with their sizes, or every customer's as JSON.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console

from .shared import open_store

__all__ = ["app"]

app = typer.Typer(name="segments", help="Behaviour segments: RFM codes and k-means clusters.", no_args_is_help=True)
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
    from ..predict.stored import save_predictions

    store = open_store()
    table = segments.rfm(predict.purchase_summary(kpi(store), until=until))
    if save:
        rows = list(table.to_dict(orient="index").items())
        save_predictions(
            store, "rfm", version="rfm-quintiles/1", summary={"segments": segments.RFM_SEGMENTS}, rows=rows
        )
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
    from ..predict.stored import save_predictions

    store = open_store()
    at = timestamp(until, "--until") or datetime.now(timezone.utc)
    found = segments.cluster(customer_features(kpi(store), at).table[list(NUMERIC)], max_k=max_k, seed=seed)
    summary = {"k": found.k, "silhouettes": found.silhouettes, "clusters": found.descriptions, "seed": seed}
    if save:
        rows = [(cid, {"cluster": int(c)}) for cid, c in found.labels.items()]
        save_predictions(store, "cluster", version=f"kmeans/1+k{found.k}+seed{seed}", summary=summary, rows=rows)
    if as_json:
        out.print_json(json.dumps(summary | {"customers": found.labels.to_dict()}, default=str))
        return
    scores = ", ".join(f"k={k}: {v:.3f}" for k, v in found.silhouettes.items())
    out.print(f"k = {found.k} by silhouette ({scores})")
    for c, d in found.descriptions.items():
        traits = ", ".join(f"{name} {z:+.2f} sd" for name, z in d["distinctive"].items())
        out.print(f"cluster {c}: {d['n']:,} customers ({d['share']:.0%}); {traits}")
