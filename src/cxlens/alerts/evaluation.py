"""One evaluation run: every enabled rule measured (one KPI query each), judged, all p-values of
the run corrected together (Benjamini–Hochberg at q), alerts moved, notifications queued.

The run writes in three steps so that killing it anywhere and running it again does no harm:

1. a check-log row (``alert_checks``, status running) in its own transaction;
2. reading and judging, which writes nothing; then BH over the whole run;
3. per rule, one transaction: its alerts' transitions, their events, their notifications
   (one per rule, run's transitions and notifier, under a key made of them: a rerun finds the
   key and queues nothing) and the cases a firing alert opens (``open_case``; keyed too).

A rule whose transaction committed has nothing left to do on the same window; one that did not
is done again whole. The check row ends as ok or failed with the error.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlencode

import sqlalchemy as sa

from ..errors import CxlensError, InputError
from ..store import Store
from ..store import schema as s
from . import judging, lifecycle, measure
from .outbox import enqueue
from .rules import DEFAULT_Q, AlertRule, AlertSettings, read_rules
from .settings import read_setting

__all__ = [
    "EVALUATED_KINDS",
    "CheckResult",
    "dashboard_link",
    "describe",
    "evaluate",
    "run_check",
]

# The Explorer's filters (web/dashboard.py FILTER_DIMENSIONS); other slice dimensions go to `by`.
LINK_FILTERS = ("journey", "segment", "channel", "team")
VOLUME_KPI = {"tickets": "ticket_volume", "responses": "response_count"}


@dataclass
class CheckResult:
    """What one run did: counts, the alerts that entered firing or resolved, every finding."""

    check_id: int | None
    rules: int
    slices: int
    tests: int
    fired: list = field(default_factory=list)
    resolved: list = field(default_factory=list)
    q: float = DEFAULT_Q
    findings: list = field(default_factory=list)
    errors: dict = field(default_factory=dict)
    queued: int = 0
    cases: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "check_id": self.check_id,
            "rules": self.rules,
            "slices": self.slices,
            "tests": self.tests,
            "q": self.q,
            "fired": [t.to_dict() if hasattr(t, "to_dict") else t for t in self.fired],
            "resolved": [t.to_dict() if hasattr(t, "to_dict") else t for t in self.resolved],
            "findings": self.findings,
            "errors": self.errors,
            "notifications_queued": self.queued,
            "cases": self.cases,
        }


def dashboard_link(rule: AlertRule, slice_: dict, window: measure.Window) -> str:
    """The Explorer view showing this rule's KPI for this slice over the window."""
    metric = rule.kpi or VOLUME_KPI.get(rule.get("source"), "response_count")
    grain = rule.get("grain", "month")
    if rule.kind == "volume" and rule.get("source") in ("theme", "mentions"):
        return "/feedback?" + urlencode(
            {k: v for k, v in {"theme": slice_.get("theme") or rule.get("theme")}.items() if v}
        )
    params = {
        "metric": metric,
        "grain": grain,
        "since": window.start.date().isoformat(),
        "until": measure.shift(measure.period_start(window.end, grain), grain, 1).date().isoformat()
        if rule.kind == "drift"
        else window.end.date().isoformat(),
    }
    chosen = {**{k: v for k, v in rule.where.items() if isinstance(v, str)}, **slice_}
    rest = [d for d in rule.by if d not in LINK_FILTERS]
    if rest:
        params["by"] = rest[0]
    for dim in LINK_FILTERS:
        if chosen.get(dim) is not None:
            params[dim] = chosen[dim]
    return "/explorer?" + urlencode(params)


def _probability(name: str, value: float) -> str:
    # Evidence is stored rounded to 6 decimals: 0 means smaller than that, not impossible.
    return f"{name} < 0.000001" if value <= 0 else f"{name}={value:.2g}"


def describe(rule: AlertRule, slice_: dict, evidence: dict) -> tuple[str, str]:
    """A title and a plain-words summary of one alert."""
    where = ", ".join(f"{k}={v}" for k, v in slice_.items()) or "all"
    title = f"{rule.name}: {rule.kpi or rule.get('source')} at {where}"
    parts = []
    v, lo, hi, n = evidence.get("value"), evidence.get("low"), evidence.get("high"), evidence.get("n")
    if v is not None:
        parts.append(
            f"{v:.1f}"
            + (f" (95% CI {lo:.1f} to {hi:.1f})" if lo is not None and hi is not None and lo != hi else "")
            + f", n={n:,}"
        )
    base = evidence.get("baseline") or {}
    if evidence.get("kind") == "below_target":
        whole = (
            "the whole interval misses it" if evidence.get("whole_interval_wrong_side") else "the interval reaches it"
        )
        parts.append(f"target {evidence['target']:g} ({whole})")
    elif base.get("value") is not None:
        parts.append(f"baseline {base['value']:.1f} (n={base.get('n', 0):,})")
    change = evidence.get("change") or {}
    if change.get("difference") is not None:
        parts.append(f"change {change['difference']:+.1f} (95% CI {change['low']:+.1f} to {change['high']:+.1f})")
    if evidence.get("p") is not None:
        parts.append(
            _probability("p", evidence["p"])
            + (f", {_probability('q', evidence['q'])}" if evidence.get("q") is not None else "")
        )
    if evidence.get("alarm_day"):
        parts.append(f"{evidence['method']} signalled on {evidence['alarm_day']}")
    return title, "; ".join(parts)


def _item(rule: AlertRule, t: lifecycle.Transition) -> dict:
    title, summary = describe(rule, t.slice, t.evidence or {})
    ev = t.evidence or {}
    return {
        "title": f"{t.state.upper()} {title}",
        "summary": summary,
        "link": f"/alerts/{t.alert_id}",
        "rule": rule.name,
        "slice": t.slice,
        "state": t.state,
        "value": ev.get("value"),
        "low": ev.get("low"),
        "high": ev.get("high"),
        "n": ev.get("n"),
        "baseline": (ev.get("baseline") or {}).get("value"),
        "p": ev.get("p"),
        "q": ev.get("q"),
        "dashboard": t.link,
    }


def _notify(conn, rule_id: int, rule: AlertRule, transitions: list[lifecycle.Transition], now: datetime) -> int:
    """One message per notifier for the run's firing/resolved changes of this rule (snoozed ones
    and pending ones stay quiet); its key names them, so a rerun queues nothing."""
    loud = [
        t
        for t in transitions
        if not t.snoozed and (t.state == "firing" or (t.state == "resolved" and t.previous == "firing"))
    ]
    if not loud or not rule.get("notify"):
        return 0
    marks = ";".join(sorted(f"{t.alert_id}:{t.state}:{t.fired_at.isoformat() if t.fired_at else ''}" for t in loud))
    digest = hashlib.sha256(marks.encode()).hexdigest()[:32]
    items = [_item(rule, t) for t in sorted(loud, key=lambda t: t.alert_id)]
    fired = sum(t.state == "firing" for t in loud)
    resolved = len(loud) - fired
    title = f"{rule.name}: " + ", ".join(
        p for p in (f"{fired} firing" if fired else "", f"{resolved} resolved" if resolved else "") if p
    )
    payload = {
        "title": title,
        "summary": "\n".join(f"{i['title']}: {i['summary']}" for i in items),
        "link": items[0]["link"] if len(items) == 1 else f"/alerts?rule={rule.name}",
        "items": items,
    }
    queued = 0
    for notifier in rule["notify"]:
        queued += enqueue(
            conn,
            key=f"alert-run:{rule_id}:{digest}:{notifier}",
            notifier=notifier,
            topic="alert",
            payload=payload,
            now=now,
        )
    return queued


def _open_cases(
    conn, rule_id: int, rule: AlertRule, transitions: list[lifecycle.Transition], now: datetime
) -> list[int]:
    firing = [t for t in transitions if t.state == "firing"]
    if not firing or not rule.get("open_case"):
        return []
    try:
        from .cases import open_case
    except ImportError as exc:
        raise CxlensError(
            f"rule {rule.name!r} opens a case when it fires, but cases are not available ({exc}); "
            "set open_case: false or install a cxlens with cxlens.alerts.cases"
        ) from None
    opened = []
    tps = {row.key: row.id for row in conn.execute(sa.select(s.touchpoints.c.id, s.touchpoints.c.key))}
    for t in firing:
        title, summary = describe(rule, t.slice, t.evidence or {})
        touchpoint = t.slice.get("touchpoint") or rule.where.get("touchpoint")
        case_id = open_case(
            conn,
            source="alert",
            title=title[:300],
            alert_id=t.alert_id,
            rule_id=rule_id,
            touchpoint_id=tps.get(touchpoint) if isinstance(touchpoint, str) else None,
            priority=rule.get("priority", "normal"),
            note=summary,
            origin_key=f"alert:{t.alert_id}:{t.fired_at.isoformat() if t.fired_at else ''}",
            now=now,
        )
        if case_id is not None:
            opened.append(case_id)
    return opened


def _start(store: Store, trigger: str, now: datetime) -> int:
    with store.engine.begin() as conn:
        return conn.execute(
            s.alert_checks.insert()
            .values(started_at=now, trigger=trigger, status="running")
            .returning(s.alert_checks.c.id)
        ).scalar_one()


def _finish(store: Store, check_id: int, **values) -> None:
    with store.engine.begin() as conn:
        conn.execute(
            s.alert_checks.update()
            .where(s.alert_checks.c.id == check_id)
            .values(finished_at=datetime.now(UTC), **values)
        )


def evaluate(
    kpis,
    rules: list[tuple[int | None, AlertRule]],
    now: datetime,
    q: float,
    targets_of,
    elsewhere=lambda metric: [],
) -> tuple[list, dict, dict]:
    """Measure and judge ``rules`` (writes nothing) and correct the run's tests together:
    (findings with q and breach set, {rule name: Measurement}, {rule name: error}).
    ``targets_of(kpi)``: the touchpoints' targets of a KPI; ``elsewhere(kpi)``: the other
    statistics of its values that have targets."""
    findings: list[judging.Finding] = []
    measured: dict[str, measure.Measurement] = {}
    errors: dict[str, str] = {}
    for _rule_id, rule in rules:
        try:
            targets = targets_of(rule.kpi) if rule.kind == "below_target" else {}
            if rule.kind == "below_target" and not targets and rule.get("target") is None:
                _refuse_other_statistic(rule, elsewhere(rule.kpi))
            m = measure.measure(kpis, rule, now, targets)
            findings.extend(judging.judge(m))
            measured[rule.name] = m
        except Exception as exc:  # noqa: BLE001 - one broken rule (a table the tier lacks …) must not silence the others
            errors[rule.name] = str(exc) if isinstance(exc, CxlensError) else f"{type(exc).__name__}: {exc}"
    judging.apply_fdr(findings, q)
    return findings, measured, errors


def _refuse_other_statistic(rule: AlertRule, others: list[str]) -> None:
    """A rule that would find no target only because the journeys set them for another
    statistic of the same times says so, rather than watching nothing."""
    if others:
        raise InputError(
            f"rule {rule.name!r}: no touchpoint sets a target for {rule.kpi}; the journeys set targets for "
            f"{', '.join(others)}: write kpi: {others[0]} in the rule"
        )


EVALUATED_KINDS = ("below_target", "change", "drift", "volume")  # answer rules run on each new item instead


def run_check(
    store: Store,
    *,
    trigger: str = "cli",
    now: datetime | None = None,
    kpis=None,
    rules: AlertSettings | None = None,
) -> CheckResult:
    """Evaluate every enabled rule now (``now``: the moment to evaluate as, for tests and
    replays). ``kpis``: a KPI engine to use (a long-running process passes its warm tier-0 one;
    default: the store's own database). ``rules``: evaluate these instead of the stored rules,
    as a dry run (nothing is written, not even the check log)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    dry = rules is not None
    with store.engine.connect() as conn:
        q = rules.q if dry else float(read_setting(conn, "alerts.q", DEFAULT_Q))
        chosen = (
            [(None, r) for r in rules.rules if r.kind != "answer"] if dry else read_rules(conn, kinds=EVALUATED_KINDS)
        )
    if kpis is None and chosen:  # the KPI engine loads Ibis: a store with no such rules needs none of it
        from ..analytics.kpis import KPIs

        kpis = KPIs(store)
    cache: dict[str, dict] = {}

    def targets_of(metric: str) -> dict:
        if metric not in cache:
            with store.engine.connect() as c:
                cache[metric] = measure.touchpoint_targets(c, metric)
        return cache[metric]

    def elsewhere(metric: str) -> list[str]:
        with store.engine.connect() as c:
            return measure.targets_elsewhere(c, metric)

    check_id = None if dry else _start(store, trigger, now)
    try:
        findings, measured, errors = evaluate(kpis, chosen, now, q, targets_of, elsewhere)
        result = CheckResult(check_id, len(chosen), len(findings), sum(f.tested for f in findings), q=q, errors=errors)
        result.findings = [{"rule": f.rule.name, "slice": f.slice, **f.to_evidence()} for f in findings]
        if not dry:
            _apply(store, chosen, findings, measured, check_id, now, result)
        else:
            result.fired = [{"rule": f.rule.name, "slice": f.slice, **f.to_evidence()} for f in findings if f.breach]
    except BaseException as exc:
        if check_id is not None:
            _finish(
                store,
                check_id,
                status="failed",
                error="".join(traceback.format_exception_only(type(exc), exc)).strip()[:4000],
            )
        raise
    if check_id is not None:
        _finish(
            store,
            check_id,
            status="ok",
            rules=result.rules,
            slices=result.slices,
            tests=result.tests,
            fired=len(result.fired),
            resolved=len(result.resolved),
            q=q,
            error="; ".join(f"{k}: {v}" for k, v in errors.items()) or None,
        )
    return result


def _apply(store: Store, chosen, findings, measured, check_id, now, result: CheckResult) -> None:
    by_rule: dict[str, list[judging.Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule.name, []).append(f)
    for rule_id, rule in chosen:
        m = measured.get(rule.name)
        if m is None:  # its measurement failed: its alerts wait for a run that can judge it
            continue
        judged = []
        for f in by_rule.get(rule.name, []):
            evidence = {**f.to_evidence(), "window": m.window.to_dict()}
            judged.append((f.slice, f.breach, evidence, dashboard_link(rule, f.slice, m.window)))
        with store.engine.begin() as conn:
            transitions = lifecycle.step_rule(
                conn,
                rule_id=rule_id,
                rule_name=rule.name,
                pending_periods=int(rule.get("pending_periods", 1)),
                keep_firing_periods=int(rule.get("keep_firing_periods", 1)),
                judged=judged,
                window=(m.window.start, m.window.end),
                check_id=check_id,
                now=now,
            )
            result.queued += _notify(conn, rule_id, rule, transitions, now)
            result.cases.extend(_open_cases(conn, rule_id, rule, transitions, now))
        for t in transitions:
            if t.state == "firing":
                result.fired.append(t)
            elif t.state == "resolved":
                result.resolved.append(t)
