"""analytics/ — KPIs as sufficient statistics, finished into estimates by ``stats`` (DESIGN.md §3).

``stats`` (public as ``cxlens.stats``): estimates and comparisons with intervals. ``kpis``: the
survey KPIs (NPS, CSAT, CES) as Ibis expressions, sliced by dimension and period. ``engine``:
the only module that touches Ibis backends (the store's SQLite or PostgreSQL so far).
"""

from . import stats
from .engine import Engine
from .kpis import KPIResult, KPIs, kpi

__all__ = ["Engine", "KPIResult", "KPIs", "kpi", "stats"]
