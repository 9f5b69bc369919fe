"""Key drivers and spikes: what moves a score, and what suddenly rises.

Key drivers use Johnson's relative weights (Johnson, 2000, *Multivariate Behavioral Research*
35:1): the predictors X (standardised) are replaced by their closest orthogonal counterparts Z,
y is regressed on Z, and each predictor gets the part of R² that flows through it:

    R_xx = V Λ V',  Λ* = V Λ^½ V'  (the correlations of X with Z),
    β = Λ*⁻¹ r_xy,  ε_j = Σ_k (Λ*_jk)² β_k²,  Σ_j ε_j = R².

Unlike regression coefficients, the weights stay meaningful when predictors are correlated
(a theme and the touchpoint it happens at). Significance per predictor is the ordinary least
squares t-test of its coefficient, adjusted across predictors by Holm's method.

Spikes: a theme's share of the texts in the last window against its share over the windows
before; a one-sided binomial test, Holm-adjusted across themes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

__all__ = ["Driver", "DriverResult", "Spike", "relative_weights", "spikes"]


@dataclass
class Driver:
    name: str
    weight: float  # share of R² (raw relative weight)
    share: float  # weight / R²
    coefficient: float  # OLS on the standardised predictors
    p_value: float  # Holm-adjusted
    n: int  # observations where the predictor is non-zero
    # The direction from the data: the outcome of answers with the predictor minus those
    # without (NPS points, or mean score), with its interval; filled in by key_drivers.
    effect: float | None = None
    effect_low: float | None = None
    effect_high: float | None = None

    @property
    def direction(self) -> str:
        """raises / lowers when the interval of the effect excludes 0, else unclear."""
        if self.effect_low is None or self.effect_high is None:
            return "unclear"
        return "raises" if self.effect_low > 0 else "lowers" if self.effect_high < 0 else "unclear"


@dataclass
class DriverResult:
    outcome: str
    n: int
    r2: float
    drivers: list[Driver]

    def explained(self) -> str:
        """R² in plain words: how much of the differences between answers the drivers explain."""
        share = f"{self.r2:.0%}" if self.r2 >= 0.01 else "under 1%"
        strength = "little" if self.r2 < 0.1 else "some" if self.r2 < 0.3 else "much"
        return (
            f"these drivers explain {share} of the differences between {self.outcome} answers "
            f"(R² = {self.r2:.3f}, n = {self.n}): {strength} of what makes one answer differ from another"
        )

    def summary(self) -> str:
        lines = [self.explained()]
        for d in self.drivers:
            sig = "*" if d.p_value < 0.05 else " "
            effect = (
                f"  {d.direction} it: {d.effect:+.1f} [{d.effect_low:+.1f}, {d.effect_high:+.1f}]"
                if d.effect is not None
                else ""
            )
            lines.append(f"  {d.name:40} {d.share:6.1%} of R²  p={d.p_value:.3g}{sig}  n={d.n}{effect}")
        return "\n".join(lines)


def relative_weights(X: np.ndarray, y: np.ndarray, names: list[str], outcome: str = "score") -> DriverResult:
    """Johnson's relative weights of the columns of ``X`` for ``y``, largest first. Columns
    that never vary are dropped (they explain nothing)."""
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    keep = X.std(axis=0) > 0
    X, names = X[:, keep], [n for n, k in zip(names, keep) if k]
    n, p = X.shape
    if p == 0 or n <= p + 1 or y.std() == 0:
        return DriverResult(outcome, n, 0.0, [])
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    ys = (y - y.mean()) / y.std()
    R = np.corrcoef(Xs, rowvar=False).reshape(p, p)
    rxy = Xs.T @ ys / n
    evals, evecs = np.linalg.eigh(R)
    evals = np.clip(evals, 1e-12, None)
    lam_half = evecs @ np.diag(np.sqrt(evals)) @ evecs.T
    beta = np.linalg.solve(lam_half, rxy)
    eps = (lam_half**2) @ (beta**2)
    r2 = float(eps.sum())
    coef, p_values = _ols(Xs, ys)
    drivers = [
        Driver(name, float(e), float(e / r2) if r2 > 0 else 0.0, float(c), float(pv), int((X[:, j] != 0).sum()))
        for j, (name, e, c, pv) in enumerate(zip(names, eps, coef, _holm(p_values)))
    ]
    drivers.sort(key=lambda d: -d.weight)
    return DriverResult(outcome, n, r2, drivers)


def _ols(Xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n, p = Xs.shape
    A = np.column_stack([np.ones(n), Xs])
    coef, *_ = np.linalg.lstsq(A, ys, rcond=None)
    resid = ys - A @ coef
    dof = max(n - p - 1, 1)
    sigma2 = resid @ resid / dof
    cov = sigma2 * np.linalg.pinv(A.T @ A)
    se = np.sqrt(np.clip(np.diag(cov), 1e-300, None))
    t = coef / se
    return coef[1:], 2 * stats.t.sf(np.abs(t[1:]), dof)


def _holm(p: np.ndarray) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    order = np.argsort(p)
    adjusted = np.empty_like(p)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        adjusted[i] = running
    return adjusted


@dataclass
class Spike:
    name: str
    count: int  # in the last window
    total: int  # all texts in the last window
    share: float
    baseline_share: float
    p_value: float  # Holm-adjusted, one-sided

    @property
    def ratio(self) -> float:
        return self.share / self.baseline_share if self.baseline_share else float("inf")


def spikes(counts: dict[str, np.ndarray], totals: np.ndarray, alpha: float = 0.01, min_count: int = 5) -> list[Spike]:
    """Themes whose share of the last window is significantly above their share in the
    windows before. ``counts[name]`` and ``totals`` are per window, oldest first."""
    totals = np.asarray(totals, dtype=float)
    if len(totals) < 2 or totals[-1] == 0 or totals[:-1].sum() == 0:
        return []
    found = []
    for name, c in counts.items():
        c = np.asarray(c, dtype=float)
        k, n = int(c[-1]), int(totals[-1])
        base = (c[:-1].sum() + 0.5) / (totals[:-1].sum() + 1)  # never exactly 0: a new theme still needs evidence
        p = float(stats.binom.sf(k - 1, n, base)) if k >= min_count else 1.0
        found.append(Spike(name, k, n, k / n, float(base), p))
    adjusted = _holm(np.array([s.p_value for s in found]))
    for s, p in zip(found, adjusted):
        s.p_value = float(p)
    return sorted((s for s in found if s.p_value < alpha and s.share > s.baseline_share), key=lambda s: s.p_value)
