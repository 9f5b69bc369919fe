"""Survey KPIs as Ibis expressions of sufficient statistics, finished by ``stats``.

Each KPI groups the answers by the requested dimensions and time grain and returns only
counts (n, promoters, detractors, satisfied …), so the same expression runs on any engine
and groups merge exactly. ``stats`` turns each group's counts into a value with its interval,
and consecutive periods into a comparison with a significance test.

    >>> k = kpi(store)
    >>> k.nps(by=["touchpoint"], grain="month", since="2026-01-01", compare="previous")

Ticket, churn, revenue and funnel KPIs follow the same pattern (see the KPI engine issue).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import ibis
import pyarrow as pa

from ..errors import InputError
from ..store import Store, open_store
from . import stats
from .engine import Engine
from .mirror import Mirror

__all__ = ["DIMENSIONS", "GRAINS", "TIERS", "KPIResult", "KPIs", "kpi"]

GRAINS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
DIMENSIONS = ("journey", "stage", "touchpoint", "channel", "survey", "segment", "plan", "persona", "language")


@dataclass
class KPIResult:
    """A tidy table: one row per group (and period) with value, low, high, n and method;
    with ``compare``, the change from the previous period and whether it is significant."""

    metric: str
    by: list[str]
    grain: str | None
    rows: list[dict] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def to_dicts(self) -> list[dict]:
        return [dict(r) for r in self.rows]

    def to_arrow(self) -> pa.Table:
        if not self.rows:
            return pa.table({c: pa.array([]) for c in [*self.by, "value", "low", "high", "n", "method"]})
        return pa.Table.from_pylist(self.rows)

    def to_pandas(self):
        return self.to_arrow().to_pandas()

    def to_polars(self):  # pragma: no cover - polars is optional
        import polars

        return polars.from_arrow(self.to_arrow())


@dataclass(frozen=True)
class _Spec:
    """One KPI: which answers count, the sums to take, and how to finish them."""

    metric: str  # responses.metric to keep
    sums: Callable[[ibis.Table], dict]
    finish: Callable[[dict, float], stats.Estimate]
    compare: Callable[[dict, dict, float], stats.Comparison] | None


def _flag(cond) -> ibis.Expr:
    return cond.ifelse(1, 0).sum()  # booleans summed as integers (PostgreSQL needs the cast)


def _satisfied_from(t: ibis.Table) -> ibis.Expr:
    return ibis.cases(*((t.scale_max == high, low_ok) for (_, high), low_ok in stats.SATISFIED_FROM.items()), else_=None)


def _agree_from(t: ibis.Table) -> ibis.Expr:
    return ibis.cases(*((t.scale_max == high, low_ok) for (_, high), low_ok in stats.AGREE_FROM.items()), else_=None)


SPECS: dict[str, _Spec] = {
    "nps": _Spec(
        "nps",
        lambda t: {"n": t.score.count(), "promoters": _flag(t.score >= 9), "detractors": _flag(t.score <= 6)},
        lambda s, c: stats.nps(counts=(s["detractors"], s["n"] - s["detractors"] - s["promoters"], s["promoters"]), confidence=c),
        lambda a, b, c: stats.compare_nps(
            (a["detractors"], a["n"] - a["detractors"] - a["promoters"], a["promoters"]),
            (b["detractors"], b["n"] - b["detractors"] - b["promoters"], b["promoters"]), confidence=c,
        ),
    ),
    "csat": _Spec(
        "csat",
        lambda t: {"n": t.score.count(), "satisfied": _flag(t.score >= _satisfied_from(t))},
        lambda s, c: stats.as_percent(stats.proportion(s["satisfied"], s["n"], confidence=c, label="CSAT")),
        lambda a, b, c: _in_points(stats.compare_proportions(a["satisfied"], a["n"], b["satisfied"], b["n"], confidence=c, label="CSAT")),
    ),
    "ces": _Spec(
        "ces",
        lambda t: {"n": t.score.count(), "agreeing": _flag(t.score >= _agree_from(t))},
        lambda s, c: stats.as_percent(stats.proportion(s["agreeing"], s["n"], confidence=c, label="CES")),
        lambda a, b, c: _in_points(stats.compare_proportions(a["agreeing"], a["n"], b["agreeing"], b["n"], confidence=c, label="CES")),
    ),
}


def _in_points(c: stats.Comparison) -> stats.Comparison:
    """A difference of shares, in percentage points."""
    if c.difference is None:
        return c
    return stats.Comparison(100 * c.difference, 100 * c.low, 100 * c.high, c.p_value, c.n_a, c.n_b, c.method, c.confidence, c.label)


def _timestamp(value: str | date | datetime | None, option: str) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date; write it as 2026-01-31") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


TIERS = ("store", "duckdb")


class KPIs:
    """Survey KPIs over one store: ``nps``, ``csat`` and ``ces``.

    ``tier="store"`` (default) queries the store's own database; ``tier="duckdb"`` copies the
    embedded SQLite store into an in-process DuckDB (tier 0) and queries that: the choice for
    a long-running process (the dashboard) asking many questions, which calls ``sync()`` to
    take in what was written since."""

    def __init__(self, store: Store | str | None = None, *, tier: str = "store"):
        if tier not in TIERS:
            raise InputError(f"tier {tier!r} is not known; use one of: {', '.join(TIERS)}")
        self.store = store if isinstance(store, Store) else open_store(store)
        self.mirror = None
        if tier == "duckdb":
            if self.store.dialect != "sqlite":
                raise InputError("tier 'duckdb' mirrors the embedded SQLite store; query PostgreSQL directly (tier 'store')")
            self.mirror = Mirror(self.store)
            self.mirror.sync()
            self.engine = Engine.for_mirror(self.mirror)
        else:
            self.engine = Engine.for_store(self.store)

    def sync(self):
        """Take in what the store got since the last sync (tier 0 only); returns what was copied."""
        return self.mirror.sync() if self.mirror else None

    def answers(self) -> ibis.Table:
        """Every answer with the dimensions a KPI can be sliced by."""
        e = self.engine
        r = e.table("responses")
        tp = e.table("touchpoints")
        tp = tp.select(tp_id=tp.id, touchpoint=tp.key, tp_journey=tp.journey_id, tp_stage=tp.stage_id)
        j = e.table("journeys")
        j = j.select(j_id=j.id, journey=j.key)
        st = e.table("stages")
        st = st.select(st_id=st.id, stage=st.key)
        sv = e.table("surveys")
        sv = sv.select(sv_id=sv.id, survey=sv.key)
        c = e.table("customers")
        c = c.select(c_id=c.id, segment=c.segment, plan=c.plan, persona=c.persona)
        # Predicates name the joined tables themselves: Ibis checks each belongs to the chain.
        t = (
            r.left_join(tp, r.touchpoint_id == tp.tp_id)
            .left_join(j, tp.tp_journey == j.j_id)
            .left_join(st, tp.tp_stage == st.st_id)
            .left_join(sv, r.survey_id == sv.sv_id)
            .left_join(c, r.customer_id == c.c_id)
        )
        return t.select(
            "submitted_at", "metric", "score", "scale_min", "scale_max", "channel", "language",
            "touchpoint", "journey", "stage", "survey", "segment", "plan", "persona",
        )

    def expression(
        self, metric: str, *, by: Sequence[str] = (), grain: str | None = None, since=None, until=None, where: dict | None = None
    ) -> ibis.Table:
        """The Ibis expression of a KPI's sufficient statistics (what runs on the engine)."""
        spec = _spec(metric)
        by = _dimensions(by)
        t = self.answers()
        t = t.filter(t.metric == spec.metric, t.score.notnull())
        since, until = _timestamp(since, "--since"), _timestamp(until, "--until")
        if since is not None:
            t = t.filter(t.submitted_at >= since)
        if until is not None:
            t = t.filter(t.submitted_at < until)
        for dim, wanted in (where or {}).items():
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            t = t.filter(t[_dimensions([dim])[0]].isin(values))
        keys = list(by)
        if grain is not None:
            if grain not in GRAINS:
                raise InputError(f"grain {grain!r} is not known; use one of: {', '.join(GRAINS)}")
            t = t.mutate(period=t.submitted_at.truncate(GRAINS[grain]))
            keys.append("period")
        expr = t.group_by(keys).aggregate(**spec.sums(t)) if keys else t.aggregate(**spec.sums(t))
        return expr.order_by(keys) if keys else expr

    def compute(
        self, metric: str, *, by: Sequence[str] = (), grain: str | None = None, since=None, until=None,
        where: dict | None = None, compare: str | None = None, confidence: float = 0.95,
    ) -> KPIResult:
        spec = _spec(metric)
        if compare not in (None, "previous"):
            raise InputError(f"compare={compare!r}: use 'previous' (the period before) or leave it out")
        if compare and grain is None:
            raise InputError("compare='previous' needs a grain (day, week, month, quarter or year)")
        groups = self.engine.execute(self.expression(metric, by=by, grain=grain, since=since, until=until, where=where)).to_pylist()
        result = KPIResult(metric, list(_dimensions(by)), grain)
        previous: dict[tuple, dict] = {}
        for g in groups:
            if g.get("n", 0) == 0:
                continue
            estimate = spec.finish(g, confidence)
            row = {d: g[d] for d in result.by}
            if grain is not None:
                row["period"] = _utc(g["period"])
            row |= {"value": estimate.value, "low": estimate.low, "high": estimate.high, "n": estimate.n,
                    "method": estimate.method, "sufficient": estimate.sufficient}
            if compare:
                key = tuple(g[d] for d in result.by)
                before = previous.get(key)
                change = spec.compare(g, before, confidence) if before else None
                row |= {"change": change.difference if change else None, "change_low": change.low if change else None,
                        "change_high": change.high if change else None, "p_value": change.p_value if change else None,
                        "significant": bool(change and change.significant)}
                previous[key] = g
            result.rows.append(row)
        return result

    def nps(self, **options) -> KPIResult:
        """Net Promoter Score (−100..100) with adjusted-Wald intervals."""
        return self.compute("nps", **options)

    def csat(self, **options) -> KPIResult:
        """CSAT: % in the top two boxes of each answer's scale, Wilson intervals."""
        return self.compute("csat", **options)

    def ces(self, **options) -> KPIResult:
        """CES: % agreeing it was easy (5–7 of 1–7, 4–5 of 1–5), Wilson intervals."""
        return self.compute("ces", **options)


def _spec(metric: str) -> _Spec:
    if metric not in SPECS:
        raise InputError(f"KPI {metric!r} is not known (yet); use one of: {', '.join(SPECS)}")
    return SPECS[metric]


def _dimensions(by: Sequence[str]) -> list[str]:
    unknown = [d for d in by if d not in DIMENSIONS]
    if unknown:
        raise InputError(f"cannot slice by {', '.join(unknown)}; dimensions: {', '.join(DIMENSIONS)}")
    return list(by)


def _utc(value):
    # SQLite hands back naive times (UTC by the store's rule); PostgreSQL aware ones.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def kpi(store: Store | str | None = None, *, tier: str = "store") -> KPIs:
    """The KPI API over ``store`` (a Store, a database URL, or the configured store)."""
    return KPIs(store, tier=tier)
