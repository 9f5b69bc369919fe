"""analytics/ — KPIs as sufficient statistics, finished into estimates by ``stats`` (DESIGN.md §3).

``kpis``: the KPI API (``kpi(store)``, :class:`KPIs`) over every KPI of the catalogue
(``cxlens.catalog``), sliced by dimension and period; ``specs``: the sums each KPI takes;
``facts``: the fact rows and their joins; ``result``: :class:`KPIResult`; ``customers`` and
``funnel``: the outcome and journey KPIs; ``stats`` (public as ``cxlens.stats``): estimates and
comparisons with intervals; ``engine``: the only module that touches Ibis backends (SQLite,
PostgreSQL, the DuckDB mirror, Spark); ``mirror`` and ``rollup``: tier 0's DuckDB copy.
"""

from . import stats
from .engine import Engine
from .kpis import KPIResult, KPIs, kpi

__all__ = ["Engine", "KPIResult", "KPIs", "kpi", "stats"]
