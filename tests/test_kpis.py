"""Survey KPIs on the store's engine equal a plain-Python count of the same answers."""

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from cxlens import stats
from cxlens.analytics.kpis import kpi
from cxlens.demo import generate_demo
from cxlens.errors import InputError

END = date(2026, 6, 30)


@pytest.fixture
def demo(store):
    generate_demo(store, customers=300, responses=4000, seed=5, end=END)
    return store


def answers(store):
    with store.engine.connect() as conn:
        return (
            conn.execute(
                sa.text("""
            SELECT r.metric, r.score, r.scale_max, r.submitted_at, t.key AS touchpoint, c.segment, r.channel
            FROM responses r LEFT JOIN touchpoints t ON t.id = r.touchpoint_id
            LEFT JOIN customers c ON c.id = r.customer_id WHERE r.score IS NOT NULL""")
            )
            .mappings()
            .all()
        )


def month(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return (value.year, value.month)


def test_nps_by_touchpoint_and_month_matches_a_count_by_hand(demo):
    groups = defaultdict(lambda: [0, 0, 0])
    for a in answers(demo):
        if a["metric"] == "nps":
            g = groups[(a["touchpoint"], month(a["submitted_at"]))]
            g[0 if a["score"] <= 6 else 1 if a["score"] <= 8 else 2] += 1
    result = kpi(demo).nps(by=["touchpoint"], grain="month")
    got = {(r["touchpoint"], (r["period"].year, r["period"].month)): r for r in result.rows}
    assert set(got) == set(groups)
    for key, counts in groups.items():
        expected = stats.nps(counts=counts)
        assert got[key]["n"] == expected.n
        assert got[key]["value"] == pytest.approx(expected.value)
        assert (got[key]["low"], got[key]["high"]) == (pytest.approx(expected.low), pytest.approx(expected.high))


def test_csat_uses_each_answers_scale(demo):
    by_segment = defaultdict(lambda: [0, 0])
    for a in answers(demo):
        if a["metric"] == "csat":
            by_segment[a["segment"]][0] += a["score"] >= stats.SATISFIED_FROM[(1, a["scale_max"])]
            by_segment[a["segment"]][1] += 1
    rows = {r["segment"]: r for r in kpi(demo).csat(by=["segment"]).rows}
    for segment, (satisfied, n) in by_segment.items():
        assert rows[segment]["n"] == n
        assert rows[segment]["value"] == pytest.approx(100 * satisfied / n)


def test_filters_and_period_bounds(demo):
    k = kpi(demo)
    since, until = "2026-01-01", datetime(2026, 4, 1, tzinfo=timezone.utc)
    expected = sum(
        1
        for a in answers(demo)
        if a["metric"] == "ces"
        and a["channel"] == "email"
        and datetime(2026, 1, 1, tzinfo=timezone.utc) <= _aware(a["submitted_at"]) < until
    )
    result = k.ces(since=since, until=until, where={"channel": "email"})
    assert len(result) == 1 and result.rows[0]["n"] == expected


def _aware(value):
    value = datetime.fromisoformat(value) if isinstance(value, str) else value
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def test_compare_previous_flags_only_significant_changes(demo):
    result = kpi(demo).csat(by=["touchpoint"], grain="quarter", compare="previous")
    periods = {(r["touchpoint"], r["period"]) for r in result.rows}
    compared = 0
    for row in result.rows:
        quarter_before = (row["period"] - timedelta(days=80)).replace(day=1)
        quarter_before = quarter_before.replace(month=3 * ((quarter_before.month - 1) // 3) + 1)
        if (row["touchpoint"], quarter_before) in periods:  # compared with exactly the quarter before
            assert row["change"] is not None
            assert row["significant"] == (row["p_value"] < 0.05)
            compared += 1
        else:
            assert row["change"] is None and row["significant"] is False
    assert compared > len(result.rows) / 2
    # The demo's deliveries got worse in its last 90 days: the last quarter's drop is real.
    delivery = [r for r in result.rows if r["touchpoint"] == "delivery"]
    assert delivery[-1]["change"] < 0


def test_result_converts_to_arrow_and_pandas(demo):
    result = kpi(demo).nps(by=["journey"])
    table = result.to_arrow()
    assert table.num_rows == len(result) and {"journey", "value", "low", "high", "n"} <= set(table.column_names)
    assert len(result.to_pandas()) == len(result)


def test_bad_options_are_explained(demo):
    k = kpi(demo)
    with pytest.raises(InputError, match="cannot slice by colour"):
        k.nps(by=["colour"])
    with pytest.raises(InputError, match="grain 'fortnight'"):
        k.nps(grain="fortnight")
    with pytest.raises(InputError, match="needs a grain"):
        k.nps(compare="previous")
    with pytest.raises(InputError, match="not a date"):
        k.nps(since="last tuesday")
    with pytest.raises(InputError, match="KPI 'happiness'"):
        k.compute("happiness")


def test_compiled_sql_is_plain_aggregation_for_every_dialect(demo):
    k = kpi(demo)
    expr = k.expression("nps", by=["touchpoint", "segment"], grain="month")
    for dialect in ("duckdb", "postgres", "sqlite", "trino"):
        sql = k.engine.sql(expr, dialect)
        assert "GROUP BY" in sql.upper() and "SUM(" in sql.upper()


# -- engines ------------------------------------------------------------------------------------


def _keyed(result):
    dims = [*result.by, *(["period"] if result.grain else [])]
    return {
        tuple(str(r[d]) for d in dims): (r["n"], round(r["value"], 9), round(r["low"], 9), round(r["high"], 9))
        for r in result.rows
    }


QUESTIONS = [
    ("nps", {"by": ["touchpoint", "segment"], "grain": "month"}),
    ("csat", {"by": ["journey", "channel"], "grain": "quarter"}),
    ("ces", {"by": ["language"], "where": {"segment": ["smb", "consumer"]}}),
    # An answer's team is its touchpoint's.
    ("nps", {"by": ["team"], "grain": "quarter"}),
    ("csat", {"by": ["channel"], "where": {"team": ["support"]}}),
    ("first_response_time", {"by": ["team"], "grain": "quarter"}),
    ("first_contact_resolution", {"by": ["channel", "segment"]}),
    ("reopen_rate", {"by": ["touchpoint"], "grain": "year"}),
    ("handle_time", {"by": ["agent"]}),
    ("ticket_volume", {"by": ["channel"], "grain": "month"}),
    ("churn_rate", {"by": ["segment"], "grain": "quarter"}),
    ("first_response_p90", {"by": ["team"], "grain": "quarter"}),
    ("resolution_median", {"by": ["channel"]}),
    ("retention", {"by": ["plan"], "grain": "month", "since": "2026-01-01"}),
]


@pytest.mark.parametrize(("metric", "options"), QUESTIONS)
def test_sqlite_duckdb_and_postgresql_give_the_same_numbers(demo, tmp_path, metric, options):
    from cxlens.store import open_store

    sqlite = open_store(f"sqlite:///{tmp_path / 'parity.db'}") if demo.dialect != "sqlite" else demo
    if sqlite is not demo:
        generate_demo(sqlite, customers=300, responses=4000, seed=5, end=END)
    on_store = _keyed(kpi(demo).compute(metric, **options))  # SQLite or PostgreSQL, by backend
    on_sqlite = _keyed(kpi(sqlite).compute(metric, **options))
    on_duckdb = _keyed(kpi(sqlite, tier="duckdb").compute(metric, **options))
    assert on_store and on_store == on_sqlite == on_duckdb


def test_the_mirror_takes_in_new_and_updated_answers(tmp_path):
    from cxlens.ingest import import_file
    from cxlens.store import open_store

    store = open_store(f"sqlite:///{tmp_path / 'm.db'}")
    generate_demo(store, customers=100, responses=500, seed=2, end=END)
    k = kpi(store, tier="duckdb")
    before = k.nps().rows[0]["n"]
    path = tmp_path / "more.csv"
    path.write_text(
        "external_id,survey,customer,submitted_at,score\nx1,relationship-nps,cust-0000001,2026-06-01T00:00:00Z,10\n"
        "x2,relationship-nps,cust-0000002,2026-06-01T00:00:00Z,0\n"
    )
    import_file(store, "responses", path)
    assert k.nps().rows[0]["n"] == before  # not yet synced
    synced = k.sync()
    assert synced.rows["responses"] == 2  # only the new rows were copied
    assert k.nps().rows[0]["n"] == before + 2
    path.write_text("external_id,survey,submitted_at,score\nx2,relationship-nps,2026-06-01T00:00:00Z,10\n")
    import_file(store, "responses", path, update=True)
    k.sync()
    assert _keyed(k.nps(by=["survey"])) == _keyed(kpi(store).nps(by=["survey"]))


def test_duckdb_tier_is_for_the_embedded_store_only(demo):
    if demo.dialect == "sqlite":
        assert kpi(demo, tier="duckdb").engine.name == "duckdb"
    else:
        with pytest.raises(InputError, match="mirrors the embedded SQLite store"):
            kpi(demo, tier="duckdb")
    with pytest.raises(InputError, match="tier 'spark' reads an export: give parquet=DIR"):
        kpi(demo, tier="spark")
    with pytest.raises(InputError, match="tier 'cloud' is not known"):
        kpi(demo, tier="cloud")


def tickets(store):
    with store.engine.connect() as conn:
        return (
            conn.execute(
                sa.text("SELECT channel, team, solved_at, replies, reopens, first_response_seconds FROM tickets")
            )
            .mappings()
            .all()
        )


def test_ticket_kpis_match_a_count_by_hand(demo):
    rows = tickets(demo)
    solved = [r for r in rows if r["solved_at"] is not None]
    for channel in {r["channel"] for r in rows}:
        mine = [r for r in solved if r["channel"] == channel]
        first_contact = sum(1 for r in mine if (r["replies"] or 0) <= 1 and (r["reopens"] or 0) == 0)
        got = {x["channel"]: x for x in kpi(demo).first_contact_resolution(by=["channel"]).rows}[channel]
        assert got["n"] == len(mine) and got["value"] == pytest.approx(100 * first_contact / len(mine))
    durations = [r["first_response_seconds"] for r in rows if r["first_response_seconds"] is not None]
    overall = kpi(demo).first_response_time().rows[0]
    expected = stats.mean(durations)
    assert overall["n"] == expected.n
    assert overall["value"] == pytest.approx(expected.value)
    assert (overall["low"], overall["high"]) == (
        pytest.approx(expected.low, rel=1e-6),
        pytest.approx(expected.high, rel=1e-6),
    )
    assert kpi(demo).compute("ticket_volume").rows[0]["value"] == len(rows)


def test_ticket_dimensions_are_their_own(demo):
    assert kpi(demo).compute("handle_time", by=["agent"]).rows
    with pytest.raises(InputError, match="cannot slice by survey"):
        kpi(demo).compute("handle_time", by=["survey"])


def test_churn_rate_is_churned_in_the_period_over_active_at_its_start(demo):
    with demo.engine.connect() as conn:
        people = [
            (_aware(a), _aware(b) if b else None, s)
            for a, b, s in conn.execute(sa.text("SELECT signed_up_at, churned_at, segment FROM customers")).all()
        ]
    result = kpi(demo).compute("churn_rate", by=["segment"], grain="month", since="2025-07-01")
    assert result.rows
    for row in result.rows:
        start = row["period"]
        end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1, tzinfo=timezone.utc)
        mine = [(a, b) for a, b, s in people if s == row["segment"]]
        active = [(a, b) for a, b in mine if a < start and (b is None or b >= start)]
        churned = [1 for a, b in active if b is not None and b < end]
        assert row["n"] == len(active)
        assert row["value"] == pytest.approx(100 * len(churned) / len(active))
        assert row["period"] >= datetime(2025, 7, 1, tzinfo=timezone.utc)
    retention = {
        (r["segment"], r["period"]): r["value"]
        for r in kpi(demo).compute("retention", by=["segment"], grain="month").rows
    }
    for row in result.rows:
        assert retention[(row["segment"], row["period"])] == pytest.approx(100 - row["value"])


def test_churn_needs_a_grain_and_customer_dimensions(demo):
    with pytest.raises(InputError, match="rate per period"):
        kpi(demo).compute("churn_rate")
    with pytest.raises(InputError, match="cannot slice by channel"):
        kpi(demo).compute("churn_rate", by=["channel"], grain="month")


def test_duration_quantiles_match_the_order_statistics_by_hand(demo):
    rows = tickets(demo)
    for channel in {r["channel"] for r in rows}:
        durations = [
            r["first_response_seconds"]
            for r in rows
            if r["channel"] == channel and r["first_response_seconds"] is not None
        ]
        expected = stats.quantile(durations, 0.9)
        got = {x["channel"]: x for x in kpi(demo).compute("first_response_p90", by=["channel"]).rows}[channel]
        assert (got["n"], got["value"], got["low"], got["high"]) == (
            expected.n,
            pytest.approx(expected.value),
            pytest.approx(expected.low),
            pytest.approx(expected.high),
        )
        median = kpi(demo).compute("first_response_median", where={"channel": channel}).rows[0]
        assert median["value"] == pytest.approx(stats.median(durations).value)


@pytest.mark.parametrize("metric", ["nps", "csat", "first_response_time", "first_contact_resolution"])
def test_sufficient_statistics_of_the_groups_add_up_to_the_whole(demo, metric):
    k = kpi(demo)
    by_group = k.engine.execute(k.expression(metric, by=["segment", "channel"], grain="month")).to_pylist()
    whole = k.engine.execute(k.expression(metric)).to_pylist()[0]
    for column, total in whole.items():
        assert sum(g[column] or 0 for g in by_group) == pytest.approx(total or 0)
    # … and so do the estimates made from them: the rows merged give the whole's value.
    assert k.compute(metric).rows[0]["n"] == whole["n"]
