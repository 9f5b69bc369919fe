"""KPIs along the journey map: the funnel between stages, and each touchpoint's health.

A journey's steps are its stages in map order. A stage's touchpoints are alternatives (a
customer asks for help by chat, by e-mail or by phone), so a customer reaches the stage at the
first event at any of them; a stage marked ``sequential`` is a step per touchpoint instead,
and an ``optional`` stage may be skipped. Conversion into a step is the share of the customers
at the step before it (the last one not optional; DESIGN.md §5) whose first event there comes
at or after their first event at that earlier step, in the view's period. Each touchpoint has
its share of its stage: the customers whose first event in the stage was at it, so the shares
of a stage add up to 100 %. The engine returns small count tables, never a row per customer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import ibis

from .. import catalog
from ..errors import InputError
from ..periods import timestamp
from . import stats
from .facts import KPISource, bound, check_dimensions, filter_dimensions
from .result import KPIResult
from .touchpoint_outcomes import outcome_by_touchpoint

__all__ = [
    "FunnelCounts",
    "Step",
    "funnel",
    "funnel_counts",
    "funnel_expressions",
    "journey_steps",
    "touchpoint_conversion",
    "touchpoint_health",
]


@dataclass
class Step:
    """One step of a journey's funnel: a stage (its touchpoints alternatives), or one
    touchpoint of a sequential stage."""

    number: int
    id: int  # unique over all journeys: the engine groups by it
    stage: str
    optional: bool
    touchpoints: list[tuple[int, str]] = field(default_factory=list)  # (touchpoint id, key)
    # The step conversion into this one is measured from (None for the first).
    source: Step | None = None
    # The next step that is not optional (what a touchpoint of this step converts into).
    next: Step | None = None


def journey_steps(k: KPISource, journeys: list[str] | None = None) -> dict[str, list[Step]]:
    """Each journey's funnel steps in map order: {journey key: [Step, …]}."""
    tp, st, j = k.engine.table("touchpoints"), k.engine.table("stages"), k.engine.table("journeys")
    q = tp.join(st, tp.stage_id == st.id).join(j, tp.journey_id == j.id)
    q = q.select(
        journey=j.key,
        j_position=j.position,
        s_position=st.position,
        stage_id=st.id,
        stage=st.key,
        optional=st.optional,
        sequential=st.sequential,
        t_position=tp.position,
        tp_id=tp.id,
        touchpoint=tp.key,
    )
    if journeys:
        q = q.filter(q.journey.isin(journeys))
    rows = k.engine.execute(q.order_by(["j_position", "journey", "s_position", "t_position", "tp_id"])).to_pylist()
    steps: dict[str, list[Step]] = {}
    by_stage: dict[int, Step] = {}
    for r in rows:
        path = steps.setdefault(r["journey"], [])
        if r["sequential"] or r["stage_id"] not in by_stage:
            step = Step(len(path) + 1, 0, r["stage"], bool(r["optional"]))
            path.append(step)
            by_stage[r["stage_id"]] = step
        by_stage[r["stage_id"]].touchpoints.append((r["tp_id"], r["touchpoint"]))
    number = 0
    for path in steps.values():
        for i, step in enumerate(path):
            number += 1
            step.id = number
            if i:
                required = [s for s in path[:i] if not s.optional]
                step.source = required[-1] if required else path[0]
            step.next = next((s for s in path[i + 1 :] if not s.optional), None)
    return steps


@dataclass
class FunnelCounts:
    """What the engine counted, each keyed by (step or touchpoint id, *group)."""

    at_step: dict[tuple, int]  # customers reaching the step
    at_touchpoint: dict[tuple, int]  # customers with an event at the touchpoint
    first_at: dict[tuple, int]  # customers whose first event in the step was at the touchpoint
    into_step: dict[tuple, int]  # customers at the step's source who went on to it
    went_on: dict[tuple, int]  # customers at the touchpoint who went on to its step's next one
    groups: list[tuple]


def _first_events(k: KPISource, ids: list[int], *, by, since, until, where) -> ibis.Table:
    e = k.engine.table("events")
    e = e.select(customer_id=e.customer_id, touchpoint_id=e.touchpoint_id, at=e.occurred_at)
    e = e.filter(e.touchpoint_id.isin(ids))
    if since is not None:
        e = e.filter(e.at >= bound(e.at, since))
    if until is not None:
        e = e.filter(e.at < bound(e.at, until))
    if by or where:
        c = filter_dimensions(k.engine.table("customers"), where, "customers")
        c = c.select(c_id=c.id, **{d: c[d] for d in by})
        e = e.join(c, e.customer_id == c.c_id).drop("c_id")
    return e.group_by(["customer_id", "touchpoint_id", *by]).aggregate(first=e.at.min())


def _mapped(column: ibis.Expr, mapping: dict[int, int]) -> ibis.Expr:
    return ibis.cases(*((column == a, b) for a, b in mapping.items()))


def _counted(k: KPISource, expr: ibis.Table, key: str, by) -> dict[tuple, int]:
    return {(r[key], *(r[d] for d in by)): r["customers"] for r in k.engine.execute(expr).to_pylist()}


def funnel_expressions(
    k: KPISource, steps: dict[str, list[Step]], *, by=(), since=None, until=None, where=None
) -> dict[str, ibis.Table | list[ibis.Table]]:
    """The engine's questions behind :class:`FunnelCounts`, by its field names (``into_step``:
    a list, one join per round of :func:`_rounds`), each counting ``customers``."""
    all_steps = [s for path in steps.values() for s in path]
    step_of = {tp_id: s.id for s in all_steps for tp_id, _ in s.touchpoints}
    first = _first_events(k, sorted(step_of), by=by, since=since, until=until, where=where)
    at_tp = first.group_by(["touchpoint_id", *by]).aggregate(customers=first.count())
    first = first.mutate(step=_mapped(first.touchpoint_id, step_of))
    per_step = first.group_by(["customer_id", "step", *by]).aggregate(first=first.first.min())
    # Who came into the step through which touchpoint: the earliest (ties: the lowest id).
    rank = ibis.row_number().over(group_by=[first.customer_id, first.step], order_by=[first.first, first.touchpoint_id])
    entries = first.mutate(rank=rank)
    entries = entries.filter(entries.rank == 0)
    later = per_step.select(n_customer=per_step.customer_id, n_step=per_step.step, n_first=per_step.first)

    def followed(src: ibis.Table, key: str) -> ibis.Table:
        # Each row names the step it must be followed by (``target``), so the pairing is an
        # equality join, which engines hash (an OR of pairs in the condition compares far more).
        j = src.join(
            later, [src.customer_id == later.n_customer, src.target == later.n_step, later.n_first >= src.first]
        )
        return j.group_by([j[key], *by]).aggregate(customers=j.count())

    sources: dict[int, list[int]] = {}
    for s in all_steps:
        if s.source is not None:
            sources.setdefault(s.source.id, []).append(s.id)
    into = []
    for targets in _rounds(sources):
        src = per_step.filter(per_step.step.isin(list(targets)))
        into.append(followed(src.mutate(target=_mapped(src.step, targets)), "n_step"))
    nexts = {tp_id: s.next.id for s in all_steps if s.next is not None for tp_id, _ in s.touchpoints}
    exprs: dict[str, ibis.Table | list[ibis.Table]] = {
        "at_step": per_step.group_by(["step", *by]).aggregate(customers=per_step.count()),
        "at_touchpoint": at_tp,
        "first_at": entries.group_by(["touchpoint_id", *by]).aggregate(customers=entries.count()),
        "into_step": into,
    }
    if nexts:
        src = first.filter(first.touchpoint_id.isin(list(nexts)))
        exprs["went_on"] = followed(src.mutate(target=_mapped(src.touchpoint_id, nexts)), "touchpoint_id")
    return exprs


def funnel_counts(k: KPISource, steps: dict[str, list[Step]], *, by=(), since=None, until=None, where=None):
    """The funnel's counts for ``steps`` (see :class:`FunnelCounts`), customers' events in
    [since, until) filtered by ``where`` and grouped by ``by`` (customer dimensions)."""
    exprs = funnel_expressions(k, steps, by=by, since=since, until=until, where=where)
    into: dict[tuple, int] = {}
    for expr in exprs["into_step"]:
        into |= _counted(k, expr, "n_step", by)
    reached = _counted(k, exprs["at_step"], "step", by)
    return FunnelCounts(
        at_step=reached,
        at_touchpoint=_counted(k, exprs["at_touchpoint"], "touchpoint_id", by),
        first_at=_counted(k, exprs["first_at"], "touchpoint_id", by),
        into_step=into,
        went_on=_counted(k, exprs["went_on"], "touchpoint_id", by) if "went_on" in exprs else {},
        groups=sorted({key[1:] for key in reached}, key=lambda g: tuple(str(v) for v in g)),
    )


def _rounds(sources: dict[int, list[int]]) -> list[dict[int, int]]:
    """{source step: target step} maps, each source once per map: a step that several later
    steps are measured from (an optional step between) takes one join per target."""
    rounds: list[dict[int, int]] = []
    for source, targets in sources.items():
        for i, target in enumerate(targets):
            if len(rounds) <= i:
                rounds.append({})
            rounds[i][source] = target
    return rounds


def _estimate(successes: int, n: int, confidence: float) -> dict:
    e = stats.as_percent(stats.proportion(successes, n, confidence=confidence)) if n else None
    return {
        "value": e.value if e else None,
        "low": e.low if e else None,
        "high": e.high if e else None,
        "n": n,
        "method": e.method if e else "wilson",
        "sufficient": n >= stats.MIN_N,
    }


def funnel(k: KPISource, *, by=(), grain=None, since=None, until=None, where=None, confidence=0.95) -> KPIResult:
    """Per journey, step and touchpoint of the step: ``step_reached`` (customers reaching the
    step), ``value`` (the % of those at ``from_stage``, the step it is measured from, who went on
    to it; Wilson interval, n = customers there; 100 on the first step) and ``drop_off``; the
    touchpoint's ``reached`` (customers with an event there), ``first_here`` and ``share`` (the
    % of the step's customers who came into it there: a step's shares add up to 100).
    ``optional`` steps may be skipped: the next step is measured from the one before them.
    ``where={"journey": …}`` picks journeys; ``by`` slices by customer dimensions; events in
    [since, until)."""
    if grain is not None:
        raise InputError("the funnel counts customers over a period: give since/until instead of a grain")
    where = dict(where or {})
    wanted = where.pop("journey", None)
    journeys = [wanted] if isinstance(wanted, str) else wanted
    by = check_dimensions(by, "customers")
    steps = journey_steps(k, journeys)
    result = KPIResult("funnel", ["journey", "step", "touchpoint", *by], None, confidence=confidence)
    if not steps:
        return result
    since, until = timestamp(since, "--since"), timestamp(until, "--until")
    counts = funnel_counts(k, steps, by=by, since=since, until=until, where=where)
    for journey, path in steps.items():
        for group in counts.groups:
            for step in path:
                result.rows.extend(_step_rows(journey, step, group, by, counts, confidence))
    return result


def _step_rows(journey: str, step: Step, group: tuple, by, counts: FunnelCounts, confidence: float) -> list[dict]:
    reached = counts.at_step.get((step.id, *group), 0)
    if step.source is None:
        estimate = _estimate(reached, reached, confidence) | {"method": "first step"}
    else:
        before = counts.at_step.get((step.source.id, *group), 0)
        estimate = _estimate(counts.into_step.get((step.id, *group), 0), before, confidence)
    rows = []
    for tp_id, tp_key in step.touchpoints:
        first_here = counts.first_at.get((tp_id, *group), 0)
        rows.append(
            {
                "journey": journey,
                "step": step.number,
                "touchpoint": tp_key,
                **dict(zip(by, group)),
                "stage": step.stage,
                "optional": step.optional,
                "from_stage": step.source.stage if step.source else None,
                "from_step": step.source.number if step.source else None,
                "step_reached": reached,
                "reached": counts.at_touchpoint.get((tp_id, *group), 0),
                "first_here": first_here,
                "share": 100 * first_here / reached if reached else None,
                **estimate,
                "drop_off": 100 - estimate["value"] if estimate["value"] is not None else None,
            }
        )
    return rows


def touchpoint_conversion(k: KPISource, *, since=None, until=None, where=None, confidence=0.95) -> dict[str, dict]:
    """{touchpoint: estimate} of the % of a touchpoint's customers who went on to the next step
    of its journey that is not optional (n = the touchpoint's customers); touchpoints of a
    journey's last step have none."""
    where = dict(where or {})
    wanted = where.pop("journey", None)
    steps = journey_steps(k, [wanted] if isinstance(wanted, str) else wanted)
    if not steps:
        return {}
    since, until = timestamp(since, "--since"), timestamp(until, "--until")
    counts = funnel_counts(k, steps, since=since, until=until, where=where)
    return {
        tp_key: _estimate(counts.went_on.get((tp_id,), 0), counts.at_touchpoint.get((tp_id,), 0), confidence)
        for path in steps.values()
        for step in path
        if step.next is not None
        for tp_id, tp_key in step.touchpoints
    }


# Targets measured per touchpoint by the funnel rather than by a KPI sliced by touchpoint: a
# touchpoint's conversion is the share of its customers who go on to the next step.
_FROM_FUNNEL = {"conversion"}


def touchpoint_health(
    k: KPISource, *, by=(), grain=None, since=None, until=None, where=None, confidence=0.95
) -> KPIResult:
    """Every target of every touchpoint against its measured value over [since, until): status
    ``met`` or ``missed`` (on the estimate), ``significant`` when the interval lies wholly on
    one side of the target, ``no data`` when nothing was measured, ``not per touchpoint`` for
    a target a journeys file can no longer set (revenue retention: loading refuses it), ``not
    measured`` for a metric nothing computes yet; ``why`` says what a person can do about the
    last three. Churn and retention at a touchpoint are those of the customers who passed it
    (:mod:`.touchpoint_outcomes`); conversion, its customers who went on to the next stage."""
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
        row["why"] = _why_not(target["metric"], row["status"], got)
        result.rows.append(row)
    return result


def _by_touchpoint(k: KPISource, metric: str, *, since, until, where, confidence) -> dict[str, dict] | str:
    """{touchpoint: row} of ``metric`` sliced by touchpoint, or why it cannot be: customers'
    outcomes (churn, revenue retention, CLV) are not per touchpoint; a metric no KPI computes
    is not measured."""
    journey = {"journey": where["journey"]} if where and "journey" in where else None
    if metric in _FROM_FUNNEL:
        return touchpoint_conversion(k, since=since, until=until, where=journey, confidence=confidence)
    if metric in catalog.TOUCHPOINT_OUTCOMES:
        return outcome_by_touchpoint(k, metric, since=since, until=until, where=journey, confidence=confidence)
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


# Why a target has no value in the view, by where its KPI's rows come from.
_NO_DATA = {
    "answers": "no answers about this touchpoint in this view (does a survey ask about it?)",
    "tickets": "no tickets at this touchpoint in this view",
    "events": "no customers at this touchpoint in this view, or it is on its journey's last stage",
    "customers": f"no customer passed it at least {catalog.CHURN_AFTER_DAYS} days before the view's end",
}


def _why_not(metric: str, status: str, got: dict | None) -> str | None:
    """What a person reads next to a target that could not be judged."""
    if status == "no data":
        entry = catalog.CATALOGUE.get(metric)
        return _NO_DATA.get(entry.source if entry else "", "nothing measured it in this view")
    if status == "not per touchpoint":
        return catalog.touchpoint_target_problem(metric)
    if status == "not measured":
        return "no KPI computes this metric"
    return None


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
