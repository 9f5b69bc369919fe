"""Publishing an import in short batches, and undoing a run that died half-way.

On SQLite an import of its own publishes its rows in short batches (``importer``), marking
its run ``publishing`` and writing, in each batch's transaction, the id range the batch
inserted. A run whose process is gone (killed, or its machine lost power) would leave part of
a file in the store: the next import and the server's worker (``alerts.worker.tick``) remove
those rows, newest batch first, each range in a short transaction of its own, and
mark the run ``undone``. Rows it updated (with --update) are untouched: updates are published
last, in the transaction that marks the run done.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s
from ..store.bulk import Staging
from ..store.hooks import watching_new_items

__all__ = [
    "PUBLISH_SECONDS",
    "STALE_AFTER",
    "UndoneRun",
    "immediate",
    "publish_batches",
    "undo_dead_runs",
]

# A publishing batch on SQLite holds the write lock about this long (a survey answer waits at
# most that), starting at the importer's first size and resized after each batch; 0 keeps it.
PUBLISH_SECONDS = 0.05
PUBLISH_ROWS_MIN, PUBLISH_ROWS_MAX = 200, 50_000

# A publishing run whose last batch is older than this is dead even if a process with its pid
# lives (pids are reused) or it ran on another machine: batches commit every fraction of a second.
STALE_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class UndoneRun:
    run_id: int
    kind: str
    source: str
    removed: int


def undo_dead_runs(store: Store, *, now: datetime | None = None) -> list[UndoneRun]:
    """Undo every run that is still ``publishing`` but whose process is gone."""
    now = now or datetime.now(timezone.utc)
    r = s.import_runs
    with store.engine.connect() as conn:
        runs = conn.execute(
            sa.select(r.c.id, r.c.kind, r.c.source, r.c.pid, r.c.host, r.c.finished_at).where(
                r.c.status == "publishing"
            )
        ).all()
    return [_undo(store, run) for run in runs if not _alive(run, now)]


def _alive(run, now: datetime) -> bool:
    last = run.finished_at if run.finished_at.tzinfo else run.finished_at.replace(tzinfo=timezone.utc)
    if now - last > STALE_AFTER:
        return False
    if run.host != socket.gethostname()[:255] or run.pid is None:
        return True  # another machine's run: only its age tells
    try:
        os.kill(run.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _undo(store: Store, run) -> UndoneRun:
    b = s.import_batches
    with store.engine.connect() as conn:
        batches = conn.execute(
            sa.select(b.c.id, b.c.table_name, b.c.after_id, b.c.last_id)
            .where(b.c.run_id == run.id)
            .order_by(b.c.id.desc())
        ).all()
    removed = 0
    for batch in batches:
        table = s.TABLES[batch.table_name]
        with store.begin() as conn:
            removed += conn.execute(
                sa.delete(table).where(table.c.id > batch.after_id, table.c.id <= batch.last_id)
            ).rowcount
            conn.execute(sa.delete(b).where(b.c.id == batch.id))
    with store.begin() as conn:
        conn.execute(
            s.import_runs.update()
            .where(s.import_runs.c.id == run.id)
            .values(status="undone", inserted=0, updated=0, finished_at=datetime.now(timezone.utc))
        )
    return UndoneRun(run.id, run.kind, run.source, removed)


class immediate:
    """A SQLite write transaction that takes the write lock at its start (waiting for it up to
    the busy timeout) instead of failing to upgrade a read half-way."""

    def __init__(self, conn: sa.Connection):
        self.conn = conn

    def __enter__(self) -> sa.Connection:
        self.conn.exec_driver_sql("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.conn.commit()
        else:
            self.conn.rollback()


def publish_batches(
    conn: sa.Connection,
    staging: Staging,
    *,
    run_id: int,
    kind: str,
    first_rows: int,
    progress: Callable[[str, int, int], None],
) -> int:
    """Insert ``staging``'s new rows into the store in short transactions, each recording the
    id range it inserted for run ``run_id`` (and running the answer rules on its rows); return
    the rows inserted."""
    table = staging.table
    inserted, lo, size = 0, 0, first_rows
    while lo < staging.rows:
        hi = min(lo + size, staging.rows)
        with immediate(conn):
            began = time.perf_counter()
            after = _top_id(conn, table)
            with watching_new_items(conn, kind):
                inserted += staging.insert(lo, hi)
            last = _top_id(conn, table)
            if last > after:
                conn.execute(
                    s.import_batches.insert().values(run_id=run_id, table_name=table.name, after_id=after, last_id=last)
                )
            conn.execute(
                s.import_runs.update()
                .where(s.import_runs.c.id == run_id)
                .values(finished_at=datetime.now(timezone.utc), inserted=inserted)
            )
        size = _next_size(size, time.perf_counter() - began)
        lo = hi
        progress("writing", hi, staging.rows)
    return inserted


def _next_size(size: int, held: float) -> int:
    """The next batch's rows, so that a batch holds the write lock about ``PUBLISH_SECONDS``
    whatever the table's indexes and the machine's load (at most doubling or halving)."""
    if not PUBLISH_SECONDS:
        return size
    factor = min(2.0, max(0.5, PUBLISH_SECONDS / max(held, 1e-4)))
    return int(min(PUBLISH_ROWS_MAX, max(PUBLISH_ROWS_MIN, size * factor)))


def _top_id(conn: sa.Connection, table: sa.Table) -> int:
    return conn.execute(sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0))).scalar_one()
