"""The KPI API: every KPI of the catalogue over one store, on one engine, sliced and compared.

Each KPI groups its fact rows by the requested dimensions and time grain and returns only
counts and sums (n, promoters, detractors, satisfied …), so the same expression runs on any
engine and groups merge exactly. ``stats`` turns each group's sums into a value with its
interval, and consecutive periods into a comparison with a significance test.

    >>> k = kpi(store)
    >>> k.nps(by=["touchpoint"], grain="month", since="2026-01-01", compare="previous")
    >>> print(k.compute("first_response_p90", by=["team"]).summary())

Where things are: the catalogue of KPIs (``cxlens.catalog``), their sufficient statistics
(``specs``), fact rows and their joins (``facts``), the result table (``result``), the outcome
KPIs (``customers``) and the journey KPIs (``funnel``); periods in ``cxlens.periods``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timezone

import ibis
import numpy as np

from .. import catalog, periods
from ..catalog import (
    CUSTOMER_DIMENSIONS,
    DIMENSIONS,
    INVITATION_DIMENSIONS,
    MENTION_DIMENSIONS,
    TEXT_DIMENSIONS,
    TICKET_DIMENSIONS,
)
from ..errors import InputError
from ..periods import COMPARISONS, GRAINS, as_utc, timestamp
from ..store import Store, open_store
from . import customers, stats
from .engine import Engine
from .facts import FACTS, FactRows, bound, check_dimensions, value_lists
from .mirror import Mirror
from .result import KPIResult
from .rollup import ROLLUPS, Rollup
from .specs import Spec

__all__ = [
    "COMPARISONS",
    "CUSTOMER_DIMENSIONS",
    "DIMENSIONS",
    "GRAINS",
    "INVITATION_DIMENSIONS",
    "MENTION_DIMENSIONS",
    "NAMES",
    "SPECS",
    "TEXT_DIMENSIONS",
    "TICKET_DIMENSIONS",
    "TIERS",
    "KPIResult",
    "KPIs",
    "kpi",
]

# Views of the catalogue: the KPIs of sufficient statistics (``compute`` slices, rolls up and
# compares them), and those of their own shape (cohort tables, survival curves, revenue
# retention, CLV, funnels, touchpoint health), each a function of the KPIs and the options.
_IMPLEMENTATIONS = {name: catalog.CATALOGUE[name].implementation() for name in catalog.NAMES}
SPECS: dict[str, Spec] = {n: i for n, i in _IMPLEMENTATIONS.items() if isinstance(i, Spec)}
_SPECIAL: dict[str, Callable[..., KPIResult]] = {n: i for n, i in _IMPLEMENTATIONS.items() if not isinstance(i, Spec)}
NAMES: tuple[str, ...] = catalog.NAMES

# Kept for the web layer until it reads the catalogue and ``cxlens.periods`` (catalog.dimensions,
# periods.timestamp): the names it imports today.
_FACTS = FACTS
_timestamp = timestamp

_MIDNIGHT = datetime.min.time().replace(tzinfo=timezone.utc)


TIERS = ("store", "duckdb", "spark")


class KPIs:
    """Every KPI (``NAMES``) over one store, on one engine.

    ``tier="store"`` (default) queries the store's own database (SQLite, or PostgreSQL: tier 1);
    ``tier="duckdb"`` copies the embedded SQLite store into an in-process DuckDB (tier 0) and
    queries that: the choice for a long-running process (the dashboard) asking many questions,
    which calls ``sync()`` to take in what was written since; ``tier="spark"`` reads the Parquet
    directory ``parquet`` written by ``cxlens export --parquet`` with Spark (tier 2; local
    Spark unless ``spark`` is a session, which may also hold the tables itself)."""

    def __init__(self, store: Store | str | None = None, *, tier: str = "store", parquet=None, spark=None):
        if tier not in TIERS:
            raise InputError(f"tier {tier!r} is not known; use one of: {', '.join(TIERS)}")
        self.mirror = None
        if tier == "spark":
            if parquet is None and spark is None:
                raise InputError(
                    "tier 'spark' reads an export: give parquet=DIR (write one with `cxlens export --parquet DIR`)"
                )
            self.store = store if isinstance(store, Store) else None  # Spark reads the export, not the store
            self.engine = Engine.for_spark(parquet, session=spark) if parquet is not None else Engine.for_spark(spark)
            self.facts = FactRows(self.engine)
            return
        self.store = store if isinstance(store, Store) else open_store(store)
        if tier == "duckdb":
            if self.store.dialect != "sqlite":
                raise InputError(
                    "tier 'duckdb' mirrors the embedded SQLite store; query PostgreSQL directly (tier 'store')"
                )
            self.mirror = Mirror(self.store)
            self.mirror.sync()
            self.engine = Engine.for_mirror(self.mirror)
        else:
            self.engine = Engine.for_store(self.store)
        self.facts = FactRows(self.engine)

    def sync(self):
        """Take in what the store got since the last sync (tier 0 only); returns what was copied."""
        return self.mirror.sync() if self.mirror else None

    def answers(self) -> ibis.Table:
        """Every answer with every dimension a KPI can be sliced by (``at``: submitted_at)."""
        return self.rows("answers", DIMENSIONS)

    def tickets(self) -> ibis.Table:
        """Every ticket with every dimension a support KPI can be sliced by (``at``: created_at)."""
        return self.rows("tickets", TICKET_DIMENSIONS)

    def rows(self, source: str, dims: Sequence[str] = (), *, rollup: Rollup | None = None) -> ibis.Table:
        """The fact rows of ``source`` joined to just the tables ``dims`` need (see
        :class:`~cxlens.analytics.facts.FactRows`); with ``rollup``, the rows of the mirror's
        daily summary instead, each with its ``weight``."""
        return self.facts.rows(source, dims, rollup=rollup)

    def expression(
        self,
        metric: str,
        *,
        by: Sequence[str] = (),
        grain: str | None = None,
        since=None,
        until=None,
        where: dict | None = None,
    ) -> ibis.Table:
        """The Ibis expression of a KPI's sufficient statistics (what runs on the engine)."""
        spec = _spec(metric)
        if spec.source == "customers":  # rates per period: counted by sign-up and churn period
            return self.customer_expression(by=by, grain=grain or "month", where=where)
        by = check_dimensions(by, spec.source)
        since, until = timestamp(since, "--since"), timestamp(until, "--until")
        dims = [*by, *(where or {}), *spec.needs]
        rollup = self._rollup(spec, dims, since, until)
        t = self.rows(spec.source, dims, rollup=rollup)
        t = t.filter(spec.keep(t))
        if since is not None:
            t = t.filter(t.at >= bound(t.at, since))
        if until is not None:
            t = t.filter(t.at < bound(t.at, until))
        for dim, wanted in (where or {}).items():
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            t = t.filter(t[check_dimensions([dim], spec.source)[0]].isin(values))
        keys = list(by)
        if spec.column:  # a quantile: the values themselves
            if grain is not None:
                t, keys = t.mutate(period=t.at.truncate(_unit(grain))), [*keys, "period"]
            return t.select(*keys, value=t[spec.column].cast("float64"))
        if grain is not None and rollup is None and self.engine.name == "duckdb" and grain != "day":
            # Sums per day first, then per period: DuckDB truncates a timestamp to a month or
            # week several times slower than it casts it to a date, and the second step runs
            # over a few hundred days, not millions of rows.
            t = t.mutate(day=t.at.date())
            days = t.group_by([*keys, "day"]).aggregate(**spec.sums(t))
            days = days.mutate(period=days.day.truncate(_unit(grain)).cast("timestamp"))
            sums = [c for c in days.columns if c not in (*keys, "day", "period")]
            keys.append("period")
            return days.group_by(keys).aggregate(**{c: days[c].sum() for c in sums}).order_by(keys)
        if grain is not None:
            t, keys = t.mutate(period=t.at.truncate(_unit(grain))), [*keys, "period"]
        expr = t.group_by(keys).aggregate(**spec.sums(t)) if keys else t.aggregate(**spec.sums(t))
        return expr.order_by(keys) if keys else expr

    def _rollup(self, spec: Spec, dims: Sequence[str], since: datetime | None, until: datetime | None) -> Rollup | None:
        """The mirror's daily summary that answers this question exactly, if there is one: a
        KPI of sums over columns the summary keeps, sliced by dimensions it keeps, over whole
        UTC days."""
        if self.mirror is None or spec.column or spec.needs:
            return None
        rollup = next((r for r in ROLLUPS.values() if r.facts == spec.source), None)
        if rollup is None or not set(dims) <= rollup.dimensions:
            return None
        if any(m is not None and m.astimezone(timezone.utc).timetz() != _MIDNIGHT for m in (since, until)):
            return None
        return rollup

    def compute(
        self,
        metric: str,
        *,
        by: Sequence[str] = (),
        grain: str | None = None,
        since=None,
        until=None,
        where: dict | None = None,
        compare: str | None = None,
        confidence: float = 0.95,
    ) -> KPIResult:
        """A KPI per group (and period): value, interval, n, method; with ``compare``
        ("previous": the period before; "year": the same period a year before) the change, its
        interval, p-value and whether it is significant."""
        if metric in _SPECIAL:
            if compare:
                raise InputError(
                    f"{metric} cannot be compared with an earlier period yet: ask for both periods with since/until"
                )
            return _SPECIAL[metric](
                self, by=by, grain=grain, since=since, until=until, where=where, confidence=confidence
            )
        spec = _spec(metric)
        if compare not in COMPARISONS:
            raise InputError(
                f"compare={compare!r}: use 'previous' (the period before), 'year' (a year before) or leave it out"
            )
        if compare and grain is None:
            raise InputError(f"compare={compare!r} needs a grain (day, week, month, quarter or year)")
        since = timestamp(since, "--since")
        # A comparison needs the earlier periods too, though only the asked ones are shown.
        fetch_since = periods.earlier(since, grain, compare) if compare and since is not None else since
        groups = self._groups(spec, metric, by, grain, fetch_since, until, where, confidence)
        result = KPIResult(metric, list(check_dimensions(by, spec.source)), grain, confidence=confidence)
        # Periods fetched only for the comparison are not shown; the first asked one is, even
        # when `since` falls inside it.
        first = periods.start(since, grain) if since is not None and grain is not None else None
        index = {(*(g[d] for d in result.by), as_utc(g["period"])): g for g in groups} if compare else {}
        for g in groups:
            period = as_utc(g["period"]) if grain is not None else None
            if not g.get("n") or (first is not None and period < first):  # no answers: NULL sums
                continue
            estimate = spec.finish(g, confidence)
            row = {d: g[d] for d in result.by}
            if grain is not None:
                row["period"] = period
            row |= {
                "value": estimate.value,
                "low": estimate.low,
                "high": estimate.high,
                "n": estimate.n,
                "method": estimate.method,
                "sufficient": estimate.sufficient,
            }
            if compare:
                before = index.get((*(g[d] for d in result.by), periods.earlier(period, grain, compare)))
                change = spec.compare(g, before, confidence) if before and spec.compare else None
                row |= {
                    "change": change.difference if change else None,
                    "change_low": change.low if change else None,
                    "change_high": change.high if change else None,
                    "p_value": change.p_value if change else None,
                    "significant": bool(change and change.significant),
                }
            result.rows.append(row)
        return result

    def _groups(self, spec: Spec, metric: str, by, grain, since, until, where, confidence: float = 0.95) -> list[dict]:
        """Each group's sufficient statistics (or, for a quantile, its values)."""
        if spec.source == "customers":
            return customers.customer_groups(self, metric, by=by, grain=grain, since=since, until=until, where=where)
        expr = self.expression(metric, by=by, grain=grain, since=since, until=until, where=where)
        if spec.column:
            groups = value_lists(self.engine.execute(expr), [*by, *(["period"] if grain else [])])
            # The interval's ranks of every group in one call: per group, SciPy's overhead dominates.
            low, high = stats.quantile_ranks(np.array([g["n"] for g in groups]), spec.q, confidence)
            for g, lo, hi in zip(groups, low, high):
                g["ranks"] = (int(lo), int(hi))
            return groups
        return self.engine.execute(expr).to_pylist()

    def customer_expression(
        self, *, by: Sequence[str] = (), grain: str = "month", where: dict | None = None
    ) -> ibis.Table:
        """Customers counted by sign-up period and churn period (null: still a customer): the
        sufficient statistics of churn and retention for every period at once."""
        return customers.customer_expression(self, by=by, grain=grain, where=where)

    def nps(self, **options) -> KPIResult:
        """Net Promoter Score (−100..100) with adjusted-Wald intervals."""
        return self.compute("nps", **options)

    def csat(self, **options) -> KPIResult:
        """CSAT: % in the top two boxes of each answer's scale, Wilson intervals."""
        return self.compute("csat", **options)

    def ces(self, **options) -> KPIResult:
        """CES: % agreeing it was easy (5–7 of 1–7, 4–5 of 1–5), Wilson intervals."""
        return self.compute("ces", **options)

    def first_response_time(self, **options) -> KPIResult:
        """Mean seconds from a ticket's creation to the first reply, with a t-interval."""
        return self.compute("first_response_time", **options)

    def first_contact_resolution(self, **options) -> KPIResult:
        """% of solved tickets solved with one reply and never reopened."""
        return self.compute("first_contact_resolution", **options)


def _shortcut(name: str) -> Callable[..., KPIResult]:
    entry = catalog.CATALOGUE[name]

    def compute(self: KPIs, **options) -> KPIResult:
        return self.compute(name, **options)

    compute.__name__ = compute.__qualname__ = name
    unit = f" ({entry.unit})" if entry.unit else ""
    compute.__doc__ = f"{entry.title}{unit}: ``compute({name!r}, **options)``."
    return compute


# A method per KPI of the catalogue (the hand-written ones above keep their longer docstrings).
for _name in NAMES:
    if not hasattr(KPIs, _name):
        setattr(KPIs, _name, _shortcut(_name))
del _name


def _spec(metric: str) -> Spec:
    if metric not in SPECS:
        raise InputError(f"KPI {metric!r} is not known; use one of: {', '.join(NAMES)}")
    return SPECS[metric]


def _unit(grain: str) -> str:
    """The unit an engine truncates a timestamp to for ``grain``."""
    return GRAINS[periods.check_grain(grain)]


def kpi(store: Store | str | None = None, *, tier: str = "store", parquet=None, spark=None) -> KPIs:
    """The KPI API over ``store`` (a Store, a database URL, or the configured store); see
    :class:`KPIs` for the tiers."""
    return KPIs(store, tier=tier, parquet=parquet, spark=spark)
