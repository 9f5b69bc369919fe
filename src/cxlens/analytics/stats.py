"""Statistics for CX metrics: every estimate with its interval, n and method.

Pure Python, NumPy and SciPy; no database. Each function takes raw values *or* sufficient
statistics (counts, sums, sums of squares), because the KPI engine computes those in SQL on
any engine and finishes here. Sufficient statistics add up: the statistics of two groups
merged are those of their union, which is what makes slicing and rolling up cheap and exact.

Conventions:

* ``confidence`` is two-sided (0.95 → the 2.5 % and 97.5 % quantiles);
* NPS is on −100..100; proportions are on 0..1 (``csat`` and ``ces_agree`` give percent);
* an estimate on fewer than ``min_n`` answers is still computed, and says it rests on too
  little data (``Estimate.sufficient`` is false, the summary says so).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize
from scipy import stats as sps

from ..errors import InputError
from .estimate import MIN_N, Comparison, Estimate, z_value
from .outcome_stats import RatioStats, SurvivalPoint, kaplan_meier, kaplan_meier_at, poisson_interval, ratio

__all__ = [
    "AGREE_FROM",
    "MIN_N",
    "SATISFIED_FROM",
    "Comparison",
    "Estimate",
    "MeanStats",
    "as_percent",
    "NPSCounts",
    "RatioStats",
    "SurvivalPoint",
    "ces_agree",
    "compare_means",
    "compare_nps",
    "compare_proportions",
    "kaplan_meier",
    "kaplan_meier_at",
    "poisson_interval",
    "csat",
    "mean",
    "median",
    "nps",
    "proportion",
    "quantile",
    "quantile_ranks",
    "ratio",
    "satisfied_from",
    "z_value",
]

PROPORTION_METHODS = ("wilson", "wald", "agresti-coull")
NPS_METHODS = ("adjusted-wald", "wald")
# Lowest score that counts as satisfied (CSAT top-two-box) or agreeing (CES), per scale.
# A 1–3 scale has one top box; Zendesk's good/bad (1–2) counts "good".
SATISFIED_FROM = {(1, 5): 4, (1, 3): 3, (1, 10): 9, (1, 2): 2}
AGREE_FROM = {(1, 7): 5, (1, 5): 4}


def _clip(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)


# -- NPS ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NPSCounts:
    """Sufficient statistics of NPS answers: detractors (0–6), passives (7–8), promoters (9–10)."""

    detractors: int = 0
    passives: int = 0
    promoters: int = 0

    @property
    def n(self) -> int:
        return self.detractors + self.passives + self.promoters

    def __add__(self, other: NPSCounts) -> NPSCounts:
        return NPSCounts(
            self.detractors + other.detractors, self.passives + other.passives, self.promoters + other.promoters
        )

    @classmethod
    def from_scores(cls, scores: Iterable[float | None]) -> NPSCounts:
        """Count answered scores; a skipped answer (None or NaN) is not counted."""
        arr = np.asarray([s for s in scores if s is not None], dtype=float)
        arr = arr[~np.isnan(arr)]
        bad = arr[(arr < 0) | (arr > 10) | (arr != np.floor(arr))]
        if len(bad):
            raise InputError(f"NPS scores are whole numbers from 0 to 10; got {bad[0]:g}")
        return cls(int((arr <= 6).sum()), int(((arr >= 7) & (arr <= 8)).sum()), int((arr >= 9).sum()))


def _counts(scores, counts) -> NPSCounts:
    if (scores is None) == (counts is None):
        raise InputError("give either scores or counts=(detractors, passives, promoters)")
    if scores is not None:
        return NPSCounts.from_scores(scores)
    counts = counts if isinstance(counts, NPSCounts) else NPSCounts(*counts)
    if min(counts.detractors, counts.passives, counts.promoters) < 0:
        raise InputError(f"counts cannot be negative: {counts}")
    return counts


def _nps_moments(d: float, p: float, n: float) -> tuple[float, float]:
    """NPS on −1..1 and its variance: (p_P + p_D − (p_P − p_D)²) / n (trinomial)."""
    p_prom, p_det = p / n, d / n
    score = p_prom - p_det
    return score, (p_prom + p_det - score**2) / n


def _nps_adjusted(c: NPSCounts, method: str) -> tuple[float, float, float]:
    """The counts an interval is computed from: adjusted-Wald adds ¾ detractor, 1½ passives
    and ¾ promoter (3 pseudo-answers; Rocks 2016, The American Statistician 70:365–372)."""
    if method == "adjusted-wald":
        return c.detractors + 0.75, c.promoters + 0.75, c.n + 3.0
    if method == "wald":
        return float(c.detractors), float(c.promoters), float(c.n)
    raise InputError(f"unknown NPS method {method!r}; use one of: {', '.join(NPS_METHODS)}")


def nps(
    scores: Iterable[float | None] | None = None,
    *,
    counts: NPSCounts | Sequence[int] | None = None,
    method: str = "adjusted-wald",
    confidence: float = 0.95,
    min_n: int = MIN_N,
) -> Estimate:
    """Net Promoter Score = 100 · (promoters − detractors) / n, over answered questions only.

    The interval is 100 · (s ± z·√v) with s and v from ``_nps_moments`` on the (adjusted)
    counts, clipped to −100..100. The value is the plain NPS of the data; with adjusted-Wald
    only the interval uses the pseudo-answers. They pull it toward 0, past an extreme NPS
    (30 promoters of 30 at 80 %: 82.9..98.9 around 100), so the interval is widened to hold
    the value: an interval beside its own estimate helps nobody, and widening keeps coverage.
    """
    c = _counts(scores, counts)
    if c.n == 0:
        return Estimate(None, None, None, 0, method, confidence, "NPS", min_n)
    value = 100 * _nps_moments(c.detractors, c.promoters, c.n)[0]
    centre, var = _nps_moments(*_nps_adjusted(c, method))
    half = z_value(confidence) * math.sqrt(max(var, 0.0))
    low = _clip(100 * (centre - half), -100, 100)
    high = _clip(100 * (centre + half), -100, 100)
    return Estimate(value, min(low, value), max(high, value), c.n, method, confidence, "NPS", min_n)


def compare_nps(
    a: NPSCounts | Sequence[int],
    b: NPSCounts | Sequence[int],
    *,
    method: str = "adjusted-wald",
    confidence: float = 0.95,
) -> Comparison:
    """NPS(a) − NPS(b) for independent groups (two periods, two segments).

    The difference of the (adjusted) scores has variance v_a + v_b; the interval is
    difference ± z·√(v_a + v_b) and the p-value that of z = difference / √(v_a + v_b), so that
    p < 1 − confidence exactly when the interval excludes 0.
    """
    a, b = _counts(None, a), _counts(None, b)
    if a.n == 0 or b.n == 0:
        return Comparison(None, None, None, None, a.n, b.n, method, confidence, "NPS")
    raw = _nps_moments(a.detractors, a.promoters, a.n)[0] - _nps_moments(b.detractors, b.promoters, b.n)[0]
    sa, va = _nps_moments(*_nps_adjusted(a, method))
    sb, vb = _nps_moments(*_nps_adjusted(b, method))
    se = math.sqrt(va + vb)
    centre = sa - sb
    half = z_value(confidence) * se
    low, high = max(100 * (centre - half), -200), min(100 * (centre + half), 200)
    # As in nps(): the interval is widened, where the pseudo-answers moved it, to hold the value.
    # The widened interval holds 0 at every level when the plain and the adjusted difference
    # disagree in sign (or the plain one is 0); p = 1 then, so that p < α exactly when it excludes 0.
    if raw == 0 or (raw > 0) != (centre > 0) or centre == 0:
        p = 1.0
    else:
        p = 2 * sps.norm.sf(abs(centre) / se) if se > 0 else 0.0
    return Comparison(
        100 * raw, min(low, 100 * raw), max(high, 100 * raw), float(p), a.n, b.n, method, confidence, "NPS"
    )


# -- proportions (CSAT, CES agreement, rates) -------------------------------------------------


def _check_counts(successes: int, n: int) -> None:
    if n < 0 or successes < 0 or successes > n:
        raise InputError(f"need 0 <= successes <= n, got successes={successes}, n={n}")


def _interval(successes: int, n: int, method: str, z: float) -> tuple[float, float]:
    p = successes / n
    if method == "wilson":
        denom = 1 + z * z / n
        centre = (p + z * z / (2 * n)) / denom
        half = z / denom * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return max(centre - half, 0.0), min(centre + half, 1.0)
    if method == "agresti-coull":
        n_t = n + z * z
        p_t = (successes + z * z / 2) / n_t
        half = z * math.sqrt(p_t * (1 - p_t) / n_t)
        return max(p_t - half, 0.0), min(p_t + half, 1.0)
    if method == "wald":
        half = z * math.sqrt(p * (1 - p) / n)
        return max(p - half, 0.0), min(p + half, 1.0)
    raise InputError(f"unknown proportion method {method!r}; use one of: {', '.join(PROPORTION_METHODS)}")


def proportion(
    successes: int, n: int, *, method: str = "wilson", confidence: float = 0.95, min_n: int = MIN_N, label: str = ""
) -> Estimate:
    """The share ``successes / n`` with a Wilson (default), Wald or Agresti–Coull interval.

    Wilson: (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) / (1 + z²/n); it stays inside 0..1 and keeps
    its coverage near 0 and 1, where Wald's collapses.
    """
    _check_counts(successes, n)
    if n == 0:
        return Estimate(None, None, None, 0, method, confidence, label, min_n)
    low, high = _interval(successes, n, method, z_value(confidence))
    return Estimate(successes / n, low, high, n, method, confidence, label, min_n)


def as_percent(e: Estimate) -> Estimate:
    """The same estimate of a share, in percent."""
    if e.value is None:
        return e
    return Estimate(100 * e.value, 100 * e.low, 100 * e.high, e.n, e.method, e.confidence, e.label, e.min_n)


def satisfied_from(scale: tuple[int, int], table: dict[tuple[int, int], int] = SATISFIED_FROM) -> int:
    try:
        return table[tuple(scale)]
    except KeyError:
        raise InputError(
            f"no top-box rule for the scale {scale[0]}-{scale[1]}; known: {', '.join(f'{a}-{b}' for a, b in table)}"
        ) from None


def _top_box(scores, successes, n, scale, table) -> tuple[int, int]:
    if scores is not None:
        arr = np.asarray([s for s in scores if s is not None], dtype=float)
        arr = arr[~np.isnan(arr)]
        low, high = scale
        if ((arr < low) | (arr > high)).any():
            raise InputError(f"scores must lie on the scale {low}-{high}")
        return int((arr >= satisfied_from(scale, table)).sum()), len(arr)
    if successes is None or n is None:
        raise InputError("give either scores or both successes= and n=")
    return successes, n


def csat(
    scores: Iterable[float | None] | None = None,
    *,
    satisfied: int | None = None,
    n: int | None = None,
    scale: tuple[int, int] = (1, 5),
    method: str = "wilson",
    confidence: float = 0.95,
    min_n: int = MIN_N,
) -> Estimate:
    """CSAT: percent of answers in the top two boxes of the scale (4–5 of 1–5; see
    ``SATISFIED_FROM``), with a Wilson interval."""
    k, total = _top_box(scores, satisfied, n, scale, SATISFIED_FROM)
    return as_percent(proportion(k, total, method=method, confidence=confidence, min_n=min_n, label="CSAT"))


def ces_agree(
    scores: Iterable[float | None] | None = None,
    *,
    agreeing: int | None = None,
    n: int | None = None,
    scale: tuple[int, int] = (1, 7),
    method: str = "wilson",
    confidence: float = 0.95,
    min_n: int = MIN_N,
) -> Estimate:
    """CES: percent agreeing that it was easy (5–7 of 1–7, 4–5 of 1–5), with a Wilson interval."""
    k, total = _top_box(scores, agreeing, n, scale, AGREE_FROM)
    return as_percent(proportion(k, total, method=method, confidence=confidence, min_n=min_n, label="CES"))


def compare_proportions(
    successes_a: int, n_a: int, successes_b: int, n_b: int, *, confidence: float = 0.95, label: str = ""
) -> Comparison:
    """p_a − p_b with Newcombe's hybrid score interval (his method 10, from the two Wilson
    intervals; Newcombe 1998, Statistics in Medicine 17:873–890) and the p-value that inverts it.

    With Wilson limits l, u at the normal quantile z, the interval is
    d − √((p_a − l_a)² + (u_b − p_b)²) .. d + √((u_a − p_a)² + (p_b − l_b)²). It narrows as z
    falls, so there is one z* at which the bound nearer 0 touches 0; p = 2·(1 − Φ(z*)) is the
    smallest α at which the interval at level 1 − α excludes 0. Hence p < α exactly when that
    interval excludes 0, which a pooled z-test's p does not promise (0/10 vs 6/19: interval
    −0.540..0.006, pooled p = 0.046)."""
    _check_counts(successes_a, n_a)
    _check_counts(successes_b, n_b)
    if n_a == 0 or n_b == 0:
        return Comparison(None, None, None, None, n_a, n_b, "newcombe", confidence, label)
    z = z_value(confidence)
    d = successes_a / n_a - successes_b / n_b
    low, high = _newcombe(successes_a, n_a, successes_b, n_b, z)
    # Clipped: rounding can put a bound a hair outside −1..1 (found by the property test).
    low, high = max(low, -1.0), min(high, 1.0)
    return Comparison(
        d, low, high, _newcombe_p(successes_a, n_a, successes_b, n_b), n_a, n_b, "newcombe", confidence, label
    )


def _newcombe(successes_a: int, n_a: int, successes_b: int, n_b: int, z: float) -> tuple[float, float]:
    """Newcombe's hybrid score interval for p_a − p_b at the normal quantile ``z``."""
    pa, pb = successes_a / n_a, successes_b / n_b
    la, ua = _interval(successes_a, n_a, "wilson", z)
    lb, ub = _interval(successes_b, n_b, "wilson", z)
    d = pa - pb
    return d - math.sqrt((pa - la) ** 2 + (ub - pb) ** 2), d + math.sqrt((ua - pa) ** 2 + (pb - lb) ** 2)


# Beyond this z, 2·(1 − Φ(z)) is below the smallest float: the p-value is 0.
_Z_MAX = 38.0


def _newcombe_p(successes_a: int, n_a: int, successes_b: int, n_b: int) -> float:
    """The smallest α at which Newcombe's interval at level 1 − α excludes 0 (see
    :func:`compare_proportions`), by Brent's method on z."""
    d = successes_a / n_a - successes_b / n_b
    if d == 0:
        return 1.0
    if d < 0:  # the interval of b − a is that of a − b mirrored
        successes_a, n_a, successes_b, n_b = successes_b, n_b, successes_a, n_a

    def nearer_bound(z: float) -> float:
        return _newcombe(successes_a, n_a, successes_b, n_b, z)[0] if z > 0 else abs(d)

    if nearer_bound(_Z_MAX) > 0:
        return 0.0
    z_star = optimize.brentq(nearer_bound, 0.0, _Z_MAX, xtol=1e-12)
    return float(2 * sps.norm.sf(z_star))


# -- means and quantiles (CES mean, ratings, durations) ------------------------------------------


@dataclass(frozen=True)
class MeanStats:
    """Sufficient statistics of a mean: n, Σx and Σx²."""

    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0

    def __add__(self, other: MeanStats) -> MeanStats:
        return MeanStats(self.n + other.n, self.total + other.total, self.total_sq + other.total_sq)

    @classmethod
    def from_values(cls, values: Iterable[float | None]) -> MeanStats:
        arr = _values(values)
        return cls(len(arr), float(arr.sum()), float((arr * arr).sum()))

    @property
    def mean(self) -> float:
        return self.total / self.n

    @property
    def variance(self) -> float:
        """Sample variance (n − 1), from the sums; never below 0 despite rounding."""
        return max((self.total_sq - self.total**2 / self.n) / (self.n - 1), 0.0)


def _values(values: Iterable[float | None]) -> np.ndarray:
    if isinstance(values, np.ndarray) and values.dtype.kind == "f":  # the engine's arrays: no Python loop
        return values[~np.isnan(values)]
    arr = np.asarray([v for v in values if v is not None], dtype=float)
    return arr[~np.isnan(arr)]


def _mean_stats(values, stats: MeanStats | None) -> tuple[MeanStats, float | None]:
    """The sums, and the variance computed from the values when we have them (stabler)."""
    if (values is None) == (stats is None):
        raise InputError("give either values or stats=MeanStats(n, total, total_sq)")
    if stats is not None:
        return stats, None
    arr = _values(values)
    return MeanStats(len(arr), float(arr.sum()), float((arr * arr).sum())), (
        float(arr.var(ddof=1)) if len(arr) > 1 else None
    )


def mean(
    values: Iterable[float | None] | None = None,
    *,
    stats: MeanStats | None = None,
    confidence: float = 0.95,
    min_n: int = MIN_N,
    label: str = "",
) -> Estimate:
    """The mean with a t-interval: x̄ ± t(n−1) · s/√n."""
    s, var = _mean_stats(values, stats)
    if s.n == 0:
        return Estimate(None, None, None, 0, "t", confidence, label, min_n)
    if s.n == 1:
        return Estimate(s.mean, -math.inf, math.inf, 1, "t", confidence, label, min_n)
    var = s.variance if var is None else var
    half = float(sps.t.ppf(1 - (1 - confidence) / 2, s.n - 1)) * math.sqrt(var / s.n)
    return Estimate(s.mean, s.mean - half, s.mean + half, s.n, "t", confidence, label, min_n)


def compare_means(
    a: Iterable[float | None] | MeanStats,
    b: Iterable[float | None] | MeanStats,
    *,
    confidence: float = 0.95,
    label: str = "",
) -> Comparison:
    """mean(a) − mean(b) by Welch's t-test (unequal variances; Welch–Satterthwaite df)."""
    sa, va = _mean_stats(None, a) if isinstance(a, MeanStats) else _mean_stats(a, None)
    sb, vb = _mean_stats(None, b) if isinstance(b, MeanStats) else _mean_stats(b, None)
    if sa.n < 2 or sb.n < 2:
        return Comparison(None, None, None, None, sa.n, sb.n, "welch", confidence, label)
    va = sa.variance if va is None else va
    vb = sb.variance if vb is None else vb
    qa, qb = va / sa.n, vb / sb.n
    d = sa.mean - sb.mean
    se = math.sqrt(qa + qb)
    if se == 0:
        return Comparison(d, d, d, 0.0 if d else 1.0, sa.n, sb.n, "welch", confidence, label)
    denominator = qa**2 / (sa.n - 1) + qb**2 / (sb.n - 1)
    # Squares of tiny variances can underflow to 0: then the larger sample's df is the limit.
    df = (qa + qb) ** 2 / denominator if denominator > 0 else float(sa.n + sb.n - 2)
    half = float(sps.t.ppf(1 - (1 - confidence) / 2, df)) * se
    p = 2 * float(sps.t.sf(abs(d) / se, df))
    return Comparison(d, d - half, d + half, p, sa.n, sb.n, "welch", confidence, label)


def quantile_ranks(n, q: float, confidence: float = 0.95):
    """The ranks (l, u) of the order statistics bracketing the q-quantile of n values: the
    Binomial(n, q) quantiles at α/2 and 1 − α/2. ``n`` may be an array (one SciPy call for many
    groups, which is what makes a p90 per team and week cheap)."""
    alpha = 1 - confidence
    low, high = sps.binom.ppf(alpha / 2, n, q), sps.binom.ppf(1 - alpha / 2, n, q)
    if np.ndim(n) == 0:
        return int(low), int(high)
    return np.asarray(low, dtype=int), np.asarray(high, dtype=int)


def quantile(
    values: Iterable[float | None],
    q: float,
    *,
    confidence: float = 0.95,
    min_n: int = MIN_N,
    label: str = "",
    ranks: tuple[int, int] | None = None,
) -> Estimate:
    """The q-quantile (linear interpolation) with a distribution-free interval from order
    statistics: the ranks l, u with Binomial(n, q) quantiles at α/2 and 1 − α/2 bracket the
    true quantile with at least the stated confidence (Conover, Practical Nonparametric
    Statistics, §3.2). Right for skewed durations, where a mean ± t misleads."""
    if not 0 < q < 1:
        raise InputError(f"q must be between 0 and 1, got {q}")
    arr = np.sort(_values(values))
    n = len(arr)
    method = f"order-statistic q={q:g}"
    if n == 0:
        return Estimate(None, None, None, 0, method, confidence, label, min_n)
    lo_rank, hi_rank = ranks if ranks is not None else quantile_ranks(n, q, confidence)
    value = float(np.quantile(arr, q))
    low = float(arr[max(lo_rank - 1, 0)]) if lo_rank >= 1 else float(arr[0])
    high = float(arr[min(hi_rank, n - 1)])
    # Widening to include the sample quantile keeps the coverage and spares users an interval
    # beside its own estimate (possible with interpolation between close order statistics).
    return Estimate(value, min(low, value), max(high, value), n, method, confidence, label, min_n)


def median(
    values: Iterable[float | None], *, confidence: float = 0.95, min_n: int = MIN_N, label: str = ""
) -> Estimate:
    return quantile(values, 0.5, confidence=confidence, min_n=min_n, label=label)
