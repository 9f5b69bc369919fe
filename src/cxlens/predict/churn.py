"""Churn risk per customer: a penalised Cox proportional-hazards model (lifelines) on what the
store knows about each customer, sized to the data, with a Kaplan–Meier-by-segment fallback.

The model is a landmark one. At a moment L (``window`` before the fit's ``at``), every
customer then active is described by their features as of L, and followed until ``at``:
h(t | x) = h₀(t) · exp(βᵀz), z the standardised features, fitted with a ridge penalty. A
customer's risk of churning within d days of now is 1 − S₀(d)^exp(βᵀz), with their features as
of now. Each feature costs a parameter, and a Cox model needs about ``EVENTS_PER_PARAMETER``
churned customers per parameter (Peduzzi et al. 1995; Vittinghoff & McCulloch 2007 relax it to
5–10): with few churners it takes fewer features, in the order of ``churn_features.NUMERIC``,
and below ``MIN_EVENTS`` it fits no model and estimates churn by segment (Kaplan–Meier).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from ..errors import InputError
from ..periods import timestamp
from .churn_features import CATEGORIES, NUMERIC, CustomerFeatures, customer_features

__all__ = [
    "EVENTS_PER_PARAMETER",
    "MIN_EVENTS",
    "MODEL",
    "ChurnModel",
    "fit_churn",
    "outcomes",
    "predict_churn",
    "value_at_stake",
]

MODEL = "cox-landmark/1"
MIN_EVENTS = 50
EVENTS_PER_PARAMETER = 10
WINDOW = timedelta(days=180)
HORIZONS = (30, 90)
FACTORS = yaml.safe_load(resources.files(__package__).joinpath("churn_factors.yaml").read_text(encoding="utf-8"))


def outcomes(features: CustomerFeatures, until: datetime) -> pd.DataFrame:
    """Days from the landmark to churn (event 1) or to ``until`` (event 0)."""
    t = features.table
    end = pd.Timestamp(until)
    churned = t["churned_at"].notna() & (t["churned_at"] < end)
    stop = t["churned_at"].where(churned, end)
    days = (stop - pd.Timestamp(features.at)).dt.total_seconds() / 86400
    return pd.DataFrame({"duration": days.clip(lower=1e-3), "event": churned.astype(int)}, index=t.index)


@dataclass
class ChurnModel:
    """A fitted churn model: ``kind`` "cox" or "kaplan-meier by segment", its features and
    coefficients (on standardised features), what it was fitted on, and why it is this size."""

    kind: str
    fitted_at: datetime
    landmark: datetime
    n: int
    events: int
    features: list[str]
    note: str
    coefficients: dict[str, float] = field(default_factory=dict)
    center: dict[str, float] = field(default_factory=dict)
    scale: dict[str, float] = field(default_factory=dict)
    baseline: dict[int, float] = field(default_factory=dict)  # S₀(d) for d in HORIZONS
    segments: dict[str, dict[int, float]] = field(default_factory=dict)  # KM S(d) per segment
    penalizer: float = 0.1
    backtest: dict | None = None

    @property
    def version(self) -> str:
        return f"{MODEL}+{self.kind.split()[0]}+{self.fitted_at:%Y%m%d}"

    def summary(self) -> dict:
        out = {k: getattr(self, k) for k in ("kind", "n", "events", "features", "note", "coefficients", "penalizer")}
        return out | {"version": self.version, "landmark": self.landmark.isoformat(), "backtest": self.backtest}


def _design(table: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Numeric features as they are, categories as one column per value (the first left out)."""
    numeric = [f for f in features if f in NUMERIC]
    parts = [table[numeric].astype(float)]
    for c in (f for f in features if f in CATEGORIES):
        parts.append(pd.get_dummies(table[c], prefix=c, prefix_sep="=", drop_first=True, dtype=float))
    return pd.concat(parts, axis=1)


def _choose(table: pd.DataFrame, events: int) -> tuple[list[str], str]:
    """As many features as ``events`` pay for, in priority order; constant ones left out."""
    budget = max(events // EVENTS_PER_PARAMETER, 1)
    chosen, used = [], 0
    for f in (*NUMERIC, *CATEGORIES):
        cost = max(table[f].nunique() - 1, 0) if f in CATEGORIES else int(table[f].std() > 0)
        if cost and used + cost <= budget:
            chosen.append(f)
            used += cost
    note = f"{events} churned customers pay for {budget} parameters at {EVENTS_PER_PARAMETER} each; {used} used"
    return chosen, note


def _km_by_segment(table: pd.DataFrame, y: pd.DataFrame) -> dict[str, dict[int, float]]:
    from lifelines import KaplanMeierFitter

    out = {}
    for segment, rows in y.groupby(table["segment"]):
        km = KaplanMeierFitter().fit(rows["duration"], rows["event"])
        out[str(segment)] = {d: float(km.survival_function_at_times(d).iloc[0]) for d in HORIZONS}
    overall = KaplanMeierFitter().fit(y["duration"], y["event"])
    out["(all)"] = {d: float(overall.survival_function_at_times(d).iloc[0]) for d in HORIZONS}
    return out


def fit_churn(
    k, *, at=None, window: timedelta = WINDOW, penalizer: float = 0.1, min_events: int = MIN_EVENTS
) -> ChurnModel:
    """Fit on customers active ``window`` before ``at`` (default now), followed until ``at``."""
    from lifelines import CoxPHFitter

    at = timestamp(at, "--until") or datetime.now(timezone.utc)
    landmark = at - window
    features = customer_features(k, landmark)
    table, y = features.table, outcomes(features, at)
    events = int(y["event"].sum())
    base = dict(fitted_at=at, landmark=landmark, n=len(table), events=events, penalizer=penalizer)
    if len(table) == 0:
        raise InputError(f"no customer was active on {landmark:%Y-%m-%d}: nothing to learn churn from")
    segments = _km_by_segment(table, y)
    if events < min_events:
        note = (
            f"only {events} customers churned in the {window.days} days before {at:%Y-%m-%d}; a risk model needs "
            f"at least {min_events}: too little to predict each customer, so risk is churn by segment (Kaplan–Meier)"
        )
        return ChurnModel("kaplan-meier by segment", features=["segment"], note=note, segments=segments, **base)
    chosen, note = _choose(table, events)
    x = _design(table, chosen)
    center, scale = x.mean(), x.std().replace(0, 1.0)
    z = (x - center) / scale
    cph = CoxPHFitter(penalizer=penalizer).fit(pd.concat([z, y], axis=1), "duration", "event")
    s0 = cph.baseline_survival_
    baseline = {d: float(np.interp(d, s0.index.to_numpy(), s0.iloc[:, 0].to_numpy())) for d in HORIZONS}
    return ChurnModel(
        "cox",
        features=chosen,
        note=note,
        coefficients={c: float(v) for c, v in cph.params_.items()},
        center={c: float(v) for c, v in center.items()},
        scale={c: float(v) for c, v in scale.items()},
        baseline=baseline,
        segments=segments,
        **base,
    )


def _risk(model: ChurnModel, table: pd.DataFrame) -> tuple[dict[int, np.ndarray], pd.DataFrame | None]:
    if model.kind != "cox":
        overall = model.segments["(all)"]
        seg = table["segment"].astype(str)
        risk = {d: np.array([1 - model.segments.get(s, overall)[d] for s in seg]) for d in HORIZONS}
        return risk, None
    x = _design(table, model.features).reindex(columns=list(model.coefficients), fill_value=0.0)
    z = (x - pd.Series(model.center)) / pd.Series(model.scale)
    contributions = z * pd.Series(model.coefficients)
    hazard = np.exp(contributions.sum(axis=1).to_numpy())
    # The baseline is at the training data's mean z (lifelines centres); z here is centred the same way.
    return {d: 1 - model.baseline[d] ** hazard for d in HORIZONS}, contributions


def predict_churn(model: ChurnModel, k, *, at=None, top: int = 3) -> pd.DataFrame:
    """Per customer active at ``at`` (default now): P(churn within 30 and 90 days), the top
    factors raising it (plain words) and the model version."""
    at = timestamp(at, "--until") or datetime.now(timezone.utc)
    table = customer_features(k, at).table
    risk, contributions = _risk(model, table)
    out = pd.DataFrame({f"churn_{d}d": risk[d] for d in HORIZONS}, index=table.index)
    factors = []
    for cid in table.index:
        if contributions is None:
            factors.append([f"is in segment {table.at[cid, 'segment']} (churn by segment: too few churners to model)"])
            continue
        row = contributions.loc[cid]
        raising = row[row > 0].sort_values(ascending=False).head(top)
        factors.append([_factor(model, c, table.loc[cid]) for c in raising.index])
    out["factors"] = factors
    out["segment"] = table["segment"]
    out["model"] = model.version
    return out


def _factor(model: ChurnModel, column: str, row: pd.Series) -> str:
    """The words for a feature that raises this customer's risk: its value is on the risky
    side, which is 'higher' when the coefficient is positive and the value above the mean."""
    if "=" in column:
        feature, value = column.split("=", 1)
        side = "higher" if row[feature] == value else "lower"
        return FACTORS["category"][side].format(feature=feature, value=value if side == "higher" else value)
    side = "higher" if row[column] > model.center[column] else "lower"
    return FACTORS[column][side].format(value=float(row[column]))


def value_at_stake(k, scored: pd.DataFrame, *, at=None) -> pd.DataFrame:
    """``scored`` with each customer's simple CLV (their revenue over the year before ``at`` ×
    their segment's expected lifetime in years, from the ``clv`` KPI) and the CLV at stake
    (P(churn within 90 days) × CLV), sorted by it, largest first. A segment whose lifetime
    cannot be estimated (nobody churned) counts one year."""
    from ..analytics.facts import bound

    at = timestamp(at, "--until") or datetime.now(timezone.utc)
    r = k.engine.table("revenue")
    r = r.filter(
        r.occurred_at < bound(r.occurred_at, at), r.occurred_at >= bound(r.occurred_at, at - timedelta(days=365))
    )
    paid = k.engine.execute(r.group_by("customer_id").aggregate(paid=r.amount.cast("float64").sum())).to_pandas()
    annual = paid.set_index("customer_id")["paid"].reindex(scored.index, fill_value=0.0)
    years = {row["segment"]: row["expected_years"] for row in k.compute("clv", by=["segment"], until=at).rows}
    out = scored.copy()
    out["annual_revenue"] = annual
    out["clv"] = annual * out["segment"].map(lambda s: years.get(s) or 1.0)
    out["clv_at_stake"] = out["churn_90d"] * out["clv"]
    return out.sort_values("clv_at_stake", ascending=False)
