"""The KPIs of sufficient statistics: for each, which fact rows count, the sums to take, and how
``stats`` finishes them into an estimate and compares two periods.

Each module-level ``Spec`` here is named as its KPI, and the catalogue (``cxlens.catalog``)
points at it (``"cxlens.analytics.specs:nps"``). The KPIs of their own shape live in
``customers`` and ``funnel``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ibis

from . import stats

__all__ = ["Spec", "flag", "in_points", "moments", "row_count", "weight"]


@dataclass(frozen=True)
class Spec:
    """One KPI: where its rows come from, which count, the sums to take, how to finish them."""

    source: str  # a fact source of ``facts.FACTS``, or "customers"
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


def weight(t: ibis.Table):
    return t.weight if "weight" in t.columns else None


def row_count(t: ibis.Table) -> ibis.Expr:
    """How many fact rows ``t`` holds."""
    w = weight(t)
    return t.count() if w is None else w.sum().fill_null(0)


def flag(t: ibis.Table, cond) -> ibis.Expr:
    """How many fact rows meet ``cond``."""
    w = weight(t)
    return cond.ifelse(1 if w is None else w, 0).sum()  # booleans summed as integers (PostgreSQL needs the cast)


def moments(t: ibis.Table, x: ibis.Expr) -> dict:
    """n, Σx, Σx² of the non-null values of ``x``."""
    w = weight(t)
    if w is None:
        return {"n": x.count(), "total": x.sum(), "total_sq": (x * x).sum()}
    return {"n": x.notnull().ifelse(w, 0).sum(), "total": (x * w).sum(), "total_sq": (x * x * w).sum()}


def in_points(c: stats.Comparison) -> stats.Comparison:
    """A difference of shares, in percentage points."""
    if c.difference is None:
        return c
    return stats.Comparison(
        100 * c.difference, 100 * c.low, 100 * c.high, c.p_value, c.n_a, c.n_b, c.method, c.confidence, c.label
    )


# -- the kinds of KPI ----------------------------------------------------------------------------


def _share(source: str, keep, hit: Callable[[ibis.Table], ibis.Expr], label: str) -> Spec:
    """A percent of the kept rows (CSAT, FCR …): counts in, Wilson interval, Newcombe change."""
    return Spec(
        source,
        keep,
        lambda t: {"n": row_count(t), "hits": flag(t, hit(t))},
        lambda s, c: stats.as_percent(stats.proportion(s["hits"], s["n"], confidence=c, label=label)),
        lambda a, b, c: in_points(
            stats.compare_proportions(a["hits"], a["n"], b["hits"], b["n"], confidence=c, label=label)
        ),
    )


def _mean(
    source: str, column: str | Callable[[ibis.Table], ibis.Expr], keep, label: str, needs: tuple[str, ...] = ()
) -> Spec:
    """A mean of ``column`` (durations in seconds …), or of a value computed from the row: n,
    Σx, Σx² in, t-interval, Welch change."""
    value = column if callable(column) else (lambda t: t[column])

    def sums(t):
        return moments(t, value(t).cast("float64"))

    def mean_stats(s):
        return stats.MeanStats(s["n"], s["total"] or 0.0, s["total_sq"] or 0.0)

    return Spec(
        source,
        lambda t: keep(t) & value(t).notnull(),
        sums,
        lambda s, c: stats.mean(stats=mean_stats(s), confidence=c, label=label),
        lambda a, b, c: stats.compare_means(mean_stats(a), mean_stats(b), confidence=c, label=label),
        needs=needs,
    )


def _count(source: str, label: str, keep=None) -> Spec:
    """A count is a census, not an estimate: its interval is itself."""
    return Spec(
        source,
        keep or _always,
        lambda t: {"n": row_count(t)},
        lambda s, c: stats.Estimate(float(s["n"]), float(s["n"]), float(s["n"]), s["n"], "count", c, label, 0),
    )


def _quantile(source: str, column: str, q: float, keep, label: str) -> Spec:
    """A quantile of ``column`` (median, p90 of skewed durations) with a distribution-free interval."""
    return Spec(
        source,
        lambda t: keep(t) & t[column].notnull(),
        lambda t: {},
        lambda s, c: stats.quantile(s["values"], q, confidence=c, label=label, ranks=s.get("ranks")),
        column=column,
        q=q,
    )


def _durations(column: str, keep, label: str) -> tuple[Spec, Spec, Spec]:
    """Mean, median and p90 of a skewed duration (the mean alone misleads, DESIGN.md §5)."""
    return (
        _mean("tickets", column, keep, f"{label} (s)"),
        _quantile("tickets", column, 0.5, keep, f"{label}, median (s)"),
        _quantile("tickets", column, 0.9, keep, f"{label}, p90 (s)"),
    )


# -- which rows count, and values computed from a row --------------------------------------------


def _satisfied_from(t: ibis.Table) -> ibis.Expr:
    return ibis.cases(
        *((t.scale_max == high, low_ok) for (_, high), low_ok in stats.SATISFIED_FROM.items()), else_=None
    )


def _agree_from(t: ibis.Table) -> ibis.Expr:
    return ibis.cases(*((t.scale_max == high, low_ok) for (_, high), low_ok in stats.AGREE_FROM.items()), else_=None)


def _answered(metric: str) -> Callable[[ibis.Table], ibis.Expr]:
    return lambda t: (t.metric == metric) & t.score.notnull()


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


def _sentiment(source: str, label: str) -> Spec:
    return _mean(source, "sentiment_score", _always, label, needs=("sentiment_score",))


# -- the KPIs (named as in the catalogue) ---------------------------------------------------------

nps = Spec(
    "answers",
    _answered("nps"),
    lambda t: {"n": row_count(t), "promoters": flag(t, t.score >= 9), "detractors": flag(t, t.score <= 6)},
    lambda s, c: stats.nps(counts=_nps_counts(s), confidence=c),
    lambda a, b, c: stats.compare_nps(_nps_counts(a), _nps_counts(b), confidence=c),
)
csat = _share("answers", _answered("csat"), lambda t: t.score >= _satisfied_from(t), "CSAT")
ces = _share("answers", _answered("ces"), lambda t: t.score >= _agree_from(t), "CES")
ces_mean = _mean("answers", _ces_on_seven, _answered("ces"), "CES mean (1-7)")
response_count = _count("answers", "Answers")
# Answers ÷ invitations sent: a skipped question lowers this, never the NPS (DESIGN.md §5).
response_rate = _share("invitations", lambda t: t.at.notnull(), lambda t: t.status == "answered", "Response rate")
ticket_volume = _count("tickets", "Tickets")
first_response_time, first_response_median, first_response_p90 = _durations(
    "first_response_seconds", _always, "First response"
)
first_response_business_time, first_response_business_median, first_response_business_p90 = _durations(
    "first_response_business_seconds", _always, "First response, business hours"
)
resolution_time, resolution_median, resolution_p90 = _durations("resolution_seconds", _solved, "Resolution")
resolution_business_time, resolution_business_median, resolution_business_p90 = _durations(
    "resolution_business_seconds", _solved, "Resolution, business hours"
)
handle_time = _mean("tickets", "handle_seconds", _solved, "Handle time (s)")
rating = _mean("mentions", _stars, lambda t: t.rating.notnull(), "Rating (of 5)")
# Mean sentiment score (−1..1) of the texts text analytics has scored (`cxlens text analyze`).
sentiment = _sentiment("answers", "Sentiment of comments")
ticket_sentiment = _sentiment("tickets", "Sentiment of tickets")
mention_sentiment = _sentiment("mentions", "Sentiment of mentions")
# Solved at the first contact: one agent reply and never reopened (DESIGN.md §5).
first_contact_resolution = _share(
    "tickets", _solved, lambda t: (t.replies.fill_null(0) <= 1) & (t.reopens.fill_null(0) == 0), "FCR"
)
reopen_rate = _share("tickets", _solved, lambda t: t.reopens.fill_null(0) > 0, "Reopened")
# Customers: counted per period from sign-up and churn times (see customers.customer_groups).
churn_rate = _share("customers", lambda t: ibis.literal(True), lambda t: ibis.literal(True), "Churn")
retention = _share("customers", lambda t: ibis.literal(True), lambda t: ibis.literal(True), "Retention")


# -- closing the loop: follow-up cases, by when they were opened (DESIGN.md §5) -------------------


def _closed(t: ibis.Table) -> ibis.Expr:
    return t.closed_at.notnull()


case_count = _count("cases", "Cases")
# Cases closed with the customer contacted ÷ cases opened.
closed_loop_rate = _share(
    "cases", _always, lambda t: t.closed_at.notnull() & t.first_contacted_at.notnull(), "Closed loop"
)
# Closed cases with a deadline: closed (resolved, else closed) at or before it. ``due_at`` is the
# deadline in force, counted in the case's own clock (calendar or business hours: slice by clock).
resolution_within_sla = _share(
    "cases",
    lambda t: _closed(t) & t.due_at.notnull(),
    lambda t: t.resolved_at.coalesce(t.closed_at) <= t.due_at,
    "Resolved within SLA",
)
# Cases with a first-contact deadline (their ``opened`` event's ``first_contact_due_at``) whose
# first contact is decided: made, or no longer possible in time (closed, or escalated, which a
# case is once overdue); the share contacted at or before the deadline. Still open,
# uncontacted and not escalated: not yet counted.
first_contact_within_sla = Spec(
    "cases",
    lambda t: (
        t.first_contact_due.notnull()
        & (t.first_contacted_at.notnull() | t.closed_at.notnull() | t.escalated_at.notnull())
    ),
    lambda t: {"n": row_count(t), "hits": flag(t, t.contacted_in_time)},
    lambda s, c: stats.as_percent(stats.proportion(s["hits"], s["n"], confidence=c, label="First contact within SLA")),
    lambda a, b, c: in_points(
        stats.compare_proportions(a["hits"], a["n"], b["hits"], b["n"], confidence=c, label="First contact within SLA")
    ),
    needs=("first_contact_due", "contacted_in_time"),
)
time_to_first_contact_median = _quantile(
    "cases", "first_contact_seconds", 0.5, _always, "Time to first contact, median (s)"
)
time_to_first_contact_p90 = _quantile("cases", "first_contact_seconds", 0.9, _always, "Time to first contact, p90 (s)")
time_to_close_median = _quantile("cases", "close_seconds", 0.5, _always, "Time to close, median (s)")
time_to_close_p90 = _quantile("cases", "close_seconds", 0.9, _always, "Time to close, p90 (s)")
# Closed cases opened from a detractor's NPS answer (0–6) whose customer answered NPS again after
# the case opened: the share whose next answer is passive or promoter (7–10).
recovery_rate = Spec(
    "cases",
    lambda t: _closed(t) & t.detractor & t.next_nps.notnull(),
    lambda t: {"n": row_count(t), "hits": flag(t, t.next_nps >= 7)},
    lambda s, c: stats.as_percent(stats.proportion(s["hits"], s["n"], confidence=c, label="Recovered")),
    lambda a, b, c: in_points(
        stats.compare_proportions(a["hits"], a["n"], b["hits"], b["n"], confidence=c, label="Recovered")
    ),
    needs=("detractor", "next_nps"),
)
# Cases opened from a detractor's NPS answer, of a known customer: the share whose customer
# churned (customers.churned_at, as churn_rate counts it) at or after the case opened. Sliced
# by outcome: recovered against not_recovered detractors.
case_churn_rate = Spec(
    "cases",
    lambda t: t.detractor & t.customer_known,
    lambda t: {"n": row_count(t), "hits": flag(t, t.churned_after)},
    lambda s, c: stats.as_percent(stats.proportion(s["hits"], s["n"], confidence=c, label="Churned")),
    lambda a, b, c: in_points(
        stats.compare_proportions(a["hits"], a["n"], b["hits"], b["n"], confidence=c, label="Churned")
    ),
    needs=("detractor", "customer_known", "churned_after"),
)
