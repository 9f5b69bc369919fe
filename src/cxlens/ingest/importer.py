"""``cxlens import KIND FILE``: check every row, then write all of them or none.

The steps, each vectorised over a chunk of the file:

1. read (``readers``), rename columns (``--map field=column``);
2. coerce each field to its type (``fields``), apply the kind's cross-field rules (``kinds``);
3. resolve references (customer, touchpoint, survey) to ids, find duplicate ids in the file;
4. if any row is bad: reject the file with every problem listed (default), or import the good
   rows and write the rejected ones, with their reasons, to a CSV file (``skip_bad_rows``);
5. stage the good rows (``store.bulk.Staging``), then publish them by external id and record
   the run.

The file is read and checked in chunks (``readers.iter_source``), each staged as it passes, so
an import's memory does not grow with its file; a row repeating an id of an earlier chunk is
found in the staged rows. Nothing is published until every row is checked. On SQLite an
import of its own publishes in batches of ``PUBLISH_ROWS`` rows, each a short transaction,
so the server's answers are never blocked for long: the run is marked ``publishing`` with the
id range of each batch until its last batch; a run that dies half-way is undone
(``runs.undo_dead_runs``) and the DuckDB mirror holds its rows back until it is done. On
PostgreSQL, and inside a caller's transaction, the rows are published in one statement.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ..errors import BadRow, ImportRejected, InputError
from ..store import Store
from ..store import schema as s
from ..store.bulk import PUBLISH_ROWS, Staging, WriteCounts
from ..store.hooks import watching_new_items
from .fields import Timestamp, as_text, to_json
from .kinds import KINDS, Kind, Ref
from .mapping import map_columns
from .readers import JSON_FIELD, Source, iter_source, read_source
from .rejected import RejectedRows, rejected_path
from .runs import immediate, publish_batches, undo_dead_runs

__all__ = ["ImportResult", "import_file", "import_source", "import_table"]

# stage ("reading", "checking", "writing"), rows done, rows in all
Progress = Callable[[str, int, int], None]


@dataclass
class ImportResult:
    kind: str
    source: str
    rows: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    rejected_file: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        text = (
            f"{self.source}: {self.rows:,} row(s) of {self.kind}: {self.inserted:,} new, "
            f"{self.updated:,} updated, {self.unchanged:,} unchanged"
        )
        if self.rejected:
            text += f", {self.rejected:,} rejected (written to {self.rejected_file})"
        if self.ignored_columns:
            text += f"; ignored column(s): {', '.join(self.ignored_columns)}"
        return text


class Batch:
    """One file's rows on their way through the checks; collects every bad value."""

    def __init__(self, source: Source, kind: Kind, conn: sa.Connection, timezone_name: str):
        self.source = source
        self.kind = kind
        self.conn = conn
        self.n = source.table.num_rows
        self.raw: dict[str, pa.Array] = {}  # the file's values by field name
        self.columns: dict[str, str] = {}  # field name -> the file's column, for messages
        self.out: dict[str, pa.Array] = {}  # typed values by field name
        self.derived: dict[str, pa.Array] = {}  # store columns computed from fields
        self.refs: dict[str, pa.Array] = {}  # field -> each row's index into ref_tables[field]
        self.ref_tables: dict[str, pa.Table] = {}  # field -> the referenced records found
        self.bad: list[BadRow] = []
        self.timezone = timezone_name

    def has(self, name: str) -> bool:
        return name in self.out

    def reject(self, indexes: np.ndarray, column: str, problem: str, fix: str) -> None:
        if not len(indexes):
            return
        raw = self.raw.get(column)
        values = as_text(raw).take(pa.array(indexes)).to_pylist() if raw is not None else [None] * len(indexes)
        shown = self.columns.get(column, column)
        for i, v in zip(indexes.tolist(), values):
            self.bad.append(BadRow(self.source.row_number(i), shown, v, problem, fix))

    def reject_mask(self, mask: pa.Array, column: str, problem: str, fix: str) -> None:
        idx = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
        self.reject(idx, column, problem, fix)

    def reject_out_of_scale(self, score: pa.Array, low: pa.Array, high: pa.Array) -> None:
        out = pc.or_(pc.fill_null(pc.less(score, low), False), pc.fill_null(pc.greater(score, high), False))
        idx = np.flatnonzero(out.to_numpy(zero_copy_only=False))
        lows, highs = low.take(pa.array(idx)).to_pylist(), high.take(pa.array(idx)).to_pylist()
        for (lo, hi), group in _group_by(idx, zip(lows, highs)).items():
            self.reject(
                group,
                "score",
                f"is outside the scale {lo}..{hi}",
                f"give a whole number from {lo} to {hi}, or check the scale/survey",
            )

    def ref_rows(self, name: str) -> dict[str, pa.Array]:
        """The carried columns of each row's referenced record (null where there is none)."""
        rows, where = self.ref_tables[name], self.refs[name]
        return {c: rows.column(c).take(where) for c in self.kind.fields[name].ref.carry}


def _group_by(idx: np.ndarray, keys) -> dict:
    groups: dict = {}
    for i, k in zip(idx.tolist(), keys):
        groups.setdefault(k, []).append(i)
    return {k: np.array(v) for k, v in groups.items()}


def _check_fields(batch: Batch) -> None:
    for name, raw in batch.raw.items():
        spec = batch.kind.fields[name]
        ftype = Timestamp(timezone=batch.timezone) if isinstance(spec.type, Timestamp) else spec.type
        result = ftype.coerce(raw)
        for p in result.problems:
            batch.reject(p.indexes, name, p.problem, p.fix)
        batch.out[name] = result.values
        if spec.required:
            # A bad value was already reported; report only the ones that were blank.
            blank = pc.is_null(as_text(raw))
            hint = f" ({spec.help})" if spec.help else ""
            batch.reject_mask(blank, name, "is missing", f"every row needs a {name}{hint}")


def _apply_defaults(batch: Batch, is_new: pa.Array) -> None:
    """Defaults fill the blanks of new rows only: with --update, a row already stored keeps
    its value where the file is blank or lacks the column."""
    for name, spec in batch.kind.fields.items():
        if spec.default is None:
            continue
        default = pa.scalar(spec.default)
        values = batch.out.get(name, pa.nulls(batch.n, default.type))
        batch.out[name] = pc.if_else(pc.and_(is_new, pc.is_null(values)), default, values)


def _existing(conn: sa.Connection, table: sa.Table, ids: pa.Array) -> pa.Array:
    """Which ids the table already holds (asked only for --update)."""
    values = pc.unique(ids.filter(pc.is_valid(ids))).to_pylist()
    found: list[str] = []
    for start in range(0, len(values), 5000):  # bounded IN lists
        found += (
            conn.execute(sa.select(table.c.external_id).where(table.c.external_id.in_(values[start : start + 5000])))
            .scalars()
            .all()
        )
    return pc.fill_null(pc.is_in(ids, value_set=pa.array(found, pa.string())), False)


def _resolve_refs(batch: Batch) -> None:
    for name, spec in batch.kind.fields.items():
        if spec.ref is None or name not in batch.out:
            continue
        ref = spec.ref
        keys = batch.out[name]
        rows = _lookup(batch.conn, ref, pc.unique(keys.filter(pc.is_valid(keys))))
        where = pc.index_in(keys, value_set=rows.column(ref.by))
        unknown = pc.and_(pc.is_valid(keys), pc.is_null(where))
        batch.reject_mask(unknown, name, f"is not a known {ref.label}", ref.fix)
        batch.refs[name] = where
        batch.ref_tables[name] = rows
        batch.derived[ref.column] = rows.column("id").take(where)


def _lookup(conn: sa.Connection, ref: Ref, wanted: pa.Array) -> pa.Table:
    """The referenced records whose key is among ``wanted``: id, key and carried columns."""
    cols = [ref.table.c.id, ref.table.c[ref.by], *(ref.table.c[c] for c in ref.carry)]
    values = wanted.to_pylist()
    found: list[tuple] = []
    for start in range(0, len(values), 5000):  # bounded IN lists
        found += conn.execute(sa.select(*cols).where(cols[1].in_(values[start : start + 5000]))).all()
    types = [pa.string() if isinstance(c.type, sa.String) else pa.int64() for c in cols]
    return pa.table({c.name: pa.array([r[i] for r in found], types[i]) for i, c in enumerate(cols)})


def _external_ids(batch: Batch) -> pa.Array:
    ids = batch.out.get("external_id")
    if batch.kind.key_from is None:
        return ids
    missing = pc.is_null(ids) if ids is not None else pa.array(np.ones(batch.n, bool))
    idx = np.flatnonzero(missing.to_numpy(zero_copy_only=False))
    if not len(idx):
        return ids
    # Rows without an id get one from their content, so re-importing them is a no-op too.
    parts = [
        as_text(batch.out[f]).take(pa.array(idx)).to_pylist() if f in batch.out else [None] * len(idx)
        for f in batch.kind.key_from
    ]
    derived = [
        "h:" + hashlib.sha1("\x1f".join("" if p is None else p for p in row).encode()).hexdigest()[:24]
        for row in zip(*parts)
    ]
    full = np.array(ids.to_pylist() if ids is not None else [None] * batch.n, dtype=object)
    full[idx] = derived
    return pa.array(full, pa.string())


def _check_duplicates(batch: Batch, ids: pa.Array) -> None:
    """The second and later rows with one id are bad; rows bad for another reason don't count
    (so the good copy of a fixed row gets in)."""
    bad_rows = {b.row - batch.source.first_row for b in batch.bad}
    counts = pc.value_counts(ids.filter(pc.is_valid(ids)))
    dup_values = counts.field("values").filter(pc.greater(counts.field("counts"), 1))
    if not len(dup_values):
        return
    first: dict[str, int] = {}
    seen = np.flatnonzero(pc.is_in(ids, value_set=dup_values).to_numpy(zero_copy_only=False))
    for i, v in zip(seen.tolist(), ids.take(pa.array(seen)).to_pylist()):
        if i in bad_rows:
            continue
        if v not in first:
            first[v] = i
            continue
        _reject_repeat(batch, i, batch.source.row_number(first[v]))


def _reject_repeat(batch: Batch, i: int, row: int) -> None:
    given = batch.out.get("external_id")
    if given is not None and given[i].is_valid:
        batch.reject(
            np.array([i]),
            "external_id",
            f"repeats the id of row {row}",
            "give each row its own id, or remove the duplicate",
        )
    else:
        same = ", ".join(batch.kind.key_from)
        batch.reject(
            np.array([i]),
            "external_id",
            f"repeats row {row} (no id, and the same {same})",
            "give each row an external_id, or remove the duplicate",
        )


def _check_staged_duplicates(batch: Batch, ids: pa.Array, staging: Staging) -> None:
    """Rows whose id an earlier chunk of the file already had (and staged)."""
    bad_rows = {b.row - batch.source.first_row for b in batch.bad}
    valid = np.flatnonzero(pc.is_valid(ids).to_numpy(zero_copy_only=False))
    keys = ids.take(pa.array(valid)).to_pylist()
    staged = staging.first_rows(sorted(set(keys)))
    for i, v in zip(valid.tolist(), keys):
        if v in staged and i not in bad_rows:
            _reject_repeat(batch, i, staged[v])


def _extras_json(batch: Batch, columns: list[str]) -> pa.Array | None:
    extra_col = batch.kind.extras
    if extra_col is None or not columns:
        return batch.out.get(extra_col) if extra_col else None
    own = batch.out.get(extra_col, pa.nulls(batch.n, pa.string())).to_pylist()
    values = {c: _extra_values(batch.source.table, c) for c in columns}
    merged = []
    for i in range(batch.n):
        obj = json.loads(own[i]) if own[i] else {}
        obj.update({c: values[c][i] for c in columns if values[c][i] is not None})
        merged.append(to_json(obj) if obj else None)
    return pa.array(merged, pa.string())


def _extra_values(table: pa.Table, column: str) -> list:
    """A kept column's values as the file typed them: 89 stays a number, true a boolean."""
    field = table.schema.field(column)
    if field.metadata == JSON_FIELD:
        return [None if v is None else json.loads(v) for v in table.column(column).to_pylist()]
    if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        return as_text(table.column(column)).to_pylist()  # CSV text: trimmed, blank is missing
    return table.column(column).to_pylist()


def _store_table(batch: Batch, ids: pa.Array | None, extras: pa.Array | None) -> pa.Table:
    columns: dict[str, pa.Array] = {}
    for name, spec in batch.kind.fields.items():
        if spec.ref is not None or name not in batch.out or name == batch.kind.extras:
            continue
        target = spec.column or name
        if target in batch.kind.table.c:
            columns[target] = batch.out[name]
    columns.update(batch.derived)
    if ids is not None:
        columns["external_id"] = ids
    if extras is not None:
        columns[batch.kind.extras] = extras
    order = [c.name for c in batch.kind.table.c if c.name in columns]
    return pa.table({c: columns[c] for c in order})


def import_file(store: Store, kind: str, path: str | Path, *, fmt: str | None = None, **options) -> ImportResult:
    """Import one file of ``kind`` (see ``KINDS``) into ``store``; all or nothing by default.

    ``fmt`` is csv, jsonl or parquet (default: from the extension); ``options`` are those of
    :func:`import_source`. The file is read in chunks of ``CHUNK_ROWS`` rows, except inside a
    caller's transaction (``conn``), where it is read whole."""
    progress = options.get("progress") or (lambda stage, done, total: None)
    progress("reading", 0, 0)
    if options.get("conn") is not None:
        chunks: Iterable[Source] = [read_source(path, fmt)]
    else:
        chunks = iter_source(path, fmt, rows=CHUNK_ROWS)
    return _import_chunks(store, kind, iter(chunks), **options)


def import_table(store: Store, kind: str, table: pa.Table, *, source: str = "(table)", **options) -> ImportResult:
    """Import rows already in memory (the demo and tests use this): same checks as a file."""
    return import_source(store, kind, Source(source, table, first_row=1), **options)


def import_source(store: Store, kind: str, source: Source, **options) -> ImportResult:
    """Import ``source`` as ``kind``, in its own transaction or in ``conn``'s (so that several
    imports, as a Zendesk export's customers, tickets and ratings, stand or fall together).

    Options: ``mapping``: field → the source's column. ``update``: update rows whose id exists
    and whose values changed (default: leave them). ``skip_bad_rows``: import the good rows
    and write the bad ones to ``rejected_file`` (default ``SOURCE.rejected.csv``) instead of
    rejecting all. ``timezone_name``: the zone of timestamps without an offset.
    ``progress(stage, done, total)``. ``conn``: the caller's transaction. ``one_transaction``
    (SQLite): check and publish in one transaction holding the write lock throughout (about
    3x less work than publishing in batches; other writers wait until it ends).
    """
    return _import_chunks(store, kind, iter([source]), **options)


def _import_chunks(
    store: Store,
    kind: str,
    chunks,
    *,
    mapping: dict[str, str] | None = None,
    update: bool = False,
    skip_bad_rows: bool = False,
    rejected_file: str | Path | None = None,
    timezone_name: str = "UTC",
    progress: Progress | None = None,
    conn: sa.Connection | None = None,
    one_transaction: bool = False,
) -> ImportResult:
    if kind not in KINDS:
        raise InputError(f"unknown import kind {kind!r}; use one of: {', '.join(KINDS)}")
    try:
        ZoneInfo(timezone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"--timezone {timezone_name!r} is not a time zone; use an IANA name such as Europe/Helsinki"
        ) from None
    first = next(chunks)
    if skip_bad_rows:
        rejected_file = rejected_path(first, rejected_file)
    spec = KINDS[kind]
    by_field, extra_columns = map_columns(first, spec, mapping or {})
    run = _Run(spec, by_field, extra_columns, timezone_name, update, skip_bad_rows, rejected_file, progress)
    parts = _chained(first, chunks)
    if conn is not None:
        return run.within(conn, parts)
    if store.dialect == "sqlite" and one_transaction:
        # The write lock from the start: a deferred transaction that read the store could not
        # take it later if another writer committed meanwhile.
        with store.engine.connect() as own, immediate(own):
            return run.within(own, parts)
    if store.dialect == "sqlite":
        with store.engine.connect() as own:
            return run.in_batches(store, own, parts)
    with store.begin() as own:
        return run.within(own, parts)


def _chained(first: Source, rest):
    yield first
    yield from rest


# Rows read and checked at a time: about 100 MB of Python and Arrow per 100k rows.
CHUNK_ROWS = 100_000
# SQLite's write-ahead log may grow to this many pages (about 80 MB) during a batched publish.
CHECKPOINT_PAGES = 20_000


class _Run:
    """One import: check and stage every chunk, then publish (``within`` a transaction, or
    ``in_batches`` of short transactions on SQLite)."""

    def __init__(self, spec, by_field, extra_columns, timezone_name, update, skip_bad_rows, rejected_file, progress):
        self.spec = spec
        self.by_field = by_field
        self.extra_columns = extra_columns
        self.timezone = timezone_name
        self.update = update
        self.skip_bad_rows = skip_bad_rows
        self.rejected = RejectedRows(Path(rejected_file)) if skip_bad_rows else None
        self.progress = progress or (lambda stage, done, total: None)
        self.started = datetime.now(timezone.utc)
        self.t0 = time.perf_counter()
        self.name = ""
        self.rows = 0
        self.rejected_rows = 0

    def within(self, conn: sa.Connection, parts) -> ImportResult:
        staging = Staging(conn, self.spec.table, commit=False)
        try:
            self._stage(conn, parts, staging)
            self.progress("writing", 0, staging.rows)
            with watching_new_items(conn, self.spec.name):  # answer rules on the new responses, mentions and tickets
                counts = self._counts(
                    staging.insert(order_by=self.spec.order_by), staging.update(self.spec.extras) if self.update else 0
                )
            self.progress("writing", staging.rows, staging.rows)
            staging.drop()
            result = self._result(counts)
            conn.execute(s.import_runs.insert().values(**self._run_values(result)))
        except BaseException:
            self._close_rejected(False)
            raise
        self._close_rejected(True)
        return result

    def in_batches(self, store: Store, conn: sa.Connection, parts) -> ImportResult:
        """SQLite: every statement that writes the store is a short ``BEGIN IMMEDIATE``
        transaction of its own; the checks and the staging take no lock on it."""
        staging = Staging(conn, self.spec.table, commit=True)
        # Each batch's commit would otherwise checkpoint the log into the file (every 1,000
        # pages): writing the same index pages again and again took half the publish time.
        conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint={CHECKPOINT_PAGES:d}")
        try:
            self._stage(conn, parts, staging)
            staging.order(self.spec.order_by)
            conn.commit()
            if staging.rows > PUBLISH_ROWS:
                undo_dead_runs(store)  # a run killed before this one goes first
            result = self._publish(conn, staging)
        except BaseException:
            conn.rollback()
            self._close_rejected(False)
            raise
        finally:
            staging.drop()
            conn.exec_driver_sql("PRAGMA wal_autocheckpoint=1000")  # SQLite's default, for the pooled connection
        self._close_rejected(True)
        return result

    def _publish(self, conn: sa.Connection, staging: Staging) -> ImportResult:
        kind = self.spec.name
        if staging.rows <= PUBLISH_ROWS:
            with immediate(conn):
                with watching_new_items(conn, kind):
                    counts = self._counts(
                        staging.insert(order_by=self.spec.order_by),
                        staging.update(self.spec.extras) if self.update else 0,
                    )
                result = self._result(counts)
                conn.execute(s.import_runs.insert().values(**self._run_values(result)))
            self.progress("writing", staging.rows, staging.rows)
            return result
        with immediate(conn):
            run_id = conn.execute(
                s.import_runs.insert()
                .values(**self._run_values(self._result(WriteCounts(0, 0, 0))), status="publishing")
                .returning(s.import_runs.c.id)
            ).scalar_one()
        inserted = publish_batches(
            conn, staging, run_id=run_id, kind=kind, first_rows=PUBLISH_ROWS, progress=self.progress
        )
        with immediate(conn):
            updated = staging.update(self.spec.extras) if self.update else 0
            result = self._result(self._counts(inserted, updated))
            values = self._run_values(result)
            del values["started_at"]
            conn.execute(s.import_runs.update().where(s.import_runs.c.id == run_id).values(**values, status="done"))
            conn.execute(sa.delete(s.import_batches).where(s.import_batches.c.run_id == run_id))
        return result

    def _stage(self, conn: sa.Connection, parts, staging: Staging) -> None:
        bad: list[BadRow] = []
        for source in parts:
            self.name = source.name
            data, rows, existing, batch = self._check(conn, source, staging)
            self.rows += batch.n
            if batch.bad:
                bad.extend(batch.bad)
                if self.rejected is not None:
                    self.rejected.write(batch.source, batch.bad)
            if self.skip_bad_rows or not bad:  # once the file is rejected, its rows are only checked
                staging.add(data, rows, existing)
            self.progress("checking", self.rows, 0)
        self.rejected_rows = len({b.row for b in bad})
        if bad and not self.skip_bad_rows:
            raise ImportRejected(self.name, sorted(bad, key=lambda b: b.row), self.rows)

    def _check(self, conn: sa.Connection, source: Source, staging: Staging):
        """One chunk's good rows as store columns, their row numbers, and (with --update)
        whether each is stored already; and the chunk's checks."""
        spec = self.spec
        batch = Batch(source, spec, conn, self.timezone)
        batch.columns = self.by_field
        batch.raw = {fld: source.table.column(col) for fld, col in self.by_field.items()}
        _check_fields(batch)
        _resolve_refs(batch)
        if spec.prepare:
            spec.prepare(batch)
        ids = _external_ids(batch)
        if ids is not None:
            _check_duplicates(batch, ids)
            _check_staged_duplicates(batch, ids, staging)
        existing = _existing(conn, spec.table, ids) if self.update and ids is not None else None
        if spec.derive:
            spec.derive(batch, existing)
        _apply_defaults(batch, pa.array(np.ones(batch.n, bool)) if existing is None else pc.invert(existing))
        data = _store_table(batch, ids, _extras_json(batch, self.extra_columns))
        rows = pa.array(np.arange(batch.n, dtype=np.int64) + source.first_row)
        if batch.bad:
            keep = np.ones(batch.n, bool)
            keep[sorted({b.row - source.first_row for b in batch.bad})] = False
            mask = pa.array(keep)
            data, rows = data.filter(mask), rows.filter(mask)
            existing = None if existing is None else existing.filter(mask)
        return data, rows, existing, batch

    def _counts(self, inserted: int, updated: int) -> WriteCounts:
        good = self.rows - self.rejected_rows
        return WriteCounts(inserted, updated, good - inserted - updated)

    def _result(self, counts: WriteCounts) -> ImportResult:
        return ImportResult(
            self.spec.name,
            self.name,
            self.rows,
            counts.inserted,
            counts.updated,
            counts.unchanged,
            self.rejected_rows,
            str(self.rejected.path) if self.rejected_rows else None,
            [c for c in self.extra_columns if self.spec.extras is None],
            time.perf_counter() - self.t0,
        )

    def _run_values(self, result: ImportResult) -> dict:
        return dict(
            kind=result.kind,
            source=result.source,
            rows=result.rows,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            rejected=result.rejected,
            started_at=self.started,
            finished_at=datetime.now(timezone.utc),
            pid=os.getpid(),
            host=socket.gethostname()[:255],
        )

    def _close_rejected(self, keep: bool) -> None:
        if self.rejected is not None:
            self.rejected.close(keep and self.rejected_rows > 0)
