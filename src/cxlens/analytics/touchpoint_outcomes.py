"""Outcomes at a touchpoint: what the customers who passed a touchpoint did next (DESIGN.md §5).

A customer passed the touchpoint when they had an event there in the period; their outcome
counts from their first such event. Churn at a touchpoint is the % of those customers who
churned within ``CHURN_AFTER_DAYS`` after it (Wilson interval); retention is the rest. Only
customers whose window closed before the period's end count (the others cannot be told yet),
so n says how many were followed for the whole window.
"""

from __future__ import annotations

from datetime import datetime, timezone

import ibis

from ..catalog import CHURN_AFTER_DAYS
from ..periods import timestamp
from . import stats
from .facts import KPISource, bound

__all__ = ["outcome_by_touchpoint"]


def outcome_by_touchpoint(
    k: KPISource, metric: str, *, since=None, until=None, where=None, confidence=0.95
) -> dict[str, dict]:
    """{touchpoint key: row} of ``metric`` (churn_rate or retention) over the customers who
    passed each touchpoint in [since, until); ``where`` may pick journeys or touchpoints."""
    since, until = timestamp(since, "--since"), timestamp(until, "--until")
    window = CHURN_AFTER_DAYS * 86400
    e, tp = k.engine.table("events"), k.engine.table("touchpoints")
    if since is not None:
        e = e.filter(e.occurred_at >= bound(e.occurred_at, since))
    if until is not None:
        e = e.filter(e.occurred_at < bound(e.occurred_at, until))
    first = e.group_by(["customer_id", "touchpoint_id"]).aggregate(first=e.occurred_at.min())
    c = k.engine.table("customers")
    c = c.select(c_id=c.id, churned_at=c.churned_at)
    t = tp.select(t_id=tp.id, touchpoint=tp.key, t_journey=tp.journey_id)
    j = first.join(c, first.customer_id == c.c_id).join(t, first.touchpoint_id == t.t_id)
    if where and where.get("journey"):
        jt = k.engine.table("journeys")
        wanted = [where["journey"]] if isinstance(where["journey"], str) else list(where["journey"])
        j = j.filter(j.t_journey.isin(jt.filter(jt.key.isin(wanted)).id))
    start = j.first.epoch_seconds().cast("float64")
    # Without an end, now: a customer whose window is still open cannot be told churned or kept.
    end = until or datetime.now(timezone.utc)
    j = j.filter(start + window <= ibis.literal(end.timestamp()))
    gone = j.churned_at.epoch_seconds().cast("float64") - start
    churned = (j.churned_at.notnull() & (gone >= 0) & (gone < window)).ifelse(1, 0)
    q = j.group_by("touchpoint").aggregate(n=j.count(), churned=churned.sum())
    out = {}
    for r in k.engine.execute(q).to_pylist():
        successes = int(r["churned"] or 0) if metric == "churn_rate" else r["n"] - int(r["churned"] or 0)
        e = stats.as_percent(stats.proportion(successes, r["n"], confidence=confidence))
        out[r["touchpoint"]] = {"value": e.value, "low": e.low, "high": e.high, "n": e.n, "method": e.method}
    return out
