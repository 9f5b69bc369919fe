"""Tier 0: the DuckDB mirror equals the SQLite store after every sync, whatever was written.

Each test writes to the store the way users do (imports, ``--update`` imports, the demo's
reset, plain SQL as the web app or a person would), syncs, and then compares every mirrored
table row by row with SQLite, and the KPIs computed on both engines. The mirror copies the
embedded SQLite store only: those tests use a copy of the migrated SQLite template.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_kpis import QUESTIONS, _keyed

from cxlens.analytics.kpis import kpi
from cxlens.analytics.mirror import MIRRORED, Mirror
from cxlens.analytics.rollup import ROLLUPS
from cxlens.demo import generate_demo
from cxlens.ingest import import_file
from cxlens.store import open_store
from cxlens.store.schema import CHANGE_TRACKED, TABLES, UTCDateTime

END = date(2026, 6, 30)


@pytest.fixture
def sqlite_store(sqlite_template, tmp_path):
    path = tmp_path / "cxlens.db"
    shutil.copy(sqlite_template, path)
    store = open_store(f"sqlite:///{path}")
    yield store
    store.dispose()


@pytest.fixture
def demo(sqlite_store):
    generate_demo(sqlite_store, customers=200, responses=3000, seed=9, end=END)
    return sqlite_store


def _sql(store, statement: str, **params) -> None:
    with store.begin() as conn:
        conn.execute(sa.text(statement), params)


def _store_rows(store, name: str) -> list[tuple]:
    table = TABLES[name]
    columns = ", ".join(f'"{c.name}"' for c in table.c)
    stamps = [isinstance(c.type, UTCDateTime) for c in table.c]
    with sqlite3.connect(store.engine.url.database) as conn:
        rows = conn.execute(f'SELECT {columns} FROM "{name}" ORDER BY id').fetchall()
    return [
        tuple(datetime.fromisoformat(v) if stamp and v is not None else v for v, stamp in zip(row, stamps))
        for row in rows
    ]


def _mirror_rows(mirror: Mirror, name: str) -> list[tuple]:
    columns = ", ".join(f'"{c.name}"' for c in TABLES[name].c)
    return mirror.db.execute(f'SELECT {columns} FROM "{name}" ORDER BY id').fetchall()


def assert_mirrored(store, mirror: Mirror) -> None:
    """Every mirrored table holds exactly the store's rows, column by column, and every daily
    summary counts exactly those rows."""
    for name in MIRRORED:
        assert _mirror_rows(mirror, name) == _store_rows(store, name), name
    for rollup in ROLLUPS.values():
        cols = ", ".join(f'"{k}"' for k in rollup.columns)
        kept = (
            f'SELECT {cols}, sum(weight) AS w FROM "{rollup.table}" GROUP BY ALL HAVING sum(weight) <> 0 ORDER BY ALL'
        )
        fresh = f"SELECT {cols}, sum(weight) AS w FROM ({rollup.select('true')}) GROUP BY ALL ORDER BY ALL"
        assert mirror.db.execute(kept).fetchall() == mirror.db.execute(fresh).fetchall(), rollup.table


# Questions the mirror's daily summary answers (rollup.py), besides test_kpis' QUESTIONS.
SUMMARISED = [
    (
        "nps",
        {"by": ["touchpoint"], "grain": "month", "since": "2026-01-01", "until": "2026-06-01", "compare": "previous"},
    ),
    ("ces_mean", {"by": ["survey", "stage"]}),
    ("response_count", {"by": ["channel"], "grain": "week", "where": {"journey": ["get-help", "buy"]}}),
]


def assert_same_kpis(store, on_duckdb) -> None:
    on_store = kpi(store)
    for metric, options in [*QUESTIONS, *SUMMARISED]:
        assert _keyed(on_duckdb.compute(metric, **options)) == _keyed(on_store.compute(metric, **options)), metric


def _csv(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


# -- the change log ---------------------------------------------------------------------------


def test_every_tracked_table_has_its_triggers_at_head(store):
    """A later migration that rebuilds a tracked table (batch mode) must restore its triggers."""
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM row_changes")).scalar_one() == 0
        if store.dialect != "sqlite":
            return  # PostgreSQL has the table (one schema) but no triggers: KPIs read it directly
        names = set(conn.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
    for table in CHANGE_TRACKED:
        assert {f"cx_changes_{table}_update", f"cx_changes_{table}_delete"} <= names, table


def test_updates_and_deletes_are_logged_whoever_writes(sqlite_store):
    load = "INSERT INTO customers (external_id, segment) VALUES ('a', 'smb'), ('b', 'smb'), ('c', 'smb')"
    _sql(sqlite_store, load)
    _sql(sqlite_store, "UPDATE customers SET segment = 'enterprise' WHERE external_id IN ('a', 'b')")
    _sql(sqlite_store, "DELETE FROM customers WHERE external_id = 'c'")
    with sqlite_store.engine.connect() as conn:
        logged = conn.execute(sa.text("SELECT table_name, row_id FROM row_changes ORDER BY id")).all()
    assert logged == [("customers", 1), ("customers", 2), ("customers", 3)]  # inserts are not logged


def test_the_mirror_is_for_the_embedded_store_only(store):
    if store.dialect == "sqlite":
        Mirror(store).close()
    else:
        with pytest.raises(ValueError, match="PostgreSQL is queried directly"):
            Mirror(store)


# -- sync ---------------------------------------------------------------------------------------


def test_first_sync_copies_everything_and_a_second_nothing(demo):
    mirror = Mirror(demo)
    first = mirror.sync()
    assert set(first.whole) == set(MIRRORED)
    assert first.rows["responses"] == 3000
    assert_mirrored(demo, mirror)
    again = mirror.sync()
    assert again.whole == [] and sum(again.rows.values()) == 0 and again.removed == {}


def test_appended_rows_and_updated_rows_arrive_and_nothing_else(demo, tmp_path):
    k = kpi(demo, tier="duckdb")
    import_file(
        demo,
        "responses",
        _csv(
            tmp_path,
            "r.csv",
            "external_id,survey,customer,submitted_at,score,comment\n"
            "x1,relationship-nps,cust-0000001,2026-06-01T00:00:00Z,10,great\n"
            "x2,relationship-nps,cust-0000002,2026-06-02T00:00:00Z,0,\n",
        ),
    )
    import_file(
        demo,
        "tickets",
        _csv(
            tmp_path,
            "t.csv",
            "external_id,customer,channel,team,agent,created_at,first_response_at,solved_at,replies,reopens\n"
            "T-new,cust-0000003,email,billing,Ana,2026-06-01T00:00:00Z,2026-06-01T01:00:00Z,2026-06-02T00:00:00Z,1,0\n",
        ),
    )
    synced = k.sync()
    assert synced.whole == []
    assert synced.rows["responses"] == 2 and synced.rows["tickets"] == 1
    assert sum(synced.rows.values()) == 3
    assert_mirrored(demo, k.mirror)
    assert_same_kpis(demo, k)

    # --update re-imports: a ticket solved later, customers who changed segment or churned.
    with demo.engine.connect() as conn:
        ticket = conn.execute(sa.text("SELECT external_id FROM tickets WHERE id = 5")).scalar_one()
    import_file(
        demo,
        "tickets",
        _csv(
            tmp_path,
            "t2.csv",
            f"external_id,created_at,solved_at,agent,reopens\n{ticket},2024-01-01T00:00:00Z,2026-06-20T00:00:00Z,Zed,2\n",
        ),
        update=True,
    )
    customers = import_file(
        demo,
        "customers",
        _csv(
            tmp_path,
            "c.csv",
            "external_id,segment,churned_at\ncust-0000001,enterprise,2026-05-01T00:00:00Z\ncust-0000007,smb,\n",
        ),
        update=True,
    )
    import_file(
        demo,
        "responses",
        _csv(
            tmp_path, "r2.csv", "external_id,survey,submitted_at,score\nx2,relationship-nps,2026-06-02T00:00:00Z,10\n"
        ),
        update=True,
    )
    synced = k.sync()
    assert synced.whole == []
    assert customers.updated >= 1  # a row whose values did not change is left alone, and not re-copied
    assert (
        synced.rows["tickets"] == 1 and synced.rows["customers"] == customers.updated and synced.rows["responses"] == 1
    )
    assert_mirrored(demo, k.mirror)
    assert_same_kpis(demo, k)


def test_writes_outside_imports_arrive(demo):
    """The web app (partial answers completed later), a person with the sqlite3 shell: the
    triggers log them all."""
    k = kpi(demo, tier="duckdb")
    _sql(demo, "UPDATE responses SET score = 10, comment = 'changed my mind' WHERE id % 7 = 0 AND metric = 'nps'")
    _sql(demo, "UPDATE touchpoints SET team = 'renamed-team' WHERE id = 2")
    _sql(demo, "UPDATE customers SET segment = 'enterprise' WHERE id <= 20")
    synced = k.sync()
    assert synced.whole == [] and synced.rows["touchpoints"] == 1 and synced.rows["customers"] == 20
    assert_mirrored(demo, k.mirror)
    assert_same_kpis(demo, k)


def test_deleted_rows_leave_the_mirror(demo):
    k = kpi(demo, tier="duckdb")
    _sql(demo, "DELETE FROM responses WHERE id BETWEEN 100 AND 149")
    _sql(demo, "DELETE FROM tickets WHERE id % 10 = 3")
    # A deleted customer takes their events and revenue along and orphans their answers
    # (foreign-key actions are deletes and updates too, and are logged as such).
    _sql(demo, "DELETE FROM customers WHERE id = 4")
    synced = k.sync()
    assert synced.whole == []
    assert synced.removed["responses"] == 50 and synced.removed["customers"] == 1
    assert_mirrored(demo, k.mirror)
    assert_same_kpis(demo, k)


def test_many_chunks_read_by_several_readers_arrive_in_full(demo, monkeypatch):
    """Reads are split by id ranges (and changed ids into lists) and spread over threads."""
    from cxlens.analytics import mirror as module

    monkeypatch.setattr(module, "CHUNK_IDS", 97)
    monkeypatch.setattr(module, "READERS", 3)
    mirror = Mirror(demo)
    mirror.sync()
    assert_mirrored(demo, mirror)
    _sql(demo, "UPDATE responses SET comment = 'again' WHERE id % 10 = 0")  # 300 of 3,000: re-copied by id
    _sql(demo, "DELETE FROM responses WHERE id % 11 = 0")
    _sql(
        demo,
        "INSERT INTO responses (submitted_at, metric, score, touchpoint_id, channel) "
        "SELECT submitted_at, metric, score, touchpoint_id, channel FROM responses WHERE id <= 700",
    )
    synced = mirror.sync()
    assert synced.whole == []
    assert_mirrored(demo, mirror)


def test_an_id_reused_after_the_top_rows_were_deleted_is_copied(demo):
    """SQLite gives a new row max(id) + 1: deleting the newest row frees its id again."""
    mirror = Mirror(demo)
    mirror.sync()
    top = mirror.db.execute("SELECT max(id) FROM responses").fetchone()[0]
    _sql(demo, "DELETE FROM responses WHERE id >= :top - 1", top=top)
    mirror.sync()  # the mirror's highest id is now below the one it had copied
    _sql(demo, "INSERT INTO responses (submitted_at, metric, score) VALUES ('2026-06-01 00:00:00.000000', 'nps', 3)")
    with demo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT max(id) FROM responses")).scalar_one() == top - 1
    assert mirror.sync().rows["responses"] == 1
    assert_mirrored(demo, mirror)
    # Deleted and reused between two syncs: the change log names the id, so it is re-copied.
    _sql(demo, "DELETE FROM responses WHERE id = :id", id=top - 1)
    _sql(demo, "INSERT INTO responses (submitted_at, metric, score) VALUES ('2026-06-02 00:00:00.000000', 'csat', 5)")
    mirror.sync()
    assert_mirrored(demo, mirror)


def test_demo_reset_is_copied_whole(demo):
    k = kpi(demo, tier="duckdb")
    generate_demo(demo, customers=150, responses=2000, seed=4, end=END, reset=True)
    synced = k.sync()
    assert {"customers", "tickets", "responses"} <= set(synced.whole)  # most rows changed
    assert_mirrored(demo, k.mirror)
    assert_same_kpis(demo, k)


def test_a_mirror_that_missed_pruned_changes_copies_whole(demo):
    behind = Mirror(demo)
    behind.sync()
    pruning = Mirror(demo, retention=timedelta(0))
    pruning.sync()
    _sql(demo, "UPDATE tickets SET agent = 'first' WHERE id = 1")
    _sql(demo, "UPDATE tickets SET agent = 'second' WHERE id = 2")
    pruning.sync()  # prunes both entries but the newest, which `behind` has not seen
    with demo.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM row_changes")).scalar_one() == 1
    synced = behind.sync()
    assert set(synced.whole) == set(MIRRORED)
    assert_mirrored(demo, behind)
    assert behind.sync().whole == []


def test_a_table_without_its_triggers_is_copied_whole_with_a_warning(demo):
    mirror = Mirror(demo)
    mirror.sync()
    _sql(demo, "DROP TRIGGER cx_changes_tickets_update")
    _sql(demo, "UPDATE tickets SET agent = 'untracked' WHERE id = 3")
    with pytest.warns(UserWarning, match="tickets has lost its change triggers"):
        synced = mirror.sync()
    assert synced.whole == ["tickets"]
    assert_mirrored(demo, mirror)


def test_a_mirror_file_picks_up_where_it_stopped(demo, tmp_path):
    path = str(tmp_path / "mirror.duckdb")
    mirror = Mirror(demo, path)
    mirror.sync()
    mirror.close()
    _sql(demo, "UPDATE customers SET plan = 'gold' WHERE id = 9")
    again = Mirror(demo, path)
    synced = again.sync()
    assert synced.whole == [] and synced.rows["customers"] == 1
    assert_mirrored(demo, again)
    again.close()


def test_a_mirror_file_of_another_store_is_rebuilt(demo, sqlite_template, tmp_path):
    path = str(tmp_path / "mirror.duckdb")
    Mirror(demo, path).close()
    other_file = tmp_path / "other.db"
    shutil.copy(sqlite_template, other_file)
    other = open_store(f"sqlite:///{other_file}")
    mirror = Mirror(other, path)
    mirror.sync()
    assert mirror.db.execute("SELECT count(*) FROM responses").fetchone()[0] == 0
    mirror.close()
    other.dispose()


def test_a_reader_that_ended_is_replaced_and_closing_ends_them_all(demo):
    """Rows are read in processes of the mirror's own (ADBC's SQLite must not share this one)."""
    mirror = Mirror(demo)
    mirror.sync()
    readers = list(mirror._readers)
    readers[0]._proc.kill()
    readers[0]._proc.wait()
    _sql(demo, "UPDATE customers SET plan = 'after' WHERE id = 2")
    assert mirror.sync().rows["customers"] == 1
    assert_mirrored(demo, mirror)
    replaced = list(mirror._readers)
    assert replaced[0] is not readers[0]
    mirror.close()
    assert replaced and not any(r.alive() for r in replaced)


def test_queries_during_a_sync_see_it_whole_or_not_at_all(demo):
    mirror = Mirror(demo)
    mirror.sync()
    before = mirror.db.execute("SELECT count(*), sum(score) FROM responses").fetchone()
    _sql(demo, "UPDATE responses SET score = NULL WHERE id % 2 = 0")
    seen, done = set(), threading.Event()

    def read():
        reader = mirror.db.cursor()
        while not done.is_set():
            seen.add(reader.execute("SELECT count(*), sum(score) FROM responses").fetchone())
        reader.close()

    thread = threading.Thread(target=read)
    thread.start()
    try:
        mirror.sync()
    finally:
        done.set()
        thread.join()
    after = mirror.db.execute("SELECT count(*), sum(score) FROM responses").fetchone()
    assert after != before
    assert seen <= {before, after}


# -- any sequence of writes -------------------------------------------------------------------

WRITES = st.sampled_from(
    [
        "INSERT INTO responses (submitted_at, metric, score) VALUES ('2026-01-0{n} 00:00:00.000000', 'nps', {n})",
        "UPDATE responses SET score = {n}, comment = 'edit {n}' WHERE id % 5 = {n} % 5",
        "DELETE FROM responses WHERE id % 9 = {n}",
        "DELETE FROM responses WHERE id = (SELECT max(id) FROM responses)",
        "INSERT INTO tickets (external_id, created_at, agent) VALUES ('h-{n}-' || (SELECT coalesce(max(id), 0) + 1 FROM tickets), '2026-02-0{n} 00:00:00', 'a{n}')",
        "UPDATE tickets SET reopens = {n}, tags = '[\"t{n}\"]' WHERE id % 4 = {n} % 4",
        "DELETE FROM tickets WHERE id = (SELECT max(id) FROM tickets)",
        "UPDATE customers SET segment = 's{n}', attributes = '{{\"n\": {n}}}' WHERE id % 3 = {n} % 3",
        "DELETE FROM customers WHERE id = (SELECT min(id) FROM customers)",
        "INSERT INTO customers (external_id, segment) VALUES ('new-{n}-' || (SELECT coalesce(max(id), 0) + 1 FROM customers), 'smb')",
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(WRITES, st.integers(1, 9), st.booleans()), min_size=1, max_size=12))
def test_any_sequence_of_writes_and_syncs_keeps_the_mirror_equal(sqlite_template, tmp_path_factory, steps):
    path = tmp_path_factory.mktemp("seq") / "cxlens.db"
    shutil.copy(sqlite_template, path)
    store = open_store(f"sqlite:///{path}")
    try:
        _sql(store, "INSERT INTO customers (external_id) VALUES ('c1'), ('c2'), ('c3'), ('c4')")
        _sql(
            store,
            "INSERT INTO tickets (external_id, created_at, customer_id) VALUES ('t1', '2026-01-01 00:00:00', 1), ('t2', '2026-01-01 00:00:00', 2)",
        )
        _sql(
            store,
            "INSERT INTO responses (submitted_at, metric, score, customer_id) VALUES "
            "('2026-01-01 00:00:00', 'nps', 1, 1), ('2026-01-01 00:00:00', 'nps', 9, 2), ('2026-01-01 00:00:00', 'csat', 4, 3)",
        )
        mirror = Mirror(store)
        mirror.sync()
        for statement, n, sync_now in steps:
            _sql(store, statement.format(n=n))
            if sync_now:
                mirror.sync()
                assert_mirrored(store, mirror)
        mirror.sync()
        assert_mirrored(store, mirror)
        mirror.close()
    finally:
        store.dispose()
