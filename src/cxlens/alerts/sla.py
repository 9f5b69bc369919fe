"""When a case is due: the SLA policy of its priority, in calendar time or in business hours.

Each priority's policy (``cases.sla`` of the journeys file) gives two deadlines counted from
the case's opening: the first contact with the customer and the resolution. A case's
``due_at`` is the deadline in force: the first-contact one until the customer was contacted,
then the resolution one, so that "overdue" is one indexed comparison.

Business hours reuse the ticket schedules (:mod:`cxlens.ingest.business_hours`): the case
team's schedule, or the default one. Hours and minutes then count open time only (4h opened
on Friday 15:00 with a 09:00–17:00 week is due Monday 11:00), and ``Nd`` counts working days (``Nw``, five a week):
the deadline is as far into the Nth next working day's hours as the opening was into its own
day's (Friday 15:00 + 2d is Tuesday 15:00; opened before the day's hours, it is that day's
opening N working days on). Without any schedule a business-hours policy falls back on
calendar time, and the case says so (``business_hours`` false).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import sqlalchemy as sa

from ..ingest.business_hours import Schedule, load_schedules
from .case_settings import CaseSettings, Deadline, load_case_settings

__all__ = ["Deadlines", "add_deadline", "add_open_time", "add_working_days", "case_deadlines"]

_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_DAY_US = 86_400 * _US


@dataclass(frozen=True)
class Deadlines:
    """A case's two deadlines (None where its policy sets none) and how they were counted."""

    first_contact_at: datetime | None
    resolve_at: datetime | None
    business_hours: bool
    schedule: str | None = None  # the schedule's key when business hours were used

    @property
    def due_at(self) -> datetime | None:
        """The deadline in force at opening: the first contact's, else the resolution's."""
        return self.first_contact_at or self.resolve_at

    def to_json(self) -> dict:
        return {
            "first_contact_due_at": _iso(self.first_contact_at),
            "resolve_due_at": _iso(self.resolve_at),
            "business_hours": self.business_hours,
            "schedule": self.schedule,
        }


def _iso(at: datetime | None) -> str | None:
    return at.isoformat() if at else None


def _micros(at: datetime) -> int:
    return (at.astimezone(timezone.utc) - _EPOCH) // timedelta(microseconds=1)


def _instant(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=int(micros))


def _intervals(schedule: Schedule, start_us: int, span_days: int) -> tuple[np.ndarray, np.ndarray]:
    starts, ends = schedule.open_intervals(start_us, start_us + span_days * _DAY_US)
    keep = ends > start_us
    return starts[keep], ends[keep]


def add_open_time(schedule: Schedule, start: datetime, seconds: float) -> datetime:
    """The instant at which ``seconds`` of the schedule's open time have passed since ``start``."""
    t0, need = _micros(start), round(seconds * _US)
    span = max(14, int(seconds // 86_400) * 4 + 14)
    while True:
        starts, ends = _intervals(schedule, t0, span)
        a = np.maximum(starts, t0)
        lengths = ends - a
        total = np.cumsum(lengths)
        if len(total) and total[-1] >= need:
            j = int(np.searchsorted(total, need, side="left"))
            before = int(total[j - 1]) if j else 0
            return _instant(int(a[j]) + (need - before))
        if span > 3660:  # ten years of no opening hours: the schedule is closed for good
            raise ValueError(
                f"schedule {schedule.key} has no opening hours for {seconds / 3600:g}h after {start:%Y-%m-%d}"
            )
        span *= 2


def add_working_days(schedule: Schedule, start: datetime, days: int) -> datetime:
    """``days`` working days after ``start``: as far into that day's open time as ``start``
    was into its own working day's (see the module's docstring)."""
    t0 = _micros(start)
    zone = ZoneInfo(schedule.timezone)
    span = days * 3 + 21
    while True:
        starts, ends = schedule.open_intervals(t0 - 2 * _DAY_US, t0 + span * _DAY_US)
        # Group the intervals by the local day they open on.
        local_days = np.array([_instant(a).astimezone(zone).date().toordinal() for a in starts.tolist()], np.int64)
        unique_days = np.unique(local_days)
        # The working day of the start: the first whose hours have not all passed by then.
        last_end = np.array([ends[local_days == d].max() for d in unique_days])
        pos = int(np.searchsorted(last_end, t0, side="right"))
        if pos + days < len(unique_days):
            day = unique_days[pos]
            a, b = starts[local_days == day], ends[local_days == day]
            offset = int(np.clip(t0 - a, 0, b - a).sum())
            ta, tb = starts[local_days == unique_days[pos + days]], ends[local_days == unique_days[pos + days]]
            lengths = tb - ta
            total = np.cumsum(lengths)
            if offset >= total[-1]:
                return _instant(int(tb[-1]))
            j = int(np.searchsorted(total, offset, side="right"))
            before = int(total[j - 1]) if j else 0
            return _instant(int(ta[j]) + offset - before)
        if span > 3660:
            raise ValueError(f"schedule {schedule.key} has fewer than {days} working days after {start:%Y-%m-%d}")
        span *= 2


def add_deadline(schedule: Schedule | None, start: datetime, deadline: Deadline) -> datetime:
    """``start`` plus ``deadline``: calendar time without a schedule, else open time (or
    working days for a deadline given in days)."""
    if schedule is None:
        return start + timedelta(seconds=deadline.seconds)
    if deadline.days is not None:
        weeks = deadline.text.strip().lower().endswith("w")  # a working week is five working days
        return add_working_days(schedule, start, round(deadline.days / 7 * 5) if weeks else int(deadline.days))
    return add_open_time(schedule, start, deadline.seconds)


def case_deadlines(
    conn: sa.Connection, *, priority: str, team: str | None, start: datetime, settings: CaseSettings | None = None
) -> Deadlines:
    """The deadlines of a case of ``priority`` worked by ``team``, opened at ``start``."""
    settings = settings or load_case_settings(conn)
    policy = settings.sla.get(priority)
    if policy is None:
        return Deadlines(None, None, False)
    schedule = load_schedules(conn).schedule_for(team) if policy.business_hours else None
    first = add_deadline(schedule, start, policy.first_contact) if policy.first_contact else None
    resolve = add_deadline(schedule, start, policy.resolve) if policy.resolve else None
    return Deadlines(first, resolve, schedule is not None, schedule.key if schedule else None)
