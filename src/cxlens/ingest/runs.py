"""Import runs that died while publishing, and undoing what they had published.

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
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s

__all__ = ["STALE_AFTER", "UndoneRun", "undo_dead_runs"]

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
