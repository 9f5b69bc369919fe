"""Judging measured slices: each slice of each rule becomes a :class:`Finding` with its
evidence, and (for below_target, change and volume) a p-value that joins the run's
Benjamini–Hochberg family; :func:`apply_fdr` then says which findings breach.

- below_target: H0 "the true value is on the right side of the target"; one-sided
  p = Φ((value − target)/SE) for a higher-is-better KPI (1 − Φ for lower-is-better), SE from
  the KPI's own interval, SE = (high − low) / (2·z). ``whole_interval_wrong_side`` says the
  interval lies entirely beyond the target.
- change: the KPI's own comparison test (``SPECS[kpi].compare``: NPS difference, two
  proportions, Welch) between the judged period and the baseline (the period before, or the
  trailing periods pooled: their sums add); breach when BH rejects and the change goes the
  watched way.
- drift: per complete day of the current period z = (value_day − baseline) / (σ/√n_day),
  σ = SE_baseline·√n_baseline (the per-answer spread of the baseline days), fed to an EWMA or
  CUSUM chart; breach when the chart signals on the watched side. Its own limits hold its false
  alarms (average run length), so it stays out of the BH family.
- volume: P(X ≥ count), X ~ Poisson(mean count of the baseline periods), one-sided; a theme
  rule without a theme name uses :func:`cxlens.text.spikes` (binomial test of each theme's
  share against its baseline share, Holm-adjusted) and each theme is a slice.

Slices with less than ``min_n`` (answers in the judged period and in the baseline; for volume,
the judged count) are not judged: they count as clear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from scipy import stats as sps

from ..analytics import detection
from ..analytics import stats as st
from ..analytics.kpis import SPECS
from .measure import Measurement, add_sums
from .rules import AlertRule, higher_is_better

__all__ = ["Finding", "apply_fdr", "judge", "judge_below_target", "judge_change", "judge_drift", "judge_volume"]


@dataclass
class Finding:
    """One rule's judgement of one slice. ``p`` (None for drift) joins the run's BH family;
    ``candidate``: the data lean the watched way (a miss, a drop, an excess, a chart signal)."""

    rule: AlertRule
    slice: dict
    method: str
    value: float | None
    low: float | None
    high: float | None
    n: int
    p: float | None
    candidate: bool
    evidence: dict = field(default_factory=dict)
    q: float | None = None
    breach: bool = False

    @property
    def tested(self) -> bool:
        return self.p is not None

    def to_evidence(self) -> dict:
        return _clean(
            {
                "value": self.value,
                "low": self.low,
                "high": self.high,
                "n": self.n,
                "p": self.p,
                "q": self.q,
                "method": self.method,
                "breach": self.breach,
                **self.evidence,
            }
        )


def _clean(value: Any) -> Any:
    """JSON-ready: floats rounded, NaN and infinities as None, datetimes as ISO text."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return None if not math.isfinite(float(value)) else round(float(value), 6)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _periods(m: Measurement) -> dict:
    return {
        "judged": m.window.judged.isoformat(),
        "baseline": [b.isoformat() for b in m.window.baseline],
        "grain": m.window.grain,
    }


def _worse_is_lower(rule: AlertRule) -> bool:
    return higher_is_better(rule.kpi) is not False


def judge_below_target(m: Measurement, confidence: float = 0.95) -> list[Finding]:
    rule = m.rule
    spec = SPECS[rule.kpi]
    z = st.z_value(confidence)
    higher = rule.get("direction", "higher") == "higher"
    found = []
    for key, periods in m.slices.items():
        sums = periods.get(m.window.judged)
        sl = m.slice_dict(key)
        target = rule.get("target")
        if target is None:
            tp = sl.get("touchpoint") or (rule.where or {}).get("touchpoint")
            target = m.targets.get(tp) if isinstance(tp, str) else None
        if not sums or target is None or (sums.get("n") or 0) < rule.get("min_n", 30):
            continue
        e = spec.finish(sums, confidence)
        if e.value is None:
            continue
        se = (e.high - e.low) / (2 * z) if e.high is not None and math.isfinite(e.high - e.low) else 0.0
        gap = e.value - target if higher else target - e.value  # < 0: a miss
        p = float(sps.norm.cdf(gap / se)) if se > 0 else (0.0 if gap < 0 else 1.0)
        wrong = (e.high < target) if higher else (e.low > target)
        found.append(
            Finding(
                rule,
                sl,
                e.method,
                e.value,
                e.low,
                e.high,
                e.n,
                p,
                gap < 0,
                {
                    "kind": "below_target",
                    "target": target,
                    "direction": "higher" if higher else "lower",
                    "whole_interval_wrong_side": bool(wrong),
                    "periods": _periods(m),
                },
            )
        )
    return found


def _baseline(periods: dict, baseline: tuple) -> dict | None:
    pooled = None
    for b in baseline:
        if periods.get(b):
            pooled = add_sums(pooled, periods[b])
    return pooled


def judge_change(m: Measurement, confidence: float = 0.95) -> list[Finding]:
    rule = m.rule
    spec = SPECS[rule.kpi]
    min_n = rule.get("min_n", 30)
    lower_is_worse = _worse_is_lower(rule)
    watched = rule.get("direction", "worse")
    found = []
    for key, periods in m.slices.items():
        now_sums, base = periods.get(m.window.judged), _baseline(periods, m.window.baseline)
        if not now_sums or not base or (now_sums.get("n") or 0) < min_n or (base.get("n") or 0) < min_n:
            continue
        e, b = spec.finish(now_sums, confidence), spec.finish(base, confidence)
        c = spec.compare(now_sums, base, confidence)
        if c.difference is None or c.p_value is None:
            continue
        worse = c.difference < 0 if lower_is_worse else c.difference > 0
        lean = {"worse": worse, "better": (c.difference != 0 and not worse), "both": c.difference != 0}[watched]
        found.append(
            Finding(
                rule,
                m.slice_dict(key),
                c.method,
                e.value,
                e.low,
                e.high,
                e.n,
                float(c.p_value),
                lean,
                {
                    "kind": "change",
                    "baseline": {
                        "value": b.value,
                        "low": b.low,
                        "high": b.high,
                        "n": b.n,
                        "how": rule.get("baseline", "previous"),
                    },
                    "change": {"difference": c.difference, "low": c.low, "high": c.high},
                    "direction": "worse" if worse else "better",
                    "periods": _periods(m),
                },
            )
        )
    return found


def judge_drift(m: Measurement, confidence: float = 0.95) -> list[Finding]:
    rule = m.rule
    spec = SPECS[rule.kpi]
    zc = st.z_value(confidence)
    min_n = rule.get("min_n", 30)
    lower_is_worse = _worse_is_lower(rule)
    side = {
        "worse": "lower" if lower_is_worse else "upper",
        "better": "upper" if lower_is_worse else "lower",
        "both": "both",
    }[rule.get("direction", "worse")]
    found = []
    for key, periods in m.slices.items():
        base = _baseline(periods, m.window.baseline)
        days = sorted(d for d in periods if d >= m.window.judged and (periods[d].get("n") or 0) > 0)
        if not base or (base.get("n") or 0) < min_n or not days:
            continue
        b = spec.finish(base, confidence)
        if b.value is None or b.high is None or not math.isfinite(b.high - b.low):
            continue
        sigma = (b.high - b.low) / (2 * zc) * math.sqrt(b.n)
        if sigma <= 0:
            continue
        values = [spec.finish(periods[d], confidence) for d in days]
        z = np.array([(v.value - b.value) / (sigma / math.sqrt(v.n)) for v in values])
        if rule.get("method", "ewma") == "cusum":
            chart = detection.cusum_chart(z, rule.get("K", 0.5), rule.get("H", 5.0), side=side)
        else:
            chart = detection.ewma_chart(z, rule.get("lambda", 0.2), rule.get("L", 3.0), side=side)
        total = None
        for d in days:
            total = add_sums(total, periods[d])
        e = spec.finish(total, confidence)
        found.append(
            Finding(
                rule,
                m.slice_dict(key),
                chart.method,
                e.value,
                e.low,
                e.high,
                e.n,
                None,
                chart.alarm is not None,
                {
                    "kind": "drift",
                    "baseline": {"value": b.value, "low": b.low, "high": b.high, "n": b.n},
                    "days": [d.date().isoformat() for d in days],
                    "z": [float(x) for x in z],
                    "alarm_day": days[chart.alarm].date().isoformat() if chart.alarm is not None else None,
                    "chart": chart.to_dict(),
                    "periods": _periods(m),
                    "parameters": (
                        {"K": rule.get("K", 0.5), "H": rule.get("H", 5.0)}
                        if chart.method == "cusum"
                        else {"lambda": rule.get("lambda", 0.2), "L": rule.get("L", 3.0)}
                    ),
                },
            )
        )
    return found


def judge_volume(m: Measurement, confidence: float = 0.95) -> list[Finding]:
    rule = m.rule
    min_n = rule.get("min_n", 5)
    if rule.get("source") == "theme" and not rule.get("theme"):
        return _theme_spikes(m, min_n)
    found = []
    for key, periods in m.slices.items():
        count = int((periods.get(m.window.judged) or {}).get("n") or 0)
        if count < min_n:
            continue
        base = [int((periods.get(b) or {}).get("n") or 0) for b in m.window.baseline]
        mean = float(np.mean(base)) if base else 0.0
        p = detection.poisson_excess_p(count, max(mean, 0.5))  # never 0: a first count still needs evidence
        found.append(
            Finding(
                rule,
                m.slice_dict(key),
                "poisson",
                float(count),
                float(count),
                float(count),
                count,
                p,
                count > mean,
                {
                    "kind": "volume",
                    "source": rule.get("source"),
                    "theme": rule.get("theme"),
                    "baseline": {"value": mean, "n": int(sum(base)), "counts": base},
                    "periods": _periods(m),
                },
            )
        )
    return found


def _theme_spikes(m: Measurement, min_n: int) -> list[Finding]:
    from ..text.drivers import spikes

    periods_all = [*m.window.baseline, m.window.judged]
    found = []
    for key, themes in m.themes.items():
        totals = np.array([int((m.slices.get(key, {}).get(p) or {}).get("n") or 0) for p in periods_all])
        counts = {name: np.array([by_period.get(p, 0) for p in periods_all]) for name, by_period in themes.items()}
        # alpha=1: every theme comes back with its Holm-adjusted p; BH over the run decides.
        for spike in spikes(counts, totals, alpha=1.0, min_count=min_n):
            found.append(
                Finding(
                    m.rule,
                    {**m.slice_dict(key), "theme": spike.name},
                    "binomial share, Holm",
                    float(spike.count),
                    float(spike.count),
                    float(spike.count),
                    spike.count,
                    spike.p_value,
                    True,
                    {
                        "kind": "volume",
                        "source": "theme",
                        "theme": spike.name,
                        "share": spike.share,
                        "baseline": {"share": spike.baseline_share, "n": int(totals[:-1].sum())},
                        "total": spike.total,
                        "periods": _periods(m),
                    },
                )
            )
    return found


JUDGES = {"below_target": judge_below_target, "change": judge_change, "drift": judge_drift, "volume": judge_volume}


def judge(m: Measurement, confidence: float = 0.95) -> list[Finding]:
    """Every judged slice of one measured rule."""
    return JUDGES[m.rule.kind](m, confidence)


def apply_fdr(findings: list[Finding], q: float) -> int:
    """Benjamini–Hochberg over every finding with a p-value (one family: the whole run);
    sets each finding's q and breach; returns the number of tests."""
    tested = [f for f in findings if f.tested]
    result = detection.benjamini_hochberg([f.p for f in tested], q)
    for f, qv, rejected in zip(tested, result.q_values, result.rejected):
        f.q = float(qv)
        significant_only = f.rule.get("significant_only", True) if f.rule.kind == "below_target" else True
        f.breach = bool(f.candidate and (rejected or not significant_only))
    for f in findings:
        if not f.tested:
            f.breach = f.candidate
    return len(tested)
