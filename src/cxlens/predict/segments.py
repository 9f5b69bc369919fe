"""Behaviour segments: RFM codes by quintiles and k-means clusters of behaviour features.

RFM: each buyer's recency (days since the last purchase day), frequency (purchase days) and
monetary value (total revenue) become quintile scores 1–5 (5 = most recent, most frequent,
most spent) and a code such as "545"; ``rfm_segments.yaml`` names the codes' ranges
(champions, loyal, at risk, hibernating …). Clusters: k-means on standardised features, k from
2 to ``max_k`` chosen by silhouette among the k whose every cluster holds at least 5 % of the
customers, fixed seed; each cluster is described by the features furthest from the average,
for a person to name.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError
from .features import PurchaseSummary

__all__ = ["RFM_SEGMENTS", "RFM_VERSION", "Clusters", "cluster", "rfm", "save_clusters", "save_rfm"]

RFM_SEGMENTS = yaml.safe_load(resources.files(__package__).joinpath("rfm_segments.yaml").read_text(encoding="utf-8"))
MIN_SHARE = 0.05


def _quintile(values: np.ndarray) -> np.ndarray:
    """Scores 1–5 by rank (ties share the lower rank), so equal values get equal scores."""
    ranks = pd.Series(values).rank(method="min", pct=True).to_numpy()
    return np.clip(np.ceil(ranks * 5), 1, 5).astype(int)


def rfm(summary: PurchaseSummary) -> pd.DataFrame:
    """Per buyer: recency days, frequency (purchase days), monetary (total), R, F, M scores,
    the code and the segment's name."""
    if not len(summary):
        raise InputError("no customer has bought anything yet: RFM needs purchases")
    days = summary.frequency + 1
    spend = summary.total if summary.total is not None else summary.monetary * summary.frequency
    recency = summary.T - summary.recency  # days since the last purchase day
    table = pd.DataFrame(
        {"recency_days": recency, "frequency": days, "monetary": spend},
        index=pd.Index(summary.customer_id, name="customer_id"),
    )
    table["r"] = _quintile(-recency)
    table["f"] = _quintile(days)
    table["m"] = _quintile(spend)
    table["code"] = table["r"].astype(str) + table["f"].astype(str) + table["m"].astype(str)
    table["segment"] = [_name(r, f) for r, f in zip(table["r"], table["f"])]
    return table


def _name(r: int, f: int) -> str:
    for rule in RFM_SEGMENTS:
        if rule["r"][0] <= r <= rule["r"][1] and rule["f"][0] <= f <= rule["f"][1]:
            return rule["name"]
    return "others"


@dataclass(frozen=True)
class Clusters:
    """Each customer's cluster, the k chosen with every k's silhouette, and each cluster's
    size and most distinctive features (mean z-scores furthest from 0)."""

    labels: pd.Series
    k: int
    silhouettes: dict[int, float]
    descriptions: dict[int, dict]


def cluster(features: pd.DataFrame, *, max_k: int = 8, seed: int = 0, sample: int = 5000) -> Clusters:
    """k-means on the standardised numeric columns of ``features`` (one row per customer)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    x = features.select_dtypes("number").astype(float)
    x = x.loc[:, x.std() > 0]
    if len(x) < 20 or x.shape[1] == 0:
        raise InputError(f"clustering needs at least 20 customers with varying features, not {len(x)}")
    z = ((x - x.mean()) / x.std()).to_numpy()
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(z), size=min(sample, len(z)), replace=False)  # silhouette is O(n²)
    best, silhouettes, fits = None, {}, {}
    for k in range(2, max_k + 1):
        fit = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(z)
        shares = np.bincount(fit.labels_, minlength=k) / len(z)
        if shares.min() < MIN_SHARE:
            continue
        silhouettes[k] = float(silhouette_score(z[pick], fit.labels_[pick]))
        fits[k] = fit
        if best is None or silhouettes[k] > silhouettes[best]:
            best = k
    if best is None:
        raise InputError(f"no k from 2 to {max_k} gives clusters of at least {MIN_SHARE:.0%} of the customers each")
    labels = fits[best].labels_
    descriptions = {}
    for c in range(best):
        means = pd.Series(z[labels == c].mean(axis=0), index=x.columns)
        top = means.reindex(means.abs().sort_values(ascending=False).index).head(3)
        descriptions[c] = {
            "n": int((labels == c).sum()),
            "share": float((labels == c).mean()),
            "distinctive": {name: round(float(v), 2) for name, v in top.items()},
        }
    return Clusters(pd.Series(labels, index=features.index, name="cluster"), best, silhouettes, descriptions)


RFM_VERSION = "rfm-quintiles/1"


def save_rfm(store, *, until=None) -> pd.DataFrame:
    """Every buyer's RFM scores, code and segment, stored (and written onto the customer)."""
    from ..analytics.kpis import kpi
    from .features import purchase_summary
    from .stored import save_predictions

    table = rfm(purchase_summary(kpi(store), until=until))
    rows = list(table.to_dict(orient="index").items())
    save_predictions(store, "rfm", version=RFM_VERSION, summary={"segments": RFM_SEGMENTS}, rows=rows)
    return table


def save_clusters(store, *, at=None, max_k: int = 8, seed: int = 0) -> Clusters:
    """k-means clusters of the active customers' behaviour features, stored as "cluster N"."""
    from datetime import datetime, timezone

    from ..analytics.kpis import kpi
    from .churn_features import NUMERIC, customer_features
    from .stored import save_predictions

    at = at or datetime.now(timezone.utc)
    # Ordered by customer: k-means' start depends on the rows' order, which engines do not fix.
    features = customer_features(kpi(store), at).table[list(NUMERIC)].sort_index()
    found = cluster(features, max_k=max_k, seed=seed)
    summary = {"k": found.k, "silhouettes": found.silhouettes, "clusters": found.descriptions, "seed": seed}
    rows = [(cid, {"cluster": int(c), "name": f"cluster {int(c)}"}) for cid, c in found.labels.items()]
    save_predictions(store, "cluster", version=f"kmeans/1+k{found.k}+seed{seed}", summary=summary, rows=rows)
    return found
