"""One KPIs object per app, shared by the REST API and the dashboard's request threads.

On the embedded store the answers come from the DuckDB mirror (tier 0), synced at most every
``SYNC_EVERY`` seconds, so new data shows up without a restart while a burst of requests costs
one sync. DuckDB wants one user at a time, hence the lock.

Answers are kept (up to ``CACHE_SIZE`` of them) until the data can have changed: on the mirror,
until a sync appends, updates or removes a row timed before the answer's ``until``, or makes a
change no time places (a customer's segment, a touchpoint); answers arriving now change no
answer about last month, which is what the dashboard shows by default. On PostgreSQL, which cxlens cannot watch, for ``SYNC_EVERY`` seconds. A dashboard
opened by a team asks the same questions again and again, and at ten million answers the
customer-level ones (revenue retention, the funnel) take a second or more each.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from datetime import date, datetime, timezone

from .. import periods
from ..analytics.kpis import KPIs

__all__ = ["CACHE_SIZE", "SYNC_EVERY", "KPIEngine", "until_moment"]

SYNC_EVERY = 2.0  # seconds between mirror syncs
CACHE_SIZE = 512  # answers kept; a page asks up to a few dozen questions


class KPIEngine:
    """The app's KPIs, built on first use: the mirror's first copy takes a while."""

    def __init__(self, store):
        self.store = store
        self.lock = threading.Lock()
        self.kpis: KPIs | None = None
        self.synced = 0.0
        self.cache: OrderedDict[tuple, tuple[float, object, datetime | None]] = OrderedDict()
        self.use_cache = True  # the benchmark turns it off to time the queries themselves

    def _ready(self) -> KPIs:
        # Called with the lock held.
        if self.kpis is None:
            tier = "duckdb" if self.store.dialect == "sqlite" else "store"
            self.kpis = KPIs(self.store, tier=tier)
            self.synced = time.monotonic()
        elif self.kpis.mirror is not None and time.monotonic() - self.synced > SYNC_EVERY:
            copied = self.kpis.sync()
            self.synced = time.monotonic()
            self._forget(copied)
        return self.kpis

    def _forget(self, copied) -> None:
        """Drop the answers a sync may have changed: all of them when a change cannot be placed
        in time (a table copied whole; a changed customer, touchpoint, text result …); else
        those whose periods reach past the earliest row appended, updated or removed. Rows
        without a time count in no period."""
        if copied is None or copied.unplaced:
            self.cache.clear()
            return
        if not copied.earliest:
            return
        earliest = min(copied.earliest.values()).replace(tzinfo=timezone.utc)
        for key in [k for k, (_, _, until) in self.cache.items() if until is None or until > earliest]:
            del self.cache[key]

    def compute(self, name: str, **options):
        """``KPIs.compute`` with the answer kept until the data changes; callers must not
        change the returned result (it is shared)."""
        key = (name, _frozen(options))
        with self.lock:
            kpis = self._ready()
            hit = self.cache.get(key) if self.use_cache else None
            fresh = hit is not None and (kpis.mirror is not None or time.monotonic() - hit[0] <= SYNC_EVERY)
            if fresh:
                self.cache.move_to_end(key)
                return hit[1]
            result = kpis.compute(name, **options)
            if self.use_cache:
                self.cache[key] = (time.monotonic(), result, until_moment(options.get("until")))
                while len(self.cache) > CACHE_SIZE:
                    self.cache.popitem(last=False)
            return result

    def run(self, work):
        """``work(kpis)`` under the lock, on a synced KPIs: for several questions (or an Ibis
        query of the engine's own tables) that belong to one page."""
        with self.lock:
            return work(self._ready())


def _frozen(value):
    """A hashable form of compute()'s options (lists and dicts inside)."""
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set):
        return tuple(_frozen(v) for v in value)
    return value


def until_moment(until: str | date | datetime | None) -> datetime | None:
    """Where an answer's data ends, as compute() reads its ``until`` (a day is its midnight
    UTC): a sync that changes nothing before that moment keeps the answer."""
    return periods.timestamp(until, "until")
