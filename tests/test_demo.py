"""The demo company: deterministic, realistic, and written through the import path."""

import hashlib
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import count, update_snapshot

from cxlens.demo import generate_demo
from cxlens.demo.incidents import incident_phrases
from cxlens.demo.phrases import CLOSERS, LANGUAGES, PHRASES
from cxlens.demo.staff import staff
from cxlens.errors import InputError
from cxlens.store import open_store

END = date(2026, 6, 30)
TABLES = ["customers", "events", "responses", "tickets", "mentions", "revenue", "feature_requests"]


def rows(store, sql):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql)).all()


def utc(value):
    """A timestamp read by raw SQL: text on SQLite, aware datetime on PostgreSQL."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


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
    assert rows(one, "SELECT score FROM responses ORDER BY external_id") != rows(
        two, "SELECT score FROM responses ORDER BY external_id"
    )


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
    negative |= {
        p for kind in incident_phrases().values() for by_lang in kind.values() for p in by_lang
    }  # angry, billing
    positive = {p for t in PHRASES.values() for by_lang in t["positive"].values() for p in by_lang}
    nps = rows(demo_store, "SELECT score, comment FROM responses WHERE metric = 'nps' AND comment IS NOT NULL")
    assert len(nps) > 50

    def closed(phrases: set[str], sentiment: str) -> set[str]:
        # A comment may end with a closing remark of its own sentiment (demo/wording.py).
        out = set(phrases)
        for lang, by in CLOSERS.items():
            sep = "" if lang == "zh" else " "
            out |= {f"{p}{sep}{c}" for p in phrases for c in by[sentiment]}
        return out

    negative, positive = closed(negative, "negative"), closed(positive, "positive")
    varied = 0
    for score, comment in nps:
        if score <= 6:
            assert comment in negative, comment
        elif score >= 9:
            assert comment in positive, comment
        varied += not any(comment in t[s][lang] for t in PHRASES.values() for s in t for lang in t[s])
    assert varied > 0.2 * len(nps)


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
    churned, stayed = rows(
        demo_store,
        """
        SELECT c.churned_at IS NOT NULL AS churned, avg(r.score * 1.0)
        FROM responses r JOIN customers c ON c.id = r.customer_id
        WHERE r.metric = 'nps' GROUP BY 1 ORDER BY 1 DESC""",
    )
    assert churned[1] < stayed[1]


def test_support_times_are_skewed_by_channel(demo_store):
    by_channel = dict(rows(demo_store, "SELECT channel, avg(first_response_seconds) FROM tickets GROUP BY channel"))
    assert by_channel["email"] > 10 * by_channel["chat"]
    assert rows(demo_store, "SELECT count(*) FROM tickets WHERE first_response_at < created_at")[0][0] == 0


def test_too_few_customers_is_refused(store):
    with pytest.raises(InputError, match="at least 10 customers"):
        generate_demo(store, customers=3, responses=10)


def test_funnel_drops_off_along_a_journey(demo_store):
    reached = dict(
        rows(
            demo_store,
            """
        SELECT t.key, count(DISTINCT e.customer_id) FROM events e JOIN touchpoints t ON t.id = e.touchpoint_id
        GROUP BY t.key""",
        )
    )
    chain = ["checkout", "account-setup", "first-use", "mobile-app"]
    counts = [reached[k] for k in chain]
    assert counts == sorted(counts, reverse=True) and counts[-1] < counts[0]
    # Nobody reaches a step without the one before it.
    skipped = rows(
        demo_store,
        """
        SELECT count(*) FROM events e JOIN touchpoints t ON t.id = e.touchpoint_id
        WHERE t.key = 'mobile-app' AND NOT EXISTS (
            SELECT 1 FROM events f JOIN touchpoints u ON u.id = f.touchpoint_id
            WHERE u.key = 'first-use' AND f.customer_id = e.customer_id)""",
    )
    assert skipped[0][0] == 0


def test_answers_come_from_customers_who_reached_the_touchpoint(demo_store):
    strays = rows(
        demo_store,
        """
        SELECT count(*) FROM responses r JOIN touchpoints t ON t.id = r.touchpoint_id
        WHERE t.key IN ('checkout', 'delivery', 'renewal-payment') AND NOT EXISTS (
            SELECT 1 FROM events e WHERE e.customer_id = r.customer_id AND e.touchpoint_id = r.touchpoint_id)""",
    )
    assert strays[0][0] == 0


# -- nothing at or after the end ------------------------------------------------------------


def timestamp_columns():
    from cxlens.store import schema

    for name in TABLES:
        table = schema.TABLES[name]
        for column in table.c:
            if isinstance(column.type, schema.UTCDateTime):
                yield table, column


def test_nothing_happens_at_or_after_end(store):
    end = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)
    # Seed 7 at this end draws churns, first replies and solves that would fall after the end
    # (2, 5 and more of them): without the cut-off they show up below as times past the end.
    generate_demo(store, customers=3000, responses=2000, seed=7, end=end)
    with store.engine.connect() as conn:
        for table, column in timestamp_columns():
            latest = conn.execute(sa.select(sa.func.max(column))).scalar()
            assert latest is None or latest < end, f"{table.name}.{column.name} reaches {latest}"
    # A churn after the end has not happened: no date, no reason.
    assert (
        rows(
            store,
            """SELECT count(*) FROM customers
        WHERE (churned_at IS NULL) <> (churn_reason IS NULL) OR churned_at < signed_up_at""",
        )[0][0]
        == 0
    )
    assert rows(store, "SELECT count(*) FROM customers WHERE churned_at IS NOT NULL")[0][0] > 0
    # A ticket whose reply or solve would come later waits: new without a reply, pending unsolved.
    statuses = dict(
        rows(
            store,
            """
        SELECT CASE WHEN solved_at IS NOT NULL THEN 'solved'
                    WHEN first_response_at IS NOT NULL THEN 'replied' ELSE 'waiting' END, count(*)
        FROM tickets GROUP BY 1""",
        )
    )
    assert statuses["solved"] > 0 and statuses["replied"] > 0 and statuses["waiting"] > 0
    assert (
        rows(
            store,
            """SELECT count(*) FROM tickets WHERE
        (first_response_at IS NULL AND (status <> 'new' OR replies <> 0 OR solved_at IS NOT NULL))
        OR (first_response_at IS NOT NULL AND solved_at IS NULL AND status <> 'pending')
        OR (solved_at IS NOT NULL AND status NOT IN ('solved', 'closed'))
        OR first_response_at > solved_at""",
        )[0][0]
        == 0
    )
    # Nobody answers, pays or gets an event after they churned.
    for sql in (
        "SELECT count(*) FROM responses r JOIN customers c ON c.id = r.customer_id WHERE r.submitted_at >= c.churned_at",
        "SELECT count(*) FROM events e JOIN customers c ON c.id = e.customer_id WHERE e.occurred_at >= c.churned_at",
        "SELECT count(*) FROM revenue v JOIN customers c ON c.id = v.customer_id WHERE v.occurred_at >= c.churned_at",
    ):
        assert rows(store, sql)[0][0] == 0, sql


def test_the_default_end_is_the_start_of_today_utc(tmp_path):
    today = datetime.now(timezone.utc).date()
    default = open_store(f"sqlite:///{tmp_path / 'default.db'}")
    generate_demo(default, customers=40, responses=300, seed=3)
    if datetime.now(timezone.utc).date() != today:
        pytest.skip("the day changed while generating")
    midnight = datetime(today.year, today.month, today.day, tzinfo=timezone.utc)
    explicit = open_store(f"sqlite:///{tmp_path / 'explicit.db'}")
    generate_demo(explicit, customers=40, responses=300, seed=3, end=midnight)
    a, b = snapshot(default), snapshot(explicit)
    for table in TABLES:
        assert [tuple(r)[1:] for r in a[table]] == [tuple(r)[1:] for r in b[table]], table
    with default.engine.connect() as conn:
        for table, column in timestamp_columns():
            latest = conn.execute(sa.select(sa.func.max(column))).scalar()
            assert latest is None or latest < midnight, f"{table.name}.{column.name} reaches {latest}"
    default.dispose()
    explicit.dispose()


# -- answers follow what they are about -----------------------------------------------------


def test_answers_follow_their_event_or_ticket_shortly(demo_store):
    from cxlens.store.schema import events, responses, tickets, touchpoints

    with demo_store.engine.connect() as conn:
        tp = dict(conn.execute(sa.select(touchpoints.c.id, touchpoints.c.key)).all())
        happened = {
            (c, tp[t]): at
            for c, t, at in conn.execute(sa.select(events.c.customer_id, events.c.touchpoint_id, events.c.occurred_at))
        }
        solved: dict = {}
        for c, t, at in conn.execute(
            sa.select(tickets.c.customer_id, tickets.c.touchpoint_id, tickets.c.solved_at).where(
                tickets.c.solved_at.is_not(None)
            )
        ):
            solved.setdefault((c, tp[t]), []).append(at)
        answers = conn.execute(
            sa.select(responses.c.customer_id, responses.c.touchpoint_id, responses.c.submitted_at)
        ).all()
    assert len(happened) == rows(demo_store, "SELECT count(*) FROM events")[0][0]  # one event per customer and step
    lags, support = [], 0
    for customer, t, submitted in answers:
        key = (customer, tp[t])
        if tp[t].startswith("support-"):
            before = [at for at in solved.get(key, []) if at < submitted]
            assert before, f"a {tp[t]} answer without a solved ticket of that customer on that channel before it"
            lag = submitted - max(before)
            support += 1
        else:
            assert key in happened, f"a {tp[t]} answer from a customer without that event"
            lag = submitted - happened[key]
            assert lag > timedelta(0), f"a {tp[t]} answer before its event"
        assert lag < timedelta(days=60), f"a {tp[t]} answer {lag} after what it is about"
        lags.append(lag)
    assert support > 100
    lags.sort()
    assert timedelta(hours=1) < lags[len(lags) // 2] < timedelta(days=3)  # shortly after, mostly
    assert lags[int(len(lags) * 0.9)] < timedelta(days=10)


# -- a store that holds data ----------------------------------------------------------------


def test_rerun_without_reset_generates_nothing_and_says_so(demo_store):
    before = snapshot(demo_store)
    summary = generate_demo(demo_store, customers=50, responses=100, seed=99, end=END)
    assert summary.skipped
    assert summary.counts == {t: count(demo_store, t) for t in [*TABLES, "invitations", "opt_outs"]}
    assert summary.counts["customers"] == 400 and summary.counts["responses"] == 3000
    text = summary.describe()
    assert text.startswith("The store already holds data (400 customers, ") and "3,000 responses" in text
    assert "nothing generated" in text and "--reset" in text
    assert snapshot(demo_store) == before


def test_reset_replaces_the_data_with_a_new_company(demo_store, tmp_path):
    from cxlens.store.schema import cases, users

    with demo_store.begin() as conn:  # rows that hang off the data (a case) and that are not data (a user)
        response_id, customer_id = conn.execute(
            sa.text("SELECT id, customer_id FROM responses ORDER BY id LIMIT 1")
        ).one()
        conn.execute(cases.insert().values(response_id=response_id, customer_id=customer_id, status="open"))
        conn.execute(users.insert().values(email="admin@example.com", role="admin"))
    journeys = rows(demo_store, "SELECT key, name FROM touchpoints ORDER BY key")
    summary = generate_demo(demo_store, customers=100, responses=500, seed=5, end=END, reset=True)
    assert not summary.skipped
    assert summary.counts == {t: count(demo_store, t) for t in [*TABLES, "invitations"]}  # rows inserted, all of them
    assert summary.counts["customers"] == 100 and summary.counts["responses"] == 500
    assert summary.describe().startswith("Demo company Northwind Gear generated: 100 customers, ")
    # The hand-made case is gone (the demo's own have an origin); users stay, the staff made once.
    assert (
        rows(demo_store, "SELECT count(*) FROM cases WHERE origin_key IS NULL OR origin_key NOT LIKE 'demo:%'")[0][0]
        == 0
    )
    assert count(demo_store, "users") == 1 + len(staff())
    assert rows(demo_store, "SELECT key, name FROM touchpoints ORDER BY key") == journeys
    fresh = open_store(f"sqlite:///{tmp_path / 'fresh.db'}")
    generate_demo(fresh, customers=100, responses=500, seed=5, end=END)
    a, b = snapshot(demo_store), snapshot(fresh)
    first = lambda rs: [(r.external_id, r.score, r.comment, utc(r.submitted_at)) for r in rs]  # noqa: E731
    assert first(a["responses"]) == first(b["responses"])
    people = lambda rs: [(r.external_id, r.name, utc(r.churned_at)) for r in rs]  # noqa: E731
    assert people(a["customers"]) == people(b["customers"])
    fresh.dispose()


# Written by the run, not by the generator: when it ran, the change log of the sync, and the
# alerting set-up (stamped with the time it was loaded).
NOT_DATA = {"alembic_version", "import_runs", "row_changes", "schedules", "alert_rules", "notifiers", "settings"}


def test_the_same_seed_gives_the_same_bytes_as_the_fingerprint(tmp_path):
    """Every row the demo writes, hashed per table: moving the generator's data (phrases, wording,
    journeys) between files must not change one byte of its output."""
    store = open_store(f"sqlite:///{tmp_path / 'fingerprint.db'}")
    generate_demo(store, customers=150, responses=800, seed=7, end=END)
    lines = []
    with store.engine.connect() as conn:
        for table in sorted(set(sa.inspect(conn).get_table_names()) - NOT_DATA):
            digest = hashlib.sha256()
            found = conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).all()
            for row in found:
                digest.update(repr(tuple(row)).encode())
            if found:  # a table the demo leaves empty (one added since) changes nothing
                lines.append(f"{table} {len(found)} {digest.hexdigest()}\n")
    store.dispose()
    path = Path(__file__).parent / "snapshots" / "demo_fingerprint.txt"
    update_snapshot(path, "".join(lines))
    assert "".join(lines) == path.read_text(encoding="utf-8"), f"the demo's data changed: see git diff {path}"
