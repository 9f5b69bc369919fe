"""Predictive customer lifetime value: BG/NBD for how often a customer will buy, Gamma-Gamma
for how much, discounted over a horizon and multiplied by the margin (DESIGN.md §5).

    CLV = margin · E[spend] · Σ_{i=1..H} (E[Y(i·m)] − E[Y((i−1)·m)]) / (1 + d)^i

with Y(t) the purchases in the next t days, m a month (30.44 days), H months and d the monthly
discount rate. Intervals come from a parametric bootstrap: purchase histories of the same
customers are simulated from the fitted models, the models refitted, and every prediction made
with each refit; the interval is the middle of those predictions. It measures how sure the
models' parameters are, not how much one customer's next year can vary around its expectation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError
from ..periods import DAYS
from . import bgnbd, gamma_gamma
from .features import PurchaseSummary

__all__ = ["MODEL", "LifetimeValueModel", "Predictions", "ValueSettings", "fit_lifetime_value", "predict_values"]

MODEL = "bgnbd-gamma-gamma/1"  # the version stored with each prediction


@dataclass(frozen=True)
class ValueSettings:
    """How lifetime value is counted: months ahead, monthly discount rate, gross margin, the
    interval's confidence, and how many days a month has."""

    horizon_months: int = 12
    monthly_discount: float = 0.01
    margin: float = 1.0
    confidence: float = 0.95
    month_days: float = DAYS["month"]  # lifetimes counts 30 days (or 4.345 weeks)

    def __post_init__(self):
        if not (isinstance(self.horizon_months, int) and 1 <= self.horizon_months <= 600):
            raise InputError(f"horizon must be a whole number of months from 1 to 600, not {self.horizon_months!r}")
        if not 0 <= self.monthly_discount < 1:
            raise InputError(f"monthly discount rate must be in [0, 1), not {self.monthly_discount!r}")
        if not 0 < self.margin <= 1:
            raise InputError(f"margin must be in (0, 1], not {self.margin!r}")
        if not 0 < self.confidence < 1:
            raise InputError(f"confidence must be in (0, 1), not {self.confidence!r}")


@dataclass(frozen=True)
class LifetimeValueModel:
    """The two fitted models, the time unit of their data (days per unit), and the parameter
    vectors of the bootstrap refits (rows: r, α, a, b, p, q, v)."""

    purchases: bgnbd.BGNBD
    spend: gamma_gamma.GammaGamma
    unit_days: float
    draws: np.ndarray = field(repr=False)
    seed: int = 0

    @property
    def version(self) -> str:
        digest = hashlib.sha256(np.round(self.vector(), 10).tobytes()).hexdigest()[:10]
        return f"{MODEL}+{digest}"

    def vector(self) -> np.ndarray:
        return np.concatenate([self.purchases.vector(), self.spend.vector()])

    def summary(self) -> dict:
        """Parameters, standard errors and log-likelihoods, by model."""
        out = {
            model: {"params": m.fit.params, "se": m.fit.se, "log_likelihood": m.fit.log_likelihood, "n": m.fit.n}
            for model, m in (("bgnbd", self.purchases), ("gamma_gamma", self.spend))
        }
        for fit in out.values():
            # A standard error the Hessian cannot give means the maximum is on the edge of the
            # parameter space (e.g. Gamma-Gamma's p → ∞ when each customer always pays the same).
            fit["at_boundary"] = not all(np.isfinite(v) for v in fit["se"].values())
        if out["gamma_gamma"]["at_boundary"]:
            out["gamma_gamma"]["note"] = (
                "spend per purchase barely varies within customers: the model's limit predicts each "
                "customer's own mean spend, and its parameters are not identified"
            )
        return out


def _refit(summary, params, rng):
    """One parametric-bootstrap replicate: simulate histories of the same ages, refit both."""
    x, t_x = bgnbd.simulate(params[:4], summary.T, rng)
    buy = bgnbd.fit_bgnbd(x, t_x, summary.T, start=params[:4]).vector()
    repeat = summary.frequency > 0
    m = gamma_gamma.simulate(params[4:], summary.frequency[repeat], rng)
    spend = gamma_gamma.fit_gamma_gamma(summary.frequency[repeat], m, start=params[4:]).vector()
    return np.concatenate([buy, spend])


def fit_lifetime_value(summary: PurchaseSummary, *, unit_days: float = 1.0, bootstrap: int = 100, seed: int = 0,
                       progress=None) -> LifetimeValueModel:  # fmt: skip
    """Fit BG/NBD on every customer and Gamma-Gamma on the repeat buyers of ``summary``, then
    ``bootstrap`` parametric refits (0: no intervals). ``progress(done, total)`` is called
    after each refit."""
    repeat = summary.frequency > 0
    purchases = bgnbd.fit_bgnbd(summary.frequency, summary.recency, summary.T)
    spend = gamma_gamma.fit_gamma_gamma(summary.frequency[repeat], summary.monetary[repeat])
    point = np.concatenate([purchases.vector(), spend.vector()])
    rng = np.random.default_rng(seed)
    draws = []
    for i in range(bootstrap):
        try:
            draws.append(_refit(summary, point, rng))
        except InputError:
            pass  # a replicate the models cannot be fitted on: leave it out, as a bootstrap does
        if progress:
            progress(i + 1, bootstrap)
    return LifetimeValueModel(purchases, spend, unit_days, np.array(draws).reshape(-1, 7), seed)


@dataclass(frozen=True)
class Predictions:
    """Per customer, each as value, low, high arrays: P(alive), expected purchases and spend
    over the horizon, CLV; with the settings and model version they were made with."""

    customer_id: np.ndarray
    p_alive: tuple[np.ndarray, np.ndarray, np.ndarray]
    purchases: tuple[np.ndarray, np.ndarray, np.ndarray]
    spend: tuple[np.ndarray, np.ndarray, np.ndarray]
    clv: tuple[np.ndarray, np.ndarray, np.ndarray]
    settings: ValueSettings
    model: str
    draws: int

    def rows(self) -> list[dict]:
        out = []
        for i, cid in enumerate(self.customer_id.tolist()):
            row = {"customer_id": cid}
            for name in ("p_alive", "purchases", "spend", "clv"):
                value, low, high = getattr(self, name)
                row |= {name: float(value[i]), f"{name}_low": float(low[i]), f"{name}_high": float(high[i])}
            out.append(row)
        return out


def _point(vector, history, m, settings: ValueSettings, unit_days: float):
    """P(alive), purchases over the horizon, spend and CLV at one parameter vector. The buying
    model's numbers depend only on (x, t_x, T): they are computed once per distinct history
    (``history`` = unique rows and each customer's index into them)."""
    (x, t_x, T), inverse, frequency = history
    month = settings.month_days / unit_days
    ages = month * np.arange(settings.horizon_months + 1)
    cumulative = np.stack([bgnbd.expected_purchases(vector[:4], t, x, t_x, T) for t in ages[1:]])
    monthly = np.diff(np.vstack([np.zeros_like(x), cumulative]), axis=0)
    discount = (1 + settings.monthly_discount) ** -np.arange(1, settings.horizon_months + 1)
    per_purchase = gamma_gamma.expected_spend(vector[4:], frequency, m)
    purchases = cumulative[-1][inverse]
    clv = (
        settings.margin * per_purchase * (discount[:, None] * monthly).sum(axis=0)[inverse]
    )  # not @: see mle.weighted_sum
    return bgnbd.p_alive(vector[:4], x, t_x, T)[inverse], purchases, per_purchase * purchases, clv


def predict_values(
    model: LifetimeValueModel, summary: PurchaseSummary, settings: ValueSettings | None = None
) -> Predictions:
    """Every customer's predictions with bootstrap intervals (value = the point estimate)."""
    settings = settings or ValueSettings()
    keys = np.column_stack([summary.frequency, summary.recency, summary.T])
    unique, inverse = np.unique(keys, axis=0, return_inverse=True)
    history = (tuple(unique.T), inverse.reshape(-1), summary.frequency)
    point = _point(model.vector(), history, summary.monetary, settings, model.unit_days)
    tail = (1 - settings.confidence) / 2
    if len(model.draws):
        replicates = [_point(v, history, summary.monetary, settings, model.unit_days) for v in model.draws]
        bounds = [np.quantile(np.stack([r[j] for r in replicates]), [tail, 1 - tail], axis=0) for j in range(4)]
        triples = [(point[j], np.minimum(bounds[j][0], point[j]), np.maximum(bounds[j][1], point[j])) for j in range(4)]
    else:  # no bootstrap: no interval (NaN), never a zero-width one
        nan = np.full(len(summary), np.nan)
        triples = [(point[j], nan, nan) for j in range(4)]
    return Predictions(summary.customer_id, *triples, settings=settings, model=model.version, draws=len(model.draws))
