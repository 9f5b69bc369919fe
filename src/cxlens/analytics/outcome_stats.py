"""Statistics of outcome KPIs: ratios of sums (revenue retention) and survival (Kaplan–Meier)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import numpy as np
from scipy import stats as sps

from ..errors import InputError
from .estimate import MIN_N, Estimate, z_value

__all__ = ["RatioStats", "SurvivalPoint", "kaplan_meier", "kaplan_meier_at", "poisson_interval", "ratio"]


@dataclass(frozen=True)
class RatioStats:
    """Sufficient statistics of a ratio of sums Σy/Σx over n units (customers): n, Σx, Σy,
    Σx², Σy², Σxy. Revenue retention is one: this period's revenue over the base period's."""

    n: int = 0
    x: float = 0.0
    y: float = 0.0
    xx: float = 0.0
    yy: float = 0.0
    xy: float = 0.0

    def __add__(self, other: RatioStats) -> RatioStats:
        return RatioStats(*(a + b for a, b in zip(self.__dict__.values(), other.__dict__.values(), strict=True)))

    @classmethod
    def from_pairs(cls, x: Iterable[float], y: Iterable[float]) -> RatioStats:
        ax, ay = np.asarray(list(x), dtype=float), np.asarray(list(y), dtype=float)
        return cls(
            len(ax),
            float(ax.sum()),
            float(ay.sum()),
            float((ax * ax).sum()),
            float((ay * ay).sum()),
            float((ax * ay).sum()),
        )


def ratio(
    stats: RatioStats,
    *,
    confidence: float = 0.95,
    min_n: int = MIN_N,
    label: str = "",
    at_most: float = math.inf,
) -> Estimate:
    """R = Σy / Σx with the delta-method (linearisation) interval of a ratio estimator:

    Var(R) ≈ Σ(yᵢ − R·xᵢ)² / (n (n − 1) x̄²), where Σ(yᵢ − R·xᵢ)² = Σy² − 2RΣxy + R²Σx²
    (Cochran, Sampling Techniques, 3rd ed., §6.4), so it needs only the six sums. The interval
    uses t(n − 1) and is clipped at 0 (a revenue ratio cannot be negative) and at ``at_most``
    (gross retention caps each yᵢ at xᵢ, so it cannot pass 1)."""
    s = stats
    if s.n == 0 or s.x == 0:
        return Estimate(None, None, None, s.n, "ratio (delta)", confidence, label, min_n)
    r = s.y / s.x
    if s.n == 1:
        return Estimate(r, 0.0, at_most, 1, "ratio (delta)", confidence, label, min_n)
    residual = max(s.yy - 2 * r * s.xy + r * r * s.xx, 0.0)
    se = math.sqrt(residual / (s.n * (s.n - 1))) / abs(s.x / s.n)
    half = float(sps.t.ppf(1 - (1 - confidence) / 2, s.n - 1)) * se
    return Estimate(r, max(r - half, 0.0), min(r + half, at_most), s.n, "ratio (delta)", confidence, label, min_n)


def poisson_interval(count: int, confidence: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood) interval of a Poisson mean from one ``count``:
    χ²(α/2; 2k)/2 to χ²(1 − α/2; 2k + 2)/2, with 0 as the lower end when k = 0."""
    if count < 0:
        raise InputError(f"a count must be ≥ 0, not {count}")
    alpha = 1 - confidence
    low = float(sps.chi2.ppf(alpha / 2, 2 * count)) / 2 if count else 0.0
    return low, float(sps.chi2.ppf(1 - alpha / 2, 2 * count + 2)) / 2


@dataclass(frozen=True)
class SurvivalPoint:
    """S(t) just after time ``time``: the share still alive (customers not churned)."""

    time: float
    survival: float
    low: float
    high: float
    at_risk: int
    events: int
    censored: int

    def to_dict(self) -> dict:
        return asdict(self)


def kaplan_meier(
    durations: Iterable[float],
    events: Iterable[bool | int],
    *,
    weights: Iterable[int] | None = None,
    confidence: float = 0.95,
) -> list[SurvivalPoint]:
    """The Kaplan–Meier estimate of the survival function, one point per distinct time.

    S(t) = Π_{tᵢ ≤ t} (1 − dᵢ/nᵢ) with nᵢ at risk and dᵢ events at tᵢ (censored at tᵢ count as
    at risk at tᵢ). The interval is Kalbfleisch and Prentice's exponential Greenwood
    ("log-log") one, which stays inside [0, 1]:
    V = Σ dᵢ/(nᵢ(nᵢ − dᵢ)) / (log S)², S^{exp(±z√V)}. ``weights`` count identical rows, so the
    engine can hand over (duration, event, count) histograms instead of every customer.
    """
    t = np.asarray(list(durations), dtype=float)
    e = np.asarray(list(events), dtype=bool)
    w = np.ones(len(t), dtype=np.int64) if weights is None else np.asarray(list(weights), dtype=np.int64)
    if not (len(t) == len(e) == len(w)):
        raise InputError("durations, events and weights must have the same length")
    if len(t) and (np.isnan(t).any() or (t < 0).any()):
        raise InputError("durations must be numbers ≥ 0")
    times, inverse = np.unique(t, return_inverse=True)
    deaths = np.bincount(inverse, weights=w * e, minlength=len(times)).astype(float)
    removed = np.bincount(inverse, weights=w, minlength=len(times)).astype(float)
    at_risk = w.sum() - np.concatenate([[0.0], np.cumsum(removed)[:-1]])
    z = z_value(confidence)
    points, survival, greenwood = [], 1.0, 0.0
    for x, d, n, r in zip(times, deaths, at_risk, removed):
        if d:
            survival *= 1 - float(d) / float(n)
            greenwood = greenwood + float(d) / (float(n) * float(n - d)) if n > d else math.inf
        low, high = _loglog_interval(survival, greenwood, z)
        points.append(SurvivalPoint(float(x), float(survival), float(low), float(high), int(n), int(d), int(r - d)))
    return points


def kaplan_meier_at(
    durations: Iterable[float],
    events: Iterable[bool | int],
    at: Iterable[float],
    *,
    weights: Iterable[int] | None = None,
    confidence: float = 0.95,
) -> list[SurvivalPoint]:
    """The Kaplan–Meier estimate on exact ``durations``, read at the times ``at`` (e.g. every
    whole month): S(k) is the step function's value at k, counting the events at k itself.
    ``at_risk`` is the number still observed at k (duration ≥ k), ``events`` and ``censored``
    count what happened in (previous k, k]. Flooring durations to whole units instead would
    shift every step one unit early (the row for month 0 would show S(1))."""
    t = np.asarray(list(durations), dtype=float)
    e = np.asarray(list(events), dtype=bool)
    w = np.ones(len(t), dtype=np.int64) if weights is None else np.asarray(list(weights), dtype=np.int64)
    points = kaplan_meier(t, e, weights=w, confidence=confidence)
    times = np.array([p.time for p in points])
    result, previous = [], -math.inf
    for k in at:
        i = int(np.searchsorted(times, k, side="right")) - 1
        survival, low, high = (points[i].survival, points[i].low, points[i].high) if i >= 0 else (1.0, 1.0, 1.0)
        window = (t > previous) & (t <= k)
        died = int(w[window & e].sum())
        result.append(
            SurvivalPoint(float(k), survival, low, high, int(w[t >= k].sum()), died, int(w[window].sum()) - died)
        )
        previous = k
    return result


def _loglog_interval(survival: float, greenwood: float, z: float) -> tuple[float, float]:
    if survival >= 1.0:
        return 1.0, 1.0
    if survival <= 0.0 or math.isinf(greenwood):
        return 0.0, 0.0 if survival <= 0.0 else 1.0
    se = math.sqrt(greenwood) / abs(math.log(survival))
    return survival ** math.exp(z * se), survival ** math.exp(-z * se)
