"""Close-the-loop KPIs over follow-up cases: hand-computed values on a small store of cases with
known times (``write_cases``), on the store (SQLite, PostgreSQL) and on the DuckDB mirror.

The five cases, opened at T0 (a Monday 09:00 UTC) and after:

    case  customer  from answer  contact  closed  resolved  due   1st-contact due  clock     team     outcome
    1     1         NPS 3        +1h      +10h    +10h      +24h  +2h              calendar  support  recovered
    2     2         NPS 5        +3h      +30h    +29h      +24h  +2h              business  support  not_recovered
    3     3         NPS 2        —        +5h     —         +8h   +4h              calendar  sales    not_recovered
    4     4         NPS 9        +2h      —       —         +48h  +4h              calendar  sales    —
    5     —         —            +4h      +20h    +20h      —     —                calendar  support  no_action_needed

Customer 1 answers NPS 8 eighteen days later (then 2: only the next answer counts), customer 2
answers 4, customer 3 never again but churns in April; customer 4 churned before its case.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import numpy as np
import pytest
import sqlalchemy as sa
from conftest import DEMO_JOURNEYS

from cxlens import catalog
from cxlens.analytics import stats
from cxlens.analytics.kpis import SPECS, kpi
from cxlens.ingest import load_journeys
from cxlens.store import schema as s

LOOP_KPIS = [n for n, k in catalog.CATALOGUE.items() if k.source == "cases"]
HOUR = 3600.0

# A Monday; the fraction of a second makes engines that keep it in an epoch and those that drop
# it agree only if durations count whole seconds.
T0 = datetime(2026, 3, 2, 9, 0, 0, 600_000, tzinfo=timezone.utc)
H = timedelta(hours=1)


def at(days: float = 0, hours: float = 0) -> datetime:
    return T0 + timedelta(days=days, hours=hours)


def write_cases(store) -> None:
    """Four customers, their NPS answers, five cases (the table above)."""
    with store.engine.begin() as conn:
        tps = [r.id for r in conn.execute(sa.select(s.touchpoints.c.id).order_by(s.touchpoints.c.id).limit(2))]
        churned = {3: at(days=39), 4: at(days=-29)}
        for i, segment in ((1, "smb"), (2, "smb"), (3, "enterprise"), (4, "enterprise")):
            conn.execute(
                s.customers.insert().values(
                    id=i,
                    external_id=f"loop-{i}",
                    segment=segment,
                    plan="pro",
                    signed_up_at=at(days=-300),
                    churned_at=churned.get(i),
                )
            )
        answers = [  # (id, customer, score, submitted)
            (1, 1, 3, at(days=-1)),
            (2, 2, 5, at(days=-1)),
            (3, 3, 2, at(days=-1)),
            (4, 4, 9, at(days=-1)),
            (5, 1, 8, at(days=18)),
            (6, 1, 2, at(days=30)),
            (7, 2, 4, at(days=23)),
        ]
        for rid, customer, score, submitted in answers:
            conn.execute(
                s.responses.insert().values(
                    id=rid,
                    external_id=f"loop-r{rid}",
                    customer_id=customer,
                    touchpoint_id=tps[0],
                    submitted_at=submitted,
                    metric="nps",
                    score=score,
                    scale_min=0,
                    scale_max=10,
                    channel="email",
                )
            )
        cases = [  # id, customer, response, touchpoint, opened, contact after, closed after, resolved after, due after, business
            dict(
                id=1,
                customer_id=1,
                response_id=1,
                touchpoint_id=tps[0],
                created_at=at(),
                first=1,
                closed=10,
                resolved=10,
                due=24,
                fc_due=2,
                business_hours=False,
                team="support",
                priority="high",
                source="response",
                root_cause="billing",
                outcome="recovered",
            ),
            dict(
                id=2,
                customer_id=2,
                response_id=2,
                touchpoint_id=tps[0],
                created_at=at(),
                first=3,
                closed=30,
                resolved=29,
                due=24,
                fc_due=2,
                business_hours=True,
                team="support",
                priority="normal",
                source="response",
                root_cause="delivery",
                outcome="not_recovered",
            ),
            dict(
                id=3,
                customer_id=3,
                response_id=3,
                touchpoint_id=tps[1],
                created_at=at(days=1),
                first=None,
                closed=5,
                resolved=None,
                due=8,
                fc_due=4,
                business_hours=False,
                team="sales",
                priority="normal",
                source="response",
                root_cause="billing",
                outcome="not_recovered",
            ),
            dict(
                id=4,
                customer_id=4,
                response_id=4,
                touchpoint_id=tps[1],
                created_at=at(days=2),
                first=2,
                closed=None,
                resolved=None,
                due=48,
                fc_due=4,
                business_hours=False,
                team="sales",
                priority="low",
                source="response",
                root_cause=None,
                outcome=None,
            ),
            dict(
                id=5,
                customer_id=None,
                response_id=None,
                touchpoint_id=None,
                created_at=at(days=30),
                first=4,
                closed=20,
                resolved=20,
                due=None,
                fc_due=None,
                business_hours=False,
                team="support",
                priority="normal",
                source="manual",
                root_cause="delivery",
                outcome="no_action_needed",
            ),
        ]
        for c in cases:
            opened = c["created_at"]

            def later(hours, opened=opened):
                return None if hours is None else opened + hours * H

            first, closed, resolved, due, fc_due = (c.pop(k) for k in ("first", "closed", "resolved", "due", "fc_due"))
            conn.execute(
                s.cases.insert().values(
                    **c,
                    status="closed" if closed is not None else "in_progress",
                    first_contacted_at=later(first),
                    closed_at=later(closed),
                    resolved_at=later(resolved),
                    due_at=later(due),
                    updated_at=opened,
                )
            )
            data = {
                "source": c["source"],
                "priority": c["priority"],
                "team": c["team"],
                "origin_key": None,
                "first_contact_due_at": later(fc_due).isoformat() if fc_due is not None else None,
                "resolve_due_at": later(due).isoformat() if due is not None else None,
                "business_hours": c["business_hours"],
                "schedule": None,
            }
            conn.execute(s.case_events.insert().values(case_id=c["id"], at=opened, kind="opened", data=data))


@pytest.fixture
def loop_store(store):
    load_journeys(store, DEMO_JOURNEYS)
    write_cases(store)
    return store


@pytest.fixture(params=["store", "duckdb"])
def k(loop_store, request):
    if request.param == "duckdb" and loop_store.dialect != "sqlite":
        pytest.skip("the DuckDB mirror copies the embedded SQLite store")
    engine = kpi(loop_store, tier=request.param)
    yield engine
    engine.engine.close()


def _one(result) -> dict:
    assert len(result.rows) == 1, result.rows
    return result.rows[0]


def test_the_catalogue_has_every_close_the_loop_kpi():
    assert set(LOOP_KPIS) == {
        "case_count",
        "closed_loop_rate",
        "first_contact_within_sla",
        "resolution_within_sla",
        "time_to_first_contact_median",
        "time_to_first_contact_p90",
        "time_to_close_median",
        "time_to_close_p90",
        "recovery_rate",
        "case_churn_rate",
    }
    for name in LOOP_KPIS:
        entry = catalog.get(name)
        assert entry.kind in ("interaction", "outcome") and entry.label and entry.direction in ("higher", "lower")
        assert SPECS[name].source == "cases"
        assert {
            "touchpoint",
            "journey",
            "stage",
            "team",
            "priority",
            "source",
            "root_cause",
            "outcome",
            "clock",
            "segment",
            "plan",
        } <= set(entry.dimensions)
    assert (
        catalog.unit("time_to_close_p90") == "seconds" and catalog.label("time_to_close_p90") == "Time to close (p90)"
    )
    assert catalog.kind("recovery_rate") == "outcome" and not catalog.higher_is_better("case_count")


def test_case_count_and_closed_loop_rate(k):
    assert _one(k.compute("case_count"))["value"] == 5
    by_team = {r["team"]: r["value"] for r in k.compute("case_count", by=["team"]).rows}
    assert by_team == {"sales": 2, "support": 3}
    by_cause = {r["root_cause"]: r["value"] for r in k.compute("case_count", by=["root_cause"]).rows}
    assert by_cause == {None: 1, "billing": 2, "delivery": 2}
    months = {r["period"].month: r["n"] for r in k.compute("case_count", grain="month").rows}
    assert months == {3: 4, 4: 1}
    # Closed with the customer contacted: cases 1, 2 and 5 of 5 (3 was closed uncontacted).
    row = _one(k.compute("closed_loop_rate"))
    expected = stats.as_percent(stats.proportion(3, 5))
    assert (row["value"], row["n"], row["method"]) == (60.0, 5, "wilson")
    assert (row["low"], row["high"]) == pytest.approx((expected.low, expected.high))
    by_tp = {r["touchpoint"]: (r["value"], r["n"]) for r in k.compute("closed_loop_rate", by=["touchpoint"]).rows}
    assert sorted(by_tp.values(), key=str) == sorted([(100.0, 2), (0.0, 2), (100.0, 1)], key=str)
    assert by_tp[None] == (100.0, 1)
    segments = {r["segment"]: r["n"] for r in k.compute("closed_loop_rate", by=["segment", "plan"]).rows}
    assert segments == {"enterprise": 2, "smb": 2, None: 1}


def test_sla_shares(k):
    # Resolution: closed cases with a deadline (1, 2, 3); resolved (else closed) by it: 1 and 3.
    row = _one(k.compute("resolution_within_sla"))
    assert (row["value"], row["n"]) == (pytest.approx(200 / 3), 3)
    clocks = {r["clock"]: (r["value"], r["n"]) for r in k.compute("resolution_within_sla", by=["clock"]).rows}
    assert clocks == {"business": (0.0, 1), "calendar": (100.0, 2)}
    # First contact: cases with a first-contact deadline that were contacted or are past it
    # (1, 2, 3, 4); contacted by it: 1 and 4 (2 was an hour late, 3 never contacted).
    row = _one(k.compute("first_contact_within_sla"))
    assert (row["value"], row["n"]) == (50.0, 4)
    priorities = {
        r["priority"]: (r["value"], r["n"]) for r in k.compute("first_contact_within_sla", by=["priority"]).rows
    }
    assert priorities == {"high": (100.0, 1), "normal": (0.0, 2), "low": (100.0, 1)}


def test_durations_to_first_contact_and_to_close(k):
    contact = np.array([1, 3, 2, 4]) * HOUR  # cases 1, 2, 4, 5
    close = np.array([10, 30, 5, 20]) * HOUR  # cases 1, 2, 3, 5
    for metric, values, q in (
        ("time_to_first_contact_median", contact, 0.5),
        ("time_to_first_contact_p90", contact, 0.9),
        ("time_to_close_median", close, 0.5),
        ("time_to_close_p90", close, 0.9),
    ):
        row = _one(k.compute(metric))
        expected = stats.quantile(np.sort(values), q)
        assert (row["value"], row["low"], row["high"], row["n"]) == (expected.value, expected.low, expected.high, 4), (
            metric
        )
    assert _one(k.compute("time_to_first_contact_median"))["value"] == 2.5 * HOUR
    assert _one(k.compute("time_to_close_median"))["value"] == 15 * HOUR
    teams = {r["team"]: r["n"] for r in k.compute("time_to_close_p90", by=["team"]).rows}
    assert teams == {"sales": 1, "support": 3}


def test_recovery_rate(k):
    # Closed cases from a detractor (1, 2, 3) with a next NPS answer (1: 8, 2: 4): one recovered.
    row = _one(k.compute("recovery_rate"))
    assert (row["value"], row["n"]) == (50.0, 2)
    outcomes = {r["outcome"]: (r["value"], r["n"]) for r in k.compute("recovery_rate", by=["outcome"]).rows}
    assert outcomes == {"recovered": (100.0, 1), "not_recovered": (0.0, 1)}


def test_churn_of_recovered_and_unrecovered_detractors(k):
    # Detractors' cases of known customers: 1, 2, 3; customer 3 churned after its case opened.
    row = _one(k.compute("case_churn_rate"))
    assert (row["value"], row["n"]) == (pytest.approx(100 / 3), 3)
    outcomes = {r["outcome"]: (r["value"], r["n"]) for r in k.compute("case_churn_rate", by=["outcome"]).rows}
    assert outcomes == {"recovered": (0.0, 1), "not_recovered": (50.0, 2)}


def test_where_and_since(k):
    row = _one(k.compute("case_count", where={"source": "response"}, since="2026-03-02T12:00:00Z"))
    assert row["value"] == 2  # cases 3 and 4
    row = _one(k.compute("closed_loop_rate", where={"journey": _journeys(k)}))
    assert row["n"] == 4


def test_a_change_between_periods(k):
    result = k.compute("closed_loop_rate", grain="month", compare="previous")
    april = next(r for r in result.rows if r["period"].month == 4)
    assert april["change"] == pytest.approx(100.0 - 50.0) and april["p_value"] is not None


def _journeys(k) -> list[str]:
    return sorted({r["journey"] for r in k.compute("case_count", by=["journey"]).rows if r["journey"]})
