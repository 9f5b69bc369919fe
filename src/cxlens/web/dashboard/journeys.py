"""The Journey map: every journey's stages and touchpoints, each touchpoint coloured by how
its targets fared in the view, with its answer count and the journey's funnel.

A target is met or missed "surely" when the test of value against target (two-sided, from the
KPI's interval) survives Benjamini–Hochberg across all the targets the map shows
(:mod:`.significance`); alone, twenty targets at p < 0.05 would colour one of them by chance.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from ibis.common.exceptions import TableNotFound

from ...access import Session
from ...errors import InputError
from ...ingest.journeys import journey_tree
from .. import charts
from ..deps import kpi_engine_of
from .filters import Filters
from .render import error_page, page_context, render
from .session import current_session
from .significance import fdr_rows, footnote, page_q, target_p_value

__all__ = ["correct_targets", "health_of", "journey_map", "router", "targets_tested"]

router = APIRouter(include_in_schema=False)
_SEVERITY = {"missed-significant": 4, "missed": 3, "met": 1, "met-significant": 0}


def health_of(rows: list[dict]) -> str:
    """A touchpoint's colour: the worst of its targets that were measured ("surely" by
    ``fdr_significant`` once :func:`correct_targets` ran, else by the row's own test)."""
    worst, measured = None, False
    for r in rows:
        if r["status"] not in ("met", "missed"):
            continue
        measured = True
        key = f"{r['status']}-significant" if r.get("fdr_significant", r["significant"]) else r["status"]
        if worst is None or _SEVERITY[key] > _SEVERITY[worst]:
            worst = key
    if not measured:
        return "unknown"
    return {"missed-significant": "bad", "missed": "warn", "met": "ok", "met-significant": "good"}[worst]


def _health(kpis, filters: Filters) -> tuple[list[dict], str | None]:
    """Target rows of every touchpoint, and why they are missing if they cannot be computed."""
    where, _ = filters.where_for("touchpoint_health")
    try:
        return kpis.compute(
            "touchpoint_health", since=filters.since, until=filters.until, where=where or None
        ).rows, None
    except TableNotFound as exc:
        # A target whose KPI reads a table the tier-0 copy lacks (an engine gap): show the map,
        # its counts and funnel, and say why the colours are missing.
        return (
            [],
            f"Touchpoint health cannot be computed on this store's analytics tier yet: its copy lacks the table {exc}.",
        )


def correct_targets(rows: list[dict], q: float, confidence: float = 0.95) -> tuple[list[dict], int]:
    """Target rows with ``p_value`` (value against target), ``q_value`` and ``fdr_significant``
    (Benjamini–Hochberg at ``q`` over the measured ones), and how many were tested."""
    with_p = [
        r
        | {
            "p_value": target_p_value(r.get("value"), r.get("low"), r.get("high"), r["target"], confidence)
            if r["status"] in ("met", "missed")
            else None
        }
        for r in rows
    ]
    corrected = fdr_rows(with_p, q)
    return corrected, sum(1 for r in corrected if r["q_value"] is not None)


def _annotate(journey: dict, by_tp: dict, counts: dict, steps: dict, problem: str | None) -> None:
    """Put each touchpoint's health, targets, answers and funnel row on the journey tree, and
    each stage's step (a sequential stage's steps are its touchpoints')."""
    bars: dict[int, dict] = {}
    for st in journey["stages"]:
        for tp in st["touchpoints"]:
            tp["health"] = health_of(by_tp.get(tp["key"], []))
            tp["targets_health"] = by_tp.get(tp["key"], [])
            tp["responses"] = counts.get(tp["key"], 0)
            tp["step"] = step = steps.get((journey["key"], tp["key"]))
            if step:
                label = tp["name"] if st["sequential"] else st["name"]
                bars.setdefault(step["step"], step | {"touchpoint": label, "reached": step["step_reached"]})
        found = [tp["step"] for tp in st["touchpoints"] if tp["step"]]
        st["step"] = found[0] if found and not st["sequential"] else None
    path = [bars[n] for n in sorted(bars)]
    journey["funnel_chart"] = charts.funnel(path) if len(path) > 1 else None
    journey["health_problem"] = problem
    for st in journey["stages"]:
        for row in [st["step"], *(tp["step"] for tp in st["touchpoints"])]:
            if row and row["from_step"] in bars:
                row["from_name"] = bars[row["from_step"]]["touchpoint"]


def journey_map(kpis, store, filters: Filters, q: float = 0.05) -> list[dict]:
    """The map with each touchpoint's health, target rows, response count, and each
    journey's funnel (conversion from the previous step and the drop-off). The targets of the
    touchpoints shown are tested together at false-discovery rate ``q`` (:func:`correct_targets`)."""
    health, problem = _health(kpis, filters)
    where_r, _ = filters.where_for("response_count")
    counts = {
        r["touchpoint"]: r["value"]
        for r in kpis.compute(
            "response_count", by=["touchpoint"], since=filters.since, until=filters.until, where=where_r or None
        ).rows
    }
    where_f, _ = filters.where_for("funnel")
    steps = {
        (r["journey"], r["touchpoint"]): r
        for r in kpis.compute("funnel", since=filters.since, until=filters.until, where=where_f or None).rows
    }
    tree = journey_tree(store)
    if filters.journey:
        tree = [j for j in tree if j["key"] == filters.journey]
    shown = {tp["key"] for j in tree for st in j["stages"] for tp in st["touchpoints"]}
    health, _ = correct_targets([r for r in health if r["touchpoint"] in shown], q)
    by_tp: dict[str, list[dict]] = {}
    for r in health:
        by_tp.setdefault(r["touchpoint"], []).append(r)
    for j in tree:
        _annotate(j, by_tp, counts, steps, problem)
    return tree


def targets_tested(tree: list[dict]) -> int:
    """How many targets of the map were tested together (those with a q-value)."""
    return sum(
        1
        for j in tree
        for st in j["stages"]
        for tp in st["touchpoints"]
        for r in tp["targets_health"]
        if r.get("q_value") is not None
    )


@router.get("/journeys", response_class=HTMLResponse)
def journeys_page(request: Request, session: Session = Depends(current_session)):
    try:
        filters = Filters.from_request(request)
        store = request.app.state.store
        q = page_q(store)
        tree = journey_map(kpi_engine_of(request), store, filters, q)
        tested = targets_tested(tree)
    except InputError as exc:
        return error_page(request, exc)
    ignored = [d for d in filters.chosen() if d not in ("journey", "segment")]
    return render(
        request,
        "dashboard/journeys.html",
        page_context(
            request,
            filters,
            journeys=tree,
            ignored=ignored,
            title="Journey map",
            fdr_note=footnote(tested, q, "touchpoint targets") if tested else None,
        ),
    )
