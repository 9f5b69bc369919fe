"""Whether churn is rising or falling, by test: the logistic trend against hand-made series whose
answer is known, and the χ² test of the reasons' mix."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cxlens.analytics.trend import rate_trend, reason_shift


def _series(rates, at_risk=2000):
    return [(round(r * at_risk), at_risk) for r in rates]


def test_a_rising_series_is_rising_with_its_interval_above_one():
    t = rate_trend(_series(np.linspace(0.02, 0.062, 12)))  # the demo's year: 2 % to 6.2 %
    assert t.direction == "rising" and t.significant
    assert 1 < t.low < t.odds_ratio < t.high and t.p_value < 0.001
    assert t.periods == 12 and t.n == 24_000 and t.events == sum(e for e, _ in _series(np.linspace(0.02, 0.062, 12)))
    assert t.first == pytest.approx(0.02, abs=0.004) and t.last == pytest.approx(0.062, abs=0.006)
    text = t.describe("churn", "month")
    assert text.startswith("Churn is rising (") and "95 % CI" in text and "n = 24,000 customer-months" in text


def test_a_falling_series_is_falling():
    t = rate_trend(_series([0.08, 0.07, 0.065, 0.05, 0.045, 0.03]))
    assert t.direction == "falling" and t.high < 1 and t.p_value < 0.001


def test_a_flat_series_has_no_clear_trend_and_its_interval_holds_one():
    t = rate_trend(_series([0.03, 0.032, 0.029, 0.031, 0.03, 0.028, 0.031, 0.03]))
    assert t.direction == "no clear trend" and not t.significant
    assert t.low < 1 < t.high and t.p_value > 0.05
    assert t.describe().startswith("No clear trend in churn (")


def test_a_small_rise_on_few_customers_is_not_called_a_trend():
    # 1 then 2 then 3 of 100: a rise to the eye, chance to the test.
    t = rate_trend([(1, 100), (2, 100), (3, 100)])
    assert t.direction == "no clear trend"


def test_the_slope_is_the_maximum_likelihood_one():
    from scipy.optimize import minimize
    from scipy.special import expit

    counts = [(10, 100), (0, 0), (15, 100), (26, 120)]  # an empty period keeps its place in time
    x = np.array([0.0, 2.0, 3.0])
    e, n = np.array([10.0, 15.0, 26.0]), np.array([100.0, 100.0, 120.0])

    def nll(b):
        p = expit(b[0] + b[1] * x)
        return -np.sum(e * np.log(p) + (n - e) * np.log(1 - p))

    oracle = minimize(nll, [0.0, 0.0], method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-12}).x
    t = rate_trend(counts)
    assert math.log(t.odds_ratio) == pytest.approx(oracle[1], abs=1e-5)
    assert t.first == pytest.approx(expit(oracle[0]), abs=1e-5) and t.periods == 3


def test_too_little_data_says_why():
    assert rate_trend(_series([0.02, 0.03])).why.startswith("a trend needs 3 periods")
    nobody = rate_trend([(0, 50)] * 6)
    assert nobody.direction == "too little data" and "nobody churned" in nobody.describe()
    with pytest.raises(ValueError):
        rate_trend([(5, 3)] * 3)


def test_the_mix_of_reasons_changes_or_not():
    changed = reason_shift({"price": 40, "support": 10}, {"price": 15, "support": 45})
    assert changed.changed and changed.p_value < 0.001 and changed.n == 110 and changed.dof == 1
    same = reason_shift({"price": 40, "support": 20}, {"price": 42, "support": 19})
    assert same.changed is False and same.p_value > 0.5
    # Reasons too rare for the test are pooled; with one reason left there is no test.
    rare = reason_shift({"price": 30, "odd": 1}, {"price": 30, "odd": 2})
    assert rare.changed is None and rare.why
    assert reason_shift({}, {"price": 3}).changed is None
