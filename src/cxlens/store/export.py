"""Every store table as a Parquet file, for engines outside the store (``cxlens export --parquet``).

Tier 2 of DESIGN.md §3: when the data outgrows one machine, a distributed engine (Spark, the one
cxlens tests; Trino, ClickHouse …) reads the same schema from Parquet. The files keep the
schema's types, not ones guessed from the first rows: UTC timestamps as ``timestamp[us, UTC]``
(microseconds: Spark reads no nanoseconds), integers at their declared width, floats as doubles,
booleans as booleans, JSON as its text. A table is read in batches of ``batch_rows`` and each
batch is written as one row group, so a 10M-row table never needs 10M rows in memory.

SQLite is read by ADBC straight into Arrow, PostgreSQL through a server-side cursor. All tables
are read in one read-only transaction (a snapshot: REPEATABLE READ on PostgreSQL, one read
transaction on SQLite), so a ticket never names a customer the export does not hold. Each
file is written under a temporary name and renamed when complete: a reader never sees half a
table. Secrets (password and API key hashes) are left out: an analytics cluster has no use for
them and more people can read it than the store.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import sqlalchemy as sa

from ..errors import InputError
from . import schema as s
from .database import Store

__all__ = ["EXPORT_BATCH", "MANIFEST", "SECRET_COLUMNS", "ExportResult", "arrow_schema", "export_parquet"]

EXPORT_BATCH = 100_000  # rows per read and per row group: about 50 MB of Python objects at most
MANIFEST = "_cxlens.json"  # Spark and Hive skip files whose names start with "_"
SECRET_COLUMNS = {"users": {"password_hash"}, "api_keys": {"key_hash"}}
UTC = pa.timestamp("us", tz="UTC")

Progress = Callable[[str, int, int], None]  # (table, rows written, rows in the table)


@dataclass
class ExportResult:
    """Where the files went, how many rows each table has, and how long it took."""

    directory: Path
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def summary(self) -> str:
        total = sum(self.rows.values())
        rate = f", {total / self.seconds:,.0f} rows/s" if self.seconds and total else ""
        return f"Exported {len(self.rows)} tables ({total:,} rows) to {self.directory} in {self.seconds:.1f} s{rate}"


def arrow_type(column: sa.Column) -> pa.DataType:
    """The Arrow (and so Parquet) type of a store column, from its declared SQLAlchemy type."""
    t = column.type
    if isinstance(t, s.UTCDateTime):
        return UTC
    if isinstance(t, sa.Boolean):
        return pa.bool_()
    if isinstance(t, sa.Float):
        return pa.float64()
    if isinstance(t, sa.SmallInteger):
        return pa.int16()
    if isinstance(t, sa.BigInteger):  # ids and references (INTEGER on SQLite, BIGINT on PostgreSQL)
        return pa.int64()
    if isinstance(t, sa.Integer):
        return pa.int32()
    if isinstance(t, sa.Numeric):  # pragma: no cover - the schema has none (DESIGN.md §4: floats)
        return pa.float64()
    if isinstance(t, sa.LargeBinary):  # fitted models: large, so no 2 GB limit per batch
        return pa.large_binary()
    return pa.string()  # text, and JSON as its text


def arrow_schema(table: sa.Table) -> pa.Schema:
    """The Parquet schema ``table`` is exported with (secret columns left out)."""
    return pa.schema([pa.field(c.name, arrow_type(c), nullable=c.nullable) for c in _exported_columns(table)])


def _exported_columns(table: sa.Table) -> list[sa.Column]:
    secret = SECRET_COLUMNS.get(table.name, set())
    return [c for c in table.c if c.name not in secret]


def export_parquet(
    store: Store,
    directory: str | os.PathLike,
    *,
    tables: Sequence[str] | None = None,
    batch_rows: int = EXPORT_BATCH,
    progress: Progress | None = None,
) -> ExportResult:
    """Write each store table (or only ``tables``) to ``directory/<table>.parquet``.

    ``progress(table, rows_written, rows_in_table)`` is called after each batch. Existing files
    of the same tables are replaced; other files in the directory are left alone. A manifest
    (``_cxlens.json``: schema revision, time, rows per table) says what the directory holds.

    On SQLite the tables are read with ADBC's driver, which carries its own SQLite library: do
    not use the store's connections from other threads of this process while it runs."""
    names = list(tables) if tables is not None else list(s.TABLES)
    unknown = [n for n in names if n not in s.TABLES]
    if unknown:
        raise InputError(
            f"cannot export {', '.join(map(repr, unknown))}: not a store table; tables: {', '.join(s.TABLES)}"
        )
    if batch_rows < 1:
        raise InputError(f"batch_rows={batch_rows}: give a positive number of rows per batch")
    out = _prepare(Path(directory))
    report = progress or (lambda table, done, total: None)
    t0 = time.perf_counter()
    result = ExportResult(out)
    source = _SQLiteSource(store) if store.dialect == "sqlite" else _DriverSource(store)
    try:
        for name in names:
            result.rows[name] = _export_table(source, s.TABLES[name], out, batch_rows, report)
    finally:
        source.close()
    result.seconds = time.perf_counter() - t0
    _write_manifest(store, out, result)
    return result


def _prepare(directory: Path) -> Path:
    if directory.exists() and not directory.is_dir():
        raise InputError(f"{directory} is a file; give a directory for the Parquet files (it is created if missing)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            f"cannot create the export directory {directory} ({exc.strerror}); choose one you can write to"
        ) from exc
    return directory


class _DriverSource:
    """PostgreSQL: one REPEATABLE READ, read-only transaction (a snapshot of every table), rows
    streamed through a server-side cursor and turned into Arrow column by column."""

    def __init__(self, store: Store):
        self.conn = store.engine.connect().execution_options(isolation_level="REPEATABLE READ")
        self.conn.exec_driver_sql("SET TRANSACTION READ ONLY")

    def count(self, table: sa.Table) -> int:
        return self.conn.exec_driver_sql(f'SELECT count(*) FROM "{table.name}"').scalar_one()

    def batches(self, table: sa.Table, schema: pa.Schema, batch_rows: int) -> Iterator[pa.Table]:
        sql = f'SELECT {", ".join(_pg_pick(table.c[f.name]) for f in schema)} FROM "{table.name}"{_by_id(table)}'
        result = self.conn.execution_options(stream_results=True, yield_per=batch_rows).exec_driver_sql(sql)
        try:
            done = 0
            for rows in result.partitions(batch_rows):
                yield _batch(rows, schema, table.name, done)
                done += len(rows)
        finally:
            result.close()

    def close(self) -> None:
        try:
            self.conn.rollback()  # nothing was written; ends the read transaction
        finally:
            self.conn.close()


def _pg_pick(column: sa.Column) -> str:
    """How a PostgreSQL column is selected: JSONB as its text (the driver would decode it into
    Python objects), timestamps as integer microseconds since 1970 (a Python datetime per value
    costs the driver and Arrow a third of the export), the rest as stored. Whole seconds and
    the microseconds within them are taken apart, so the result is exact on any version (an
    epoch is a double before PostgreSQL 14)."""
    q = f'"{column.name}"'
    if isinstance(column.type, sa.JSON):
        return f"CAST({q} AS TEXT) AS {q}"
    if isinstance(column.type, s.UTCDateTime):
        return (
            f"CAST(EXTRACT(EPOCH FROM date_trunc('second', {q})) AS BIGINT) * 1000000"
            f" + MOD(CAST(EXTRACT(MICROSECONDS FROM {q}) AS BIGINT), 1000000) AS {q}"
        )
    return q


class _SQLiteSource:
    """SQLite: read by ADBC straight into Arrow (in C: Python's sqlite3 makes an object of each
    value, about ten times slower), in one read transaction (one WAL snapshot of every table).

    The driver infers a column's type from the first rows it reads, so an all-null column would
    come out as integers and a later text value would fail: each column is cast in SQL to the
    one storage type its Arrow column has, and a first row of typed placeholders (dropped
    again) fixes the inference (as the DuckDB mirror reads it)."""

    def __init__(self, store: Store):
        import adbc_driver_sqlite.dbapi

        path = Path(store.engine.url.database).resolve()
        # The driver carries its own SQLite. Two SQLite libraries in one process drop each
        # other's POSIX locks when either closes a file (see analytics/_sqlite_reader.py): close
        # this process's pooled SQLAlchemy connections first, and use none until the export ends.
        store.engine.dispose()
        self.conn = adbc_driver_sqlite.dbapi.connect(f"{path.as_uri()}?mode=ro")  # autocommit off: one transaction

    def count(self, table: sa.Table) -> int:
        with self.conn.cursor() as cur:
            cur.execute(f'SELECT count(*) FROM "{table.name}"')
            return cur.fetchone()[0]

    def batches(self, table: sa.Table, schema: pa.Schema, batch_rows: int) -> Iterator[pa.Table]:
        stored = [_sqlite_storage(f.type) for f in schema]
        first = ", ".join(f'{placeholder} AS "{f.name}"' for f, (_, placeholder) in zip(schema, stored))
        rest = ", ".join(f'CAST("{f.name}" AS {kind})' for f, (kind, _) in zip(schema, stored))
        sql = f'SELECT {first} UNION ALL SELECT * FROM (SELECT {rest} FROM "{table.name}"{_by_id(table)})'
        with self.conn.cursor() as cur:
            cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(batch_rows)})
            cur.execute(sql)
            reader, done, skip = cur.fetch_record_batch(), 0, 1
            for batch in reader:
                batch, skip = batch.slice(skip), 0
                if batch.num_rows:
                    yield _typed(pa.Table.from_batches([batch]), schema, table.name, done)
                    done += batch.num_rows

    def close(self) -> None:
        self.conn.close()  # rolls back the read transaction


def _sqlite_storage(typ: pa.DataType) -> tuple[str, str]:
    """The SQLite type a column is read as, and its placeholder value."""
    if pa.types.is_integer(typ) or pa.types.is_boolean(typ):
        return "INTEGER", "0"
    if pa.types.is_floating(typ):
        return "REAL", "0.0"
    if pa.types.is_large_binary(typ):
        return "BLOB", "X''"
    return "TEXT", "''"  # text, JSON, and timestamps as the UTC text the store keeps


def _by_id(table: sa.Table) -> str:
    return ' ORDER BY "id"' if "id" in table.c else ""


def _typed(batch: pa.Table, schema: pa.Schema, table: str, offset: int) -> pa.Table:
    """An ADBC batch (INTEGER, REAL, TEXT) in the schema's types: vectorised casts, with the
    row-by-row checks only when a cast refuses a value."""
    columns = []
    for raw, target in zip(batch.columns, schema):
        try:
            columns.append(_timestamps(raw, target, table, offset) if target.type == UTC else raw.cast(target.type))
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # e.g. a number too big for a SMALLINT column
            columns.append(_column(tuple(raw.to_pylist()), target, table, offset))
    return pa.table(columns, schema=schema)


def _export_table(source, table: sa.Table, out: Path, batch_rows: int, report: Progress) -> int:
    schema = arrow_schema(table)
    total = source.count(table)
    report(table.name, 0, total)
    final, partial = out / f"{table.name}.parquet", out / f".{table.name}.parquet.partial"
    written = 0
    try:
        with pq.ParquetWriter(partial, schema) as writer:
            for batch in source.batches(table, schema, batch_rows):
                writer.write_table(batch, row_group_size=batch_rows)
                written += batch.num_rows
                report(table.name, written, max(total, written))
            if not written:
                writer.write_table(schema.empty_table())
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(final)
    return written


def _batch(rows: list, schema: pa.Schema, table: str, offset: int) -> pa.Table:
    values = list(zip(*rows))
    return pa.table([_column(v, f, table, offset) for v, f in zip(values, schema)], schema=schema)


def _column(values: tuple, target: pa.Field, table: str, offset: int) -> pa.Array:
    """One column of a batch in its schema type, from what the driver returned."""
    if target.type == UTC:
        return _timestamps(values, target, table, offset)
    if pa.types.is_boolean(target.type):  # SQLite keeps booleans as 0/1
        return pa.array(values).cast(pa.bool_())
    try:
        return pa.array(values, target.type)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
        bad = next((i for i, v in enumerate(values) if not _fits(v, target.type)), 0)
        raise InputError(
            f"table {table}, row {offset + bad + 1}, column {target.name!r}: {values[bad]!r} is not a "
            f"{target.type} ({exc}); fix the value in the store (cxlens import --update) and export again"
        ) from exc


def _fits(value, typ: pa.DataType) -> bool:
    try:
        pa.array([value], typ)
        return True
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        return False


def _timestamps(values, target: pa.Field, table: str, offset: int) -> pa.Array:
    """PostgreSQL hands back aware datetimes; SQLite the UTC text SQLAlchemy and the bulk
    writer store ('YYYY-MM-DD HH:MM:SS.ffffff'), parsed here in one vectorised cast."""
    raw = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    if pa.types.is_null(raw.type):
        return pa.nulls(len(values), UTC)
    if pa.types.is_integer(raw.type):  # microseconds since 1970 (PostgreSQL, see _pg_pick)
        return raw.cast(pa.int64()).cast(UTC)
    if pa.types.is_timestamp(raw.type):
        return raw.cast(UTC)
    if pa.types.is_string(raw.type):
        try:
            return pc.cast(raw, pa.timestamp("us")).cast(UTC)  # naive text is UTC by the store's rule
        except pa.ArrowInvalid:
            return pa.array(
                [_parse_time(v, target.name, table, offset + i) for i, v in enumerate(raw.to_pylist())], UTC
            )
    raise InputError(
        f"table {table}, column {target.name!r}: timestamps came back as {raw.type}; is this a cxlens store?"
    )


def _parse_time(value, column: str, table: str, row: int) -> datetime | None:
    """The slow path for text the fast cast refuses (an offset written by another tool)."""
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(
            f"table {table}, row {row + 1}, column {column!r}: {value!r} is not a timestamp; "
            "fix the value in the store and export again"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _write_manifest(store: Store, out: Path, result: ExportResult) -> None:
    path = out / MANIFEST
    revision = store.current_revision()
    try:
        manifest = json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        manifest = {}  # not ours to keep: it is rewritten whole
    if not isinstance(manifest, dict) or manifest.get("schema_revision") != revision:
        manifest = {}  # tables exported at another schema are not listed as current
    manifest.setdefault("tables", {}).update(result.rows)
    manifest |= {
        "format": "cxlens-parquet-1",
        "schema_revision": revision,
        "exported_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    tmp = out / f".{MANIFEST}.partial"
    tmp.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)
