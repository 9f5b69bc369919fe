"""cxlens.stats: published values where they exist, hypothesis properties everywhere."""

import math
import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cxlens import stats
from cxlens.stats import (
    MeanStats,
    NPSCounts,
    ces_agree,
    compare_means,
    compare_nps,
    compare_proportions,
    csat,
    mean,
    median,
    nps,
    proportion,
    quantile,
)

# Student's sleep data, as shipped with R (datasets::sleep): extra hours of sleep per patient.
SLEEP_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


# -- published values ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "n", "low", "high"),
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion: comparison
    # of seven methods", Statistics in Medicine 17:857-872, Table II, method 3 (Wilson score).
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_matches_newcombe_1998(x, n, low, high):
    e = proportion(x, n)
    assert e.value == x / n
    assert (round(e.low, 4), round(e.high, 4)) == (low, high)


def test_newcombe_difference_interval_matches_newcombe_1998():
    # Newcombe (1998), "Interval estimation for the difference between independent
    # proportions: comparison of eleven methods", Statistics in Medicine 17:873-890,
    # Table II example (a), 56/70 − 48/80, method 10 (score, no continuity correction).
    c = compare_proportions(56, 70, 48, 80)
    assert c.difference == pytest.approx(0.2)
    assert (round(c.low, 4), round(c.high, 4)) == (0.0524, 0.3339)


def test_welch_t_test_matches_r_on_the_sleep_data():
    # R: t.test(extra ~ group, data = sleep) → t = -1.8608, df = 17.776, p-value = 0.07939,
    # 95 percent confidence interval: -3.3654832 0.2054832.
    c = compare_means(SLEEP_1, SLEEP_2)
    assert c.difference == pytest.approx(0.75 - 2.33)
    assert c.low == pytest.approx(-3.3654832, abs=1e-6)
    assert c.high == pytest.approx(0.2054832, abs=1e-6)
    assert c.p_value == pytest.approx(0.07939, abs=5e-6)
    assert not c.significant


def test_t_interval_matches_r_on_the_paired_sleep_differences():
    # R: t.test(sleep$extra[11:20] - sleep$extra[1:10]) → mean 1.58,
    # 95 percent confidence interval: 0.7001142 2.4598858.
    e = mean([b - a for a, b in zip(SLEEP_1, SLEEP_2)])
    assert e.value == pytest.approx(1.58)
    assert e.low == pytest.approx(0.7001142, abs=1e-6)
    assert e.high == pytest.approx(2.4598858, abs=1e-6)


def test_nps_intervals_by_hand():
    # 60 answers: 10 detractors, 20 passives, 30 promoters → NPS 33.3.
    wald = nps(counts=(10, 20, 30), method="wald")
    p_p, p_d = 30 / 60, 10 / 60
    half = 1.959964 * math.sqrt((p_p + p_d - (p_p - p_d) ** 2) / 60)
    assert wald.value == pytest.approx(100 / 3)
    assert (wald.low, wald.high) == (
        pytest.approx(100 * (1 / 3 - half), abs=1e-4),
        pytest.approx(100 * (1 / 3 + half), abs=1e-4),
    )
    adjusted = nps(counts=(10, 20, 30))  # Rocks (2016): + ¾ detractor, 1½ passive, ¾ promoter
    p_p, p_d = 30.75 / 63, 10.75 / 63
    centre = p_p - p_d
    half = 1.959964 * math.sqrt((p_p + p_d - centre**2) / 63)
    assert adjusted.value == pytest.approx(100 / 3)
    assert adjusted.low == pytest.approx(100 * (centre - half), abs=1e-4)
    assert adjusted.high == pytest.approx(100 * (centre + half), abs=1e-4)


def test_scores_and_counts_agree_and_skipped_answers_do_not_count():
    scores = [0, 6, 7, 8, 9, 10, None, 10]
    assert NPSCounts.from_scores(scores) == NPSCounts(2, 2, 3)
    assert nps(scores) == nps(counts=(2, 2, 3))
    assert nps(scores).n == 7


def test_csat_and_ces_use_the_top_boxes_of_their_scale():
    assert csat([1, 2, 3, 4, 5]).value == pytest.approx(40)
    assert csat([1, 2, 3], scale=(1, 3)).value == pytest.approx(100 / 3)
    assert csat([1, 2, 2, 2], scale=(1, 2)).value == pytest.approx(75)  # Zendesk good/bad
    assert ces_agree([1, 4, 5, 7]).value == pytest.approx(50)
    assert ces_agree([3, 4, 5], scale=(1, 5)).value == pytest.approx(200 / 3)
    assert csat(satisfied=81, n=263).low == pytest.approx(25.53, abs=0.01)
    with pytest.raises(ValueError, match="scale 1-5"):
        csat([6])


def test_bad_input_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="whole numbers from 0 to 10"):
        nps([11])
    with pytest.raises(ValueError, match="either scores or counts"):
        nps()
    with pytest.raises(ValueError, match="successes <= n"):
        proportion(5, 3)
    with pytest.raises(ValueError, match="unknown proportion method"):
        proportion(1, 3, method="exact")
    with pytest.raises(ValueError, match="confidence"):
        proportion(1, 3, confidence=95)


def test_no_data_and_too_little_data_say_so():
    assert nps([]).value is None and "no data" in nps([]).summary()
    small = proportion(3, 10)
    assert not small.sufficient and "too little data" in small.summary()
    assert proportion(30, 100).sufficient and "too little" not in proportion(30, 100).summary()
    assert compare_nps((0, 0, 0), (1, 2, 3)).difference is None


def test_result_objects_read_well_and_serialise():
    e = nps(counts=(40, 60, 100))
    assert e.summary().startswith("NPS 30.0 (95% CI ")
    assert e.to_dict()["n"] == 200 and e.to_dict()["sufficient"] is True
    c = compare_proportions(56, 70, 48, 80)
    assert "significant" in c.summary() and c.to_dict()["significant"] is True
    assert stats.z_value(0.95) == pytest.approx(1.959964, abs=1e-6)


# -- properties --------------------------------------------------------------------------------

counts = st.tuples(st.integers(0, 500), st.integers(0, 500), st.integers(0, 500))
confidences = st.sampled_from([0.8, 0.9, 0.95, 0.99])


@given(counts, st.sampled_from(["adjusted-wald", "wald"]), confidences)
def test_nps_lies_in_range_and_its_interval_holds_it(c, method, confidence):
    e = nps(counts=c, method=method, confidence=confidence)
    if e.n == 0:
        assert e.value is None
        return
    assert -100 <= e.low <= e.high <= 100
    assert -100 <= e.value <= 100
    assert e.low <= e.value <= e.high


def test_an_extreme_nps_stays_inside_its_interval():
    # Found by the property above: adjusted-Wald's pseudo-answers put 30/30 promoters at
    # 82.9..98.9 (80 %); the interval is widened to hold the observed 100.
    e = nps(counts=(0, 0, 30), confidence=0.8)
    assert e.value == 100 and e.high == 100 and e.low == pytest.approx(82.92, abs=0.01)


@given(counts, counts)
def test_merged_counts_are_the_counts_of_the_union(a, b):
    assert NPSCounts(*a) + NPSCounts(*b) == NPSCounts(*(x + y for x, y in zip(a, b)))
    scores_a = [0] * a[0] + [7] * a[1] + [10] * a[2]
    scores_b = [5] * b[0] + [8] * b[1] + [9] * b[2]
    assert NPSCounts.from_scores(scores_a) + NPSCounts.from_scores(scores_b) == NPSCounts.from_scores(
        scores_a + scores_b
    )


@given(st.lists(st.integers(0, 10), min_size=1, max_size=200), st.randoms(use_true_random=False))
def test_nps_does_not_depend_on_row_order(scores, rnd):
    shuffled = scores[:]
    rnd.shuffle(shuffled)
    assert nps(scores) == nps(shuffled)


@given(st.integers(0, 2000), st.integers(1, 2000), st.sampled_from(["wilson", "wald", "agresti-coull"]), confidences)
def test_proportion_interval_is_inside_0_1_and_wilson_holds_the_estimate(x, n, method, confidence):
    assume(x <= n)
    e = proportion(x, n, method=method, confidence=confidence)
    assert 0 <= e.low <= e.high <= 1
    if method in ("wilson", "wald"):
        assert e.low - 1e-12 <= e.value <= e.high + 1e-12


@given(st.integers(1, 400), st.integers(1, 400), st.data())
def test_newcombe_interval_holds_the_difference(n_a, n_b, data):
    x_a = data.draw(st.integers(0, n_a))
    x_b = data.draw(st.integers(0, n_b))
    c = compare_proportions(x_a, n_a, x_b, n_b)
    assert -1 <= c.low <= c.difference <= c.high <= 1
    assert 0 <= c.p_value <= 1


finite = st.floats(-1e6, 1e6, allow_nan=False)


@settings(deadline=None)
@given(st.lists(finite, min_size=2, max_size=100), st.lists(finite, min_size=2, max_size=100))
def test_mean_from_merged_sums_equals_mean_of_the_union(a, b):
    merged = MeanStats.from_values(a) + MeanStats.from_values(b)
    direct = mean(a + b)
    from_sums = mean(stats=merged)
    assert from_sums.n == direct.n
    assert from_sums.value == pytest.approx(direct.value, rel=1e-9, abs=1e-6)
    spread = max(abs(x) for x in a + b) + 1
    assert from_sums.high - from_sums.low == pytest.approx(direct.high - direct.low, rel=1e-4, abs=1e-6 * spread)


@settings(deadline=None)
@given(st.lists(finite, min_size=2, max_size=60), st.lists(finite, min_size=2, max_size=60))
def test_welch_interval_holds_the_difference_and_p_is_a_probability(a, b):
    c = compare_means(a, b)
    assert c.low <= c.difference <= c.high
    assert 0 <= c.p_value <= 1


@given(st.lists(st.floats(0, 1e6, allow_nan=False), min_size=1, max_size=300), st.sampled_from([0.5, 0.9]))
def test_quantile_interval_holds_the_sample_quantile(values, q):
    e = quantile(values, q)
    assert min(values) <= e.low <= e.value <= e.high <= max(values)


def test_quantile_interval_covers_the_true_median_about_as_often_as_promised():
    # Exponential durations (skewed, like response times): true median = ln 2.
    rng = random.Random(4)
    hits = 0
    for _ in range(400):
        e = median([rng.expovariate(1.0) for _ in range(80)])
        hits += e.low <= math.log(2) <= e.high
    assert hits / 400 >= 0.93  # at least the 95% promised, less simulation noise


def test_nps_difference_is_significant_only_when_it_should_be():
    same = compare_nps((100, 100, 100), (100, 100, 100))
    assert same.difference == 0 and not same.significant
    big = compare_nps((50, 100, 350), (200, 150, 150))
    assert big.difference == pytest.approx(60 - (-10)) and big.significant
    assert big.low < big.difference < big.high


def test_welch_survives_variances_too_small_to_square():
    # Found in review: 1e-160-sized variances made the Welch–Satterthwaite denominator 0.
    c = compare_means([0.0, 1e-160], [1.0, 1.0 + 1e-160])
    assert c.difference == pytest.approx(-1.0)
    assert c.low <= c.difference <= c.high
    assert c.significant


def test_newcombe_bounds_never_leave_minus_one_to_one():
    c = compare_proportions(0, 1, 1, 1)
    assert c.low >= -1.0 and c.high <= 1.0


# The 6-MP arm of Freireich et al. (1963), as tabulated by Gehan (1965, Biometrika 52:203) and
# used in Kleinbaum & Klein, Survival Analysis (3rd ed., ch. 2); R's survfit(conf.type="log-log")
# prints these survival values and limits.
SIX_MP_WEEKS = [6, 6, 6, 6, 7, 9, 10, 10, 11, 13, 16, 17, 19, 20, 22, 23, 25, 32, 32, 34, 35]
SIX_MP_RELAPSED = [1, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]


def test_kaplan_meier_matches_the_published_6mp_table():
    points = {p.time: p for p in stats.kaplan_meier(SIX_MP_WEEKS, SIX_MP_RELAPSED)}
    published = {
        6: (0.857, 21),
        7: (0.807, 17),
        10: (0.753, 15),
        13: (0.690, 12),
        16: (0.627, 11),
        22: (0.538, 7),
        23: (0.448, 6),
    }
    for week, (survival, at_risk) in published.items():
        assert points[week].survival == pytest.approx(survival, abs=5e-4)
        assert points[week].at_risk == at_risk
    assert (points[6].low, points[6].high) == pytest.approx((0.620, 0.952), abs=5e-4)
    assert (points[23].low, points[23].high) == pytest.approx((0.188, 0.680), abs=5e-4)


@given(st.lists(st.tuples(st.integers(0, 50), st.booleans(), st.integers(1, 5)), min_size=1, max_size=60))
def test_kaplan_meier_on_histograms_equals_it_on_rows_and_never_rises(rows):
    weighted = stats.kaplan_meier([t for t, _, _ in rows], [e for _, e, _ in rows], weights=[w for _, _, w in rows])
    expanded = [(t, e) for t, e, w in rows for _ in range(w)]
    plain = stats.kaplan_meier([t for t, _ in expanded], [e for _, e in expanded])
    assert [(p.time, p.at_risk, p.events) for p in weighted] == [(p.time, p.at_risk, p.events) for p in plain]
    assert [p.survival for p in weighted] == pytest.approx([p.survival for p in plain])
    survival = [p.survival for p in weighted]
    assert all(a >= b for a, b in zip(survival, survival[1:]))
    assert all(0 <= p.low <= p.survival <= p.high <= 1 for p in weighted)


def test_ratio_interval_matches_a_by_hand_delta_method():
    x, y = [100.0, 200.0, 50.0, 80.0], [110.0, 150.0, 70.0, 80.0]
    e = stats.ratio(stats.RatioStats.from_pairs(x, y))
    r = sum(y) / sum(x)
    d = [b - r * a for a, b in zip(x, y)]
    se = (sum(v * v for v in d) / (4 * 3)) ** 0.5 / (sum(x) / 4)
    t = 3.182446305284263  # t(0.975, df=3)
    assert e.value == pytest.approx(r)
    assert (e.low, e.high) == pytest.approx((r - t * se, r + t * se))


@given(st.lists(st.tuples(st.floats(1, 1e4), st.floats(0, 1e4)), min_size=2, max_size=50), st.integers(1, 49))
def test_ratio_stats_of_two_groups_add_up_to_the_union(pairs, cut):
    cut = min(cut, len(pairs) - 1)
    a, b = pairs[:cut], pairs[cut:]
    merged = stats.RatioStats.from_pairs(*zip(*a)) + stats.RatioStats.from_pairs(*zip(*b))
    whole = stats.RatioStats.from_pairs(*zip(*pairs))
    assert merged.n == whole.n
    assert (merged.x, merged.y, merged.xy) == pytest.approx((whole.x, whole.y, whole.xy))
    e = stats.ratio(whole)
    assert e.low <= e.value <= e.high


# -- a comparison's p-value and its interval agree: p < α exactly when the interval excludes 0 ----


@pytest.mark.parametrize(
    ("a", "b", "low", "high"),
    # Newcombe (1998), "Interval estimation for the difference between independent proportions:
    # comparison of eleven methods", Statistics in Medicine 17:873-890, Table II, method 10:
    # examples (a), (b), (d)-(h).
    [
        ((56, 70), (48, 80), 0.0524, 0.3339),
        ((9, 10), (3, 10), 0.1705, 0.8090),
        ((5, 56), (0, 29), -0.0381, 0.1926),
        ((0, 10), (0, 20), -0.1611, 0.2775),
        ((0, 10), (0, 10), -0.2775, 0.2775),
        ((10, 10), (0, 20), 0.6791, 1.0),
        ((10, 10), (0, 10), 0.6075, 1.0),
    ],
)
def test_newcombe_table_ii_and_the_p_value_that_inverts_it(a, b, low, high):
    c = compare_proportions(*a, *b)
    assert (round(c.low, 4), round(c.high, 4)) == (low, high)
    assert c.significant == (c.low > 0 or c.high < 0)
    if 0 < c.p_value < 1:  # at the level 1 − p, the bound nearer 0 is 0
        at_p = compare_proportions(*a, *b, confidence=1 - c.p_value)
        assert min(abs(at_p.low), abs(at_p.high)) == pytest.approx(0, abs=1e-9)
    else:
        assert c.p_value == 1.0 and c.difference == 0


def test_a_pair_whose_interval_holds_0_is_not_significant():
    # Found in review: 0/10 vs 6/19 has a 95 % interval holding 0, yet the pooled z-test said p = 0.046.
    c = compare_proportions(0, 10, 6, 19)
    assert c.low < 0 < c.high
    assert c.p_value > 0.05 and not c.significant


alphas = st.sampled_from([0.2, 0.1, 0.05, 0.01])


def _agrees(c, alpha) -> bool:
    assume(abs(c.p_value - alpha) > 1e-9)  # at the boundary itself rounding decides
    return (c.p_value < alpha) == (c.low > 0 or c.high < 0)


@settings(max_examples=400, deadline=None)
@given(st.integers(1, 300), st.integers(1, 300), st.data(), alphas)
def test_newcombe_p_is_below_alpha_exactly_when_the_interval_excludes_0(n_a, n_b, data, alpha):
    x_a, x_b = data.draw(st.integers(0, n_a)), data.draw(st.integers(0, n_b))
    assert _agrees(compare_proportions(x_a, n_a, x_b, n_b, confidence=1 - alpha), alpha)


@settings(max_examples=300, deadline=None)
@given(counts, counts, alphas, st.sampled_from(["adjusted-wald", "wald"]))
def test_nps_difference_p_is_below_alpha_exactly_when_the_interval_excludes_0(a, b, alpha, method):
    c = compare_nps(a, b, confidence=1 - alpha, method=method)
    if c.difference is not None:
        assert _agrees(c, alpha)


@settings(deadline=None)
@given(st.lists(finite, min_size=2, max_size=40), st.lists(finite, min_size=2, max_size=40), alphas)
def test_welch_p_is_below_alpha_exactly_when_the_interval_excludes_0(a, b, alpha):
    assert _agrees(compare_means(a, b, confidence=1 - alpha), alpha)
