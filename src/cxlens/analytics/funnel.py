"""KPIs along the journey map: the funnel between touchpoints, and each touchpoint's health.

The funnel follows each journey's touchpoints in map order (stage, then touchpoint position).
A customer converts from one touchpoint to the next when their first event at the next one
comes at or after their first event at the previous one (DESIGN.md §5). The engine returns
two small count tables (customers reaching each touchpoint; customers converting along each
consecutive pair), never a row per customer.
"""

from __future__ import annotations

import ibis

from .. import catalog
from ..errors import InputError
from ..periods import timestamp
from . import stats
from .facts import KPISource, bound, check_dimensions, filter_dimensions
from .result import KPIResult

__all__ = ["funnel", "funnel_expressions", "journey_steps", "touchpoint_health"]


def journey_steps(k: KPISource, journeys: list[str] | None = None) -> dict[str, list[tuple[int, str]]]:
    """Each journey's touchpoints in map order: {journey key: [(touchpoint id, key), …]}."""
    tp, st, j = k.engine.table("touchpoints"), k.engine.table("stages"), k.engine.table("journeys")
    q = tp.join(st, tp.stage_id == st.id).join(j, tp.journey_id == j.id)
    q = q.select(
        journey=j.key,
        j_position=j.position,
        s_position=st.position,
        t_position=tp.position,
        tp_id=tp.id,
        touchpoint=tp.key,
    )
    if journeys:
        q = q.filter(q.journey.isin(journeys))
    rows = k.engine.execute(q.order_by(["j_position", "journey", "s_position", "t_position", "tp_id"])).to_pylist()
    steps: dict[str, list[tuple[int, str]]] = {}
    for r in rows:
        steps.setdefault(r["journey"], []).append((r["tp_id"], r["touchpoint"]))
    return steps


def funnel_expressions(
    k: KPISource, pairs: list[tuple[int, int]], *, by=(), since=None, until=None, where=None
) -> tuple[ibis.Table, ibis.Table]:
    """(customers reaching each touchpoint, customers converting along each pair) per group."""
    e = k.engine.table("events")
    e = e.select(customer_id=e.customer_id, touchpoint_id=e.touchpoint_id, at=e.occurred_at)
    ids = sorted({t for pair in pairs for t in pair})
    e = e.filter(e.touchpoint_id.isin(ids))
    if since is not None:
        e = e.filter(e.at >= bound(e.at, since))
    if until is not None:
        e = e.filter(e.at < bound(e.at, until))
    if by or where:
        c = filter_dimensions(k.engine.table("customers"), where, "customers")
        c = c.select(c_id=c.id, **{d: c[d] for d in by})
        e = e.join(c, e.customer_id == c.c_id).drop("c_id")
    first = e.group_by(["customer_id", "touchpoint_id", *by]).aggregate(first=e.at.min())
    reached = first.group_by(["touchpoint_id", *by]).aggregate(customers=first.count())
    # Each touchpoint has one next step (a touchpoint belongs to one journey's path): naming it
    # on the row makes the pairing an equality join, which engines hash; an OR of the pairs in
    # the join condition made DuckDB compare far more rows.
    following = dict(pairs)
    step = first.filter(first.touchpoint_id.isin(list(following)))
    step = step.mutate(next_touchpoint=ibis.cases(*((step.touchpoint_id == a, b) for a, b in following.items())))
    later = first.select(n_customer=first.customer_id, n_touchpoint=first.touchpoint_id, n_first=first.first)
    j = step.join(
        later,
        [step.customer_id == later.n_customer, step.next_touchpoint == later.n_touchpoint, later.n_first >= step.first],
    )
    converted = j.group_by([j.touchpoint_id, j.n_touchpoint, *by]).aggregate(customers=j.count())
    return reached, converted


def funnel(k: KPISource, *, by=(), grain=None, since=None, until=None, where=None, confidence=0.95) -> KPIResult:
    """Per journey and step: customers reaching the touchpoint, the % of those at the previous
    touchpoint who went on to it (Wilson interval; n = customers at the previous one) and the
    drop-off. ``where={"journey": …}`` picks journeys; ``by`` slices by customer dimensions;
    events in [since, until)."""
    if grain is not None:
        raise InputError("the funnel counts customers over a period: give since/until instead of a grain")
    where = dict(where or {})
    wanted = where.pop("journey", None)
    journeys = [wanted] if isinstance(wanted, str) else wanted
    by = check_dimensions(by, "customers")
    steps = journey_steps(k, journeys)
    pairs = [(a[0], b[0]) for path in steps.values() for a, b in zip(path, path[1:])]
    result = KPIResult("funnel", ["journey", "step", "touchpoint", *by], None, confidence=confidence)
    if not pairs:
        return result
    since, until = timestamp(since, "--since"), timestamp(until, "--until")
    reached_expr, converted_expr = funnel_expressions(k, pairs, by=by, since=since, until=until, where=where)
    reached = {
        (r["touchpoint_id"], *(r[d] for d in by)): r["customers"] for r in k.engine.execute(reached_expr).to_pylist()
    }
    converted = {
        (r["touchpoint_id"], r["n_touchpoint"], *(r[d] for d in by)): r["customers"]
        for r in k.engine.execute(converted_expr).to_pylist()
    }
    groups = sorted({key[1:] for key in reached}, key=lambda g: tuple(str(v) for v in g))
    for journey, path in steps.items():
        for group in groups:
            for i, (tp_id, tp_key) in enumerate(path):
                row = {
                    "journey": journey,
                    "step": i + 1,
                    "touchpoint": tp_key,
                    **dict(zip(by, group)),
                    "from_touchpoint": path[i - 1][1] if i else None,
                    "reached": reached.get((tp_id, *group), 0),
                }
                if i == 0:
                    n = row["reached"]
                    row |= {
                        "value": 100.0 if n else None,
                        "low": 100.0 if n else None,
                        "high": 100.0 if n else None,
                        "n": n,
                        "method": "first step",
                        "sufficient": n >= stats.MIN_N,
                        "drop_off": 0.0 if n else None,
                    }
                else:
                    before = reached.get((path[i - 1][0], *group), 0)
                    went_on = converted.get((path[i - 1][0], tp_id, *group), 0)
                    e = stats.as_percent(stats.proportion(went_on, before, confidence=confidence)) if before else None
                    row |= {
                        "value": e.value if e else None,
                        "low": e.low if e else None,
                        "high": e.high if e else None,
                        "n": before,
                        "method": e.method if e else "wilson",
                        "sufficient": before >= stats.MIN_N,
                        "drop_off": 100 - e.value if e else None,
                    }
                result.rows.append(row)
    return result


# Targets measured per touchpoint by the funnel rather than by a KPI sliced by touchpoint: a
# touchpoint's conversion is the share of its customers who go on to the next touchpoint.
_FROM_FUNNEL = {"conversion"}


def touchpoint_health(
    k: KPISource, *, by=(), grain=None, since=None, until=None, where=None, confidence=0.95
) -> KPIResult:
    """Every target of every touchpoint against its measured value over [since, until): status
    ``met`` or ``missed`` (on the estimate), ``significant`` when the interval lies wholly on
    one side of the target, ``no data`` when nothing was measured, ``not per touchpoint`` for
    metrics that belong to customers (churn, revenue retention) rather than a touchpoint, ``not
    measured`` for a metric nothing computes yet."""
    if by or grain:
        raise InputError("touchpoint health is per touchpoint and target: leave out by and grain (use since/until)")
    tp, t, st, j = (k.engine.table(n) for n in ("touchpoints", "touchpoint_targets", "stages", "journeys"))
    q = t.join(tp, t.touchpoint_id == tp.id).join(st, tp.stage_id == st.id).join(j, tp.journey_id == j.id)
    q = q.select(
        journey=j.key,
        stage=st.key,
        touchpoint=tp.key,
        metric=t.metric,
        kind=t.kind,
        target=t.target,
        jp=j.position,
        sp=st.position,
        tpp=tp.position,
    )
    targets = k.engine.execute(q.order_by(["jp", "journey", "sp", "tpp", "touchpoint", "metric"])).to_pylist()
    measured: dict[str, dict[str, dict] | str] = {}
    for metric in sorted({t["metric"] for t in targets}):
        measured[metric] = _by_touchpoint(k, metric, since=since, until=until, where=where, confidence=confidence)
    result = KPIResult("touchpoint_health", ["journey", "stage", "touchpoint", "metric"], None, confidence=confidence)
    for target in targets:
        m = measured[target["metric"]]
        got = m.get(target["touchpoint"]) if isinstance(m, dict) else None
        row = {key: target[key] for key in ("journey", "stage", "touchpoint", "metric", "kind", "target")}
        row |= {key: (got or {}).get(key) for key in ("value", "low", "high", "n", "method")}
        row["status"], row["significant"] = (
            (m, False) if isinstance(m, str) else _status(target["metric"], target["target"], got)
        )
        result.rows.append(row)
    return result


def _by_touchpoint(k: KPISource, metric: str, *, since, until, where, confidence) -> dict[str, dict] | str:
    """{touchpoint: row} of ``metric`` sliced by touchpoint, or why it cannot be: customers'
    outcomes (churn, revenue retention, CLV) are not per touchpoint; a metric no KPI computes
    is not measured."""
    if metric in _FROM_FUNNEL:
        rows = funnel(
            k,
            since=since,
            until=until,
            where={"journey": where["journey"]} if where and "journey" in where else None,
            confidence=confidence,
        ).rows
        return {r["from_touchpoint"]: r for r in rows if r["step"] > 1}
    entry = catalog.CATALOGUE.get(metric)
    if entry is None:
        return "not measured"
    # Customers' outcomes (churn, revenue retention, CLV) and metrics of sources without a
    # touchpoint (invitations, mentions) belong to no one touchpoint.
    if "touchpoint" not in entry.dimensions:
        return "not per touchpoint"
    if entry.spec is None or entry.source not in _PER_TOUCHPOINT:
        return "not measured"
    rows = k.compute(metric, by=["touchpoint"], since=since, until=until, where=where, confidence=confidence).rows
    return {r["touchpoint"]: r for r in rows}


# The sources whose KPIs can be sliced by touchpoint.
_PER_TOUCHPOINT = {"answers", "tickets"}


def _status(metric: str, target: float, got: dict | None) -> tuple[str, bool]:
    if not got or got.get("value") is None:
        return "no data", False
    entry = catalog.CATALOGUE.get(metric)
    higher = entry.higher_is_better if entry is not None and entry.higher_is_better is not None else True
    value, low, high = got["value"], got["low"], got["high"]
    met = value >= target if higher else value <= target
    # Significant: the whole interval is on the side of the target the estimate is on.
    significant = (low > target or high < target) if low is not None and high is not None else False
    return ("met" if met else "missed"), bool(significant)
