"""analytics/ — KPIs as sufficient statistics, finished into estimates by ``stats`` (DESIGN.md §3).

``stats`` (public as ``cxlens.stats``) is here; the Ibis KPI expressions and engines come next:
the store's tables and indexes are already shaped for them (by time, touchpoint, customer).
"""

from . import stats

__all__ = ["stats"]
