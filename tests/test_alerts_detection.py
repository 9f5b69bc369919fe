"""Detection statistics against published values and their defining properties."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as sps

from cxlens.analytics.detection import (
    benjamini_hochberg,
    cusum_chart,
    ewma_chart,
    poisson_excess_p,
)

# Benjamini & Hochberg (1995), J. R. Statist. Soc. B 57:289–300, §4.1: 15 p-values of a
# myocardial-infarction trial; at q = 0.05 the procedure rejects the four smallest (Bonferroni three).
BH_1995 = [
    0.0001,
    0.0004,
    0.0019,
    0.0095,
    0.0201,
    0.0278,
    0.0298,
    0.0344,
    0.0459,
    0.3240,
    0.4262,
    0.5719,
    0.6528,
    0.7590,
    1.000,
]

# Montgomery, Introduction to Statistical Quality Control (6th ed.), Table 9.1 (Examples 9.1 and
# 9.2): 20 observations from N(10, 1), then 10 from N(11, 1).
MONTGOMERY = [
    9.45,
    7.99,
    9.29,
    11.66,
    12.16,
    10.18,
    8.04,
    11.46,
    9.20,
    10.34,
    9.03,
    11.47,
    10.51,
    9.40,
    10.08,
    9.37,
    10.62,
    10.31,
    8.52,
    10.84,
    10.90,
    9.33,
    12.29,
    11.50,
    10.60,
    11.08,
    10.38,
    11.62,
    11.31,
    10.52,
]


def test_bh_rejects_the_four_smallest_of_the_1995_example():
    result = benjamini_hochberg(BH_1995, 0.05)
    assert result.rejected.tolist() == [True] * 4 + [False] * 11
    assert result.q_values[3] == pytest.approx(0.0095 * 15 / 4)
    assert result.q_values[:4].max() <= 0.05 < result.q_values[4]


def test_bh_keeps_the_input_order():
    shuffled = np.random.default_rng(1).permutation(len(BH_1995))
    result = benjamini_hochberg(np.array(BH_1995)[shuffled], 0.05)
    assert sorted(np.array(BH_1995)[shuffled][result.rejected]) == BH_1995[:4]


def test_bh_of_nothing_and_bad_input():
    assert benjamini_hochberg([], 0.05).n_rejected == 0
    with pytest.raises(ValueError):
        benjamini_hochberg([0.1, 1.2], 0.05)
    with pytest.raises(ValueError):
        benjamini_hochberg([0.1], 0)


pvalues = st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(pvalues, st.floats(0.001, 0.3), st.floats(0.001, 0.3))
def test_bh_rejections_are_monotone_in_q(p, q1, q2):
    low, high = sorted((q1, q2))
    a, b = benjamini_hochberg(p, low), benjamini_hochberg(p, high)
    assert not (a.rejected & ~b.rejected).any()


@settings(max_examples=150, deadline=None)
@given(pvalues, st.floats(0.001, 0.3))
def test_bh_q_values_are_at_least_p_and_keep_the_order_of_p(p, q):
    r = benjamini_hochberg(p, q)
    p = np.array(p)
    assert (r.q_values >= p - 1e-12).all() and (r.q_values <= 1).all()
    order = np.argsort(p, kind="stable")
    assert (np.diff(r.q_values[order]) >= -1e-12).all()
    # A rejection at q is a q-value at most q; Bonferroni's rejections are a subset.
    assert (r.rejected == (r.q_values <= q)).all()
    assert not ((p * len(p) <= q) & ~r.rejected).any()


def test_poisson_excess_matches_scipy_and_its_edges():
    assert poisson_excess_p(15, 7.0) == pytest.approx(1 - sps.poisson.cdf(14, 7.0))
    assert poisson_excess_p(0, 3.0) == 1.0
    assert poisson_excess_p(3, 0.0) == 0.0
    # Published: P(X ≥ 10 | λ = 4) = 0.00813 (a Poisson table).
    assert poisson_excess_p(10, 4.0) == pytest.approx(0.008132, abs=1e-6)


def test_cusum_signals_at_sample_29_of_montgomery_example_9_1():
    chart = cusum_chart(np.array(MONTGOMERY) - 10, k=0.5, h=5)
    assert chart.alarm == 28 and chart.side == "upper"  # sample 29 (0-based 28)
    assert chart.statistic[28] == pytest.approx(5.28)
    assert chart.statistic[27] == pytest.approx(4.47)
    assert chart.statistic[:4].tolist() == pytest.approx([0, 0, 0, 1.16])
    assert cusum_chart(np.array(MONTGOMERY) - 10, side="lower").alarm is None


def test_ewma_of_montgomery_example_9_2():
    chart = ewma_chart(np.array(MONTGOMERY) - 10, lam=0.1, L=2.7)
    assert chart.statistic[0] + 10 == pytest.approx(9.945)
    assert chart.statistic[1] + 10 == pytest.approx(9.7495)
    assert chart.limit[0] + 10 == pytest.approx(10.27)  # UCL of sample 1
    assert chart.limit[-1] + 10 == pytest.approx(10.6189, abs=1e-3)  # near the asymptotic 10.62
    assert chart.alarm == 28 and chart.side == "upper"  # z29 = 10.6468 > UCL 10.6187


def test_charts_in_control_rarely_alarm():
    rng = np.random.default_rng(7)
    alarms = [ewma_chart(rng.standard_normal(30), side="lower").alarm is not None for _ in range(400)]
    assert np.mean(alarms) < 0.05
    shifted = [cusum_chart(rng.standard_normal(30) - 1.5, side="lower").alarm is not None for _ in range(200)]
    assert np.mean(shifted) > 0.9


def test_chart_parameters_are_checked():
    with pytest.raises(ValueError):
        ewma_chart([0.0], lam=0)
    with pytest.raises(ValueError):
        cusum_chart([0.0], h=0)
    with pytest.raises(ValueError):
        ewma_chart([0.0], side="down")
