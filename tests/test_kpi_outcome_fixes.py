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
