"""Predictive lifetime value: BG/NBD and Gamma-Gamma reproduce the published CDNOW fits
(Fader, Hardie & Lee 2005; Fader & Hardie 2013), agree with ``lifetimes`` (a test oracle only)
per customer, recover known parameters from simulated buyers, and read their inputs from the
store on every engine."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlens import predict
from cxlens.analytics.kpis import kpi
from cxlens.errors import InputError
from cxlens.predict import bgnbd, gamma_gamma
from cxlens.store import schema as s

CDNOW = Path(__file__).parent / "data" / "cdnow" / "cdnow_summary.csv"


@pytest.fixture(scope="module")
def cdnow():
    data = np.genfromtxt(CDNOW, delimiter=",", names=True)
    return predict.PurchaseSummary(
        data["customer"].astype(int),
        data["frequency"],
        data["recency"],
        data["T"],
        data["monetary"],
        datetime(1997, 9, 30, tzinfo=timezone.utc),
        "USD",
    )


@pytest.fixture(scope="module")
def fitted(cdnow):
    return predict.fit_lifetime_value(cdnow, unit_days=7, bootstrap=30, seed=1)


def test_bgnbd_reproduces_the_cdnow_parameters_of_fader_hardie_lee_2005(cdnow):
    fit = predict.fit_bgnbd(cdnow.frequency, cdnow.recency, cdnow.T).fit
    # Paper, §5: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4.
    assert round(fit.params["r"], 3) == 0.243
    assert round(fit.params["alpha"], 3) == 4.414
    assert round(fit.params["a"], 3) == 0.793
    assert round(fit.params["b"], 3) == 2.426
    assert round(fit.log_likelihood, 1) == -9582.4
    assert fit.n == 2357 and all(0 < v < fit.params[k] for k, v in fit.se.items())


def test_gamma_gamma_reproduces_the_cdnow_parameters_of_fader_hardie_2013(cdnow):
    repeat = cdnow.repeat
    fit = predict.fit_gamma_gamma(cdnow.frequency[repeat], cdnow.monetary[repeat]).fit
    # The note prints p = 6.25, q = 3.74, γ = 15.44 for the 946 repeat buyers. The maximum on
    # these (cent-rounded) spends is at γ = 15.448, as lifetimes also finds; the note's 15.44 is
    # 0.0015 log-likelihood units lower, i.e. where Excel's Solver stopped.
    assert fit.n == 946
    assert round(fit.params["p"], 2) == 6.25
    assert round(fit.params["q"], 2) == 3.74
    assert fit.params["v"] == pytest.approx(15.44, abs=0.01)
    at_note = gamma_gamma.log_likelihood([6.25, 3.74, 15.44], cdnow.frequency[repeat], cdnow.monetary[repeat])
    assert 0 < fit.log_likelihood - at_note < 0.01
    # Their check of the model's assumption: spend barely moves with frequency (0.11).
    assert round(gamma_gamma.spend_frequency_correlation(cdnow.frequency[repeat], cdnow.monetary[repeat]), 2) == 0.11


def test_predictions_agree_with_lifetimes_customer_by_customer(cdnow, fitted):
    lifetimes = pytest.importorskip("lifetimes")
    bgf = lifetimes.BetaGeoFitter().fit(cdnow.frequency, cdnow.recency, cdnow.T)
    repeat = cdnow.repeat
    ggf = lifetimes.GammaGammaFitter().fit(cdnow.frequency[repeat], cdnow.monetary[repeat])
    ours = fitted.summary()
    for name, value in bgf.params_.items():
        assert ours["bgnbd"]["params"][name] == pytest.approx(value, rel=1e-4)
    for name, se in zip(bgf.params_.index, bgf.summary["se(coef)"]):
        assert ours["bgnbd"]["se"][name] == pytest.approx(se, rel=1e-3)
    for name, value in ggf.params_.items():
        assert ours["gamma_gamma"]["params"][name] == pytest.approx(value, rel=1e-4)
    settings_ = predict.ValueSettings(horizon_months=12, monthly_discount=0.01, month_days=4.345 * 7)
    values = predict.predict_values(fitted, cdnow, settings_)
    x, t_x, T, m = cdnow.frequency, cdnow.recency, cdnow.T, cdnow.monetary
    np.testing.assert_allclose(values.p_alive[0], bgf.conditional_probability_alive(x, t_x, T), rtol=1e-4)
    horizon = 12 * 4.345
    expected = bgf.conditional_expected_number_of_purchases_up_to_time(horizon, x, t_x, T)
    np.testing.assert_allclose(values.purchases[0], expected, rtol=1e-4)
    spend = ggf.conditional_expected_average_profit(x, np.where(repeat, m, 0.0))
    np.testing.assert_allclose(values.spend[0], spend * expected, rtol=1e-4)
    pd = pytest.importorskip("pandas")
    series = [pd.Series(v) for v in (x, t_x, T, np.where(repeat, m, 0.0))]
    clv = ggf.customer_lifetime_value(bgf, *series, time=12, discount_rate=0.01, freq="W")
    np.testing.assert_allclose(values.clv[0], clv, rtol=1e-4)


def test_every_prediction_has_an_interval_from_the_bootstrap(cdnow, fitted):
    assert len(fitted.draws) == 30
    # The refits spread about as far as the standard errors from the Hessian say they should.
    se = np.array(list(fitted.summary()["bgnbd"]["se"].values()) + list(fitted.summary()["gamma_gamma"]["se"].values()))
    assert np.all((fitted.draws.std(axis=0) > 0.5 * se) & (fitted.draws.std(axis=0) < 1.6 * se))
    values = predict.predict_values(fitted, cdnow, predict.ValueSettings(margin=0.3, confidence=0.9))
    for value, low, high in (values.p_alive, values.purchases, values.spend, values.clv):
        assert np.all(low <= value) and np.all(value <= high)
    assert np.mean(values.clv[2] - values.clv[1]) > 0
    assert values.model.startswith(predict.MODEL) and values.draws == 30
    row = values.rows()[0]
    assert set(row) >= {"customer_id", "p_alive", "clv", "clv_low", "clv_high", "purchases", "spend"}


def test_margin_and_discount_scale_clv_as_they_should(cdnow, fitted):
    base = predict.predict_values(fitted, cdnow, predict.ValueSettings(monthly_discount=0.0, margin=1.0))
    half = predict.predict_values(fitted, cdnow, predict.ValueSettings(monthly_discount=0.0, margin=0.5))
    discounted = predict.predict_values(fitted, cdnow, predict.ValueSettings(monthly_discount=0.05))
    np.testing.assert_allclose(half.clv[0], base.clv[0] / 2)
    np.testing.assert_allclose(base.clv[0], base.spend[0], rtol=1e-9)  # undiscounted: all the spend
    assert np.all(discounted.clv[0] < base.clv[0] + 1e-12)
    with pytest.raises(InputError, match="margin"):
        predict.ValueSettings(margin=1.5)


def test_bgnbd_recovers_the_parameters_it_simulated_from():
    truth = np.array([0.5, 6.0, 0.9, 3.0])
    rng = np.random.default_rng(7)
    T = rng.uniform(20, 60, size=20_000)
    x, t_x = bgnbd.simulate(truth, T, rng)
    fit = predict.fit_bgnbd(x, t_x, T).fit
    for name, true in zip(bgnbd.NAMES, truth):
        assert abs(fit.params[name] - true) < 4 * fit.se[name], name


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 12), st.floats(0, 1), st.floats(1, 60)), min_size=5, max_size=40),
    st.tuples(*[st.floats(0.1, 5)] * 4),
)
def test_the_analytic_gradient_is_the_likelihoods_slope(rows, params):
    x = np.array([r[0] for r in rows], dtype=float)
    T = np.array([r[2] for r in rows])
    t_x = np.where(x > 0, np.array([r[1] for r in rows]) * T, 0.0)
    d = bgnbd.Purchases.of(x, t_x, T)
    f = bgnbd._objective(d)  # noqa: SLF001 - the gradient is the module's own business; tested here
    p = np.array(params)
    _, grad = f(p)
    for i in range(4):
        h = 1e-6 * p[i]
        up, down = p.copy(), p.copy()
        up[i] += h
        down[i] -= h
        assert grad[i] == pytest.approx((f(up)[0] - f(down)[0]) / (2 * h), rel=1e-4, abs=1e-6)
    alive = bgnbd.p_alive(p, x, t_x, T)
    assert np.all((alive >= 0) & (alive <= 1))


def test_bad_histories_are_named():
    with pytest.raises(InputError, match="recency must be between 0 and T: row 1"):
        predict.fit_bgnbd([1, 2], [3.0, 9.0], [5.0, 8.0])
    with pytest.raises(InputError, match="row 0 has frequency=0, monetary value=3"):
        predict.fit_gamma_gamma([0, 2, 1], [3.0, 4.0, 5.0])


T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)


def test_purchase_summary_comes_from_the_revenue_table_on_every_engine(store):
    # Customer 1: days 0, 0 (same day: one purchase), 10, 30; 2: one purchase; 3: a refund only.
    payments = [(1, 0, 10.0), (1, 0.5, 5.0), (1, 10, 20.0), (1, 30, 40.0), (2, 5, 7.0), (3, 3, -4.0), (1, 50, 9.0)]
    with store.engine.begin() as conn:
        for i in (1, 2, 3):
            conn.execute(s.customers.insert().values(id=i, external_id=f"c{i}", signed_up_at=T0))
        for j, (i, day, amount) in enumerate(payments):
            at = T0 + timedelta(days=day, hours=9)
            conn.execute(
                s.revenue.insert().values(
                    external_id=f"r{j}", customer_id=i, occurred_at=at, amount=amount, currency="EUR"
                )
            )
    until = T0 + timedelta(days=40)
    tiers = ["store", "duckdb"] if store.dialect == "sqlite" else ["store"]
    for tier in tiers:
        summary = predict.purchase_summary(kpi(store, tier=tier), until=until)
        assert summary.customer_id.tolist() == [1, 2] and summary.currency == "EUR"
        assert summary.frequency.tolist() == [2, 0]
        assert summary.recency.tolist() == [30, 0]
        assert summary.T.tolist() == pytest.approx([40, 35])
        assert summary.monetary.tolist() == pytest.approx([30.0, 0.0])
