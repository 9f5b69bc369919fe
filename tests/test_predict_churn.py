"""Churn risk: on the demo company (whose churn follows its customers' experience) the Cox
model beats a segment-only baseline in a time-split backtest; with few churners it says so and
falls back to Kaplan–Meier by segment; features never see the future."""

from datetime import date, datetime, timedelta, timezone

import numpy as np
import pytest

from cxlens.analytics.kpis import kpi
from cxlens.demo import generate_demo
from cxlens.predict import churn
from cxlens.predict.churn_backtest import backtest
from cxlens.predict.churn_features import customer_features
from cxlens.store import schema as s

END = date(2026, 6, 30)
CUTOFF = datetime(2026, 3, 1, tzinfo=timezone.utc)


@pytest.fixture
def demo(mapped_store):
    generate_demo(mapped_store, customers=3000, responses=20000, seed=7, end=END)
    return mapped_store


def test_the_risk_model_beats_the_segment_baseline_in_a_time_split_backtest(demo):
    result = backtest(kpi(demo), cutoff=CUTOFF, horizon=90)
    model, baseline = result["risk_model"], result["segment_baseline"]
    assert result["model"]["kind"] == "cox" and result["test_churned"] >= 100
    assert model["c_index"] > baseline["c_index"] + 0.1
    assert model["brier"] < baseline["brier"]
    assert result["beats_baseline"]
    table = model["calibration"]
    assert sum(r["n"] for r in table) == result["test_customers"] and len(table) == 10
    assert table[-1]["observed"] > 2 * table[0]["observed"]  # the riskiest tenth churns most
    # Experience carries the signal: detractors and slow support raise risk, satisfaction lowers it.
    coef = result["model"]["coefficients"]
    assert coef["detractor_recently"] > 0 and coef["csat"] < 0 and coef["latest_nps"] < 0


def test_each_customer_gets_risks_and_reasons_in_words(demo):
    k = kpi(demo)
    model = churn.fit_churn(k, at=CUTOFF)
    scored = churn.predict_churn(model, k, at=CUTOFF)
    assert len(scored) > 1000 and scored["model"].eq(model.version).all()
    assert (
        (scored["churn_30d"] >= 0) & (scored["churn_30d"] <= scored["churn_90d"]) & (scored["churn_90d"] <= 1)
    ).all()
    riskiest = scored.sort_values("churn_90d").iloc[-1]
    assert 1 <= len(riskiest["factors"]) <= 3 and all(isinstance(f, str) and f for f in riskiest["factors"])
    assert "{" not in " ".join(riskiest["factors"])  # every phrase was filled in


def _small_store(store, churners: int, others: int = 200):
    start = CUTOFF - timedelta(days=400)
    with store.engine.begin() as conn:
        for i in range(1, churners + others + 1):
            left = CUTOFF - timedelta(days=5 + i % 150) if i <= churners else None
            segment = "smb" if i % 2 else "enterprise"
            conn.execute(
                s.customers.insert().values(
                    id=i, external_id=f"c{i}", segment=segment, signed_up_at=start, churned_at=left
                )
            )


def test_with_thirty_churners_it_says_that_is_too_little_and_uses_segments(store):
    _small_store(store, churners=30)
    model = churn.fit_churn(kpi(store), at=CUTOFF)
    assert model.kind == "kaplan-meier by segment" and model.events == 30
    assert "too little" in model.note and str(churn.MIN_EVENTS) in model.note
    scored = churn.predict_churn(model, kpi(store), at=CUTOFF)
    assert set(scored["segment"]) <= {"smb", "enterprise"}
    assert np.allclose(scored.groupby("segment")["churn_90d"].nunique(), 1)  # one risk per segment
    assert "too few churners" in scored["factors"].iloc[0][0]


def test_features_see_nothing_after_their_moment(store):
    _small_store(store, churners=0, others=3)
    at = CUTOFF
    with store.engine.begin() as conn:
        for j, when in enumerate((at - timedelta(days=10), at + timedelta(days=1))):
            conn.execute(
                s.tickets.insert().values(
                    external_id=f"t{j}",
                    customer_id=1,
                    created_at=when,
                    first_response_at=when + timedelta(hours=2),
                    first_response_seconds=7200.0,
                    reopens=1,
                )
            )
    table = customer_features(kpi(store), at).table
    assert table.loc[1, "tickets_recently"] == 1 and table.loc[1, "reopens_recently"] == 1
    assert table.loc[1, "first_response_hours"] == pytest.approx(2.0)
    assert table.loc[2, "tickets_recently"] == 0
