"""Predictive lifetime value at scale: fit and score 500k customers from 4M revenue rows,
cxlens.predict beside ``lifetimes`` on the same rows, in one run.

The rows are simulated from a BG/NBD buyer (λ ~ Gamma(r, α) per day, dropout p ~ Beta(a, b)
after each purchase) with Gamma-Gamma spend, first purchases spread over two years, and held
in an in-process DuckDB (tier 0). cxlens reads each customer's frequency, recency, age and
mean spend from that table through the analytics engine, fits both models by maximum
likelihood and scores every customer (P(alive), purchases and spend over 12 months, CLV);
lifetimes does the same from a pandas DataFrame of the same rows (its summary, its two fitters,
its predictions). Parameters must agree to 4 significant digits.

    .venv/bin/python bench/predict.py                     # 500k customers, about 4M rows
    .venv/bin/python bench/predict.py --customers 50000   # smaller
    .venv/bin/python bench/predict.py --bootstrap 20      # also time 20 parametric refits

Goal: cxlens ≥ 5× faster than lifetimes end to end, same parameters to 4 digits.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timezone
from types import SimpleNamespace

import ibis
import numpy as np
import pyarrow as pa

from cxlens import predict
from cxlens.analytics.engine import Engine

AS_OF = datetime(2026, 7, 1, tzinfo=timezone.utc)
TRUTH = {"r": 0.9, "alpha": 35.0, "a": 0.5, "b": 8.0, "p": 4.0, "q": 3.5, "v": 60.0}


def simulate_rows(customers: int, seed: int) -> pa.Table:
    """Revenue rows (customer_id, occurred_at, amount, currency) of simulated BG/NBD buyers."""
    rng = np.random.default_rng(seed)
    first = rng.uniform(0, 730, size=customers)  # days before AS_OF
    lam = rng.gamma(TRUTH["r"], 1 / TRUTH["alpha"], size=customers)
    drop = rng.beta(TRUTH["a"], TRUTH["b"], size=customers)
    nu = rng.gamma(TRUTH["q"], 1 / TRUTH["v"], size=customers)
    ids, days = [np.arange(customers)], [np.zeros(customers)]
    now, alive = np.zeros(customers), np.ones(customers, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1 / lam[idx])
        bought = idx[now[idx] <= first[idx]]
        alive[idx[now[idx] > first[idx]]] = False
        ids.append(bought)
        days.append(now[bought])
        alive[bought[rng.random(len(bought)) < drop[bought]]] = False
    customer = np.concatenate(ids)
    at = AS_OF.timestamp() - (first[customer] - np.concatenate(days)) * 86400
    amount = np.round(rng.gamma(TRUTH["p"], 1 / nu[customer]), 2) + 0.01
    return pa.table(
        {
            "customer_id": pa.array(customer + 1, pa.int64()),
            "occurred_at": pa.array((at * 1e6).astype("int64"), pa.timestamp("us")),  # zone-less UTC, as in the mirror
            "amount": pa.array(amount, pa.float64()),
            "currency": pa.array(["EUR"] * len(customer)),
        }
    )


def run_cxlens(rows: pa.Table, bootstrap: int) -> dict:
    con = ibis.duckdb.connect()
    con.create_table("revenue", rows)
    k = SimpleNamespace(engine=Engine(con, "duckdb"))
    t0 = time.perf_counter()
    summary = predict.purchase_summary(k, until=AS_OF)
    t1 = time.perf_counter()
    model = predict.fit_lifetime_value(summary, bootstrap=0)
    t2 = time.perf_counter()
    values = predict.predict_values(model, summary, predict.ValueSettings(horizon_months=12, month_days=30))
    t3 = time.perf_counter()
    out = {"summary": t1 - t0, "fit": t2 - t1, "score": t3 - t2, "model": model, "values": values, "n": len(summary)}
    if bootstrap:
        t4 = time.perf_counter()
        booted = predict.fit_lifetime_value(summary, bootstrap=bootstrap)
        t5 = time.perf_counter()
        predict.predict_values(booted, summary)
        out |= {"bootstrap_fit": t5 - t4, "bootstrap_score": time.perf_counter() - t5}
    return out


def run_lifetimes(rows: pa.Table) -> dict:
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    df = rows.select(["customer_id", "occurred_at", "amount"]).to_pandas()
    t0 = time.perf_counter()
    s = summary_data_from_transaction_data(
        df, "customer_id", "occurred_at", monetary_value_col="amount", observation_period_end=AS_OF.replace(tzinfo=None)
    )
    t1 = time.perf_counter()
    bgf = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
    repeat = s[s["frequency"] > 0]
    ggf = GammaGammaFitter().fit(repeat["frequency"], repeat["monetary_value"])
    t2 = time.perf_counter()
    bgf.conditional_probability_alive(s["frequency"], s["recency"], s["T"])
    bgf.conditional_expected_number_of_purchases_up_to_time(360, s["frequency"], s["recency"], s["T"])
    ggf.conditional_expected_average_profit(s["frequency"], s["monetary_value"])
    clv = ggf.customer_lifetime_value(
        bgf, s["frequency"], s["recency"], s["T"], s["monetary_value"], time=12, discount_rate=0.01, freq="D"
    )
    t3 = time.perf_counter()
    params = {**bgf.params_.to_dict(), **ggf.params_.to_dict()}
    return {"summary": t1 - t0, "fit": t2 - t1, "score": t3 - t2, "params": params, "clv": clv, "n": len(s)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=500_000)
    parser.add_argument("--bootstrap", type=int, default=0, help="also time this many parametric refits")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t = time.perf_counter()
    rows = simulate_rows(args.customers, args.seed)
    print(
        f"{args.customers:,} customers, {rows.num_rows:,} revenue rows (simulated in {time.perf_counter() - t:.1f} s)"
    )
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    ours = run_cxlens(rows, args.bootstrap)
    theirs = run_lifetimes(rows)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    print(f"\n{'step':<10}{'cxlens':>10}{'lifetimes':>12}{'ratio':>8}")
    for step in ("summary", "fit", "score"):
        print(f"{step:<10}{ours[step]:>9.2f}s{theirs[step]:>11.2f}s{theirs[step] / ours[step]:>7.1f}×")
    total_ours = sum(ours[s] for s in ("summary", "fit", "score"))
    total_theirs = sum(theirs[s] for s in ("summary", "fit", "score"))
    print(f"{'total':<10}{total_ours:>9.2f}s{total_theirs:>11.2f}s{total_theirs / total_ours:>7.1f}×  (goal ≥ 5×)")
    if args.bootstrap:
        print(f"bootstrap: {args.bootstrap} refits {ours['bootstrap_fit']:.1f} s, scoring with intervals "
              f"{ours['bootstrap_score']:.1f} s")  # fmt: skip
    summary = ours["model"].summary()
    mine = {**summary["bgnbd"]["params"], **summary["gamma_gamma"]["params"]}
    print(f"\n{'param':<7}{'truth':>9}{'cxlens':>12}{'lifetimes':>12}  same to 4 digits")
    for name, value in mine.items():
        other = theirs["params"][name]
        same = f"{value:.4g}" == f"{other:.4g}"
        print(f"{name:<7}{TRUTH[name]:>9g}{value:>12.6g}{other:>12.6g}  {'yes' if same else 'NO'}")
    print(f"customers scored: cxlens {ours['n']:,}, lifetimes {theirs['n']:,}")


if __name__ == "__main__":
    main()
