"""Outcome KPIs on small stores whose right answer is known: Kaplan–Meier read at unit
boundaries (checked against lifelines), simple CLV's consistency and its refusals, the gross
revenue retention interval's bound, and a churn-rate row for every period in the window."""

from datetime import datetime, timedelta, timezone

import pytest

from cxlens.analytics.kpis import kpi
from cxlens.store import schema as s

T0 = datetime(2025, 1, 1, tzinfo=timezone.utc)
MONTH = timedelta(days=30.436875)  # periods.DAYS["month"]


def write(store, people, payments=()):
    """people: (signed_up_at, churned_at or None, segment); payments: (person index, at, amount)."""
    with store.engine.begin() as conn:
        for i, (joined, left, segment) in enumerate(people, start=1):
            conn.execute(
                s.customers.insert().values(
                    id=i, external_id=f"c{i}", signed_up_at=joined, churned_at=left, segment=segment, plan="pro"
                )
            )
        for j, (i, at, amount) in enumerate(payments, start=1):
            conn.execute(
                s.revenue.insert().values(
                    external_id=f"r{j}", customer_id=i, occurred_at=at, amount=amount, currency="EUR"
                )
            )


def test_survival_is_kaplan_meier_on_exact_durations_read_at_whole_months(store):
    # 10 leave at 0.49 months, 10 at 1.48, 10 are still here at 12: lifelines' S(1) is 2/3.
    until = T0 + 12 * MONTH
    people = [(T0, T0 + 0.49 * MONTH, "a")] * 10 + [(T0, T0 + 1.48 * MONTH, "a")] * 10 + [(T0, None, "a")] * 10
    write(store, people)
    rows = {r["time"]: r for r in kpi(store).compute("survival", until=until).rows}
    assert rows[0]["value"] == pytest.approx(100.0)
    assert rows[1]["value"] == pytest.approx(100 * 2 / 3)
    assert rows[2]["value"] == pytest.approx(100 / 3)
    assert rows[11]["value"] == pytest.approx(100 / 3)
    assert (rows[0]["n"], rows[1]["n"], rows[2]["n"]) == (30, 20, 10)
    assert (rows[1]["events"], rows[2]["events"]) == (10, 10)


def test_survival_matches_lifelines_at_every_month(store):
    lifelines = pytest.importorskip("lifelines")
    durations = [0.2, 0.49, 0.7, 1.0, 1.48, 2.3, 2.3, 3.9, 4.01, 5.5, 7.25, 8.0]
    churned = [True, True, False, True, True, True, False, True, False, True, True, False]
    until = T0 + 9 * MONTH
    # Censored customers joined later, so that each is observed for exactly its duration.
    people = [(T0, T0 + d * MONTH, "a") if c else (until - d * MONTH, None, "a") for d, c in zip(durations, churned)]
    write(store, people)
    rows = kpi(store).compute("survival", until=until).rows
    fit = lifelines.KaplanMeierFitter().fit(durations, churned)
    expected = fit.survival_function_at_times([r["time"] for r in rows]).to_numpy()
    assert [r["value"] for r in rows] == pytest.approx(100 * expected, abs=1e-6)


def month(n: int, day: int = 10) -> datetime:
    return datetime(2025 + (n - 1) // 12, (n - 1) % 12 + 1, day, tzinfo=timezone.utc)


def test_gross_revenue_retention_interval_stays_at_or_below_100_percent(store):
    # Five customers pay 100 in January; in February four pay it again and one pays 25: 85 %,
    # whose delta-method interval (t with 4 degrees of freedom: 43.4 % to 126.6 %) passes what
    # gross retention can reach. A payment in March makes February a period with a successor.
    people = [(month(1, 1), None, "a")] * 5
    feb = [100, 100, 100, 100, 25]
    payments = [(i, month(1), 100.0) for i in range(1, 6)] + [(i, month(2), float(a)) for i, a in enumerate(feb, 1)]
    payments.append((1, month(3), 1.0))
    write(store, people, payments)
    rows = kpi(store).compute("gross_revenue_retention", grain="month", until=month(3, 1)).rows
    (feb_row,) = [r for r in rows if r["period"] == month(2, 1)]
    assert feb_row["value"] == pytest.approx(85.0)
    assert feb_row["low"] == pytest.approx(43.35, abs=0.01)
    assert feb_row["high"] == pytest.approx(100.0)
    net = kpi(store).compute("net_revenue_retention", grain="month", until=month(3, 1)).rows
    assert [r["high"] for r in net if r["period"] == month(2, 1)][0] == pytest.approx(126.65, abs=0.01)


def test_churn_rate_has_a_row_for_every_period_in_the_window(store):
    # Forty customers from January; one leaves in February; nobody after: March to June are 0 %.
    people = [(month(1, 2), month(2) if i == 0 else None, "a") for i in range(40)]
    write(store, people)
    rows = kpi(store).compute("churn_rate", grain="month", since=month(2, 1), until=month(7, 1)).rows
    assert [r["period"] for r in rows] == [month(m, 1) for m in range(2, 7)]
    assert [r["value"] for r in rows] == pytest.approx([2.5, 0, 0, 0, 0])
    assert [r["n"] for r in rows] == [40, 39, 39, 39, 39]


def monthly(people, first=1, amount=100.0):
    """A payment on the 10th of every month of 2025 in which each customer is still here."""
    out = []
    for i, (joined, left, _) in enumerate(people, start=first):
        out += [(i, month(m), amount) for m in range(1, 13) if joined <= month(m) and (left is None or left > month(m))]
    return out


YEAR_END = datetime(2026, 1, 1, tzinfo=timezone.utc)


def test_clv_says_it_cannot_be_estimated_when_nobody_churned(store):
    people = [(datetime(2024, 6, 1, tzinfo=timezone.utc), None, "a")] * 40
    write(store, people, monthly(people))
    (row,) = kpi(store).compute("clv", until=YEAR_END).rows
    assert row["value"] is None and row["low"] is None and row["high"] is None
    assert row["sufficient"] is False and "cannot be estimated" in row["method"]
    assert row["annual_revenue"] == pytest.approx(1200 * 365.25 / 365)


def test_clv_counts_mid_year_customers_for_the_time_they_were_here(store):
    # 40 all year, 20 who leave on 1 July; then 50 more joining on 1 July at the same price.
    old = datetime(2024, 6, 1, tzinfo=timezone.utc)
    people = [(old, None, "a")] * 40 + [(old, month(7, 1), "a")] * 20
    write(store, people, monthly(people))
    (before,) = kpi(store).compute("clv", until=YEAR_END).rows
    newcomers = [(month(7, 1), None, "a")] * 50
    write_more(store, newcomers, first=len(people) + 1)
    (after,) = kpi(store).compute("clv", until=YEAR_END).rows
    year = 365.25 * 86400
    full, half = (YEAR_END - datetime(2025, 1, 1, tzinfo=timezone.utc)).total_seconds() / year, 181 * 86400 / year
    # Revenue per customer-year is the price, with or without the newcomers.
    assert before["annual_revenue"] == pytest.approx((40 * 1200 + 20 * 600) / (40 * full + 20 * half))
    assert after["annual_revenue"] == pytest.approx(
        (40 * 1200 + 20 * 600 + 50 * 600) / (40 * full + 20 * half + 50 * (full - half))
    )
    assert after["annual_revenue"] == pytest.approx(before["annual_revenue"], rel=0.01)
    for row in (before, after):
        years = row["customer_years"] / 20
        assert row["expected_years"] == pytest.approx(years)
        assert row["value"] == pytest.approx(row["annual_revenue"] * years)
        assert row["low"] < row["value"] < row["high"]  # a real interval, not zero width
        assert row["churned"] == 20 and row["sufficient"]


def write_more(store, people, first):
    with store.engine.begin() as conn:
        for i, (joined, left, segment) in enumerate(people, start=first):
            conn.execute(
                s.customers.insert().values(
                    id=i, external_id=f"c{i}", signed_up_at=joined, churned_at=left, segment=segment, plan="pro"
                )
            )
        for j, (i, at, amount) in enumerate(monthly(people, first=first), start=10_000):
            conn.execute(
                s.revenue.insert().values(
                    external_id=f"r{j}", customer_id=i, occurred_at=at, amount=amount, currency="EUR"
                )
            )
