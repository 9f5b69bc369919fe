"""Bulk writes of Arrow tables into the store, idempotent by a unique key.

Row-at-a-time ORM inserts top out at a few thousand rows a second; imports and the demo
write millions. So this module talks to the driver directly, inside the caller's SQLAlchemy
transaction: ``executemany`` on SQLite, ``COPY`` into a staging table and one
``INSERT … SELECT … ON CONFLICT`` on PostgreSQL. Either way a row whose key already exists is
left alone, or, with ``update=True``, updated only where a value changed.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import sqlalchemy as sa

__all__ = ["WriteCounts", "upsert"]

CHUNK = 100_000
Progress = Callable[[int], None]  # called with the number of rows just written


@dataclass(frozen=True)
class WriteCounts:
    inserted: int
    updated: int
    unchanged: int


def upsert(
    conn: sa.Connection,
    table: sa.Table,
    data: pa.Table,
    *,
    key: tuple[str, ...] = ("external_id",),
    update: bool = False,
    progress: Progress | None = None,
) -> WriteCounts:
    """Write ``data`` (columns named as ``table``'s) into ``table``; return what changed.

    Timestamps must be UTC (``timestamp[us, tz=UTC]``); JSON columns arrive as JSON text.
    """
    if data.num_rows == 0:
        return WriteCounts(0, 0, 0)
    if conn.dialect.name == "sqlite":
        inserted, updated = _sqlite(conn, table, data, key, update, progress)
    elif conn.dialect.name == "postgresql":
        inserted, updated = _postgres(conn, table, data, key, update, progress)
    else:  # pragma: no cover - the store only opens these two
        raise ValueError(f"bulk writes are not supported on {conn.dialect.name}")
    return WriteCounts(inserted, updated, data.num_rows - inserted - updated)


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _changed_columns(data: pa.Table, key: tuple[str, ...]) -> list[str]:
    return [c for c in data.column_names if c not in key]


def _sqlite(conn, table, data, key, update, progress) -> tuple[int, int]:
    cols = data.column_names
    names = ", ".join(f'"{c}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks}) ON CONFLICT ({", ".join(key)}) DO '
    changed = _changed_columns(data, key)
    if update and changed:
        sets = ", ".join(f'"{c}" = excluded."{c}"' for c in changed)
        differs = " OR ".join(f'"{table.name}"."{c}" IS NOT excluded."{c}"' for c in changed)
        sql += f"UPDATE SET {sets} WHERE {differs}"
    else:
        sql += "NOTHING"
    # With DO NOTHING every change is an insert; with DO UPDATE, counting the table before
    # and after tells inserts from updates (SQLite reports only the sum).
    before = _count(conn, table) if update else 0
    cursor = conn.connection.driver_connection.cursor()
    written = 0
    try:
        for start in range(0, data.num_rows, CHUNK):
            chunk = data.slice(start, CHUNK)
            cursor.executemany(sql, zip(*(_sqlite_values(chunk.column(c)) for c in cols)))
            written += max(cursor.rowcount, 0)
            if progress:
                progress(chunk.num_rows)
    finally:
        cursor.close()
    if not update:
        return written, 0
    inserted = _count(conn, table) - before
    return inserted, written - inserted


def _sqlite_values(col: pa.ChunkedArray) -> list:
    # Timestamps go in as the text SQLAlchemy's SQLite DateTime writes: 'YYYY-MM-DD HH:MM:SS.ffffff'.
    if pa.types.is_timestamp(col.type):
        col = pc.cast(pc.cast(col, pa.timestamp("us")), pa.string())
    return col.to_pylist()


def _postgres(conn, table, data, key, update, progress) -> tuple[int, int]:
    cols = data.column_names
    names = ", ".join(f'"{c}"' for c in cols)
    stage = f"_cx_stage_{table.name}"
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute(f'DROP TABLE IF EXISTS "{stage}"')
        cur.execute(f'CREATE TEMP TABLE "{stage}" ON COMMIT DROP AS SELECT {names} FROM "{table.name}" WITH NO DATA')
        with cur.copy(f'COPY "{stage}" ({names}) FROM STDIN WITH (FORMAT csv)') as copy:
            for start in range(0, data.num_rows, CHUNK):
                chunk = data.slice(start, CHUNK)
                buf = io.BytesIO()
                pacsv.write_csv(chunk, buf, pacsv.WriteOptions(include_header=False))
                copy.write(buf.getvalue())
                if progress:
                    progress(chunk.num_rows)
        sql = f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{stage}" ON CONFLICT ({", ".join(key)}) DO '
        changed = _changed_columns(data, key)
        if update and changed:
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in changed)
            old = ", ".join(f'"{table.name}"."{c}"' for c in changed)
            new = ", ".join(f'EXCLUDED."{c}"' for c in changed)
            sql += f"UPDATE SET {sets} WHERE ROW({old}) IS DISTINCT FROM ROW({new})"
            # xmax = 0 marks a row this statement inserted (an updated row has an xmax).
            cur.execute(f"WITH w AS ({sql} RETURNING (xmax = 0) AS ins) SELECT count(*) FILTER (WHERE ins), count(*) FROM w")
            inserted, written = cur.fetchone()
        else:
            cur.execute(sql + "NOTHING")
            inserted = written = cur.rowcount
        cur.execute(f'DROP TABLE "{stage}"')
    return inserted, written - inserted
