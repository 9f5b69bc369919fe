"""Tier 0: an in-process DuckDB copy of the embedded SQLite store, kept current by ``sync``.

SQLite is the system of record (a web server, a CLI import and a worker can all write it);
DuckDB answers the dashboard's aggregations over millions of rows. ``sync`` pulls what changed:

* fact tables (responses, events, revenue, mentions): rows with an id above the highest one
  copied, since they are only appended; a table that an import updated in place (the
  ``import_runs`` log says so) is copied again whole;
* everything else (journey map, surveys, customers, tickets): copied whole each time — they
  are small, or updated in place.

Rows are read with sqlite3 into Arrow with the column types the schema declares (not guessed
from the first rows: an all-null JSON column would otherwise become an integer one).
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field

import duckdb
import pyarrow as pa
import sqlalchemy as sa

from ..store import Store
from ..store import schema as s

__all__ = ["MIRRORED", "Mirror", "SyncResult"]

# Tables the KPIs read, and how each is kept current.
APPENDED = ("responses", "events", "revenue", "mentions")
COPIED = ("journeys", "stages", "touchpoints", "touchpoint_targets", "surveys", "customers", "tickets")
MIRRORED = COPIED + APPENDED
BATCH = 200_000


@dataclass
class SyncResult:
    rows: dict[str, int] = field(default_factory=dict)  # rows copied per table
    seconds: float = 0.0


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


def _arrow_type(duck: str) -> pa.DataType:
    return {"TIMESTAMP": pa.string(), "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64(), "BIGINT": pa.int64()}.get(duck, pa.string())


class Mirror:
    """A DuckDB database (in memory, or a file) mirroring the SQLite store's KPI tables."""

    def __init__(self, store: Store, path: str = ":memory:"):
        if store.dialect != "sqlite":
            raise ValueError("the DuckDB mirror copies the embedded SQLite store; PostgreSQL is queried directly")
        self.store = store
        self.db = duckdb.connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS _cx_sync (name VARCHAR PRIMARY KEY, last_id BIGINT, last_run BIGINT)")
        for name in MIRRORED:
            cols = ", ".join(f'"{c.name}" {_duck_type(c)}' for c in s.TABLES[name].c)
            self.db.execute(f'CREATE TABLE IF NOT EXISTS "{name}" ({cols})')

    def close(self) -> None:
        self.db.close()

    def _source(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.store.engine.url.database}?mode=ro", uri=True)

    def sync(self) -> SyncResult:
        """Bring every mirrored table up to date with the store; return what was copied."""
        t0 = time.perf_counter()
        result = SyncResult()
        src = self._source()
        try:
            last_run = src.execute("SELECT coalesce(max(id), 0) FROM import_runs").fetchone()[0]
            for name in MIRRORED:
                result.rows[name] = self._sync_table(src, name, last_run)
        finally:
            src.close()
        result.seconds = time.perf_counter() - t0
        return result

    def _sync_table(self, src: sqlite3.Connection, name: str, last_run: int) -> int:
        state = self.db.execute("SELECT last_id, last_run FROM _cx_sync WHERE name = ?", [name]).fetchone()
        last_id, seen_run = state if state else (0, 0)
        whole = name in COPIED or self._updated_since(src, name, seen_run)
        if whole:
            self.db.execute(f'DELETE FROM "{name}"')
            last_id = 0
        copied = self._copy(src, name, last_id)
        top = self.db.execute(f'SELECT coalesce(max(id), 0) FROM "{name}"').fetchone()[0]
        self.db.execute("INSERT OR REPLACE INTO _cx_sync VALUES (?, ?, ?)", [name, top, last_run])
        return copied

    @staticmethod
    def _updated_since(src: sqlite3.Connection, name: str, seen_run: int) -> bool:
        found = src.execute("SELECT 1 FROM import_runs WHERE id > ? AND kind = ? AND updated > 0 LIMIT 1", (seen_run, name))
        return found.fetchone() is not None

    def _copy(self, src: sqlite3.Connection, name: str, after_id: int) -> int:
        table = s.TABLES[name]
        duck = [_duck_type(c) for c in table.c]
        names = [c.name for c in table.c]
        quoted = ", ".join(f'"{n}"' for n in names)
        cursor = src.execute(f'SELECT {quoted} FROM "{name}" WHERE id > ? ORDER BY id', (after_id,))
        copied = 0
        while rows := cursor.fetchmany(BATCH):
            columns = list(zip(*rows))
            batch = pa.table({n: pa.array(v, _arrow_type(d)) for n, v, d in zip(names, columns, duck)})
            select = ", ".join(f'CAST("{n}" AS TIMESTAMP)' if d == "TIMESTAMP" else f'"{n}"' for n, d in zip(names, duck))
            self.db.register("_cx_batch", batch)
            self.db.execute(f'INSERT INTO "{name}" SELECT {select} FROM _cx_batch')
            self.db.unregister("_cx_batch")
            copied += len(rows)
        return copied

