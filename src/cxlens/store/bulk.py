"""Bulk writes of Arrow tables into the store, idempotent by a unique key.

Row-at-a-time ORM inserts top out at a few thousand rows a second; imports and the demo
write millions. So this module talks to the driver directly, inside the caller's SQLAlchemy
transaction: rows go into a temporary staging table (``executemany`` on SQLite, ``COPY`` on
PostgreSQL), then one ``INSERT … SELECT … ON CONFLICT`` (or ``UPDATE … FROM``) publishes them,
so the store's write lock is held only for that statement and the commit. Either way a row whose key already exists is
left alone, or, with ``update=True``, updated where a given value differs from the stored one:
a null (a blank cell) never erases a stored value, and a JSON column named in ``merge`` gets
the new keys merged into the stored object instead of replacing it.
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
    existing: pa.Array | None = None,
    merge: str | None = None,
    progress: Progress | None = None,
) -> WriteCounts:
    """Write ``data`` (columns named as ``table``'s) into ``table``; return what changed.

    Without ``existing`` every row is inserted unless its key is stored (then left alone).
    With ``existing`` (a boolean per row: its key is stored), those rows update the stored
    ones instead: a null keeps the stored value, ``merge`` names a JSON column whose keys are
    merged. Updating apart from inserting keeps NOT NULL columns out of the way: a stored
    row's blank ``votes`` is no insert to refuse. Timestamps arrive as UTC
    (``timestamp[us, tz=UTC]``), JSON as text.
    """
    if data.num_rows == 0:
        return WriteCounts(0, 0, 0)
    if conn.dialect.name not in ("sqlite", "postgresql"):  # pragma: no cover - the store opens only these
        raise ValueError(f"bulk writes are not supported on {conn.dialect.name}")
    new = data if existing is None else data.filter(pc.invert(existing))
    old = None if existing is None else data.filter(existing)
    write = _sqlite_insert if conn.dialect.name == "sqlite" else _postgres_insert
    inserted = write(conn, table, new, key, progress) if new.num_rows else 0
    updated = 0
    if old is not None and old.num_rows and _changed_columns(old, key):
        change = _sqlite_update if conn.dialect.name == "sqlite" else _postgres_update
        updated = change(conn, table, old, key, merge, progress)
    return WriteCounts(inserted, updated, data.num_rows - inserted - updated)


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def _changed_columns(data: pa.Table, key: tuple[str, ...]) -> list[str]:
    return [c for c in data.column_names if c not in key]


def _set_and_differs(dialect: str, table: str, columns: list[str], source: str, merge: str | None) -> tuple[str, str]:
    """SET list and WHERE test of an update from ``source`` (a value alias): given values win,
    nulls keep what is stored, and only rows where something differs are touched."""
    sets, differs = [], []
    unequal = "IS NOT" if dialect == "sqlite" else "IS DISTINCT FROM"
    for c in columns:
        old, new = f'"{table}"."{c}"', source.format(c=c)
        if c == merge and dialect == "sqlite":
            value, stored = f"json_patch(coalesce({old}, '{{}}'), {new})", f"json(coalesce({old}, '{{}}'))"
        elif c == merge:
            value, stored = f"coalesce({old}, '{{}}'::jsonb) || {new}", f"coalesce({old}, '{{}}'::jsonb)"
        else:
            value, stored = f"coalesce({new}, {old})", old
        sets.append(f'"{c}" = {value}')
        differs.append(f"({new} IS NOT NULL AND {value} {unequal} {stored})")
    return ", ".join(sets), " OR ".join(differs)


def _sqlite_stage(conn, table: sa.Table, data: pa.Table, progress) -> str:
    """Copy ``data`` into a temporary table; return its name.

    SQLite keeps temporary tables in a database of their own, so filling one takes no lock on
    the store: the slow row-by-row part of a bulk write runs while the server's answers go
    through, and the store's write lock is held only for the one ``INSERT … SELECT`` (or
    ``UPDATE … FROM``) that publishes the rows. Untyped columns keep each value as given, so
    the store's columns apply their affinity exactly as a direct insert would."""
    cols = data.column_names
    names = ", ".join(f'"{c}"' for c in cols)
    stage = f"_cx_stage_{table.name}"
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(f'DROP TABLE IF EXISTS temp."{stage}"')
        cursor.execute(f'CREATE TEMP TABLE "{stage}" ({names})')
        sql = f'INSERT INTO temp."{stage}" VALUES ({", ".join("?" for _ in cols)})'
        for start in range(0, data.num_rows, CHUNK):
            chunk = data.slice(start, CHUNK)
            cursor.executemany(sql, zip(*(_sqlite_values(chunk.column(c)) for c in cols)))
            if progress:
                progress(chunk.num_rows)
    finally:
        cursor.close()
    return stage


def _sqlite_publish(conn, sql: str, stage: str) -> int:
    cursor = conn.connection.driver_connection.cursor()
    try:
        cursor.execute(sql)
        changed = max(cursor.rowcount, 0)
        cursor.execute(f'DROP TABLE temp."{stage}"')
    finally:
        cursor.close()
    return changed


def _sqlite_insert(conn, table, data, key, progress) -> int:
    names = ", ".join(f'"{c}"' for c in data.column_names)
    stage = _sqlite_stage(conn, table, data, progress)
    # "WHERE true": without it SQLite would read ON CONFLICT as part of the SELECT's join.
    sql = (
        f'INSERT INTO main."{table.name}" ({names}) SELECT {names} FROM temp."{stage}" WHERE true '
        f"ON CONFLICT ({', '.join(key)}) DO NOTHING"
    )
    return _sqlite_publish(conn, sql, stage)


def _sqlite_update(conn, table, data, key, merge, progress) -> int:
    changed = _changed_columns(data, key)
    sets, differs = _set_and_differs("sqlite", table.name, changed, 's."{c}"', merge)
    stage = _sqlite_stage(conn, table, data, progress)
    match = " AND ".join(f'"{table.name}"."{k}" = s."{k}"' for k in key)
    sql = f'UPDATE main."{table.name}" SET {sets} FROM temp."{stage}" AS s WHERE {match} AND ({differs})'
    return _sqlite_publish(conn, sql, stage)


def _sqlite_values(col: pa.ChunkedArray) -> list:
    # Timestamps go in as the text SQLAlchemy's SQLite DateTime writes: 'YYYY-MM-DD HH:MM:SS.ffffff'.
    if pa.types.is_timestamp(col.type):
        col = pc.cast(pc.cast(col, pa.timestamp("us")), pa.string())
    return col.to_pylist()


def _postgres_stage(cur, table: sa.Table, data: pa.Table, progress) -> str:
    """COPY ``data`` into a temporary table shaped like ``table``'s columns; return its name."""
    names = ", ".join(f'"{c}"' for c in data.column_names)
    stage = f"_cx_stage_{table.name}"
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
    return stage


def _postgres_insert(conn, table, data, key, progress) -> int:
    names = ", ".join(f'"{c}"' for c in data.column_names)
    with conn.connection.driver_connection.cursor() as cur:
        stage = _postgres_stage(cur, table, data, progress)
        cur.execute(
            f'INSERT INTO "{table.name}" ({names}) SELECT {names} FROM "{stage}" ON CONFLICT ({", ".join(key)}) DO NOTHING'
        )
        inserted = cur.rowcount
        cur.execute(f'DROP TABLE "{stage}"')
    return inserted


def _postgres_update(conn, table, data, key, merge, progress) -> int:
    changed = _changed_columns(data, key)
    sets, differs = _set_and_differs("postgresql", table.name, changed, 's."{c}"', merge)
    with conn.connection.driver_connection.cursor() as cur:
        stage = _postgres_stage(cur, table, data, progress)
        match = " AND ".join(f'"{table.name}"."{k}" = s."{k}"' for k in key)
        cur.execute(f'UPDATE "{table.name}" SET {sets} FROM "{stage}" AS s WHERE {match} AND ({differs})')
        updated = cur.rowcount
        cur.execute(f'DROP TABLE "{stage}"')
    return updated
