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
processes of the mirror's own (ADBC's copy of SQLite must not share a process with
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
import shutil
import struct
import subprocess
import sys
import tempfile
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
import pyarrow.compute as pc
import sqlalchemy as sa

from ..errors import EngineError, InputError
from ..store import Store
from ..store import schema as s
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
BATCH_ROWS = 65_536  # rows per Arrow batch from the ADBC driver
READERS = max(1, min(4, os.cpu_count() or 1))  # threads reading SQLite while DuckDB writes
PLACEHOLDER_ID = -1  # the typed first row's id; no stored row has it (SQLite ids start at 1)


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


def _duck_type(column: sa.Column) -> str:
    t = column.type
    if isinstance(t, s.UTCDateTime):
        return "TIMESTAMP"  # UTC, as the store keeps it
    if isinstance(t, sa.Boolean):
        return "BOOLEAN"
    if isinstance(t, sa.Float):
        return "DOUBLE"
    if isinstance(t, (sa.Integer, sa.BigInteger, sa.SmallInteger)):
        return "BIGINT"
    return "VARCHAR"  # text and JSON (kept as its text)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source_select(table: sa.Table) -> str:
    """SELECT of ``table``'s columns, typed for the ADBC driver, led by the placeholder row.

    SQLite values carry their own types (a JSON column may hold 5 or '[5]'), so each column is
    cast to the one type its Arrow column will have: INTEGER (booleans too), REAL or TEXT
    (timestamps stay ISO text; DuckDB parses them on insert)."""
    placeholders, values = [], []
    for c in table.c:
        duck, q = _duck_type(c), _quote(c.name)
        if c.name == "id":
            placeholders.append(f"{PLACEHOLDER_ID} AS {q}")
            values.append(q)
        elif duck in ("BIGINT", "BOOLEAN"):
            placeholders.append(f"0 AS {q}")
            values.append(f"CAST({q} AS INTEGER)")
        elif duck == "DOUBLE":
            placeholders.append(f"0.0 AS {q}")
            values.append(f"CAST({q} AS REAL)")
        else:
            placeholders.append(f"'' AS {q}")
            values.append(f"CAST({q} AS TEXT)")
    return f"SELECT {', '.join(placeholders)} UNION ALL SELECT {', '.join(values)} FROM {_quote(table.name)}"


def _parse_timestamps(table: sa.Table, batch: pa.Table) -> pa.Table:
    """Timestamps parsed by Arrow, four times cheaper than DuckDB's cast on insert; text that
    Arrow does not take (an offset, say) stays text, and DuckDB's cast gets it."""
    for i, c in enumerate(table.c):
        if isinstance(c.type, s.UTCDateTime):
            try:
                batch = batch.set_column(i, c.name, pc.cast(batch.column(i), pa.timestamp("us")))
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue  # kept as text on purpose: DuckDB's cast on insert parses what Arrow cannot
    return batch


def _duck_select(table: sa.Table) -> str:
    """The columns of an Arrow batch from ``_source_select``, as the mirror table stores them."""
    out = []
    for c in table.c:
        duck, q = _duck_type(c), _quote(c.name)
        out.append(f"CAST({q} AS {duck})" if duck in ("TIMESTAMP", "BOOLEAN") else q)
    return ", ".join(out)


class _Reader:
    """A reading process (``_sqlite_reader.py``): ADBC's own copy of SQLite must not share a
    process with the one SQLAlchemy uses (see that module). One thread talks to it at a time."""

    SCRIPT = str(Path(__file__).with_name("_sqlite_reader.py"))

    def __init__(self, folder: str):
        self._proc = subprocess.Popen([sys.executable, self.SCRIPT], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self._file = os.path.join(folder, f"rows-{self._proc.pid}.arrow")

    def alive(self) -> bool:
        return self._proc.poll() is None

    def _call(self, request: dict) -> bytes:
        try:
            self._proc.stdin.write((json.dumps(request) + "\n").encode())
            self._proc.stdin.flush()
            head = self._proc.stdout.read(9)
        except (BrokenPipeError, OSError):
            head = b""
        if len(head) < 9:
            raise EngineError(
                f"the mirror's SQLite reader (pid {self._proc.pid}) stopped (exit code "
                f"{self._proc.poll()}); the next sync starts a new one"
            )
        status, size = head[:1], struct.unpack(">Q", head[1:])[0]
        payload = self._proc.stdout.read(size)
        if status == b"E":
            raise EngineError(
                f"reading the store for the DuckDB mirror failed: {payload.decode()} "
                f"(request: {request.get('sql', request['op'])[:300]})"
            )
        return payload

    def begin(self, uri: str) -> None:
        self._call({"op": "begin", "uri": uri})

    def end(self) -> None:
        self._call({"op": "end"})

    def query(self, sql: str) -> pa.Table:
        self._call({"op": "query", "sql": sql, "batch_rows": BATCH_ROWS, "file": self._file})
        # Mapped, not copied; the mapping outlives the name, so the next query can reuse it.
        table = pa.ipc.open_stream(pa.memory_map(self._file)).read_all()
        os.unlink(self._file)
        return table

    def rows(self, sql: str) -> list[tuple]:
        table = self.query(sql)
        return list(zip(*(c.to_pylist() for c in table.columns))) if table.num_columns else []

    def close(self) -> None:
        try:
            self._proc.stdin.close()  # the reader ends at the end of its input
        except OSError:  # it had ended already
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover
            self._proc.kill()
            self._proc.wait()
        self._proc.stdout.close()


def _close_readers(readers: list[_Reader], folder: str) -> None:
    for reader in readers:
        reader.close()
    readers.clear()
    shutil.rmtree(folder, ignore_errors=True)


def _scratch_folder() -> str:
    """Where readers hand over rows: memory (/dev/shm) where there is one, else the temp dir."""
    shm = Path("/dev/shm")
    base = str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None
    return tempfile.mkdtemp(prefix="cxlens-mirror-", dir=base)


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
        self._readers: list[_Reader] = []  # started on first use, kept for later syncs
        self._scratch = _scratch_folder()
        self._finalize = weakref.finalize(self, _close_readers, self._readers, self._scratch)  # also without close()
        self.db = duckdb.connect(path)
        self._prepare()

    def close(self) -> None:
        self._finalize()
        self.db.close()

    def _reader(self, i: int) -> _Reader:
        """Reading process number ``i`` in a snapshot of the store: started when first needed,
        restarted when it has ended (readers end after ten minutes without requests)."""
        while len(self._readers) <= i:
            self._readers.append(_Reader(self._scratch))
        for attempt in (1, 2):
            if not self._readers[i].alive():
                self._readers[i].close()
                self._readers[i] = _Reader(self._scratch)
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
                db.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
            db.execute("DROP TABLE IF EXISTS _cx_sync")  # format 1's bookkeeping
            db.execute("DELETE FROM _cx_tables")
            db.execute("DELETE FROM _cx_mirror")
            db.execute("INSERT INTO _cx_mirror VALUES ('format', ?), ('store', ?)", [FORMAT, str(self._file)])
        for name in MIRRORED:
            want = [(c.name, _duck_type(c)) for c in s.TABLES[name].c]
            have = db.execute(
                "SELECT column_name, data_type FROM information_schema.columns "
                "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                [name],
            ).fetchall()
            if have != want:  # new, or the schema changed since this mirror file was written
                db.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
                db.execute(f"CREATE TABLE {_quote(name)} ({', '.join(f'{_quote(n)} {t}' for n, t in want)})")
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
    def _scalar(src: _Reader, sql: str):
        rows = src.rows(sql)
        return rows[0][0] if rows else None

    def _plan(self, src, out: duckdb.DuckDBPyConnection) -> tuple[dict[str, _Plan], int]:
        """Read, in the sync's snapshot, what each table needs; and the change log's end."""
        tops = ", ".join(f"(SELECT coalesce(max(id), 0) FROM {_quote(n)})" for n in MIRRORED)
        top = dict(zip(MIRRORED, src.rows(f"SELECT {tops}")[0]))
        triggers = {
            r[0] for r in src.rows("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'cx_changes_%'")
        }
        end, first = src.rows(
            "SELECT (SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'row_changes'), "
            "(SELECT min(id) FROM row_changes)"
        )[0]
        seen = out.execute("SELECT value FROM _cx_mirror WHERE key = 'last_change'").fetchone()
        seen = int(seen[0]) if seen else None
        copied = dict(out.execute("SELECT name, last_id FROM _cx_tables").fetchall())
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
                mirrored = out.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
                whole = counts[name] > WHOLE_SHARE * max(mirrored, 1)
            plan = _Plan(top=top[name], whole=whole)
            if not whole and counts.get(name):
                plan.changed = self._changed_ids(src, name, seen, end)
            plans[name] = plan
        return plans, end

    @staticmethod
    def _change_counts(src: _Reader, after: int, end: int) -> dict[str, int]:
        return dict(
            src.rows(
                f"SELECT table_name, count(*) FROM row_changes WHERE id > {after:d} AND id <= {end:d} GROUP BY table_name"
            )
        )

    @staticmethod
    def _changed_ids(src: _Reader, name: str, after: int, end: int) -> pa.Array:
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
            out.execute(f"DELETE FROM {_quote(name)}")
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
            before = out.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
            out.execute(f"DELETE FROM {_quote(name)} WHERE id IN (SELECT id FROM _cx_ids)")
            removed = before - out.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()[0]
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
        t = out.execute(f"SELECT min({_quote(column)}) FROM {_quote(name)} WHERE {where}").fetchone()[0]
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

    @staticmethod
    def _read(src: _Reader, table: sa.Table, where: list[str]) -> pa.Table:
        """The rows of ``table`` matching ``where``, as one typed Arrow table."""
        batch = src.query(f"{_source_select(table)} WHERE {' AND '.join(where)}")
        if batch.num_rows == 0 or batch.column(0)[0].as_py() != PLACEHOLDER_ID:
            raise EngineError(f"reading {table.name}: the typed placeholder row did not come first")  # pragma: no cover
        return _parse_timestamps(table, batch.slice(1))

    def _read_ahead(self, src, table: sa.Table, chunks: list[list[str]]) -> Iterator[pa.Table]:
        """``_read`` of each chunk, in order, by up to READERS reading processes (one thread
        each here, waiting on its pipe) that read ahead while the caller has DuckDB write.

        Helper readers (processes, see ``_Reader``) read in snapshots of their own, at least as
        new as the sync's. That is safe for new rows: a row changed since the sync's snapshot is copied as
        it is now, and its change-log entry, past this sync's end, has the next sync copy it
        again; a row deleted since is not copied, and the next sync finds nothing to remove."""
        readers = min(READERS, len(chunks))
        if readers <= 1:
            for where in chunks:
                yield self._read(src, table, where)
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
                    lanes[i].put(self._read(reader, table, where))
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
        select = _duck_select(table)
        copied = 0
        for batch in batches:
            if batch.num_rows == 0:
                continue
            out.register("_cx_batch", batch)
            out.execute(f"INSERT INTO {_quote(table.name)} SELECT {select} FROM _cx_batch")
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
