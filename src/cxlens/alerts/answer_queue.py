"""``answer`` rules just after the answer, off the request path.

A survey page, the widget or the API stores an answer and answers the customer at once; the
rules run a moment later. What makes that safe is the ``answer_queue`` table: the item is
queued in the transaction that stores it (one INSERT, and only when a rule could apply), and
removed in the transaction that acts on it. A crash in between leaves it queued, so it is
checked when any checker runs next; acting twice is harmless anyway (notifications and cases
are keyed per rule and item, :mod:`cxlens.alerts.answers`).

Who checks the queue:

* the web app's checker thread (:func:`start_answer_checker`, started with alerting's worker),
  woken by :func:`items_committed` when an answer's transaction that queued it commits (it
  then waits :data:`SETTLE_SECONDS`, so under load one pass takes many answers), and every
  :data:`POLL_SECONDS` in any case (an answer stored by another process);
* every :func:`cxlens.alerts.worker.tick` (``cxlens alerts work``, the Huey consumer);
* :func:`check_queued` by hand.

A pass judges the queued items reading only, then, :data:`CHUNK` items per short write
transaction, removes them from the queue (``DELETE … RETURNING``: of two checkers at once, only
the one that removed an item acts on it) and acts on their matches. So the write lock is held
for a few acts at a time, never for the judging, and under load one pass takes many answers.

Imports do not queue: they check what they add inside their own transaction
(:func:`cxlens.alerts.answers.watch_new_items`), all or nothing with the rows.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s
from .answer_rules import cached_rules
from .answers import AnswerCheck, Judged, act_on, judge_new_items

__all__ = [
    "BATCH",
    "CHUNK",
    "POLL_SECONDS",
    "SETTLE_SECONDS",
    "AnswerChecker",
    "check_queued",
    "drain",
    "items_committed",
    "queue_new_items",
    "queued_count",
    "start_answer_checker",
]

log = logging.getLogger(__name__)

_q = s.answer_queue
# Built once: on the write path constructing a statement costs more than running it.
_QUEUE_ONE = _q.insert()
_NEXT = sa.select(_q).order_by(_q.c.id).limit(sa.bindparam("limit"))
_TAKE = _q.delete().where(_q.c.id.in_(sa.bindparam("ids", expanding=True))).returning(_q.c.kind, _q.c.item_id)

BATCH = 500
POLL_SECONDS = 1.0
CHUNK = 8  # queued items removed and acted on per write transaction
SETTLE_SECONDS = 0.2  # after a wake-up, let more answers arrive: one pass then takes them all
_wake = threading.Event()
_pending = threading.local()  # whether this thread's open transaction queued anything


def queue_new_items(conn: sa.Connection, *, kind: str, ids: list[int], now: datetime | None = None) -> int:
    """Queue the items for the answer rules, in the caller's transaction; how many were queued
    (none when no enabled rule looks at ``kind``: then this costs a dictionary look-up)."""
    if not ids or not any(kind in r.sources for r in cached_rules(conn).rules):
        return 0
    at = now or datetime.now(timezone.utc)
    rows = [{"kind": kind, "item_id": i, "queued_at": at} for i in ids]
    conn.execute(_QUEUE_ONE, rows[0] if len(rows) == 1 else rows)  # one row: no executemany
    _pending.queued = True
    return len(ids)


def items_committed(store: Store) -> None:
    """A transaction of this thread committed: if it queued items, wake the checkers."""
    if getattr(_pending, "queued", False):
        _pending.queued = False
        _wake.set()


def queued_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(s.answer_queue)).scalar_one()


def check_queued(store: Store, *, now: datetime | None = None, limit: int = BATCH) -> list[AnswerCheck]:
    """One pass over at most ``limit`` queued items: judge, then remove and act. Returns one
    check per kind of item found (empty when the queue is). The rules judge an item as of when
    it was queued (``max_age``, a case's deadlines), unless ``now`` is given: the earliest
    queued time of the pass's items of a kind, so a deadline never starts late."""
    with store.engine.connect() as conn:
        rows = conn.execute(_NEXT, {"limit": limit}).all()
        if not rows:
            return []
        by_kind: dict[str, list[int]] = defaultdict(list)
        since: dict[str, datetime] = {}
        for row in rows:
            by_kind[row.kind].append(row.item_id)
            since[row.kind] = min(since.get(row.kind, row.queued_at), row.queued_at)
        when = {kind: now or since[kind] for kind in by_kind}
        judged = {kind: judge_new_items(conn, kind=kind, ids=ids, now=when[kind]) for kind, ids in by_kind.items()}
    for start in range(0, len(rows), CHUNK):
        _take_and_act(store, rows[start : start + CHUNK], judged, when)
        time.sleep(0)  # let a request that waits for the interpreter run between chunks
    return [j.check for j in judged.values()]


def _take_and_act(store: Store, rows, judged: dict[str, Judged], when: dict[str, datetime]) -> None:
    """Remove ``rows`` from the queue and act on their matches, in one short write transaction
    (a survey answer waiting for the write lock waits for one chunk, not for the pass)."""
    with store.writing() as conn:
        taken = set(conn.execute(_TAKE, {"ids": [r.id for r in rows]}).all())
        for kind, j in judged.items():
            found = [f for f in j.found if (kind, f[1].id) in taken]
            if found:
                act_on(conn, Judged(j.check, found, j.started), when[kind])


def drain(store: Store, *, now: datetime | None = None, passes: int = 100) -> list[AnswerCheck]:
    """Pass over the queue until it is empty, at most ``passes`` times (a worker's tick: what
    keeps arriving meanwhile waits for the next one)."""
    checks: list[AnswerCheck] = []
    for _ in range(passes):
        found = check_queued(store, now=now)
        if not found:
            break
        checks += found
    return checks


@dataclass
class AnswerChecker:
    """The checker thread of a process; :meth:`stop` ends it after the current pass."""

    thread: threading.Thread
    stop_event: threading.Event

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        _wake.set()
        self.thread.join(timeout)


def _run(store: Store, stop_event: threading.Event, poll_seconds: float, settle_seconds: float) -> None:
    while not stop_event.is_set():
        if _wake.wait(poll_seconds):
            stop_event.wait(settle_seconds)
        _wake.clear()
        if stop_event.is_set():
            return
        try:
            while check_queued(store) and not stop_event.is_set():
                pass  # a pass may have left more behind; an empty one ends the round
        except Exception:  # noqa: BLE001 - the items stay queued; the next round retries them
            log.exception("checking queued answers failed; they stay queued")
            stop_event.wait(poll_seconds)


def start_answer_checker(
    store: Store, *, poll_seconds: float = POLL_SECONDS, settle_seconds: float = SETTLE_SECONDS
) -> AnswerChecker:
    """Start the checker thread for ``store`` (a daemon: the queue outlives the process)."""
    stop_event = threading.Event()
    thread = threading.Thread(
        target=_run, args=(store, stop_event, poll_seconds, settle_seconds), name="cxlens-answer-rules", daemon=True
    )
    thread.start()
    return AnswerChecker(thread, stop_event)
