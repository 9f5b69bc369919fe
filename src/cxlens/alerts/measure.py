"""What a rule watches, measured: each slice's sufficient statistics per period, from one
query per rule through the KPI engine (all slices and all periods the judgement needs at once).

A rule's *window* is the span of time its judgement reads, and the period it judges:

- ``below_target``, ``change``, ``volume``: the latest complete period of the rule's grain (the
  one before the period ``now`` falls in), and for change/volume the periods before it that
  the baseline pools;
- ``drift``: the complete days of the current period, and ``baseline_days`` days before it.

The window's end is the evaluation's identity: an alert counts a breach once per window, so
running the evaluation again on the same window changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from .. import catalog
from ..analytics import kpis as k
from ..store import schema as s
from .rules import VOLUME_FACTS, AlertRule

__all__ = [
    "Measurement",
    "Window",
    "add_sums",
    "measure",
    "period_start",
    "rule_window",
    "shift",
    "targets_elsewhere",
    "touchpoint_targets",
]


def period_start(moment: datetime, grain: str) -> datetime:
    """The start (UTC) of the ``grain`` period holding ``moment``; weeks start on Monday."""
    moment = moment.astimezone(UTC)
    day = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    month = {"month": moment.month, "quarter": 3 * ((moment.month - 1) // 3) + 1}[grain]
    return day.replace(month=month, day=1)


def shift(period: datetime, grain: str, steps: int) -> datetime:
    """The start of the period ``steps`` after ``period`` (before, when negative)."""
    if grain in ("day", "week"):
        return period + timedelta(days=(1 if grain == "day" else 7) * steps)
    months = {"month": 1, "quarter": 3}[grain] * steps
    index = period.year * 12 + period.month - 1 + months
    return period.replace(year=index // 12, month=index % 12 + 1)


@dataclass(frozen=True)
class Window:
    """``start``..``end`` (end exclusive) read by the rule; ``judged`` is the period judged
    (drift: the current period's first day), ``baseline`` the periods (or days) it is judged
    against, oldest first."""

    start: datetime
    end: datetime
    judged: datetime
    baseline: tuple[datetime, ...]
    grain: str  # the grain the rows come in (drift: day)

    def to_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "judged": self.judged.isoformat(),
            "baseline": [b.isoformat() for b in self.baseline],
            "grain": self.grain,
        }


def rule_window(rule: AlertRule, now: datetime) -> Window:
    grain = rule.get("grain", "month")
    current = period_start(now, grain)
    if rule.kind == "drift":
        today = period_start(now, "day")
        days = int(rule.get("baseline_days", 28))
        start = current - timedelta(days=days)
        return Window(start, today, current, tuple(start + timedelta(days=i) for i in range(days)), "day")
    latest = shift(current, grain, -1)
    if rule.kind == "change":
        back = 1 if rule.get("baseline", "previous") == "previous" else int(rule.get("trailing_periods", 3))
    elif rule.kind == "volume":
        back = int(rule.get("baseline_periods", 4))
    else:
        back = 0
    baseline = tuple(shift(latest, grain, -i) for i in range(back, 0, -1))
    return Window(baseline[0] if baseline else latest, current, latest, baseline, grain)


@dataclass
class Measurement:
    """Per slice (a tuple of the ``by`` values) and period start: the KPI's sums (or ``n``,
    the count, for volume; per theme for a theme rule without a theme name)."""

    rule: AlertRule
    window: Window
    by: list[str]
    slices: dict[tuple, dict[datetime, dict[str, Any]]] = field(default_factory=dict)
    themes: dict[tuple, dict[str, dict[datetime, int]]] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)

    def slice_dict(self, key: tuple) -> dict:
        return dict(zip(self.by, key))


def add_sums(a: dict | None, b: dict) -> dict:
    """Sufficient statistics of two groups together (counts and sums add)."""
    if not a:
        return {key: (value or 0) for key, value in b.items()}
    return {key: (a.get(key) or 0) + (value or 0) for key, value in b.items()}


def _utc(value: datetime) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    return datetime(value.year, value.month, value.day, tzinfo=UTC)


def measure(kpis: k.KPIs, rule: AlertRule, now: datetime, targets: dict[str, float] | None = None) -> Measurement:
    """One query for ``rule``: every slice, every period of its window."""
    window = rule_window(rule, now)
    m = Measurement(rule, window, rule.by, targets=targets or {})
    if rule.kind == "volume":
        _measure_volume(kpis, rule, window, m)
        return m
    expr = kpis.expression(
        rule.kpi, by=rule.by, grain=window.grain, since=window.start, until=window.end, where=rule.where or None
    )
    _collect(m, kpis.engine.execute(expr).to_pylist())
    return m


def _collect(m: Measurement, rows: list[dict]) -> None:
    for row in rows:
        period = _utc(row.pop("period"))
        key = tuple(row.pop(d) for d in m.by)
        m.slices.setdefault(key, {})[period] = row


def _measure_volume(kpis: k.KPIs, rule: AlertRule, window: Window, m: Measurement) -> None:
    source = rule.get("source", "tickets")
    theme = rule.get("theme")
    dims = [*rule.by, *(rule.where or {})] + (["theme"] if source == "theme" else [])
    t = kpis.rows(VOLUME_FACTS[source], dims)
    t = t.filter((t.at >= _naive(t.at, window.start)) & (t.at < _naive(t.at, window.end)))
    for dim, wanted in (rule.where or {}).items():
        t = t.filter(t[dim].isin([wanted] if isinstance(wanted, str) else list(wanted)))
    t = t.mutate(period=t.at.truncate(k.GRAINS[window.grain]))
    if source == "theme" and theme:
        t = t.filter(t.theme == theme)
    keys = [*rule.by, "period"] + (["theme"] if source == "theme" and not theme else [])
    rows = kpis.engine.execute(t.group_by(keys).aggregate(n=t.count())).to_pylist()
    if source == "theme" and not theme:
        for row in rows:
            key = tuple(row[d] for d in rule.by)
            period = _utc(row["period"])
            bucket = m.slices.setdefault(key, {}).setdefault(period, {"n": 0})
            bucket["n"] += row["n"]  # every text with a theme in the period: the share's denominator
            if row["theme"] is not None:
                m.themes.setdefault(key, {}).setdefault(row["theme"], {})[period] = row["n"]
        return
    _collect(m, rows)


def _naive(column, moment: datetime) -> datetime:
    # As the KPI engine does: compare a zone-less column (the mirror's) with a zone-less literal.
    if column.type().timezone is None:
        return moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def touchpoint_targets(conn: sa.Connection, metric: str) -> dict[str, float]:
    """Each touchpoint's target for ``metric`` (by touchpoint key)."""
    tt, tp = s.touchpoint_targets, s.touchpoints
    rows = conn.execute(
        sa.select(tp.c.key, tt.c.target).join(tp, tp.c.id == tt.c.touchpoint_id).where(tt.c.metric == metric)
    )
    return {row.key: float(row.target) for row in rows}


def targets_elsewhere(conn: sa.Connection, metric: str) -> list[str]:
    """The other statistics of ``metric``'s values that touchpoints set targets for: a rule on
    the mean of first response time finds none when the journeys' targets name the median
    (``first_response_time: {median: 2m}`` is stored as ``first_response_median``)."""
    base = catalog.base_metric(metric)
    siblings = [name for name in catalog.NAMES if name != metric and catalog.base_metric(name) == base]
    if not siblings:
        return []
    tt = s.touchpoint_targets
    rows = conn.execute(sa.select(tt.c.metric).where(tt.c.metric.in_(siblings)).distinct())
    return sorted(row.metric for row in rows)
