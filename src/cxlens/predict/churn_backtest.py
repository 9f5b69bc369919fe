"""How good the churn model is, measured the only honest way: on customers it has not seen,
after a cutoff it did not know about.

The model is fitted as it would have been at ``cutoff`` (trained on what happened before it),
then scores the customers active at the cutoff; what they did in the ``horizon`` days after it
is the truth. Reported for the model and for a baseline that knows only each customer's segment
(Kaplan–Meier by segment on the same training data):

* concordance (Harrell's C): the share of comparable pairs whose predicted risks are in the
  order their churn times came in (0.5 is chance);
* the Brier score at the horizon: mean (P(churn by horizon) − churned by horizon)² (lower is
  better; every test customer is followed for the whole horizon, so none is censored);
* a calibration table: customers in tenths of predicted risk, mean predicted against observed.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from ..errors import InputError
from ..periods import timestamp
from .churn import MIN_EVENTS, WINDOW, ChurnModel, fit_churn, outcomes, predict_churn
from .churn_features import customer_features

__all__ = ["backtest"]


def _scores(risk: np.ndarray, y: pd.DataFrame, horizon: int) -> dict:
    from lifelines.utils import concordance_index

    churned = ((y["event"] == 1) & (y["duration"] <= horizon)).to_numpy().astype(float)
    c = float(concordance_index(y["duration"], -risk, y["event"])) if y["event"].any() else float("nan")
    return {"c_index": c, "brier": float(np.mean((risk - churned) ** 2))}


def _calibration(risk: np.ndarray, churned: np.ndarray, bins: int = 10) -> list[dict]:
    order = np.argsort(risk, kind="stable")
    rows = []
    for part in np.array_split(order, min(bins, len(order))):
        if len(part):
            rows.append(
                {
                    "n": int(len(part)),
                    "predicted": float(risk[part].mean()),
                    "observed": float(churned[part].mean()),
                    "churned": int(churned[part].sum()),
                }
            )
    return rows


def backtest(k, *, cutoff, horizon: int = 90, window: timedelta = WINDOW, min_events: int = MIN_EVENTS) -> dict:
    """Fit as of ``cutoff``, score the customers active then, and judge by the next ``horizon``
    days: C-index, Brier score and calibration of the model and of the segment-only baseline."""
    cutoff = timestamp(cutoff, "--cutoff")
    if horizon not in (30, 90):
        raise InputError(f"the backtest horizon is 30 or 90 days, not {horizon}")
    model: ChurnModel = fit_churn(k, at=cutoff, window=window, min_events=min_events)
    scored = predict_churn(model, k, at=cutoff)
    test = customer_features(k, cutoff)
    y = outcomes(test, cutoff + timedelta(days=horizon))
    risk = scored[f"churn_{horizon}d"].reindex(y.index).to_numpy()
    churned = ((y["event"] == 1) & (y["duration"] <= horizon)).to_numpy().astype(float)
    overall = model.segments["(all)"][horizon]
    baseline = np.array([1 - model.segments.get(str(s), {}).get(horizon, overall) for s in test.table["segment"]])
    result = {
        "cutoff": cutoff.isoformat(),
        "horizon_days": horizon,
        "model": model.summary() | {"version": model.version},
        "test_customers": int(len(y)),
        "test_churned": int(churned.sum()),
        "risk_model": _scores(risk, y, horizon) | {"calibration": _calibration(risk, churned)},
        "segment_baseline": _scores(baseline, y, horizon) | {"calibration": _calibration(baseline, churned)},
    }
    result["beats_baseline"] = bool(
        result["risk_model"]["c_index"] > result["segment_baseline"]["c_index"]
        and result["risk_model"]["brier"] < result["segment_baseline"]["brier"]
    )
    return result
