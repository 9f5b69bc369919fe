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
from datetime import date, datetime, timedelta, timezone

import ibis
import numpy as np
import pyarrow as pa

from ..errors import InputError
from ..store import Store, open_store
from . import stats
from .engine import Engine
from .mirror import Mirror
from .rollup import ROLLUPS, Rollup

__all__ = ["CUSTOMER_DIMENSIONS", "DIMENSIONS", "GRAINS", "TICKET_DIMENSIONS", "TIERS", "KPIResult", "KPIs", "kpi"]

GRAINS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
CUSTOMER_DIMENSIONS = ("segment", "plan", "persona")
_JOURNEY = ("journey", "stage", "touchpoint")
# What text analytics found in a comment, ticket or mention (text_results): its sentiment label
# and its theme (a user's name for it, after merges).
TEXT_DIMENSIONS = ("sentiment", "theme")
DIMENSIONS = (*_JOURNEY, "channel", "survey", *CUSTOMER_DIMENSIONS, "language", *TEXT_DIMENSIONS)
TICKET_DIMENSIONS = (*_JOURNEY, "channel", "team", "agent", *CUSTOMER_DIMENSIONS, "language", *TEXT_DIMENSIONS)
INVITATION_DIMENSIONS = ("survey", "channel", *CUSTOMER_DIMENSIONS)
MENTION_DIMENSIONS = ("source", "kind", "language", *CUSTOMER_DIMENSIONS, *TEXT_DIMENSIONS)
# The text_results.source value of each fact source that has texts.
_TEXT_SOURCE = {"answers": "response", "tickets": "ticket", "mentions": "mention"}


@dataclass(frozen=True)
class _Facts:
    """A source of fact rows: its table, the columns KPIs read or slice by directly, its time
    column, and the dimensions it can be sliced by."""

    table: str
    columns: tuple[str, ...]
    at: str
    dimensions: tuple[str, ...]


_FACTS = {
    "answers": _Facts("responses", ("metric", "score", "scale_min", "scale_max", "channel", "language"), "submitted_at", DIMENSIONS),
    "tickets": _Facts(
        "tickets",
        ("channel", "team", "agent", "language", "solved_at", "replies", "reopens", "first_response_seconds",
         "first_response_business_seconds", "resolution_seconds", "resolution_business_seconds", "handle_seconds"),
        "created_at", TICKET_DIMENSIONS,
    ),
    # An invitation counts once it was sent; the time is when it went out.
    "invitations": _Facts("invitations", ("channel", "status"), "sent_at", INVITATION_DIMENSIONS),
    "mentions": _Facts("mentions", ("source", "kind", "language", "rating", "rating_max"), "posted_at", MENTION_DIMENSIONS),
}


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
    """One KPI: where its rows come from, which count, the sums to take, how to finish them."""

    source: str  # "answers" or "tickets"
    keep: Callable[[ibis.Table], ibis.Expr]  # which rows count
    sums: Callable[[ibis.Table], dict]
    finish: Callable[[dict, float], stats.Estimate]
    compare: Callable[[dict, dict, float], stats.Comparison] | None = None
    # A quantile's interval needs the order statistics, not sums: such a KPI reads the values
    # of ``column`` (kept rows only) and finishes each group's list in ``stats.quantile``.
    column: str | None = None
    q: float | None = None  # the quantile, for such a KPI
    needs: tuple[str, ...] = ()  # joined columns the KPI reads (besides its slices)


# Sums run over fact rows, or over a rollup's rows (tier 0: the mirror's daily summary, see
# rollup.py), where each row stands for ``weight`` fact rows (negative for a row since removed).
# Written with these helpers, a KPI's sums are the same on both.

def _weight(t: ibis.Table):
    return t.weight if "weight" in t.columns else None


def _rows(t: ibis.Table) -> ibis.Expr:
    """How many fact rows ``t`` holds."""
    w = _weight(t)
    return t.count() if w is None else w.sum().fill_null(0)


def _flag(t: ibis.Table, cond) -> ibis.Expr:
    """How many fact rows meet ``cond``."""
    w = _weight(t)
    return cond.ifelse(1 if w is None else w, 0).sum()  # booleans summed as integers (PostgreSQL needs the cast)


def _moments(t: ibis.Table, x: ibis.Expr) -> dict:
    """n, Σx, Σx² of the non-null values of ``x``."""
    w = _weight(t)
    if w is None:
        return {"n": x.count(), "total": x.sum(), "total_sq": (x * x).sum()}
    return {"n": x.notnull().ifelse(w, 0).sum(), "total": (x * w).sum(), "total_sq": (x * x * w).sum()}


def _satisfied_from(t: ibis.Table) -> ibis.Expr:
    return ibis.cases(*((t.scale_max == high, low_ok) for (_, high), low_ok in stats.SATISFIED_FROM.items()), else_=None)


def _agree_from(t: ibis.Table) -> ibis.Expr:
    return ibis.cases(*((t.scale_max == high, low_ok) for (_, high), low_ok in stats.AGREE_FROM.items()), else_=None)


def _answered(metric: str) -> Callable[[ibis.Table], ibis.Expr]:
    return lambda t: (t.metric == metric) & t.score.notnull()


def _share(source: str, keep, hit: Callable[[ibis.Table], ibis.Expr], label: str) -> _Spec:
    """A percent of the kept rows (CSAT, FCR …): counts in, Wilson interval, Newcombe change."""
    return _Spec(
        source, keep,
        lambda t: {"n": _rows(t), "hits": _flag(t, hit(t))},
        lambda s, c: stats.as_percent(stats.proportion(s["hits"], s["n"], confidence=c, label=label)),
        lambda a, b, c: _in_points(stats.compare_proportions(a["hits"], a["n"], b["hits"], b["n"], confidence=c, label=label)),
    )


def _mean(source: str, column: str | Callable[[ibis.Table], ibis.Expr], keep, label: str) -> _Spec:
    """A mean of ``column`` (durations in seconds …), or of a value computed from the row: n,
    Σx, Σx² in, t-interval, Welch change."""
    value = column if callable(column) else (lambda t: t[column])

    def sums(t):
        return _moments(t, value(t).cast("float64"))

    def mean_stats(s):
        return stats.MeanStats(s["n"], s["total"] or 0.0, s["total_sq"] or 0.0)

    return _Spec(
        source, lambda t: keep(t) & value(t).notnull(), sums,
        lambda s, c: stats.mean(stats=mean_stats(s), confidence=c, label=label),
        lambda a, b, c: stats.compare_means(mean_stats(a), mean_stats(b), confidence=c, label=label),
    )


def _count(source: str, label: str, keep=None) -> _Spec:
    """A count is a census, not an estimate: its interval is itself."""
    return _Spec(source, keep or _always, lambda t: {"n": _rows(t)},
                 lambda s, c: stats.Estimate(float(s["n"]), float(s["n"]), float(s["n"]), s["n"], "count", c, label, 0))


def _quantile(source: str, column: str, q: float, keep, label: str) -> _Spec:
    """A quantile of ``column`` (median, p90 of skewed durations) with a distribution-free interval."""
    return _Spec(
        source, lambda t: keep(t) & t[column].notnull(), lambda t: {},
        lambda s, c: stats.quantile(s["values"], q, confidence=c, label=label, ranks=s.get("ranks")), column=column,
        q=q,
    )


def _nps_counts(s: dict) -> tuple[int, int, int]:
    return s["detractors"], s["n"] - s["detractors"] - s["promoters"], s["promoters"]


def _solved(t: ibis.Table) -> ibis.Expr:
    return t.solved_at.notnull()


def _always(t: ibis.Table) -> ibis.Expr:
    return ibis.literal(True)


def _ces_on_seven(t: ibis.Table) -> ibis.Expr:
    """A CES answer on the 1–7 scale (a 1–5 answer stretched linearly), so means of answers on
    either scale can be pooled."""
    low, high = t.scale_min.cast("float64"), t.scale_max.cast("float64")
    return 1 + (t.score.cast("float64") - low) * 6 / (high - low)


def _stars(t: ibis.Table) -> ibis.Expr:
    """A rating on five stars, whatever its own maximum (10-point reviews, 5-star stores)."""
    return t.rating.cast("float64") * 5 / t.rating_max.cast("float64").fill_null(5.0)


def _sentiment(source: str, label: str) -> _Spec:
    spec = _mean(source, "sentiment_score", _always, label)
    return _Spec(spec.source, spec.keep, spec.sums, spec.finish, spec.compare, needs=("sentiment_score",))


def _durations(name: str, column: str, keep, label: str) -> dict[str, _Spec]:
    """Mean, median and p90 of a skewed duration (the mean alone misleads, DESIGN.md §5)."""
    return {
        f"{name}_time": _mean("tickets", column, keep, f"{label} (s)"),
        f"{name}_median": _quantile("tickets", column, 0.5, keep, f"{label}, median (s)"),
        f"{name}_p90": _quantile("tickets", column, 0.9, keep, f"{label}, p90 (s)"),
    }


SPECS: dict[str, _Spec] = {
    "nps": _Spec(
        "answers", _answered("nps"),
        lambda t: {"n": _rows(t), "promoters": _flag(t, t.score >= 9), "detractors": _flag(t, t.score <= 6)},
        lambda s, c: stats.nps(counts=_nps_counts(s), confidence=c),
        lambda a, b, c: stats.compare_nps(_nps_counts(a), _nps_counts(b), confidence=c),
    ),
    "csat": _share("answers", _answered("csat"), lambda t: t.score >= _satisfied_from(t), "CSAT"),
    "ces": _share("answers", _answered("ces"), lambda t: t.score >= _agree_from(t), "CES"),
    "ces_mean": _mean("answers", _ces_on_seven, _answered("ces"), "CES mean (1-7)"),
    "response_count": _count("answers", "Answers"),
    # Answers ÷ invitations sent: a skipped question lowers this, never the NPS (DESIGN.md §5).
    "response_rate": _share("invitations", lambda t: t.at.notnull(), lambda t: t.status == "answered", "Response rate"),
    "ticket_volume": _count("tickets", "Tickets"),
    **_durations("first_response", "first_response_seconds", _always, "First response"),
    **_durations("first_response_business", "first_response_business_seconds", _always, "First response, business hours"),
    **_durations("resolution", "resolution_seconds", _solved, "Resolution"),
    **_durations("resolution_business", "resolution_business_seconds", _solved, "Resolution, business hours"),
    "handle_time": _mean("tickets", "handle_seconds", _solved, "Handle time (s)"),
    "rating": _mean("mentions", _stars, lambda t: t.rating.notnull(), "Rating (of 5)"),
    # Mean sentiment score (−1..1) of the texts text analytics has scored (`cxlens text analyze`).
    "sentiment": _sentiment("answers", "Sentiment of comments"),
    "ticket_sentiment": _sentiment("tickets", "Sentiment of tickets"),
    "mention_sentiment": _sentiment("mentions", "Sentiment of mentions"),
    # Solved at the first contact: one agent reply and never reopened (DESIGN.md §5).
    "first_contact_resolution": _share(
        "tickets", _solved, lambda t: (t.replies.fill_null(0) <= 1) & (t.reopens.fill_null(0) == 0), "FCR"
    ),
    "reopen_rate": _share("tickets", _solved, lambda t: t.reopens.fill_null(0) > 0, "Reopened"),
    # Customers: counted per period from sign-up and churn times (see KPIs._customer_groups).
    "churn_rate": _share("customers", lambda t: ibis.literal(True), lambda t: ibis.literal(True), "Churn"),
    "retention": _share("customers", lambda t: ibis.literal(True), lambda t: ibis.literal(True), "Retention"),
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
        self._relations: dict[tuple, ibis.Table] = {}
        self.mirror = None
        if tier == "spark":
            if parquet is None and spark is None:
                raise InputError("tier 'spark' reads an export: give parquet=DIR (write one with `cxlens export --parquet DIR`)")
            self.store = store if isinstance(store, Store) else None  # Spark reads the export, not the store
            self.engine = Engine.for_spark(parquet, session=spark) if parquet is not None else Engine.for_spark(spark)
            return
        self.store = store if isinstance(store, Store) else open_store(store)
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
        """Every answer with every dimension a KPI can be sliced by (``at``: submitted_at)."""
        return self.rows("answers", DIMENSIONS)

    def tickets(self) -> ibis.Table:
        """Every ticket with every dimension a support KPI can be sliced by (``at``: created_at)."""
        return self.rows("tickets", TICKET_DIMENSIONS)

    def rows(self, source: str, dims: Sequence[str] = (), *, rollup: Rollup | None = None) -> ibis.Table:
        """The fact rows of ``source`` joined to just the tables ``dims`` need: an unused join
        still costs the engine a pass (DuckDB and SQLite do not drop it). With ``rollup``, the
        rows of the mirror's daily summary instead, each with its ``weight``."""
        key = (source, frozenset(dims), rollup)
        if key not in self._relations:  # built once per shape: schemas are looked up on build
            self._relations[key] = self._build_rows(source, set(dims), rollup)
        return self._relations[key]

    def _build_rows(self, source: str, need: set[str], rollup: Rollup | None = None) -> ibis.Table:
        facts = _FACTS[source]
        if rollup is None:
            f = self.engine.table(facts.table)
            t, names, at, extra = f, list(facts.columns), f[facts.at], {}
        else:
            f = self.engine.table(rollup.table)
            names = [c for c in facts.columns if c in rollup.keys] + list(rollup.customer_keys)
            t, at, extra = f, f.day.cast("timestamp"), {"weight": f.weight}
        if need & {"touchpoint", "journey", "stage"}:
            tp = self._touchpoints()
            t = t.left_join(tp, f.touchpoint_id == tp.tp_id)
            names.append("touchpoint")
            # Predicates name the joined tables themselves: Ibis checks each belongs to the chain.
            if "journey" in need:
                j = self._journeys()
                t, names = t.left_join(j, tp.tp_journey == j.j_id), [*names, "journey"]
            if "stage" in need:
                st = self._stages()
                t, names = t.left_join(st, tp.tp_stage == st.st_id), [*names, "stage"]
        if "survey" in need:
            sv = self.engine.table("surveys")
            sv = sv.select(sv_id=sv.id, survey=sv.key)
            t, names = t.left_join(sv, f.survey_id == sv.sv_id), [*names, "survey"]
        if need & {"segment", "plan", "persona"} and rollup is None:
            c = self._customers()
            t, names = t.left_join(c, f.customer_id == c.c_id), [*names, "segment", "plan", "persona"]
        if need & {*TEXT_DIMENSIONS, "sentiment_score"}:
            tr = self._texts(_TEXT_SOURCE[source])
            t = t.left_join(tr, f.id == tr.tr_source_id)
            names += ["sentiment", "sentiment_score"]
            if "theme" in need:
                th = self._themes()
                t, names = t.left_join(th, tr.tr_theme == th.th_id), [*names, "theme"]
        return t.select(*dict.fromkeys(names), at=at, **extra)

    def _texts(self, source: str) -> ibis.Table:
        tr = self.engine.table("text_results")
        tr = tr.filter(tr.source == source)
        return tr.select(tr_source_id=tr.source_id, sentiment=tr.sentiment, sentiment_score=tr.sentiment_score, tr_theme=tr.theme_id)

    def _themes(self) -> ibis.Table:
        """Each theme's shown name: a user's name over the label, that of the theme it was merged into."""
        th = self.engine.table("text_themes")
        into = th.select(m_id=th.id, m_name=th.name.coalesce(th.label))
        j = th.left_join(into, th.merged_into_id == into.m_id)
        return j.select(th_id=j.id, theme=j.m_name.coalesce(j.name, j.label))

    def _touchpoints(self) -> ibis.Table:
        tp = self.engine.table("touchpoints")
        return tp.select(tp_id=tp.id, touchpoint=tp.key, tp_journey=tp.journey_id, tp_stage=tp.stage_id)

    def _journeys(self) -> ibis.Table:
        j = self.engine.table("journeys")
        return j.select(j_id=j.id, journey=j.key)

    def _stages(self) -> ibis.Table:
        st = self.engine.table("stages")
        return st.select(st_id=st.id, stage=st.key)

    def _customers(self) -> ibis.Table:
        c = self.engine.table("customers")
        return c.select(c_id=c.id, segment=c.segment, plan=c.plan, persona=c.persona)

    def expression(
        self, metric: str, *, by: Sequence[str] = (), grain: str | None = None, since=None, until=None, where: dict | None = None
    ) -> ibis.Table:
        """The Ibis expression of a KPI's sufficient statistics (what runs on the engine)."""
        spec = _spec(metric)
        if spec.source == "customers":  # rates per period: counted by sign-up and churn period
            return self.customer_expression(by=by, grain=grain or "month", where=where)
        by = _dimensions(by, spec.source)
        since, until = _timestamp(since, "--since"), _timestamp(until, "--until")
        dims = [*by, *(where or {}), *spec.needs]
        rollup = self._rollup(spec, dims, since, until)
        t = self.rows(spec.source, dims, rollup=rollup)
        t = t.filter(spec.keep(t))
        if since is not None:
            t = t.filter(t.at >= _bound(t.at, since))
        if until is not None:
            t = t.filter(t.at < _bound(t.at, until))
        for dim, wanted in (where or {}).items():
            values = [wanted] if isinstance(wanted, str) else list(wanted)
            t = t.filter(t[_dimensions([dim], spec.source)[0]].isin(values))
        keys = list(by)
        if spec.column:  # a quantile: the values themselves
            if grain is not None:
                t, keys = t.mutate(period=t.at.truncate(_grain(grain))), [*keys, "period"]
            return t.select(*keys, value=t[spec.column].cast("float64"))
        if grain is not None and rollup is None and self.engine.name == "duckdb" and grain != "day":
            # Sums per day first, then per period: DuckDB truncates a timestamp to a month or
            # week several times slower than it casts it to a date, and the second step runs
            # over a few hundred days, not millions of rows.
            t = t.mutate(day=t.at.date())
            days = t.group_by([*keys, "day"]).aggregate(**spec.sums(t))
            days = days.mutate(period=days.day.truncate(_grain(grain)).cast("timestamp"))
            sums = [c for c in days.columns if c not in (*keys, "day", "period")]
            keys.append("period")
            return days.group_by(keys).aggregate(**{c: days[c].sum() for c in sums}).order_by(keys)
        if grain is not None:
            t, keys = t.mutate(period=t.at.truncate(_grain(grain))), [*keys, "period"]
        expr = t.group_by(keys).aggregate(**spec.sums(t)) if keys else t.aggregate(**spec.sums(t))
        return expr.order_by(keys) if keys else expr

    def _rollup(self, spec: _Spec, dims: Sequence[str], since: datetime | None, until: datetime | None) -> Rollup | None:
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
        self, metric: str, *, by: Sequence[str] = (), grain: str | None = None, since=None, until=None,
        where: dict | None = None, compare: str | None = None, confidence: float = 0.95,
    ) -> KPIResult:
        """A KPI per group (and period): value, interval, n, method; with ``compare``
        ("previous": the period before; "year": the same period a year before) the change, its
        interval, p-value and whether it is significant."""
        if metric in _SPECIAL:
            if compare:
                raise InputError(f"{metric} cannot be compared with an earlier period yet: ask for both periods with since/until")
            return _SPECIAL[metric](self, by=by, grain=grain, since=since, until=until, where=where, confidence=confidence)
        spec = _spec(metric)
        if compare not in COMPARISONS:
            raise InputError(f"compare={compare!r}: use 'previous' (the period before), 'year' (a year before) or leave it out")
        if compare and grain is None:
            raise InputError(f"compare={compare!r} needs a grain (day, week, month, quarter or year)")
        since = _timestamp(since, "--since")
        # A comparison needs the earlier periods too, though only the asked ones are shown.
        fetch_since = _earlier(since, grain, compare) if compare and since is not None else since
        groups = self._groups(spec, metric, by, grain, fetch_since, until, where, confidence)
        result = KPIResult(metric, list(_dimensions(by, spec.source)), grain)
        # Periods fetched only for the comparison are not shown; the first asked one is, even
        # when `since` falls inside it.
        first = _truncate(since, grain) if since is not None and grain is not None else None
        index = {(*(g[d] for d in result.by), _utc(g["period"])): g for g in groups} if compare else {}
        for g in groups:
            period = _utc(g["period"]) if grain is not None else None
            if g.get("n", 0) == 0 or (first is not None and period < first):
                continue
            estimate = spec.finish(g, confidence)
            row = {d: g[d] for d in result.by}
            if grain is not None:
                row["period"] = period
            row |= {"value": estimate.value, "low": estimate.low, "high": estimate.high, "n": estimate.n,
                    "method": estimate.method, "sufficient": estimate.sufficient}
            if compare:
                before = index.get((*(g[d] for d in result.by), _earlier(period, grain, compare)))
                change = spec.compare(g, before, confidence) if before and spec.compare else None
                row |= {"change": change.difference if change else None, "change_low": change.low if change else None,
                        "change_high": change.high if change else None, "p_value": change.p_value if change else None,
                        "significant": bool(change and change.significant)}
            result.rows.append(row)
        return result

    def _groups(self, spec: _Spec, metric: str, by, grain, since, until, where, confidence: float = 0.95) -> list[dict]:
        """Each group's sufficient statistics (or, for a quantile, its values)."""
        if spec.source == "customers":
            return self._customer_groups(metric, by=by, grain=grain, since=since, until=until, where=where)
        expr = self.expression(metric, by=by, grain=grain, since=since, until=until, where=where)
        if spec.column:
            groups = _value_lists(self.engine.execute(expr), [*by, *(["period"] if grain else [])])
            # The interval's ranks of every group in one call: per group, SciPy's overhead dominates.
            low, high = stats.quantile_ranks(np.array([g["n"] for g in groups]), spec.q, confidence)
            for g, lo, hi in zip(groups, low, high):
                g["ranks"] = (int(lo), int(hi))
            return groups
        return self.engine.execute(expr).to_pylist()

    def customer_expression(self, *, by: Sequence[str] = (), grain: str = "month", where: dict | None = None) -> ibis.Table:
        """Customers counted by sign-up period and churn period (null: still a customer): the
        sufficient statistics of churn and retention for every period at once."""
        by = _dimensions(by, "customers")
        c = _filter_dimensions(self.engine.table("customers"), where, "customers")
        c = c.filter(c.signed_up_at.notnull())
        c = c.mutate(joined=c.signed_up_at.truncate(_grain(grain)), left=c.churned_at.truncate(_grain(grain)))
        return c.group_by([*by, "joined", "left"]).aggregate(customers=c.count())

    def _customer_groups(self, metric: str, *, by, grain, since, until, where) -> list[dict]:
        """Per group and period P: n = customers active at P's start (joined before P, not
        gone before P), hits = those of them who churned in P (churn rate) or did not
        (retention). Churn rate = churned in the period ÷ active at its start (DESIGN.md §5)."""
        if grain is None:
            raise InputError(f"{metric} is a rate per period: give a grain (day, week, month, quarter or year)")
        since, until = _timestamp(since, "--since"), _timestamp(until, "--until")
        counts = self.engine.execute(self.customer_expression(by=by, grain=grain, where=where)).to_pylist()
        by = list(by)
        histograms: dict[tuple, list[tuple]] = {}
        for row in counts:
            histograms.setdefault(tuple(row[d] for d in by), []).append((_utc(row["joined"]), _utc(row["left"]), row["customers"]))
        groups = []
        for key, hist in sorted(histograms.items(), key=lambda kv: tuple(str(k) for k in kv[0])):
            last = max(max(j for j, _, _ in hist), max((lft for _, lft, _ in hist if lft), default=hist[0][0]))
            period = _step(min(j for j, _, _ in hist), grain)  # nobody is active at the start of the first
            while period <= last:
                active = sum(k for j, lft, k in hist if j < period and (lft is None or lft >= period))
                churned = sum(k for j, lft, k in hist if j < period and lft == period)
                inside = (since is None or period >= since) and (until is None or period < until)
                if active and inside:
                    hits = churned if metric == "churn_rate" else active - churned
                    groups.append({**dict(zip(by, key)), "period": period, "n": active, "hits": hits})
                period = _step(period, grain)
        return groups

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


def _spec(metric: str) -> _Spec:
    if metric not in SPECS:
        raise InputError(f"KPI {metric!r} is not known; use one of: {', '.join(NAMES)}")
    return SPECS[metric]


def _value_lists(values: pa.Table, keys: list[str]) -> list[dict]:
    """Each group's values as one NumPy array, ordered by the group keys: Arrow's hash_list,
    then slices of the flattened lists (a million durations must not become Python floats)."""
    if not keys:
        column = values.column("value").to_numpy(zero_copy_only=False)
        return [{"values": column, "n": len(column)}] if len(column) else []
    grouped = values.group_by(keys).aggregate([("value", "list")])
    if grouped.num_rows == 0:
        return []
    lists = grouped.column("value_list").combine_chunks()
    flat = lists.flatten().to_numpy(zero_copy_only=False)
    offsets = lists.offsets.to_numpy()
    heads = grouped.select(keys).to_pylist()
    groups = [{**head, "values": flat[offsets[i]:offsets[i + 1]], "n": int(offsets[i + 1] - offsets[i])} for i, head in enumerate(heads)]
    return sorted(groups, key=lambda g: tuple((g[k] is None, g[k]) if g[k] is not None else (True, 0) for k in keys))


def _filter_dimensions(t: ibis.Table, where: dict | None, source: str) -> ibis.Table:
    """``t`` keeping rows whose dimensions hold one of the wanted values ({dim: value(s)})."""
    for dim, wanted in (where or {}).items():
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        t = t.filter(t[_dimensions([dim], source)[0]].isin(values))
    return t


def _truncate(moment: datetime, grain: str) -> datetime:
    """The start of the ``grain`` period holding ``moment`` (weeks start on Monday), in UTC."""
    _grain(grain)
    day = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    month = {"month": moment.month, "quarter": 3 * ((moment.month - 1) // 3) + 1, "year": 1}[grain]
    return day.replace(month=month, day=1)


COMPARISONS = (None, "previous", "year")


def _earlier(period: datetime, grain: str, compare: str) -> datetime:
    """The period a comparison looks back to: the one before, or the same one a year before
    (52 weeks before for weeks, so weekdays line up)."""
    if compare == "previous":
        return _step(period, grain, -1)
    if grain == "week":
        return period - timedelta(weeks=52)
    if grain == "day":
        return period - timedelta(days=364)
    return _step(period, grain, -{"month": 12, "quarter": 4, "year": 1}[grain])


def _grain(grain: str) -> str:
    if grain not in GRAINS:
        raise InputError(f"grain {grain!r} is not known; use one of: {', '.join(GRAINS)}")
    return GRAINS[grain]


def _step(period: datetime, grain: str, steps: int = 1) -> datetime:
    """The start of the period ``steps`` after ``period`` (before, if negative)."""
    if grain in ("day", "week"):
        return period + timedelta(days=(1 if grain == "day" else 7) * steps)
    months = {"month": 1, "quarter": 3, "year": 12}[grain] * steps
    index = period.year * 12 + period.month - 1 + months
    return period.replace(year=index // 12, month=index % 12 + 1)


def _dimensions(by: Sequence[str], source: str = "answers") -> list[str]:
    known = CUSTOMER_DIMENSIONS if source == "customers" else _FACTS[source].dimensions
    unknown = [d for d in by if d not in known]
    if unknown:
        raise InputError(f"cannot slice by {', '.join(unknown)}; dimensions: {', '.join(known)}")
    return list(by)


_MIDNIGHT = datetime.min.time().replace(tzinfo=timezone.utc)


def _bound(column: ibis.Expr, moment: datetime) -> datetime:
    """``moment`` as a literal of the column's own kind: compared with a zone-aware literal,
    DuckDB converts every value of a zone-less column (the mirror's, UTC by the store's rule)
    and can no longer skip row groups by their min and max."""
    if column.type().timezone is None and moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _utc(value):
    # SQLite hands back naive times (UTC by the store's rule); PostgreSQL aware ones.
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def kpi(store: Store | str | None = None, *, tier: str = "store", parquet=None, spark=None) -> KPIs:
    """The KPI API over ``store`` (a Store, a database URL, or the configured store); see
    :class:`KPIs` for the tiers."""
    return KPIs(store, tier=tier, parquet=parquet, spark=spark)


# KPIs that are not one aggregation of sufficient statistics (cohort tables, survival curves,
# revenue retention, CLV, funnels, touchpoint health) live in their own modules and register
# here; they build on the helpers above, hence the import at the end.
from . import customers as _customers  # noqa: E402
from . import funnel as _funnel  # noqa: E402

_SPECIAL: dict[str, Callable[..., KPIResult]] = {**_customers.KPIS, **_funnel.KPIS}
NAMES: tuple[str, ...] = (*SPECS, *_SPECIAL)
