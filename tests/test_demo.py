"""The demo company: deterministic, realistic, and written through the import path."""

from datetime import date

import pytest
import sqlalchemy as sa
from conftest import count

from cxlens.demo import generate_demo
from cxlens.demo.phrases import LANGUAGES, PHRASES
from cxlens.errors import InputError
from cxlens.store import open_store

END = date(2026, 6, 30)
TABLES = ["customers", "events", "responses", "tickets", "mentions", "revenue", "feature_requests"]


def rows(store, sql):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql)).all()


def snapshot(store):
    return {t: rows(store, f"SELECT * FROM {t} ORDER BY external_id") for t in TABLES}


@pytest.fixture
def demo_store(store):
    generate_demo(store, customers=400, responses=3000, seed=11, end=END)
    return store


def test_same_seed_same_data(demo_store, tmp_path):
    other = open_store(f"sqlite:///{tmp_path / 'again.db'}")
    generate_demo(other, customers=400, responses=3000, seed=11, end=END)
    a, b = snapshot(demo_store), snapshot(other)
    for table in TABLES:
        # Compare the values that do not depend on the backend's id assignment or types.
        assert len(a[table]) == len(b[table]) > 0
    first = lambda rs: [(r.external_id, r.score, r.comment) for r in rs]  # noqa: E731
    assert first(a["responses"]) == first(b["responses"])
    assert [r.name for r in a["customers"]] == [r.name for r in b["customers"]]
    other.dispose()


def test_another_seed_other_data(tmp_path):
    one = open_store(f"sqlite:///{tmp_path / 'one.db'}")
    two = open_store(f"sqlite:///{tmp_path / 'two.db'}")
    generate_demo(one, customers=100, responses=500, seed=1, end=END)
    generate_demo(two, customers=100, responses=500, seed=2, end=END)
    assert rows(one, "SELECT score FROM responses ORDER BY external_id") != rows(two, "SELECT score FROM responses ORDER BY external_id")


def test_counts_and_rerun_is_a_no_op(demo_store):
    counts = {t: count(demo_store, t) for t in TABLES}
    assert counts["customers"] == 400 and counts["responses"] == 3000
    assert all(n > 0 for n in counts.values())
    generate_demo(demo_store, customers=400, responses=3000, seed=11, end=END)
    assert {t: count(demo_store, t) for t in TABLES} == counts


def test_comments_are_in_every_demo_language_and_match_scores(demo_store):
    langs = {r[0] for r in rows(demo_store, "SELECT DISTINCT language FROM responses WHERE comment IS NOT NULL")}
    assert set(LANGUAGES) <= langs
    negative = {p for t in PHRASES.values() for by_lang in t["negative"].values() for p in by_lang}
    positive = {p for t in PHRASES.values() for by_lang in t["positive"].values() for p in by_lang}
    nps = rows(demo_store, "SELECT score, comment FROM responses WHERE metric = 'nps' AND comment IS NOT NULL")
    assert len(nps) > 50
    for score, comment in nps:
        if score <= 6:
            assert comment in negative
        elif score >= 9:
            assert comment in positive


def test_scores_fit_their_scales_and_history_ends_at_end(demo_store):
    bad = rows(demo_store, "SELECT count(*) FROM responses WHERE score < scale_min OR score > scale_max")
    assert bad[0][0] == 0
    metrics = {r[0] for r in rows(demo_store, "SELECT DISTINCT metric FROM responses")}
    assert metrics == {"nps", "csat", "ces"}
    from cxlens.store.schema import responses

    with demo_store.engine.connect() as conn:
        latest = conn.execute(sa.select(sa.func.max(responses.c.submitted_at))).scalar_one()
    assert latest.date() <= END


def test_unhappy_customers_churn_more(demo_store):
    churned, stayed = rows(demo_store, """
        SELECT c.churned_at IS NOT NULL AS churned, avg(r.score * 1.0)
        FROM responses r JOIN customers c ON c.id = r.customer_id
        WHERE r.metric = 'nps' GROUP BY 1 ORDER BY 1 DESC""")
    assert churned[1] < stayed[1]


def test_support_times_are_skewed_by_channel(demo_store):
    by_channel = dict(rows(demo_store, "SELECT channel, avg(first_response_seconds) FROM tickets GROUP BY channel"))
    assert by_channel["email"] > 10 * by_channel["chat"]
    assert rows(demo_store, "SELECT count(*) FROM tickets WHERE first_response_at < created_at")[0][0] == 0


def test_too_few_customers_is_refused(store):
    with pytest.raises(InputError, match="at least 10 customers"):
        generate_demo(store, customers=3, responses=10)


def test_funnel_drops_off_along_a_journey(demo_store):
    reached = dict(rows(demo_store, """
        SELECT t.key, count(DISTINCT e.customer_id) FROM events e JOIN touchpoints t ON t.id = e.touchpoint_id
        GROUP BY t.key"""))
    chain = ["checkout", "account-setup", "first-use", "mobile-app"]
    counts = [reached[k] for k in chain]
    assert counts == sorted(counts, reverse=True) and counts[-1] < counts[0]
    # Nobody reaches a step without the one before it.
    skipped = rows(demo_store, """
        SELECT count(*) FROM events e JOIN touchpoints t ON t.id = e.touchpoint_id
        WHERE t.key = 'mobile-app' AND NOT EXISTS (
            SELECT 1 FROM events f JOIN touchpoints u ON u.id = f.touchpoint_id
            WHERE u.key = 'first-use' AND f.customer_id = e.customer_id)""")
    assert skipped[0][0] == 0


def test_answers_come_from_customers_who_reached_the_touchpoint(demo_store):
    strays = rows(demo_store, """
        SELECT count(*) FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id
        WHERE t.key IN ('checkout', 'delivery', 'renewal-payment') AND NOT EXISTS (
            SELECT 1 FROM events e WHERE e.customer_id = r.customer_id AND e.touchpoint_id = r.touchpoint_id)""")
    assert strays[0][0] == 0
