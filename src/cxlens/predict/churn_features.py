"""What the store knows about each customer at a moment: their experience (NPS, CSAT, CES,
tickets and how fast they were answered), their use (events), their money (revenue trend),
their tenure, plan and segment. Each is an Ibis aggregation per customer over the rows before
that moment, so the features run on every engine; nothing after the moment leaks in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import ibis
import numpy as np
import pandas as pd

from ..analytics.facts import bound

__all__ = ["CATEGORIES", "NUMERIC", "CustomerFeatures", "customer_features"]

WINDOW = timedelta(days=90)  # "recent": the last quarter

# Numeric features, in the order the model takes them in when the data allow only a few.
NUMERIC = (
    "detractor_recently",
    "latest_nps",
    "nps_change",
    "no_nps_answer",
    "csat",
    "ces",
    "tickets_recently",
    "reopens_recently",
    "first_response_hours",
    "resolution_hours",
    "usage_recently",
    "revenue_trend",
    "tenure_years",
)
CATEGORIES = ("segment", "plan")


@dataclass(frozen=True)
class CustomerFeatures:
    """One row per customer active at ``at`` (index: customer id): the features, and each
    customer's sign-up and churn times (for outcomes)."""

    at: datetime
    table: pd.DataFrame


def _scaled(r: ibis.Table) -> ibis.Expr:
    """A score on 0..1 of its own scale (CSAT 1–5 and 1–10 answers pool)."""
    span = (r.scale_max - r.scale_min).cast("float64")
    return (r.score.cast("float64") - r.scale_min.cast("float64")) / ibis.greatest(span, 1.0)


def _nps(responses: ibis.Table, at: datetime) -> ibis.Table:
    r = responses.filter(responses.metric == "nps", responses.score.notnull(), responses.customer_id.notnull())
    r = r.filter(r.submitted_at < bound(r.submitted_at, at))
    recent = (r.submitted_at >= bound(r.submitted_at, at - WINDOW)) & (r.score <= 6)
    last = r.group_by(l_customer=r.customer_id).aggregate(last_at=r.submitted_at.max())
    j = r.join(last, r.customer_id == last.l_customer)
    is_last = j.submitted_at == j.last_at
    return j.group_by("customer_id").aggregate(
        latest_nps=is_last.ifelse(j.score.cast("float64"), ibis.null("float64")).max(),
        earlier_nps=(~is_last).ifelse(j.score.cast("float64"), ibis.null("float64")).mean(),
        detractor_recently=recent.ifelse(1, 0).max(),
    )


def _scores(responses: ibis.Table, at: datetime, metric: str) -> ibis.Table:
    r = responses.filter(responses.metric == metric, responses.score.notnull(), responses.customer_id.notnull())
    r = r.filter(r.submitted_at < bound(r.submitted_at, at), r.scale_max.notnull(), r.scale_min.notnull())
    return r.group_by("customer_id").aggregate(**{metric: _scaled(r).mean()})


def _tickets(tickets: ibis.Table, at: datetime) -> ibis.Table:
    t = tickets.filter(tickets.customer_id.notnull(), tickets.created_at < bound(tickets.created_at, at))
    t = t.filter(t.created_at >= bound(t.created_at, at - WINDOW))
    # Only the answers that had come by ``at`` count: a response after it is not known yet.
    answered = t.first_response_at.notnull() & (t.first_response_at < bound(t.first_response_at, at))
    solved = t.solved_at.notnull() & (t.solved_at < bound(t.solved_at, at))
    return t.group_by("customer_id").aggregate(
        tickets_recently=t.count(),
        reopens_recently=t.reopens.fill_null(0).sum(),
        first_response_hours=answered.ifelse(t.first_response_seconds / 3600, ibis.null("float64")).mean(),
        resolution_hours=solved.ifelse(t.resolution_seconds / 3600, ibis.null("float64")).mean(),
    )


def _usage(events: ibis.Table, at: datetime) -> ibis.Table:
    e = events.filter(events.occurred_at < bound(events.occurred_at, at))
    e = e.filter(e.occurred_at >= bound(e.occurred_at, at - WINDOW))
    return e.group_by("customer_id").aggregate(usage_recently=e.count())


def _revenue(revenue: ibis.Table, at: datetime) -> ibis.Table:
    r = revenue.filter(revenue.occurred_at < bound(revenue.occurred_at, at))
    r = r.filter(r.occurred_at >= bound(r.occurred_at, at - 2 * WINDOW))
    recent = r.occurred_at >= bound(r.occurred_at, at - WINDOW)
    amount = r.amount.cast("float64")
    return r.group_by("customer_id").aggregate(
        revenue_recently=recent.ifelse(amount, 0.0).sum(), revenue_before=(~recent).ifelse(amount, 0.0).sum()
    )


def _customers(customers: ibis.Table, at: datetime) -> ibis.Table:
    c = customers.filter(customers.signed_up_at.notnull(), customers.signed_up_at < bound(customers.signed_up_at, at))
    c = c.filter(c.churned_at.isnull() | (c.churned_at >= bound(c.churned_at, at)))
    return c.select(
        customer_id=c.id, segment=c.segment, plan=c.plan, signed_up_at=c.signed_up_at, churned_at=c.churned_at
    )


def customer_features(k, at: datetime) -> CustomerFeatures:
    """Every customer active at ``at`` with their features as of then (``k``: a ``KPIs``)."""
    e = k.engine
    base = e.execute(_customers(e.table("customers"), at)).to_pandas().set_index("customer_id")
    parts = [
        _nps(e.table("responses"), at),
        _scores(e.table("responses"), at, "csat"),
        _scores(e.table("responses"), at, "ces"),
        _tickets(e.table("tickets"), at),
        _usage(e.table("events"), at),
        _revenue(e.table("revenue"), at),
    ]
    table = base
    for part in parts:
        table = table.join(e.execute(part).to_pandas().set_index("customer_id"), how="left")
    return CustomerFeatures(at, _finish(table, at))


def _finish(t: pd.DataFrame, at: datetime) -> pd.DataFrame:
    """Missing values become what they mean: no tickets is 0 tickets; no answer is flagged and
    set to the typical value, so it neither helps nor hurts."""
    t = t.copy()
    for column in ("signed_up_at", "churned_at"):
        t[column] = pd.to_datetime(t[column], utc=True)
    t["no_nps_answer"] = t["latest_nps"].isna().astype(float)
    t["nps_change"] = (t["latest_nps"] - t["earlier_nps"]).fillna(0.0)
    for column in ("latest_nps", "csat", "ces", "first_response_hours", "resolution_hours"):
        known = t[column].dropna().astype(float)
        t[column] = t[column].astype(float).fillna(float(known.median()) if len(known) else 0.0)
    for column in ("detractor_recently", "tickets_recently", "reopens_recently", "usage_recently"):
        t[column] = t[column].fillna(0).astype(float)
    recent, before = t["revenue_recently"].fillna(0.0), t["revenue_before"].fillna(0.0)
    t["revenue_trend"] = np.log1p(recent.clip(lower=0)) - np.log1p(before.clip(lower=0))
    t["tenure_years"] = (pd.Timestamp(at) - t["signed_up_at"]).dt.total_seconds() / (365.25 * 86400)
    for column in CATEGORIES:
        t[column] = t[column].fillna("(none)").astype(str)
    return t.drop(columns=["earlier_nps", "revenue_recently", "revenue_before"])
