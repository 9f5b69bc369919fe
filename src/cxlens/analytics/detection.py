"""Detection statistics for alerting: false-discovery control, a Poisson excess test, and the
two control charts that find a shift early in a daily series (pure NumPy/SciPy functions).

- :func:`benjamini_hochberg`: the step-up procedure of Benjamini & Hochberg (1995), through
  SciPy's ``false_discovery_control``. The q-value of the i-th smallest of m p-values is
  min over j ≥ i of m·p(j)/j (capped at 1); a test is rejected at level q when its q-value ≤ q.
  This holds the expected share of false alarms among the alarms at most q (for independent or
  positively dependent tests), however many slices are tested at once. :func:`fdr_rows` does
  it over KPI rows (a dashboard page's slices), :func:`target_p_value` gives a value against a
  target the p-value that joins such a family.
- :func:`poisson_excess_p`: P(X ≥ count) for X ~ Poisson(baseline_mean): how surprising a
  count this high is if nothing changed.
- :func:`ewma_chart`: EWMA e_t = λ·z_t + (1 − λ)·e_{t−1}, e_0 = 0, on standardised values z;
  alarm when |e_t| > L·√(λ/(2 − λ)·(1 − (1 − λ)^{2t})) (the exact, time-varying limits;
  Montgomery, *Introduction to Statistical Quality Control*, §9.2).
- :func:`cusum_chart`: tabular CUSUM C⁺_t = max(0, z_t − K + C⁺_{t−1}),
  C⁻_t = max(0, −z_t − K + C⁻_{t−1}); alarm when either exceeds H (Montgomery §9.1; K = 0.5
  and H = 5 detect a one-σ shift with an in-control average run length of about 465).

Both charts take z = (value − baseline) / SE, so one set of limits serves every KPI.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats as sps

__all__ = [
    "CUSUM_H",
    "CUSUM_K",
    "EWMA_L",
    "EWMA_LAMBDA",
    "ChartResult",
    "FDRResult",
    "benjamini_hochberg",
    "cusum_chart",
    "ewma_chart",
    "fdr_rows",
    "poisson_excess_p",
    "target_p_value",
]

EWMA_LAMBDA = 0.2
EWMA_L = 3.0
CUSUM_K = 0.5
CUSUM_H = 5.0
SIDES = ("lower", "upper", "both")


@dataclass(frozen=True)
class FDRResult:
    """q-values (BH-adjusted p-values, in the input order) and which tests are rejected at q."""

    q_values: np.ndarray
    rejected: np.ndarray
    q: float

    @property
    def n_rejected(self) -> int:
        return int(self.rejected.sum())


def benjamini_hochberg(pvalues, q: float = 0.05) -> FDRResult:
    """Benjamini–Hochberg at false-discovery rate ``q`` over ``pvalues`` (any order)."""
    if not 0 < q < 1:
        raise ValueError(f"q must be between 0 and 1, got {q}")
    p = np.asarray(pvalues, dtype=float)
    if p.ndim != 1:
        raise ValueError("pvalues must be one-dimensional")
    if len(p) == 0:
        return FDRResult(np.array([], dtype=float), np.array([], dtype=bool), q)
    if np.isnan(p).any() or (p < 0).any() or (p > 1).any():
        raise ValueError("p-values must lie in [0, 1] (no NaN)")
    adjusted = np.minimum(np.asarray(sps.false_discovery_control(p, method="bh"), dtype=float), 1.0)
    # A q-value is never below its p-value (rounding in the product m·p/j can say otherwise).
    adjusted = np.maximum(adjusted, p)
    return FDRResult(adjusted, adjusted <= q, q)


def fdr_rows(rows, q: float = 0.05, *, p_key: str = "p_value") -> list[dict]:
    """Copies of ``rows`` (KPI rows, left unchanged) with ``q_value``, the Benjamini–Hochberg
    q-value over the rows whose ``p_key`` is set (None on the others), and ``fdr_significant``,
    whether ``q_value`` ≤ ``q``. The rows' own ``significant`` (their test alone) is kept."""
    out = [dict(r) for r in rows]
    tested = [r for r in out if r.get(p_key) is not None]
    result = benjamini_hochberg([r[p_key] for r in tested], q)
    for r in out:
        r["q_value"], r["fdr_significant"] = None, False
    for r, qv, rejected in zip(tested, result.q_values, result.rejected):
        r["q_value"], r["fdr_significant"] = float(qv), bool(rejected)
    return out


def target_p_value(
    value: float | None, low: float | None, high: float | None, target: float, confidence: float = 0.95
) -> float | None:
    """Two-sided p of H0 "the true value is the target", p = 2·(1 − Φ(|value − target| / SE)),
    SE read from the interval on the target's side: (high − value)/z when the target is above
    the value, (value − low)/z when below (z for ``confidence``). So p < 1 − confidence exactly
    when the interval excludes the target, also for an asymmetric (Wilson) interval. None when
    there is no value or no finite interval."""
    if value is None or low is None or high is None or not all(np.isfinite([value, low, high])):
        return None
    gap = target - value
    if gap == 0:
        return 1.0
    z = float(sps.norm.ppf(0.5 + confidence / 2))
    se = (high - value if gap > 0 else value - low) / z
    if se <= 0:
        return 0.0
    return float(min(1.0, 2 * sps.norm.sf(abs(gap) / se)))


def poisson_excess_p(count: int, baseline_mean: float) -> float:
    """One-sided P(X ≥ count), X ~ Poisson(baseline_mean); 1.0 for a count of 0."""
    if count < 0 or baseline_mean < 0:
        raise ValueError(f"need count >= 0 and baseline_mean >= 0, got {count}, {baseline_mean}")
    if count == 0:
        return 1.0
    if baseline_mean == 0:
        return 0.0
    return float(sps.poisson.sf(count - 1, baseline_mean))


@dataclass(frozen=True)
class ChartResult:
    """A control chart over a series: its statistic(s) per point, the limit, and the first
    point (0-based) outside the limit, or None."""

    method: str
    alarm: int | None
    side: str | None  # "lower" or "upper": which way the first alarm went
    statistic: np.ndarray  # EWMA: e_t; CUSUM: C⁺_t
    lower: np.ndarray  # EWMA: the lower limit per point; CUSUM: C⁻_t
    limit: np.ndarray  # EWMA: the upper limit per point (lower = −limit); CUSUM: H per point

    def to_dict(self) -> dict:
        return {
            "method": self.method,
            "alarm": self.alarm,
            "side": self.side,
            "statistic": [round(float(x), 4) for x in self.statistic],
            "lower": [round(float(x), 4) for x in self.lower],
            "limit": [round(float(x), 4) for x in self.limit],
        }


def _series(z) -> np.ndarray:
    z = np.asarray(z, dtype=float)
    if z.ndim != 1:
        raise ValueError("z must be one-dimensional")
    return z


def _side(side: str) -> str:
    if side not in SIDES:
        raise ValueError(f"side must be one of {', '.join(SIDES)}, got {side!r}")
    return side


def ewma_chart(z, lam: float = EWMA_LAMBDA, L: float = EWMA_L, *, side: str = "both") -> ChartResult:
    """EWMA chart of standardised values ``z``; ``side`` says which alarms count."""
    if not 0 < lam <= 1 or L <= 0:
        raise ValueError(f"need 0 < lambda <= 1 and L > 0, got lambda={lam}, L={L}")
    z, side = _series(z), _side(side)
    e = np.empty_like(z)
    previous = 0.0
    for t, x in enumerate(z):
        previous = e[t] = lam * x + (1 - lam) * previous
    t = np.arange(1, len(z) + 1)
    limit = L * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * t)))
    up = e > limit if side in ("upper", "both") else np.zeros(len(z), bool)
    down = e < -limit if side in ("lower", "both") else np.zeros(len(z), bool)
    return _first(ChartResult("ewma", None, None, e, -limit, limit), up, down)


def cusum_chart(z, k: float = CUSUM_K, h: float = CUSUM_H, *, side: str = "both") -> ChartResult:
    """Tabular CUSUM of standardised values ``z`` with reference value ``k`` and decision
    interval ``h`` (both in units of σ)."""
    if k < 0 or h <= 0:
        raise ValueError(f"need K >= 0 and H > 0, got K={k}, H={h}")
    z, side = _series(z), _side(side)
    plus, minus = np.empty_like(z), np.empty_like(z)
    cp = cm = 0.0
    for t, x in enumerate(z):
        cp = plus[t] = max(0.0, x - k + cp)
        cm = minus[t] = max(0.0, -x - k + cm)
    limit = np.full(len(z), float(h))
    up = plus > h if side in ("upper", "both") else np.zeros(len(z), bool)
    down = minus > h if side in ("lower", "both") else np.zeros(len(z), bool)
    return _first(ChartResult("cusum", None, None, plus, minus, limit), up, down)


def _first(chart: ChartResult, up: np.ndarray, down: np.ndarray) -> ChartResult:
    hits = np.flatnonzero(up | down)
    if len(hits) == 0:
        return chart
    at = int(hits[0])
    return ChartResult(chart.method, at, "upper" if up[at] else "lower", chart.statistic, chart.lower, chart.limit)
