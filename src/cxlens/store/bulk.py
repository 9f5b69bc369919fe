"""Bulk writes of Arrow tables into the store, idempotent by a unique key.

Row-at-a-time ORM inserts top out at a few thousand rows a second; imports and the demo
write millions. So this module talks to the driver directly, inside the caller's SQLAlchemy
transaction: rows go into a temporary staging table (``executemany`` on SQLite, ``COPY`` on
PostgreSQL), then ``INSERT … SELECT … ON CONFLICT`` (or ``UPDATE … FROM``) publishes them.
:class:`Staging` is that table for an import, filled chunk by chunk and published whole or,
on SQLite, in rowid ranges of :data:`PUBLISH_ROWS` (the importer's batches); :func:`upsert`
stages and publishes one table in one go. Either way a row whose key already exists is
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

__all__ = ["PUBLISH_ROWS", "Staging", "WriteCounts", "upsert"]

CHUNK = 100_000
# Rows of the first publishing transaction of an import on SQLite (the importer then sizes
# them to its lock-time target), and the most an import publishes in one transaction.
PUBLISH_ROWS = 2_000
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
    finally:
        cursor.close()
    _sqlite_fill(conn, f'temp."{stage}"', data, progress, commit=False)  # in the caller's transaction
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
    _postgres_copy(cur, stage, data, progress)
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


class Staging:
    """One import's checked rows, waiting to be published into ``table``.

    The rows go, chunk by chunk, into a temporary table on the import's own connection, so an
    import's memory does not grow with its file and a killed import leaves nothing behind.
    Each staged row carries ``_row`` (its row in the file, to name the first of two rows with
    one id) and ``_existing`` (with --update: its key is stored, so it updates). On SQLite
    the staged rows are committed chunk by chunk into the temporary database (no lock on the
    store); on PostgreSQL they live in the caller's transaction (``ON COMMIT DROP``).
    """

    def __init__(self, conn: sa.Connection, table: sa.Table, key: str = "external_id", commit: bool = True):
        self.conn = conn
        self.commit = commit  # SQLite: commit the temporary database after each chunk
        self.table = table
        self.key = key
        self.name = f"_cx_stage_{table.name}"
        self.columns: list[str] | None = None
        self.rows = 0
        self.sqlite = conn.dialect.name == "sqlite"

    def add(self, data: pa.Table, rows: pa.Array, existing: pa.Array | None, progress: Progress | None = None) -> None:
        """Stage ``data`` (store columns), with each row's number in the file and whether it
        updates a stored row."""
        if self.columns is None:
            self.columns = data.column_names
            self._create()
        flags = pa.array([False] * data.num_rows) if existing is None else existing
        data = data.append_column("_row", rows).append_column("_existing", flags)
        if self.sqlite:
            _sqlite_fill(self.conn, f'temp."{self.name}"', data, progress, self.commit)
        else:
            with self.conn.connection.driver_connection.cursor() as cur:
                _postgres_copy(cur, self.name, data, progress)
        self.rows += data.num_rows

    def _create(self) -> None:
        names = ", ".join(f'"{c}"' for c in self.columns)
        if self.sqlite:
            cursor = self.conn.connection.driver_connection.cursor()
            try:
                cursor.execute(f'DROP TABLE IF EXISTS temp."{self.name}"')
                cursor.execute(f'CREATE TEMP TABLE "{self.name}" ({names}, "_row", "_existing")')
                cursor.execute(f'CREATE INDEX temp."{self.name}_key" ON "{self.name}" ("{self.key}")')
            finally:
                cursor.close()
            return
        with self.conn.connection.driver_connection.cursor() as cur:
            cur.execute(f'DROP TABLE IF EXISTS "{self.name}"')
            cur.execute(
                f'CREATE TEMP TABLE "{self.name}" ON COMMIT DROP AS SELECT {names}, 0::bigint AS "_row", '
                f'false AS "_existing" FROM "{self.table.name}" WITH NO DATA'
            )
            cur.execute(f'CREATE INDEX ON "{self.name}" ("{self.key}")')

    def first_rows(self, keys: list[str]) -> dict[str, int]:
        """The file row of each of ``keys`` already staged (for rows that repeat an id)."""
        if self.columns is None or self.key not in self.columns or not keys:
            return {}
        found: dict[str, int] = {}
        mark = "?" if self.sqlite else "%s"
        where = f'temp."{self.name}"' if self.sqlite else f'"{self.name}"'
        cursor = self.conn.connection.driver_connection.cursor()
        try:
            for start in range(0, len(keys), 500):
                part = keys[start : start + 500]
                cursor.execute(
                    f'SELECT "{self.key}", min("_row") FROM {where} WHERE "{self.key}" IN ({", ".join(mark for _ in part)}) '
                    f'GROUP BY "{self.key}"',
                    part,
                )
                found.update(dict(cursor.fetchall()))
        finally:
            cursor.close()
        return found

    def order(self, column: str | None) -> None:
        """Publish in ``column``'s order (ids then follow time), as one whole-file sort did.
        SQLite: a sorted copy in the temporary database, whose rowids batches then follow."""
        if not self.sqlite or self.columns is None or column is None:
            return  # rows without an order stay in the file's
        cursor = self.conn.connection.driver_connection.cursor()
        try:
            order = f'ORDER BY "{column}", "_row"'
            cursor.execute(f'CREATE TEMP TABLE "{self.name}_o" AS SELECT * FROM temp."{self.name}" {order}')
            cursor.execute(f'DROP TABLE temp."{self.name}"')
            cursor.execute(f'ALTER TABLE temp."{self.name}_o" RENAME TO "{self.name}"')
        finally:
            cursor.close()
        if self.commit:
            self.conn.connection.driver_connection.commit()

    def count(self, existing: bool) -> int:
        if self.columns is None:
            return 0
        where = f'temp."{self.name}"' if self.sqlite else f'"{self.name}"'
        flag = ("1" if existing else "0") if self.sqlite else ("true" if existing else "false")
        return self.conn.exec_driver_sql(f'SELECT count(*) FROM {where} WHERE "_existing" = {flag}').scalar_one()

    def insert(self, first: int | None = None, last: int | None = None, *, order_by: str | None = None) -> int:
        """Insert the staged new rows (SQLite: those with rowid in (first, last], in rowid
        order, after :meth:`order`), else all in ``order_by``'s order (ids then follow it); a
        key already stored is left alone. Runs in the caller's transaction."""
        if self.columns is None:
            return 0
        names = ", ".join(f'"{c}"' for c in self.columns)
        order = f'"{order_by}", "_row"' if order_by else '"_row"'
        if self.sqlite:
            span = "" if first is None else f" AND rowid > {first:d} AND rowid <= {last:d}"
            order = "rowid" if first is not None else order
            # "WHERE": without one SQLite would read ON CONFLICT as part of the SELECT's join.
            sql = (
                f'INSERT INTO main."{self.table.name}" ({names}) SELECT {names} FROM temp."{self.name}" '
                f'WHERE "_existing" = 0{span} ORDER BY {order} ON CONFLICT ("{self.key}") DO NOTHING'
            )
        else:
            sql = (
                f'INSERT INTO "{self.table.name}" ({names}) SELECT {names} FROM "{self.name}" '
                f'WHERE NOT "_existing" ORDER BY {order} ON CONFLICT ("{self.key}") DO NOTHING'
            )
        return max(self.conn.exec_driver_sql(sql).rowcount, 0)

    def update(self, merge: str | None) -> int:
        """Update stored rows from the staged ones that have their key (a null keeps the
        stored value). Runs in the caller's transaction."""
        if self.columns is None:
            return 0
        changed = [c for c in self.columns if c != self.key]
        if not changed:
            return 0
        dialect = "sqlite" if self.sqlite else "postgresql"
        sets, differs = _set_and_differs(dialect, self.table.name, changed, 's."{c}"', merge)
        source = f'temp."{self.name}"' if self.sqlite else f'"{self.name}"'
        target = f'main."{self.table.name}"' if self.sqlite else f'"{self.table.name}"'
        flag = "1" if self.sqlite else "true"
        sql = (
            f"UPDATE {target} SET {sets} FROM {source} AS s "
            f'WHERE "{self.table.name}"."{self.key}" = s."{self.key}" AND s."_existing" = {flag} AND ({differs})'
        )
        return max(self.conn.exec_driver_sql(sql).rowcount, 0)

    def drop(self) -> None:
        if self.columns is None:
            return
        where = f'temp."{self.name}"' if self.sqlite else f'"{self.name}"'
        self.conn.exec_driver_sql(f"DROP TABLE IF EXISTS {where}")


def _sqlite_fill(conn: sa.Connection, target: str, data: pa.Table, progress, commit: bool) -> None:
    """Append ``data`` to a temporary table and (``commit``) commit: only the temporary
    database is written, so the store's write lock is never taken (nor a read snapshot kept)."""
    cols = data.column_names
    sql = f"INSERT INTO {target} VALUES ({', '.join('?' for _ in cols)})"
    driver = conn.connection.driver_connection
    cursor = driver.cursor()
    try:
        for start in range(0, data.num_rows, CHUNK):
            chunk = data.slice(start, CHUNK)
            cursor.executemany(sql, zip(*(_sqlite_values(chunk.column(c)) for c in cols)))
            if progress:
                progress(chunk.num_rows)
    finally:
        cursor.close()
    if commit:
        driver.commit()


def _postgres_copy(cur, stage: str, data: pa.Table, progress) -> None:
    names = ", ".join(f'"{c}"' for c in data.column_names)
    with cur.copy(f'COPY "{stage}" ({names}) FROM STDIN WITH (FORMAT csv)') as copy:
        for start in range(0, data.num_rows, CHUNK):
            chunk = data.slice(start, CHUNK)
            buf = io.BytesIO()
            pacsv.write_csv(chunk, buf, pacsv.WriteOptions(include_header=False))
            copy.write(buf.getvalue())
            if progress:
                progress(chunk.num_rows)
