"""Tier 0: an in-process DuckDB copy of the embedded SQLite store, kept current by ``sync``.

SQLite is the system of record (a web server, a CLI import and a worker can all write it);
DuckDB answers the dashboard's aggregations over millions of rows. ``sync`` pulls only what
changed since the last one, for every mirrored table alike:

* rows with an id above the highest one copied are appended (SQLite hands out ids in
  increasing order; the one exception, an id reused after the top rows were deleted, shows in
  the change log as that delete);
* rows that were updated or deleted are re-copied, or removed, by id: triggers on the store
  (migration 0002) log every such row in ``row_changes``, whoever wrote it;
* a table is copied whole when that is cheaper or the only safe choice: the first sync, a table
  whose triggers are missing, more than a quarter of its rows changed, or change-log entries
  this mirror needed were pruned before it saw them.

Rows are read with ADBC (``adbc_driver_sqlite``) into Arrow, column by column in C, in reader
processes of the mirror's own (mirror_reader.py; ADBC's copy of SQLite must not share a process with
SQLAlchemy's: ``_sqlite_reader.py`` says why), which hand Arrow back over a pipe. Its
driver infers each column's type from the first rows it sees, so an all-null JSON column would
come out as integers and a later text value would fail: every column is cast in SQL to its
schema type, and a first row of typed placeholders (dropped again) fixes the inference.

What to copy is decided in one SQLite snapshot; large reads are split by id range over a few
readers that read ahead while DuckDB writes. Writes
happen in one DuckDB transaction on a cursor of their own, so queries running meanwhile see
the mirror either before or after a sync, never half-way. One sync runs at a time per mirror.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import threading
import time
import warnings
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from ..errors import EngineError, InputError
from ..store import Store
from ..store import schema as s
from .mirror_reader import Reader, close_readers, duck_select, duck_type, quote, read_rows, scratch_folder
from .rollup import ROLLUPS

__all__ = ["MIRRORED", "Mirror", "SyncResult"]

log = logging.getLogger(__name__)

# Tables the KPIs read; parents first.
MIRRORED = (
    "journeys",
    "stages",
    "touchpoints",
    "touchpoint_targets",
    "surveys",
    "customers",
    "tickets",
    "responses",
    "events",
    "revenue",
    "mentions",
    "invitations",
    "text_themes",
    "text_results",
    "cases",
    "case_events",
)
assert set(MIRRORED) <= set(s.CHANGE_TRACKED), "every mirrored table needs its change triggers"

FORMAT = "2"  # of the mirror's own bookkeeping; a mirror file in another format is rebuilt
CHUNK_IDS = 262_144  # ids per read: bounds memory, and lets reading overlap with writing
WHOLE_SHARE = 0.25  # re-copy a table whole when more than this share of its rows changed
READERS = max(1, min(4, os.cpu_count() or 1))  # threads reading SQLite while DuckDB writes


@dataclass
class SyncResult:
    """What one ``sync`` did: rows copied per table (appended or re-copied), rows removed
    because the store deleted them, the tables copied whole, and how long it took."""

    rows: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    whole: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # Tables with changes no time places (copied whole, or not in ``APPEND_TIME``); and, per
    # table of ``APPEND_TIME``, the earliest time among the rows appended, updated (as they
    # were and as they are) or deleted: an answer about the periods before it still holds
    # (web/kpi_engine.py keeps such answers).
    unplaced: list[str] = field(default_factory=list)
    earliest: dict[str, datetime | None] = field(default_factory=dict)


# The time that puts a new row of these tables into a KPI's period (its rows are counted by
# it, and a row without one counts nowhere). A row appended to another table may change any
# answer.
APPEND_TIME = {
    "responses": "submitted_at",
    "tickets": "created_at",
    "events": "occurred_at",
    "revenue": "occurred_at",
    "mentions": "posted_at",
    "invitations": "sent_at",
}


@dataclass
class _Plan:
    """What the store's snapshot says a table needs."""

    top: int  # highest id in the store
    whole: bool  # copy it whole
    changed: pa.Array | None = None  # ids updated or deleted since the last sync


class Mirror:
    """A DuckDB database (in memory, or a file) mirroring the SQLite store's KPI tables.

    ``retention``: change-log entries older than this are pruned after a sync; a mirror that
    has not synced for longer copies the tables with pruned changes whole (correct, slower)."""

    def __init__(self, store: Store, path: str = ":memory:", *, retention: timedelta = timedelta(days=1)):
        if store.dialect != "sqlite":
            raise InputError("the DuckDB mirror copies the embedded SQLite store; PostgreSQL is queried directly")
        self.store = store
        self.retention = retention
        self._file = Path(store.engine.url.database).resolve()
        self._lock = threading.Lock()
        self._warned: set[str] = set()
        self._readers: list[Reader] = []  # started on first use, kept for later syncs
        self._scratch = scratch_folder()
        self._finalize = weakref.finalize(self, close_readers, self._readers, self._scratch)  # also without close()
        self.db = duckdb.connect(path)
        self._prepare()

    def close(self) -> None:
        self._finalize()
        self.db.close()

    def _reader(self, i: int) -> Reader:
        """Reading process number ``i`` in a snapshot of the store: started when first needed,
        restarted when it has ended (readers end after ten minutes without requests)."""
        while len(self._readers) <= i:
            self._readers.append(Reader(self._scratch))
        for attempt in (1, 2):
            if not self._readers[i].alive():
                self._readers[i].close()
                self._readers[i] = Reader(self._scratch)
            try:
                self._readers[i].begin(self._uri)
                return self._readers[i]
            except EngineError:  # it ended between the check and the request: once more
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    # -- the mirror's own tables ----------------------------------------------------------------

    def _prepare(self) -> None:
        """Create the mirrored tables and the bookkeeping; rebuild what no longer fits."""
        db = self.db
        db.execute("CREATE TABLE IF NOT EXISTS _cx_mirror (key VARCHAR PRIMARY KEY, value VARCHAR)")
        db.execute("CREATE TABLE IF NOT EXISTS _cx_tables (name VARCHAR PRIMARY KEY, last_id BIGINT)")
        meta = dict(db.execute("SELECT key, value FROM _cx_mirror").fetchall())
        if meta.get("format") != FORMAT or meta.get("store") != str(self._file):
            # Another store, or an older mirror: start from nothing.
            for name in MIRRORED:
                db.execute(f"DROP TABLE IF EXISTS {quote(name)}")
            db.execute("DROP TABLE IF EXISTS _cx_sync")  # format 1's bookkeeping
            db.execute("DELETE FROM _cx_tables")
            db.execute("DELETE FROM _cx_mirror")
            db.execute("INSERT INTO _cx_mirror VALUES ('format', ?), ('store', ?)", [FORMAT, str(self._file)])
        for name in MIRRORED:
            want = [(c.name, duck_type(c)) for c in s.TABLES[name].c]
            have = db.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
            if have != want:  # new, or the schema changed since this mirror file was written
                db.execute(f"DROP TABLE IF EXISTS {quote(name)}")
                db.execute(f"CREATE TABLE {quote(name)} ({', '.join(f'{quote(n)} {t}' for n, t in want)})")
                db.execute("DELETE FROM _cx_tables WHERE name = ?", [name])
                if name in ROLLUPS:
                    ROLLUPS[name].rebuild(db)
        for rollup in ROLLUPS.values():
            if not rollup.fits(db):  # a mirror file written before this summary (or these columns)
                rollup.rebuild(db)

    # -- sync -----------------------------------------------------------------------------------

    def sync(self) -> SyncResult:
        """Bring every mirrored table up to date with the store; return what was copied."""
        with self._lock:
            t0 = time.perf_counter()
            result = SyncResult()
            src = self._reader(0)  # in the sync's snapshot of the store
            # The sync's own DuckDB connection (the web app's requests query self.db meanwhile,
            # and one DuckDB connection is not for two threads at once), in one transaction.
            out = self.db.cursor()
            try:
                out.begin()
                plans, last_change = self._plan(src, out)
                for name in MIRRORED:
                    self._apply(src, out, name, plans[name], result)
                if "customers" in result.whole:  # summaries that keep customers' columns start again
                    for r in ROLLUPS.values():
                        if r.customer_keys and r.source not in result.whole:
                            r.rebuild(out)
                out.execute("INSERT OR REPLACE INTO _cx_mirror VALUES ('last_change', ?)", [str(last_change)])
                out.commit()
                oldest = self._scalar(src, "SELECT changed_at FROM row_changes ORDER BY id LIMIT 1")
            except BaseException:
                out.rollback()
                raise
            finally:
                out.close()
                if src.alive():
                    src.end()
            self._prune(oldest)
            result.seconds = time.perf_counter() - t0
            return result

    @property
    def _uri(self) -> str:
        return f"{self._file.as_uri()}?mode=ro"

    @staticmethod
    def _scalar(src: Reader, sql: str):
        rows = src.rows(sql)
        return rows[0][0] if rows else None

    def _plan(self, src, out: duckdb.DuckDBPyConnection) -> tuple[dict[str, _Plan], int]:
        """Read, in the sync's snapshot, what each table needs; and the change log's end."""
        tops = ", ".join(f"(SELECT coalesce(max(id), 0) FROM {quote(n)})" for n in MIRRORED)
        top = dict(zip(MIRRORED, src.rows(f"SELECT {tops}")[0]))
        copied = dict(out.execute("SELECT name, last_id FROM _cx_tables").fetchall())
        # An import publishing in batches (ingest.importer) shows nothing until its last one:
        # a table's rows from its first batch on wait (rows others add meanwhile wait too).
        for name, held in src.rows(
            "SELECT b.table_name, min(b.after_id) FROM import_batches b JOIN import_runs r ON r.id = b.run_id "
            "WHERE r.status = 'publishing' GROUP BY b.table_name"
        ):
            if name in top:
                top[name] = max(min(top[name], held), copied.get(name, 0))
        triggers = {
            r[0] for r in src.rows("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cx_changes_%'")
        }
        end, first = src.rows(
            "SELECT (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'row_changes'), "
            "(SELECT min(id) FROM row_changes)"
        )[0]
        seen = out.execute("SELECT value FROM _cx_mirror WHERE key = 'last_change'").fetchone()
        seen = int(seen[0]) if seen else None
        # Entries after `seen` that are gone (pruned), or a log that went backwards (another
        # file at the same path): this mirror cannot know what changed.
        lost = seen is None or end < seen or (end > seen and (first is None or first > seen + 1))
        counts = {} if lost or end == seen else self._change_counts(src, seen, end)
        plans = {}
        for name in MIRRORED:
            tracked = {f"cx_changes_{name}_update", f"cx_changes_{name}_delete"} <= triggers
            if not tracked and name not in self._warned:
                self._warned.add(name)
                warnings.warn(
                    f"the store's table {name} has lost its change triggers (a migration rebuilt it?): "
                    "the DuckDB mirror copies it whole on every sync until `cxlens db upgrade` "
                    "or a migration that runs store.schema.change_trigger_sql restores them",
                    stacklevel=3,
                )
            whole = lost or not tracked or name not in copied
            if not whole and counts.get(name):
                mirrored = out.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]
                whole = counts[name] > WHOLE_SHARE * max(mirrored, 1)
            plan = _Plan(top=top[name], whole=whole)
            if not whole and counts.get(name):
                plan.changed = self._changed_ids(src, name, seen, end)
            plans[name] = plan
        return plans, end

    @staticmethod
    def _change_counts(src: Reader, after: int, end: int) -> dict[str, int]:
        return dict(
            src.rows(
                f"SELECT table_name, count(*) FROM row_changes WHERE id > {after:d} AND id <= {end:d} GROUP BY table_name"
            )
        )

    @staticmethod
    def _changed_ids(src: Reader, name: str, after: int, end: int) -> pa.Array:
        return (
            src.query(
                f"SELECT DISTINCT row_id FROM row_changes WHERE id > {after:d} AND id <= {end:d} "
                f"AND table_name = '{name}'"
            )
            .column(0)
            .combine_chunks()
        )

    def _apply(self, src, out: duckdb.DuckDBPyConnection, name: str, plan: _Plan, result: SyncResult) -> None:
        """Make the mirror's ``name`` equal the store's in the sync's snapshot."""
        table = s.TABLES[name]
        known = out.execute("SELECT last_id FROM _cx_tables WHERE name = ?", [name]).fetchone()
        last = known[0] if known and not plan.whole else 0
        copied = removed = 0
        rollup = ROLLUPS.get(name)
        if plan.whole:
            out.execute(f"DELETE FROM {quote(name)}")
            result.whole.append(name)
            result.unplaced.append(name)
        elif plan.changed is not None and len(plan.changed):
            # Updated or deleted rows: drop the mirror's copy, then copy what the store still has
            # (ids above `last` are appended below with the new rows).
            ids = pa.table({"id": plan.changed.cast(pa.int64())})
            out.register("_cx_ids", ids)
            self._note_times(out, name, "id IN (SELECT id FROM _cx_ids)", result)  # as they were
            if rollup is not None:  # counted out as they were; counted in again below as they are
                rollup.count_in(out, "f.id IN (SELECT id FROM _cx_ids)", sign=-1)
            for r in ROLLUPS.values():  # their answers, counted out with the customer as it was
                if name == "customers" and r.customer_keys:
                    r.count_in(out, "f.customer_id IN (SELECT id FROM _cx_ids)", sign=-1)
            before = out.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]
            out.execute(f"DELETE FROM {quote(name)} WHERE id IN (SELECT id FROM _cx_ids)")
            removed = before - out.execute(f"SELECT count(*) FROM {quote(name)}").fetchone()[0]
            out.unregister("_cx_ids")
            kept = sorted(i for i in plan.changed.to_pylist() if i <= last)
            lists = [json.dumps(kept[i : i + CHUNK_IDS]) for i in range(0, len(kept), CHUNK_IDS)]
            chunks = [[f"id IN (SELECT value FROM json_each('{listed}'))"] for listed in lists]
            again = self._insert(out, table, self._read_ahead(src, table, chunks))
            copied += again
            removed -= again
            out.register("_cx_ids", ids)
            if again:
                self._note_times(out, name, f"id IN (SELECT id FROM _cx_ids) AND id <= {last:d}", result)  # as they are
            for r in ROLLUPS.values():  # and counted in with the customer as it is
                if name == "customers" and r.customer_keys:
                    r.count_in(out, "f.customer_id IN (SELECT id FROM _cx_ids)")
            out.unregister("_cx_ids")
        if plan.top > last:
            ranges = [
                [f"id > {lo:d} AND id <= {min(lo + CHUNK_IDS, plan.top):d}"] for lo in range(last, plan.top, CHUNK_IDS)
            ]
            appended = self._insert(out, table, self._read_ahead(src, table, ranges))
            copied += appended
            if appended and not plan.whole:
                self._note_times(out, name, f"id > {last:d}", result)
        if rollup is not None:
            self._summarise(out, rollup, plan, last)
        if known is None or known[0] != plan.top:
            out.execute("INSERT OR REPLACE INTO _cx_tables VALUES (?, ?)", [name, plan.top])
        result.rows[name] = copied
        if removed > 0:
            result.removed[name] = removed

    @staticmethod
    def _note_times(out: duckdb.DuckDBPyConnection, name: str, where: str, result: SyncResult) -> None:
        """Note the earliest time of the rows of ``name`` that ``where`` selects, or that the
        table's changes cannot be placed in time."""
        column = APPEND_TIME.get(name)
        if column is None:
            if name not in result.unplaced:
                result.unplaced.append(name)
            return
        t = out.execute(f"SELECT min({quote(column)}) FROM {quote(name)} WHERE {where}").fetchone()[0]
        if t is not None and (result.earliest.get(name) is None or t < result.earliest[name]):
            result.earliest[name] = t

    @staticmethod
    def _summarise(out: duckdb.DuckDBPyConnection, rollup, plan: _Plan, last: int) -> None:
        """Count the rows this sync copied into the table's daily summary (rollup.py)."""
        if plan.whole:
            rollup.rebuild(out)
            return
        where = [f"f.id > {last:d}"] if plan.top > last else []
        if plan.changed is not None and len(plan.changed):
            out.register("_cx_ids", pa.table({"id": plan.changed.cast(pa.int64())}))
            where.append(f"(f.id IN (SELECT id FROM _cx_ids) AND f.id <= {last:d})")
        if where:
            rollup.count_in(out, " OR ".join(where))
            rollup.fold(out)
        if plan.changed is not None and len(plan.changed):
            out.unregister("_cx_ids")

    def _read_ahead(self, src, table: sa.Table, chunks: list[list[str]]) -> Iterator[pa.Table]:
        """``read_rows`` of each chunk, in order, by up to READERS reading processes (one thread
        each here, waiting on its pipe) that read ahead while the caller has DuckDB write.

        Helper readers (processes, see ``Reader``) read in snapshots of their own, at least as
        new as the sync's. That is safe for new rows: a row changed since the sync's snapshot is copied as
        it is now, and its change-log entry, past this sync's end, has the next sync copy it
        again; a row deleted since is not copied, and the next sync finds nothing to remove."""
        readers = min(READERS, len(chunks))
        if readers <= 1:
            for where in chunks:
                yield read_rows(src, table, where)
            return
        lanes = [queue.Queue(maxsize=1) for _ in range(readers)]
        stop = threading.Event()

        helpers = [src] + [self._reader(i) for i in range(1, readers)]

        def lane(i: int) -> None:
            reader = helpers[i]
            try:
                for where in chunks[i::readers]:
                    if stop.is_set():
                        return
                    lanes[i].put(read_rows(reader, table, where))
            except BaseException as exc:  # handed to the consumer, which raises it
                lanes[i].put(exc)
            finally:
                if i and reader.alive():
                    try:
                        reader.end()
                    except EngineError:  # pragma: no cover - it died meanwhile; restarted next time
                        pass

        threads = [
            threading.Thread(target=lane, args=(i,), name=f"cxlens-mirror-{table.name}-{i}", daemon=True)
            for i in range(readers)
        ]
        for t in threads:
            t.start()
        try:
            for n in range(len(chunks)):
                item = lanes[n % readers].get()
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            stop.set()
            for i, t in enumerate(threads):
                while t.is_alive():  # a lane may wait on its full queue: empty it
                    try:
                        lanes[i].get(timeout=0.05)
                    except queue.Empty:
                        pass
                t.join()

    @staticmethod
    def _insert(out: duckdb.DuckDBPyConnection, table: sa.Table, batches) -> int:
        select = duck_select(table)
        copied = 0
        for batch in batches:
            if batch.num_rows == 0:
                continue
            out.register("_cx_batch", batch)
            out.execute(f"INSERT INTO {quote(table.name)} SELECT {select} FROM _cx_batch")
            out.unregister("_cx_batch")
            copied += batch.num_rows
        return copied

    # -- housekeeping ---------------------------------------------------------------------------

    def _prune(self, oldest: str | None) -> None:
        """Delete change-log entries older than ``retention`` (keeping the newest, whose id tells
        later mirrors where the log stands). Housekeeping: a locked or read-only store skips it."""
        cutoff = datetime.now(timezone.utc) - self.retention
        # The triggers write SQLite's '%Y-%m-%d %H:%M:%f' (milliseconds): text that sorts as time.
        cutoff_text = cutoff.strftime("%Y-%m-%d %H:%M:%S.%f")[:23]
        if oldest is None or oldest >= cutoff_text:
            return
        try:
            with self.store.begin() as conn:
                conn.exec_driver_sql(
                    "DELETE FROM row_changes WHERE changed_at < ? AND id < (SELECT max(id) FROM row_changes)",
                    (cutoff_text,),
                )
        except sa.exc.OperationalError as exc:  # pragma: no cover - depends on other writers
            log.info("change log not pruned this time: %s", exc.orig)
