"""``cxlens predict clv|churn``: predictions per customer from the store.

Thin: each command calls :mod:`cxlens.predict` (loaded when it runs: SciPy, pandas and
lifelines are heavy) and prints the model, how good it is, and the customers it ranks first.
"""

from __future__ import annotations

import json

import typer
from rich.console import Console

from .shared import cell, open_store, print_fitted, progress_bar

__all__ = ["app"]

app = typer.Typer(name="predict", help="Predictions per customer: lifetime value and churn risk.", no_args_is_help=True)
out = Console()


@app.command("clv")
def clv_cmd(
    until: str = typer.Option(None, "--until", help="DATE: predict as of then (default now)"),
    horizon: int = typer.Option(12, "--horizon", help="MONTHS ahead"),
    discount: float = typer.Option(0.01, "--discount", help="monthly discount rate"),
    margin: float = typer.Option(1.0, "--margin", help="gross margin, 0..1"),
    bootstrap: int = typer.Option(100, "--bootstrap", help="parametric refits for the intervals (0: none)"),
    top: int = typer.Option(20, "--top", help="customers to list, highest CLV first"),
    save: bool = typer.Option(True, "--save/--no-save", help="store each customer's prediction with the model version"),
    as_json: bool = typer.Option(False, "--json", help="print JSON: the model and every customer"),
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """Predictive CLV (BG/NBD × Gamma-Gamma, fitted on the revenue table) for every customer
    who bought: P(alive), expected purchases and spend, CLV, each with an interval."""
    from .. import predict
    from ..analytics.kpis import kpi
    from ..predict.stored import save_predictions

    settings = predict.ValueSettings(horizon_months=horizon, monthly_discount=discount, margin=margin)
    store = open_store()
    k = kpi(store)
    summary = predict.purchase_summary(k, until=until)
    with progress_bar(not as_json) as progress:
        model = predict.fit_lifetime_value(
            summary, bootstrap=bootstrap, progress=lambda done, total: progress("bootstrap", done, total)
        )
    values = predict.predict_values(model, summary, settings)
    rows = sorted(values.rows(), key=lambda r: -r["clv"])
    if save:
        fit = model.summary() | {"settings": settings.__dict__, "bootstrap": values.draws, "currency": summary.currency}
        save_predictions(store, "clv", version=model.version, summary=fit, rows=[(r["customer_id"], r) for r in rows])
    if as_json:
        body = {"model": model.version, "currency": summary.currency, "as_of": summary.as_of.isoformat()}
        body |= {"fit": model.summary(), "settings": settings.__dict__, "bootstrap": values.draws, "customers": rows}
        out.print_json(json.dumps(body, default=str))
        return
    for name, fit in model.summary().items():
        params = ", ".join(f"{p} {v:.4g} (se {fit['se'][p]:.2g})" for p, v in fit["params"].items())
        out.print(f"{name:12} n={fit['n']:,}  {params}  log L {fit['log_likelihood']:,.1f}")
        if fit.get("note"):
            out.print(f"  {fit['note']}")
    out.print(f"{len(rows):,} customers, {horizon} months, discount {discount:.1%}/month, margin {margin:.0%}, "
              f"{values.draws} bootstrap refits; CLV in {summary.currency or '?'}")  # fmt: skip
    from rich.table import Table

    view = Table("customer", "P(alive)", "purchases", "CLV", "interval")
    for r in rows[:top]:
        view.add_row(str(r["customer_id"]), cell(r["p_alive"]), cell(r["purchases"]), cell(r["clv"]),
                     f"{cell(r['clv_low'])} – {cell(r['clv_high'])}")  # fmt: skip
    print_fitted(view, wide=wide)


@app.command("churn")
def churn_cmd(
    until: str = typer.Option(None, "--until", help="DATE: predict as of then (default now)"),
    top: int = typer.Option(20, "--top", help="customers to list, most CLV at stake first"),
    segment: str = typer.Option(None, "--segment", help="list only this segment's customers"),
    backtest_days: int = typer.Option(90, "--horizon", help="backtest horizon: 30 or 90 days"),
    save: bool = typer.Option(True, "--save/--no-save", help="store each customer's prediction with the model version"),
    as_json: bool = typer.Option(False, "--json", help="print JSON: model, backtest and every customer"),
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """Churn risk for every active customer (penalised Cox model, or churn by segment when
    too few customers churned), its backtest against a segment-only baseline, and the
    customers at risk sorted by CLV at stake."""
    from datetime import datetime, timedelta, timezone

    from ..analytics.kpis import kpi
    from ..periods import timestamp
    from ..predict import churn
    from ..predict.churn_backtest import backtest
    from ..predict.stored import save_predictions

    at = timestamp(until, "--until") or datetime.now(timezone.utc)
    store = open_store()
    k = kpi(store)
    model = churn.fit_churn(k, at=at)
    model.backtest = backtest(k, cutoff=at - timedelta(days=backtest_days), horizon=backtest_days)
    scored = churn.value_at_stake(k, churn.predict_churn(model, k, at=at), at=at)
    if save:
        rows = [(cid, r) for cid, r in scored.drop(columns=["model"]).to_dict(orient="index").items()]
        save_predictions(store, "churn", version=model.version, summary=model.summary(), rows=rows, fitted_at=at)
    if segment:
        scored = scored[scored["segment"] == segment]
    if as_json:
        customers = scored.reset_index().to_dict(orient="records")
        out.print_json(json.dumps({"model": model.summary(), "customers": customers}, default=str))
        return
    out.print(f"{model.kind}: {model.n:,} customers, {model.events:,} churned; {model.note}")
    b = model.backtest
    out.print(
        f"backtest from {b['cutoff'][:10]}, {b['horizon_days']} days, {b['test_customers']:,} customers "
        f"({b['test_churned']:,} churned): C-index {b['risk_model']['c_index']:.3f} vs {b['segment_baseline']['c_index']:.3f} "
        f"by segment, Brier {b['risk_model']['brier']:.4f} vs {b['segment_baseline']['brier']:.4f}"
    )
    from rich.table import Table

    view = Table("customer", "segment", "30 d", "90 d", "CLV at stake", "why")
    for cid, r in scored.head(top).iterrows():
        view.add_row(str(cid), r["segment"], f"{r['churn_30d']:.0%}", f"{r['churn_90d']:.0%}",
                     cell(float(r["clv_at_stake"])), "; ".join(r["factors"]))  # fmt: skip
    print_fitted(view, wide=wide)
