"""Outcome and journey KPIs (cohorts, survival, revenue retention, CLV, funnel, touchpoint
health, ratings, response rate, year-on-year) equal a plain-Python computation of the same rows."""

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from cxlens import stats
from cxlens.analytics.kpis import NAMES, kpi
from cxlens.demo import generate_demo
from cxlens.errors import InputError
from cxlens.store.schema import invitations

END = date(2026, 6, 30)
UNTIL = "2026-07-01"
AS_OF = datetime(2026, 7, 1, tzinfo=timezone.utc)


@pytest.fixture
def demo(mapped_store):
    generate_demo(mapped_store, customers=400, responses=3000, seed=11, end=END)
    return mapped_store


def _utc(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value is None or value.tzinfo else value.replace(tzinfo=timezone.utc)


def rows(store, sql):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql)).mappings().all()


def customers(store):
    return [
        {**r, "signed_up_at": _utc(r["signed_up_at"]), "churned_at": _utc(r["churned_at"])}
        for r in rows(store, "SELECT id, segment, plan, signed_up_at, churned_at, acquisition_cost FROM customers")
    ]


def month_start(moment):
    return datetime(moment.year, moment.month, 1, tzinfo=timezone.utc)


def next_month(moment):
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1, tzinfo=timezone.utc)


def test_cohort_retention_counts_each_cohort_by_hand(demo):
    people = customers(demo)
    result = kpi(demo).compute("cohort_retention", by=["segment"], until=UNTIL)
    assert result.by == ["segment", "cohort", "age"] and result.rows
    checked = 0
    for row in result.rows[:: max(len(result.rows) // 60, 1)]:
        cohort = [
            p for p in people if p["segment"] == row["segment"] and month_start(p["signed_up_at"]) == row["cohort"]
        ]
        end = row["cohort"]
        for _ in range(row["age"] + 1):
            end = next_month(end)  # still a customer at the end of the cohort's month number `age`
        kept = [p for p in cohort if p["churned_at"] is None or p["churned_at"] >= end]
        assert row["n"] == len(cohort)
        assert row["value"] == pytest.approx(100 * len(kept) / len(cohort))
        assert row["low"] <= row["value"] <= row["high"]
        checked += 1
    assert checked > 10
    ages = defaultdict(list)
    for row in result.rows:
        ages[(row["segment"], row["cohort"])].append(row["value"])
    assert all(a >= b for values in ages.values() for a, b in zip(values, values[1:]))  # never grows back


def test_survival_is_kaplan_meier_of_each_customers_lifetime(demo):
    people = [p for p in customers(demo) if p["signed_up_at"] < AS_OF]
    result = kpi(demo).compute("survival", grain="week", until=UNTIL)
    durations, events = [], []
    for p in people:
        churned = p["churned_at"] is not None and p["churned_at"] < AS_OF
        end = p["churned_at"] if churned else AS_OF
        durations.append(max((end - p["signed_up_at"]).total_seconds() // 1, 0) / (7 * 86400))
        events.append(churned)
    expected = stats.kaplan_meier_at(durations, events, range(int(max(durations)) + 1))
    assert [r["time"] for r in result.rows] == [int(p.time) for p in expected]
    assert [r["value"] for r in result.rows] == pytest.approx([100 * p.survival for p in expected])
    assert [r["n"] for r in result.rows] == [p.at_risk for p in expected]


def _revenue_by_customer_and_month(store):
    paid = defaultdict(float)
    for r in rows(store, "SELECT customer_id, occurred_at, amount FROM revenue"):
        paid[(r["customer_id"], month_start(_utc(r["occurred_at"])))] += r["amount"]
    return paid


@pytest.mark.parametrize("gross", [False, True])
def test_revenue_retention_is_next_months_revenue_of_this_months_payers(demo, gross):
    paid = _revenue_by_customer_and_month(demo)
    name = "gross_revenue_retention" if gross else "net_revenue_retention"
    result = kpi(demo).compute(name, since="2025-07-01", until=UNTIL)
    assert result.rows and all(r["currency"] == "EUR" for r in result.rows)
    for row in result.rows:
        base = (row["period"] - timedelta(days=1)).replace(day=1)
        x, y = [], []
        for (customer, when), amount in paid.items():
            if when == base and amount > 0:
                after = paid.get((customer, row["period"]), 0.0)
                x.append(amount)
                y.append(min(after, amount) if gross else after)
        assert row["n"] == len(x)
        expected = stats.ratio(stats.RatioStats.from_pairs(x, y))
        assert row["value"] == pytest.approx(100 * expected.value)
        assert (row["low"], row["high"]) == pytest.approx((100 * expected.low, 100 * expected.high))
        if gross:
            assert row["value"] <= 100 + 1e-9


def test_clv_is_revenue_per_customer_year_times_expected_years_minus_acquisition_cost(demo):
    start = AS_OF - timedelta(days=365)
    people = {p["id"]: p for p in customers(demo)}
    revenue = defaultdict(float)
    for r in rows(demo, "SELECT customer_id, occurred_at, amount FROM revenue"):
        if start <= _utc(r["occurred_at"]) < AS_OF:
            revenue[r["customer_id"]] += r["amount"]
    result = kpi(demo).compute("clv", by=["segment"], until=UNTIL)
    assert {r["segment"] for r in result.rows} == {p["segment"] for p in people.values()}
    for row in result.rows:
        active = [
            p
            for p in people.values()
            if p["segment"] == row["segment"]
            and p["signed_up_at"] < AS_OF
            and (p["churned_at"] is None or p["churned_at"] >= start)
        ]
        churned = [p for p in active if p["churned_at"] is not None and p["churned_at"] < AS_OF]
        years = sum(
            max(((p["churned_at"] if p in churned else AS_OF) - max(p["signed_up_at"], start)).total_seconds(), 0)
            for p in active
        ) / (365.25 * 86400)
        per_year = sum(revenue[p["id"]] for p in active) / years
        lifetime = min(years / len(churned), 10.0)
        costs = [p["acquisition_cost"] for p in active if p["acquisition_cost"] is not None]
        cac = sum(costs) / len(costs) if costs else 0.0
        assert row["n"] == len(active) and row["churned"] == len(churned)
        assert row["value"] == pytest.approx(per_year * lifetime - cac)
        assert row["low"] < row["value"] < row["high"]


def test_funnel_follows_each_journeys_touchpoints_in_order(demo):
    first = {}
    for r in rows(
        demo, "SELECT e.customer_id, t.key, e.occurred_at FROM events e JOIN touchpoints t ON t.id = e.touchpoint_id"
    ):
        key = (r["customer_id"], r["key"])
        at = _utc(r["occurred_at"])
        first[key] = min(first.get(key, at), at)
    result = kpi(demo).compute("funnel", where={"journey": "buy"})
    steps = [r["touchpoint"] for r in result.rows]
    assert steps == ["website-visit", "webinar", "sales-call", "checkout", "delivery"]
    people = {c for c, _ in first}
    for before, row in zip(result.rows, result.rows[1:]):
        at_before = {c for c in people if (c, before["touchpoint"]) in first}
        went_on = {
            c
            for c in at_before
            if (c, row["touchpoint"]) in first and first[(c, row["touchpoint"])] >= first[(c, before["touchpoint"])]
        }
        assert row["n"] == len(at_before) and row["from_touchpoint"] == before["touchpoint"]
        assert row["value"] == pytest.approx(100 * len(went_on) / len(at_before))
        assert row["drop_off"] == pytest.approx(100 - row["value"])
    assert result.rows[0]["reached"] == len({c for c in people if (c, "website-visit") in first})


def test_touchpoint_health_judges_every_target_against_its_measure(demo):
    k = kpi(demo)
    health = k.compute("touchpoint_health", since="2026-01-01", until=UNTIL)
    with demo.engine.connect() as conn:
        targets = conn.execute(sa.text("SELECT count(*) FROM touchpoint_targets")).scalar_one()
    assert len(health.rows) == targets
    csat = {r["touchpoint"]: r for r in k.compute("csat", by=["touchpoint"], since="2026-01-01", until=UNTIL).rows}
    statuses = set()
    for row in health.rows:
        statuses.add(row["status"])
        if row["metric"] == "csat" and row["touchpoint"] in csat:
            assert row["value"] == csat[row["touchpoint"]]["value"]
            assert row["status"] == ("met" if row["value"] >= row["target"] else "missed")
        if row["metric"] in ("first_response_time", "handle_time") and row["value"] is not None:
            assert row["status"] == ("met" if row["value"] <= row["target"] else "missed")  # lower is better
        if row["metric"] in ("churn_rate", "net_revenue_retention"):
            assert row["status"] == "not per touchpoint"
        if row["metric"] == "sentiment":
            assert row["status"] == "no data"  # nothing analysed yet: `cxlens text analyze` fills it
        if row["significant"]:
            assert row["low"] > row["target"] or row["high"] < row["target"]
    assert {"met", "missed"} <= statuses


def test_rating_is_the_mean_of_stars_out_of_five(demo):
    mentions = rows(demo, "SELECT source, rating, rating_max FROM mentions WHERE rating IS NOT NULL")
    result = kpi(demo).compute("rating", by=["source"])
    for row in result.rows:
        mine = [m["rating"] * 5 / (m["rating_max"] or 5) for m in mentions if m["source"] == row["source"]]
        assert row["n"] == len(mine) and row["value"] == pytest.approx(sum(mine) / len(mine))


def test_ces_mean_pools_both_scales_on_seven_points(demo):
    answers = rows(demo, "SELECT score, scale_min, scale_max FROM responses WHERE metric = 'ces' AND score IS NOT NULL")
    on_seven = [1 + (a["score"] - a["scale_min"]) * 6 / (a["scale_max"] - a["scale_min"]) for a in answers]
    (row,) = kpi(demo).compute("ces_mean").rows
    assert row["n"] == len(on_seven) and row["value"] == pytest.approx(sum(on_seven) / len(on_seven))


def test_response_rate_is_answered_over_sent_invitations(demo):
    with demo.begin() as conn:
        conn.execute(invitations.delete())  # the demo's own: this test counts only the invitations below
        survey = conn.execute(sa.text("SELECT id FROM surveys ORDER BY id")).scalars().first()
        people = conn.execute(sa.text("SELECT id FROM customers ORDER BY id LIMIT 40")).scalars().all()
        sent = datetime(2026, 5, 3, tzinfo=timezone.utc)
        conn.execute(
            invitations.insert(),
            [
                {
                    "survey_id": survey,
                    "customer_id": c,
                    "channel": "email" if i % 2 else "sms",
                    "due_at": sent,
                    "sent_at": None if i % 10 == 9 else sent,
                    "status": "answered" if i % 3 == 0 else ("skipped" if i % 10 == 9 else "sent"),
                }
                for i, c in enumerate(people)
            ],
        )
    result = {r["channel"]: r for r in kpi(demo).compute("response_rate", by=["channel"]).rows}
    for channel, odd in (("email", 1), ("sms", 0)):
        mine = [i for i in range(40) if i % 2 == odd and i % 10 != 9]
        answered = [i for i in mine if i % 3 == 0]
        assert result[channel]["n"] == len(mine)
        assert result[channel]["value"] == pytest.approx(100 * len(answered) / len(mine))


def test_compare_year_looks_back_twelve_months(demo):
    k = kpi(demo)
    result = k.nps(grain="month", since="2026-03-01", until=UNTIL, compare="year")
    plain = {r["period"]: r for r in k.nps(grain="month").rows}
    assert [r["period"].month for r in result.rows] == [3, 4, 5, 6]
    for row in result.rows:
        before = plain[row["period"].replace(year=row["period"].year - 1)]
        assert row["change"] == pytest.approx(row["value"] - before["value"])
    with pytest.raises(InputError, match="compare='decade'"):
        k.nps(grain="month", compare="decade")
    mid_month = k.nps(grain="month", since="2026-03-15", until=UNTIL, compare="previous")
    assert mid_month.rows[0]["period"].month == 3  # the partial first month is shown, compared with February
    assert mid_month.rows[0]["change"] is not None
    with pytest.raises(InputError, match="funnel cannot be compared"):
        k.compute("funnel", compare="previous")


def test_special_kpis_explain_bad_options(demo):
    k = kpi(demo)
    with pytest.raises(InputError, match="grain"):
        k.compute("funnel", grain="month")
    with pytest.raises(InputError, match="leave out by and grain"):
        k.compute("touchpoint_health", by=["segment"])
    with pytest.raises(InputError, match="cannot slice by team"):
        k.compute("cohort_retention", by=["team"])
    with pytest.raises(InputError, match="use one of: .*funnel"):
        k.compute("happiness")


def _keyed(result):
    dims = [*result.by, *(["period"] if result.grain and "period" in (result.rows or [{}])[0] else [])]

    def rounded(x):
        return round(x, 6) if isinstance(x, float) else x

    return {
        tuple(str(r[d]) for d in dims): tuple(rounded(r.get(f)) for f in ("n", "value", "low", "high"))
        for r in result.rows
    }


OUTCOMES = [
    ("cohort_retention", {"by": ["plan"], "until": UNTIL}),
    ("survival", {"by": ["segment"], "until": UNTIL}),
    ("net_revenue_retention", {"by": ["segment"], "grain": "quarter", "until": UNTIL}),
    ("gross_revenue_retention", {"grain": "month", "since": "2026-01-01", "until": UNTIL}),
    ("clv", {"by": ["plan"], "until": UNTIL}),
    ("funnel", {"by": ["segment"]}),
    ("touchpoint_health", {"since": "2026-01-01", "until": UNTIL}),
    ("rating", {"by": ["source"], "grain": "quarter"}),
    ("ces_mean", {"by": ["touchpoint"]}),
    ("first_response_business_p90", {"by": ["team"]}),
    ("sentiment", {"by": ["touchpoint"]}),
    ("ticket_sentiment", {"by": ["team"]}),
    ("mention_sentiment", {"by": ["source"]}),
]


def test_every_kpi_has_a_parity_question():
    from cxlens.analytics.kpis import SPECS

    asked = {m for m, _ in OUTCOMES} | set(SPECS)
    assert asked == set(NAMES)


@pytest.mark.parametrize(("metric", "options"), OUTCOMES)
def test_outcomes_are_the_same_on_every_engine(demo, tmp_path, metric, options):
    from cxlens.ingest import load_journeys
    from cxlens.store import open_store

    on_store = _keyed(kpi(demo).compute(metric, **options))
    if demo.dialect == "sqlite":
        sqlite = demo
    else:
        sqlite = open_store(f"sqlite:///{tmp_path / 'parity.db'}")
        load_journeys(sqlite, "src/cxlens/demo/journeys.yaml")
        generate_demo(sqlite, customers=400, responses=3000, seed=11, end=END)
    assert on_store == _keyed(kpi(sqlite).compute(metric, **options))
    if metric not in ("rating", "first_response_business_p90") and "sentiment" not in metric:
        assert on_store, metric
    assert on_store == _keyed(kpi(sqlite, tier="duckdb").compute(metric, **options))


def test_kpis_slice_by_the_sentiment_and_theme_text_analytics_found(demo):
    from cxlens.text import analyze

    analyze(demo)
    found = rows(
        demo,
        """
        SELECT t.key AS touchpoint, tr.sentiment, tr.sentiment_score, r.score, r.metric,
               coalesce(m.name, m.label, th.name, th.label) AS theme
        FROM responses r JOIN text_results tr ON tr.source = 'response' AND tr.source_id = r.id
        LEFT JOIN touchpoints t ON t.id = r.touchpoint_id
        LEFT JOIN text_themes th ON th.id = tr.theme_id LEFT JOIN text_themes m ON m.id = th.merged_into_id""",
    )
    assert found
    k = kpi(demo)
    for row in k.compute("sentiment", by=["touchpoint"]).rows:
        mine = [
            f["sentiment_score"]
            for f in found
            if f["touchpoint"] == row["touchpoint"] and f["sentiment_score"] is not None
        ]
        assert row["n"] == len(mine) and row["value"] == pytest.approx(sum(mine) / len(mine))
    nps = {r["sentiment"]: r for r in k.nps(by=["sentiment"]).rows}
    for label in ("negative", "positive"):
        scores = [
            f["score"] for f in found if f["sentiment"] == label and f["metric"] == "nps" and f["score"] is not None
        ]
        assert nps[label]["n"] == len(scores)
    assert nps["negative"]["value"] < nps["positive"]["value"]  # sentiment learned from the scores agrees with them
    themes = k.csat(by=["theme"]).rows
    themed = [f for f in found if f["metric"] == "csat" and f["score"] is not None and f["theme"] is not None]
    assert sum(r["n"] for r in themes if r["theme"] is not None) == len(themed) > 0
    measured = {r["touchpoint"] for r in k.compute("sentiment", by=["touchpoint"]).rows}
    targets = [r for r in k.compute("touchpoint_health").rows if r["metric"] == "sentiment"]
    assert targets
    for row in targets:  # the demo's sentiment target sits on a touchpoint without a survey
        assert (row["status"] in ("met", "missed")) == (row["touchpoint"] in measured)
