"""Behaviour segments: RFM quintile codes with their named ranges, and k-means clusters whose k
the silhouette picks, each cluster at least 5 % of the customers."""

from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from cxlens import predict
from cxlens.errors import InputError
from cxlens.predict import segments


def summary(n=500, seed=1):
    rng = np.random.default_rng(seed)
    frequency = rng.poisson(3, n).astype(float)
    T = rng.uniform(100, 400, n)
    recency = np.where(frequency > 0, rng.uniform(0, 1, n) * T, 0.0)
    monetary = np.where(frequency > 0, rng.gamma(3, 20, n), 0.0)
    total = monetary * frequency + rng.gamma(3, 20, n)
    return predict.PurchaseSummary(
        np.arange(1, n + 1), frequency, recency, T, monetary, datetime(2026, 1, 1, tzinfo=timezone.utc), "EUR", total
    )


def test_rfm_scores_are_quintiles_and_codes_name_their_segment():
    s = summary()
    table = segments.rfm(s)
    for column in ("r", "f", "m"):
        counts = table[column].value_counts()
        assert set(counts.index) <= {1, 2, 3, 4, 5} and counts.max() <= 0.45 * len(table)
    assert (table["code"] == table["r"].astype(str) + table["f"].astype(str) + table["m"].astype(str)).all()
    assert table["monetary"].tolist() == pytest.approx(s.total.tolist())
    # Most recent buyers score R = 5: the smallest recency_days among them beat every R = 1.
    assert table.loc[table["r"] == 5, "recency_days"].max() <= table.loc[table["r"] == 1, "recency_days"].min()
    best = table[(table["r"] >= 4) & (table["f"] >= 4)]
    assert (best["segment"] == "champions").all()
    assert set(table["segment"]) <= {rule["name"] for rule in segments.RFM_SEGMENTS} | {"others"}
    with pytest.raises(InputError, match="RFM needs purchases"):
        segments.rfm(predict.PurchaseSummary(*(np.array([]),) * 5, datetime.now(timezone.utc), None))


def test_clusters_are_found_by_silhouette_and_described():
    rng = np.random.default_rng(3)
    groups = [rng.normal(loc, 0.3, size=(n, 3)) for loc, n in ((0, 300), (4, 200), (-4, 100))]
    features = pd.DataFrame(np.vstack(groups), columns=["usage", "tickets", "nps"])
    found = segments.cluster(features, max_k=6, seed=0)
    assert found.k == 3 and max(found.silhouettes, key=found.silhouettes.get) == 3
    assert sorted(d["n"] for d in found.descriptions.values()) == [100, 200, 300]
    assert all(d["share"] >= segments.MIN_SHARE for d in found.descriptions.values())
    again = segments.cluster(features, max_k=6, seed=0)
    assert (again.labels == found.labels).all()  # fixed seed: the same clusters
    with pytest.raises(InputError, match="at least 20 customers"):
        segments.cluster(features.head(5))
