"""One KPIs object per app, shared by the REST API and the dashboard's request threads.

On the embedded store the answers come from the DuckDB mirror (tier 0), synced at most every
``SYNC_EVERY`` seconds, so new data shows up without a restart while a burst of requests costs
one sync. DuckDB wants one user at a time, hence the lock.
"""

from __future__ import annotations

import threading
import time

from fastapi import Request

from ..analytics.kpis import KPIs

__all__ = ["SYNC_EVERY", "KPIEngine", "_engine"]

SYNC_EVERY = 2.0  # seconds between mirror syncs


class KPIEngine:
    """The app's KPIs, built on first use: the mirror's first copy takes a while."""

    def __init__(self, store):
        self.store = store
        self.lock = threading.Lock()
        self.kpis: KPIs | None = None
        self.synced = 0.0

    def _ready(self) -> KPIs:
        # Called with the lock held.
        if self.kpis is None:
            tier = "duckdb" if self.store.dialect == "sqlite" else "store"
            self.kpis = KPIs(self.store, tier=tier)
            self.synced = time.monotonic()
        elif self.kpis.mirror is not None and time.monotonic() - self.synced > SYNC_EVERY:
            self.kpis.sync()
            self.synced = time.monotonic()
        return self.kpis

    def compute(self, name: str, **options):
        with self.lock:
            return self._ready().compute(name, **options)

    def run(self, work):
        """``work(kpis)`` under the lock, on a synced KPIs: for several questions (or an Ibis
        query of the engine's own tables) that belong to one page."""
        with self.lock:
            return work(self._ready())


_Engine = KPIEngine  # the name api_kpi used before the dashboard shared it


def _engine(request: Request) -> KPIEngine:
    state = request.app.state
    if getattr(state, "kpi_engine", None) is None:
        state.kpi_engine = KPIEngine(state.store)
    return state.kpi_engine
