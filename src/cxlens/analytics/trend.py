"""Whether a rate per period (churn, say) is rising or falling: a test, not a reading of the chart.

Each period contributes its customers at risk and how many of them churned, so the data are
customer-periods, each churned or not: a discrete-time hazard model. The trend is the slope of a
logistic regression of churned on the period's index (0, 1, …), fitted by Newton–Raphson; its
Wald interval and p-value decide. "Rising" or "falling" only when the p-value is below
``alpha``; otherwise "no clear trend", and with too little data it says so instead.

Also here: whether the mix of reasons changed between the first and the second half of a window
(a χ² test of independence, reasons too rare for the test pooled into "other reasons").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

__all__ = ["MIN_PERIODS", "format_p", "RateTrend", "ReasonShift", "rate_trend", "reason_shift"]


def format_p(p: float) -> str:
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


# A slope through two points is no trend: three periods at least.
MIN_PERIODS = 3
_ITERATIONS = 50


@dataclass(frozen=True)
class RateTrend:
    """The trend of a rate over ``periods`` periods: ``direction`` is "rising", "falling",
    "no clear trend" or "too little data". ``odds_ratio`` (per period) with its interval
    ``low``–``high``; ``first``/``last`` are the fitted rates (0–1) at the first and last
    period; ``n`` customer-periods at risk, ``events`` of them churned."""

    direction: str
    periods: int
    n: int
    events: int
    odds_ratio: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    first: float | None = None
    last: float | None = None
    confidence: float = 0.95
    alpha: float = 0.05
    method: str = "logistic regression on the period (Wald)"
    why: str | None = None

    @property
    def significant(self) -> bool:
        return self.direction in ("rising", "falling")

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__} | {"significant": self.significant}

    def evidence(self, grain: str = "month") -> str:
        """The test behind the direction: the factor per period with its interval, p and n."""
        units = f"n = {self.n:,} customer-{grain}s, {self.events:,} churned"
        if self.direction == "too little data":
            return f"{self.why}; {units}"
        level = round(self.confidence * 100)
        return (
            f"logistic trend over {self.periods} {grain}s: odds × {self.odds_ratio:.3f} a {grain}, "
            f"{level} % CI {self.low:.3f} to {self.high:.3f}, {format_p(self.p_value)}; {units}"
        )

    def describe(self, what: str = "churn", grain: str = "month") -> str:
        """In plain words, with n, the interval and p, e.g. "Churn is rising (…)."."""
        if self.direction == "too little data":
            head = f"Too little data to say whether {what} is rising or falling"
        elif self.significant:
            head = f"{what.capitalize()} is {self.direction}"
        else:
            head = f"No clear trend in {what}"
        return f"{head} ({self.evidence(grain)})."


def _fit(x: np.ndarray, events: np.ndarray, n: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Binomial logistic regression of events/n on x: coefficients and their covariance, or
    None when it does not converge (all or none churned, separation)."""
    design = np.column_stack([np.ones_like(x), x])
    rate = (events.sum() + 0.5) / (n.sum() + 1.0)
    beta = np.array([math.log(rate / (1 - rate)), 0.0])
    for _ in range(_ITERATIONS):
        p = 1 / (1 + np.exp(-(design @ beta)))
        weight = n * p * (1 - p)
        information = design.T @ (design * weight[:, None])
        if not np.all(np.isfinite(information)) or np.linalg.det(information) <= 0:
            return None
        step = np.linalg.solve(information, design.T @ (events - n * p))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            p = 1 / (1 + np.exp(-(design @ beta)))
            information = design.T @ (design * (n * p * (1 - p))[:, None])
            return beta, np.linalg.inv(information)
    return None


def rate_trend(counts: Sequence[tuple[int, int]], *, confidence: float = 0.95, alpha: float = 0.05) -> RateTrend:
    """The trend of ``counts``, one ``(events, at_risk)`` per period in time order (periods
    with nobody at risk are left out but keep their place in time)."""
    x = np.array([i for i, (_, n) in enumerate(counts) if n > 0], dtype=float)
    events = np.array([e for e, n in counts if n > 0], dtype=float)
    at_risk = np.array([n for _, n in counts if n > 0], dtype=float)
    if np.any(events < 0) or np.any(events > at_risk):
        raise ValueError("every period needs 0 <= events <= at risk")
    base = {"periods": len(x), "n": int(at_risk.sum()), "events": int(events.sum()), "confidence": confidence}
    base["alpha"] = alpha
    if len(x) < MIN_PERIODS:
        return RateTrend("too little data", **base, why=f"a trend needs {MIN_PERIODS} periods with customers")
    if events.sum() == 0:
        return RateTrend("too little data", **base, why="nobody churned in these periods")
    fitted = _fit(x, events, at_risk)
    if fitted is None:
        return RateTrend("too little data", **base, why="the model cannot be fitted (everyone or nobody churned)")
    beta, cov = fitted
    se = math.sqrt(cov[1, 1])
    z = sps.norm.ppf(0.5 + confidence / 2)
    p_value = float(2 * sps.norm.sf(abs(beta[1] / se)))
    direction = "no clear trend"
    if p_value < alpha:
        direction = "rising" if beta[1] > 0 else "falling"

    def rate_at(i: float) -> float:
        return float(1 / (1 + math.exp(-(beta[0] + beta[1] * i))))

    return RateTrend(
        direction,
        **base,
        odds_ratio=math.exp(beta[1]),
        low=math.exp(beta[1] - z * se),
        high=math.exp(beta[1] + z * se),
        p_value=p_value,
        first=rate_at(x[0]),
        last=rate_at(x[-1]),
    )


@dataclass(frozen=True)
class ReasonShift:
    """Whether the reasons' mix differs between the window's two halves: ``changed`` (p below
    ``alpha``), the χ² statistic, its degrees of freedom, p, and the reasons tested."""

    changed: bool | None
    n: int
    chi2: float | None = None
    dof: int | None = None
    p_value: float | None = None
    reasons: tuple[str, ...] = ()
    why: str | None = None


def reason_shift(first: dict[str, int], second: dict[str, int], *, alpha: float = 0.05) -> ReasonShift:
    """χ² test of reasons × half; reasons expected fewer than 5 times in a half are pooled
    (the test's approximation needs it), and with fewer than two reasons left there is no test."""
    total_a, total_b = sum(first.values()), sum(second.values())
    n = total_a + total_b
    if not total_a or not total_b:
        return ReasonShift(None, n, why="a half of the window has nobody leaving")
    share_a = total_a / n
    kept, pooled = [], [0, 0]
    for reason in sorted(set(first) | set(second)):
        a, b = first.get(reason, 0), second.get(reason, 0)
        if min((a + b) * share_a, (a + b) * (1 - share_a)) >= 5:
            kept.append((reason, a, b))
        else:
            pooled = [pooled[0] + a, pooled[1] + b]
    if sum(pooled) and min(sum(pooled) * share_a, sum(pooled) * (1 - share_a)) >= 5:
        kept.append(("other reasons", *pooled))
    if len(kept) < 2:
        return ReasonShift(None, n, why="too few customers gave reasons for a test")
    table = np.array([[a for _, a, _ in kept], [b for _, _, b in kept]])
    chi2, p, dof, _ = sps.chi2_contingency(table, correction=False)
    return ReasonShift(bool(p < alpha), n, float(chi2), int(dof), float(p), tuple(r for r, _, _ in kept))
