"""The KPI catalogue: every metric cxlens measures, in one list (DESIGN.md §2 and §5).

Each entry says what the KPI is (name, kind, unit, label, whether higher is better), where its
rows come from (``source``), which dimensions it can be sliced and filtered by, and where its
implementation lives (``spec``: ``"module:attribute"``, loaded only when a KPI is computed, so
this module imports nothing heavier than the standard library). Kinds follow Forrester:
*interaction* (what happened), *perception* (what customers felt), *outcome* (what they did next).

The other lists are views of this one: ``NAMES`` (what ``KPIs.compute`` takes),
``cxlens.metrics.METRICS`` (what a touchpoint target may name: the entries with a
``target_range``) and, in ``cxlens.analytics.kpis``, ``SPECS`` (the KPIs of sufficient statistics)
and the KPIs with their own shape (cohorts, survival, revenue retention, CLV, funnel, health).

    >>> from cxlens import catalog
    >>> catalog.label("first_response_p90"), catalog.unit("first_response_p90")
    ('First response time (p90)', 'seconds')
    >>> catalog.base_metric("first_response_p90")
    'first_response_time'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Literal

from ..errors import InputError

__all__ = [
    "CASE_DIMENSIONS",
    "CATALOGUE",
    "CUSTOMER_DIMENSIONS",
    "DIMENSIONS",
    "INVITATION_DIMENSIONS",
    "KPI",
    "MENTION_DIMENSIONS",
    "NAMES",
    "SOURCE_DIMENSIONS",
    "TEXT_DIMENSIONS",
    "TICKET_DIMENSIONS",
    "CHURN_AFTER_DAYS",
    "TOUCHPOINT_OUTCOMES",
    "base_metric",
    "dimensions",
    "get",
    "higher_is_better",
    "kind",
    "label",
    "statistics_of",
    "touchpoint_target_problem",
    "unit",
    "with_statistic",
]

Kind = Literal["interaction", "perception", "outcome"]
Unit = Literal["score", "percent", "seconds", "stars", "money", "count"]
Direction = Literal["higher", "lower"]

# -- dimensions: what a KPI's rows can be sliced and filtered by, per source ---------------------

# rfm_segment and cluster: the latest behaviour segments written onto the customer
# (``cxlens segments``); persona: imported or set by a persona definition.
CUSTOMER_DIMENSIONS = ("segment", "plan", "persona", "rfm_segment", "cluster")
_JOURNEY = ("journey", "stage", "touchpoint")
# What text analytics found in a comment, ticket or mention: its sentiment label and its theme
# (a user's name for it, after merges).
TEXT_DIMENSIONS = ("sentiment", "theme")
# An answer's ``team`` is the team of the touchpoint it answers about.
DIMENSIONS = (*_JOURNEY, "channel", "survey", *CUSTOMER_DIMENSIONS, "language", *TEXT_DIMENSIONS, "team")
TICKET_DIMENSIONS = (*_JOURNEY, "channel", "team", "agent", *CUSTOMER_DIMENSIONS, "language", *TEXT_DIMENSIONS)
INVITATION_DIMENSIONS = ("survey", "channel", *CUSTOMER_DIMENSIONS)
MENTION_DIMENSIONS = ("source", "kind", "language", *CUSTOMER_DIMENSIONS, *TEXT_DIMENSIONS)
# Follow-up cases (closing the loop), by when they were opened. ``clock``: "business" when the
# case's deadlines count business hours, else "calendar".
CASE_DIMENSIONS = (*_JOURNEY, "team", "priority", "source", "root_cause", "outcome", "clock", *CUSTOMER_DIMENSIONS)
SOURCE_DIMENSIONS: dict[str, tuple[str, ...]] = {
    "answers": DIMENSIONS,  # survey responses
    "tickets": TICKET_DIMENSIONS,
    "invitations": INVITATION_DIMENSIONS,
    "mentions": MENTION_DIMENSIONS,
    "cases": CASE_DIMENSIONS,
    "customers": CUSTOMER_DIMENSIONS,
    "revenue": CUSTOMER_DIMENSIONS,  # payments, sliced by their customer
    # Journey events: the funnel picks journeys and slices by customer.
    "events": ("journey", *CUSTOMER_DIMENSIONS),
    # Touchpoint targets, each measured by its own KPI, filtered as tickets can be.
    "targets": TICKET_DIMENSIONS,
}


@dataclass(frozen=True)
class KPI:
    """One entry of the catalogue.

    ``direction``: whether a higher value is better ("higher") or worse ("lower"); None where
    a KPI has no one direction (touchpoint health's rows are each in their own metric).
    ``base``: the metric a touchpoint target of this KPI is set on (the median and p90 of a
    duration answer to its time's target). ``statistic``: which summary of a skewed duration
    it is ("mean", "median", "p90"), else None. ``target_range``: the values a touchpoint
    target may take, None if no target can name this KPI. ``spec``: ``"module:attribute"`` of
    its implementation (a ``Spec`` of sufficient statistics, or a function computing a KPI of
    its own shape); None for a metric measured through another KPI (conversion: the funnel).
    """

    name: str
    kind: Kind | None
    unit: Unit | None
    label: str
    direction: Direction | None
    source: str
    spec: str | None
    base: str = ""
    statistic: str | None = None
    target_range: tuple[float, float] | None = None

    @property
    def higher_is_better(self) -> bool | None:
        return None if self.direction is None else self.direction == "higher"

    @property
    def dimensions(self) -> tuple[str, ...]:
        """What this KPI can be sliced (``by``) or filtered (``where``) by."""
        return SOURCE_DIMENSIONS[self.source]

    @property
    def base_metric(self) -> str:
        return self.base or self.name

    @property
    def title(self) -> str:
        """The label with its statistic, as pages name the KPI: "First response time (p90)"."""
        return f"{self.label} ({self.statistic})" if self.statistic else self.label

    def implementation(self) -> Any:
        """The object ``spec`` names, imported on first use."""
        if self.spec is None:
            raise InputError(f"{self.name} is not computed on its own; see the catalogue entry of {self.name!r}")
        module, _, attribute = self.spec.partition(":")
        return getattr(importlib.import_module(module), attribute)


_SPECS = "cxlens.analytics.specs"
_OUTCOMES = "cxlens.analytics.customers"
_JOURNEYS = "cxlens.analytics.funnel"
_INF = float("inf")
_PERCENT = (0.0, 100.0)


def _kpi(name, kind, unit, label, direction, source, spec=_SPECS, **extra) -> KPI:
    return KPI(name, kind, unit, label, direction, source, spec if spec is None else f"{spec}:{name}", **extra)


def _durations(name: str, label: str, source: str = "tickets", target: bool = True) -> list[KPI]:
    """Mean, median and p90 of a skewed duration (the mean alone misleads, DESIGN.md §5); all
    three answer to the target of the calendar-hours time."""
    base = f"{name.removesuffix('_business')}_time"
    return [
        _kpi(
            f"{name}_time",
            "interaction",
            "seconds",
            label,
            "lower",
            source,
            base=base,
            statistic="mean",
            target_range=(0, _INF) if target else None,
        ),
        *(
            _kpi(
                f"{name}_{statistic}",
                "interaction",
                "seconds",
                label,
                "lower",
                source,
                base=base,
                statistic=statistic,
                target_range=(0, _INF) if target else None,
            )
            for statistic in ("median", "p90")
        ),
    ]


_ENTRIES: list[KPI] = [
    # Survey answers (NPS 0–10, CSAT top-two-box, CES agreement and mean).
    _kpi("nps", "perception", "score", "Net Promoter Score", "higher", "answers", target_range=(-100, 100)),
    _kpi("csat", "perception", "percent", "CSAT, % satisfied", "higher", "answers", target_range=_PERCENT),
    _kpi("ces", "perception", "percent", "CES, % agreeing it was easy", "higher", "answers", target_range=_PERCENT),
    _kpi("ces_mean", "perception", "score", "CES, mean agreement", "higher", "answers", target_range=(1, 7)),
    _kpi("response_count", "interaction", "count", "Responses", "higher", "answers"),
    # Answers ÷ invitations sent: a skipped question lowers this, never the NPS (DESIGN.md §5).
    _kpi(
        "response_rate",
        "interaction",
        "percent",
        "Survey response rate",
        "higher",
        "invitations",
        target_range=_PERCENT,
    ),
    # Tickets.
    _kpi("ticket_volume", "interaction", "count", "Tickets", "lower", "tickets", target_range=(0, _INF)),
    *_durations("first_response", "First response time"),
    *_durations("first_response_business", "First response time, business hours", target=False),
    *_durations("resolution", "Resolution time"),
    *_durations("resolution_business", "Resolution time, business hours", target=False),
    _kpi(
        "handle_time",
        "interaction",
        "seconds",
        "Handle time",
        "lower",
        "tickets",
        statistic="mean",
        target_range=(0, _INF),
    ),
    # Reviews and posts.
    _kpi("rating", "perception", "stars", "Mean review rating", "higher", "mentions", target_range=(0, 5)),
    # Mean sentiment score (−1..1) of the texts text analytics has scored (`cxlens text analyze`).
    _kpi("sentiment", "perception", "score", "Mean sentiment", "higher", "answers", target_range=(-1, 1)),
    _kpi("ticket_sentiment", "perception", "score", "Ticket sentiment", "higher", "tickets"),
    _kpi("mention_sentiment", "perception", "score", "Mention sentiment", "higher", "mentions"),
    # Solved at the first contact: one agent reply and never reopened (DESIGN.md §5).
    _kpi(
        "first_contact_resolution",
        "interaction",
        "percent",
        "First-contact resolution",
        "higher",
        "tickets",
        target_range=_PERCENT,
    ),
    _kpi("reopen_rate", "interaction", "percent", "Reopen rate", "lower", "tickets", target_range=_PERCENT),
    # Customers: counted per period from sign-up and churn times.
    _kpi("churn_rate", "outcome", "percent", "Churn rate", "lower", "customers", target_range=_PERCENT),
    _kpi("retention", "outcome", "percent", "Retention", "higher", "customers", target_range=_PERCENT),
    # Outcome KPIs of their own shape (analytics/customers.py).
    _kpi("cohort_retention", "outcome", "percent", "Cohort retention", "higher", "customers", _OUTCOMES),
    _kpi("survival", "outcome", "percent", "Survival", "higher", "customers", _OUTCOMES),
    _kpi(
        "net_revenue_retention",
        "outcome",
        "percent",
        "Net revenue retention",
        "higher",
        "revenue",
        _OUTCOMES,
        target_range=(0, 1000),
    ),
    _kpi(
        "gross_revenue_retention",
        "outcome",
        "percent",
        "Gross revenue retention",
        "higher",
        "revenue",
        _OUTCOMES,
        target_range=_PERCENT,
    ),
    _kpi(
        "clv", "outcome", "money", "Customer lifetime value", "higher", "revenue", _OUTCOMES, target_range=(-_INF, _INF)
    ),
    # Closing the loop: follow-up cases, counted by when they were opened (DESIGN.md §5).
    _kpi("case_count", "interaction", "count", "Cases opened", "lower", "cases"),
    _kpi("closed_loop_rate", "interaction", "percent", "Closed-loop rate", "higher", "cases"),
    _kpi("first_contact_within_sla", "interaction", "percent", "First contact within SLA", "higher", "cases"),
    _kpi("resolution_within_sla", "interaction", "percent", "Resolution within SLA", "higher", "cases"),
    _kpi(
        "time_to_first_contact_median",
        "interaction",
        "seconds",
        "Time to first contact",
        "lower",
        "cases",
        statistic="median",
    ),
    _kpi(
        "time_to_first_contact_p90",
        "interaction",
        "seconds",
        "Time to first contact",
        "lower",
        "cases",
        statistic="p90",
    ),
    _kpi("time_to_close_median", "interaction", "seconds", "Time to close", "lower", "cases", statistic="median"),
    _kpi("time_to_close_p90", "interaction", "seconds", "Time to close", "lower", "cases", statistic="p90"),
    _kpi("recovery_rate", "outcome", "percent", "Recovery rate", "higher", "cases"),
    _kpi("case_churn_rate", "outcome", "percent", "Churn after a detractor's case", "lower", "cases"),
    # Along the journey map (analytics/funnel.py).
    _kpi("funnel", "interaction", "percent", "Funnel", "higher", "events", _JOURNEYS),
    _kpi("touchpoint_health", None, None, "Touchpoint health", None, "targets", _JOURNEYS),
    # A touchpoint's conversion is its step of the funnel: the share of its customers who go on
    # to the next stage of its journey (not an optional one); a target, not a KPI of its own.
    _kpi(
        "conversion",
        "interaction",
        "percent",
        "Conversion to the next stage",
        "higher",
        "events",
        None,
        target_range=_PERCENT,
    ),
]

CATALOGUE: dict[str, KPI] = {k.name: k for k in _ENTRIES}
# What KPIs.compute (and the REST API, and the CLI) take.
NAMES: tuple[str, ...] = tuple(k.name for k in _ENTRIES if k.spec is not None)


def get(name: str) -> KPI:
    """The entry of ``name``; an :class:`InputError` listing the KPIs if there is none."""
    try:
        return CATALOGUE[name]
    except KeyError:
        raise InputError(f"KPI {name!r} is not known; use one of: {', '.join(NAMES)}") from None


def with_statistic(metric: str, statistic: str) -> str | None:
    """The KPI that is ``statistic`` ("mean", "median", "p90") of ``metric``'s values, if any:
    first_response_time, median → first_response_median."""
    entry = CATALOGUE.get(metric)
    if entry is None:
        return None
    if entry.statistic == statistic and not entry.base:
        return entry.name
    found = [k.name for k in _ENTRIES if k.base_metric == entry.base_metric and k.statistic == statistic]
    return found[0] if found else None


def statistics_of(metric: str) -> tuple[str, ...]:
    """The statistics a target of ``metric`` may name: several for a skewed duration, whose
    target must say which (DESIGN.md §5: the mean alone misleads), else none."""
    entry = CATALOGUE.get(metric)
    if entry is None or entry.base_metric != metric:
        return ()
    return tuple(k.statistic for k in _ENTRIES if k.base_metric == metric and k.statistic and k.target_range)


# Outcomes a touchpoint's target may name: measured on the customers who passed the touchpoint
# in the period (churn within CHURN_AFTER_DAYS after it; DESIGN.md §5 "outcome at a touchpoint").
TOUCHPOINT_OUTCOMES = ("churn_rate", "retention")
CHURN_AFTER_DAYS = 90
# Metrics measured along the journey rather than by a KPI sliced by touchpoint.
_ALONG_THE_JOURNEY = ("conversion", *TOUCHPOINT_OUTCOMES)


def touchpoint_target_problem(metric: str) -> str | None:
    """Why a touchpoint cannot carry a target of ``metric`` (None when it can): each target is
    measured at its touchpoint, or refused when the journeys file is loaded."""
    entry = CATALOGUE.get(metric)
    if entry is None or metric in _ALONG_THE_JOURNEY or "touchpoint" in entry.dimensions:
        return None
    belongs = {
        "revenue": "it is measured on customers' revenue over whole periods, which no touchpoint holds",
        "invitations": "invitations belong to surveys, not touchpoints",
        "mentions": "reviews and posts belong to no touchpoint",
    }.get(entry.source, "it is not measured per touchpoint")
    return (
        f"a touchpoint cannot carry a {metric} target: {belongs}; "
        f"use churn_rate or retention (of the customers who passed the touchpoint), or leave it out"
    )


def base_metric(name: str) -> str:
    """The metric a touchpoint target of ``name`` is set on: first_response_p90 → first_response_time."""
    return get(name).base_metric


def unit(name: str) -> str | None:
    """score, percent, seconds, stars, money or count; None for touchpoint health (mixed)."""
    return get(name).unit


def label(name: str) -> str:
    """How a page names the KPI, with its statistic: "First response time (median)"."""
    return get(name).title


def kind(name: str) -> str | None:
    return get(name).kind


def higher_is_better(name: str) -> bool | None:
    return get(name).higher_is_better


def dimensions(name: str) -> tuple[str, ...]:
    """What ``name`` can be sliced and filtered by."""
    return get(name).dimensions
