"""Schedules: how much of a span fell inside a support team's opening hours.

A :class:`Schedule` is an IANA time zone, weekly opening hours (several intervals a day, an
interval may run past midnight) and holidays (whole local days closed). Like Zendesk, cxlens
stores each ticket's business-hours durations when the ticket is written, so KPIs only sum and
count; the tickets import computes them from the schedule of the ticket's team (or the default
schedule) when the file does not give them.

The meaning is the wall clock's: an instant is open when the schedule's local time at that
instant falls inside the day's hours and its local date is no holiday. So on the night clocks go
forward an interval loses the skipped hour (it opens when the clock jumps past its start), and
when they go back the repeated hour counts twice; a span's business time is always a number of
real (UTC) seconds.

How it is fast: the open intervals over the whole range of the data are built once, in UTC, as
sorted arrays ``S`` (starts) and ``E`` (ends) with ``C``, the open time before each interval.
The open time from the beginning of the range to an instant ``t`` is

    F(t) = C[j] + min(t − S[j], E[j] − S[j])    with j the last interval starting at or before t

and a span's business time is ``F(end) − F(start)``: two binary searches per span, in NumPy, over
integer microseconds (so business(a, c) = business(a, b) + business(b, c) exactly).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ...errors import InputError

__all__ = [
    "BusinessDurations",
    "REASONS",
    "Schedule",
    "ScheduleBook",
    "WEEKDAYS",
    "parse_day_hours",
    "parse_days",
    "parse_holiday",
    "parse_time_zone",
    "show",
]

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = {
    name: day
    for day, name in zip(WEEKDAYS, ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
}
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_US = 1_000_000
_DAY_US = 86_400 * _US
_MINUTE_US = 60 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# 1970-01-01 was a Thursday: weekday (Monday = 0) of a day number is (day + 3) % 7.
_THURSDAY = 3
# Offsets are probed this often to find the zone's transitions; no zone changes its offset
# twice within a day (Ramadan suspensions of DST are weeks apart).
_PROBE_US = _DAY_US

# Why a duration is null, by code (BusinessDurations.codes).
REASONS = ("", "no start time", "no end time", "ends before it starts", "not between 1900 and 2199")
_NO_START, _NO_END, _BACKWARDS, _OUT_OF_RANGE = 1, 2, 3, 4
# Opening hours are built for every day a span touches: a placeholder such as 9999-12-31 for
# "never" would cost millions of days (and overflow the calendar), so such spans get no value.
_FIRST_US = (datetime(1900, 1, 1, tzinfo=timezone.utc) - _EPOCH) // timedelta(microseconds=1)
_LAST_US = (datetime(2200, 1, 1, tzinfo=timezone.utc) - _EPOCH) // timedelta(microseconds=1)


# --- declaring a schedule ----------------------------------------------------------------------


def parse_time_zone(value: Any) -> str:
    """An IANA zone name, checked; raises InputError that says what to write."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{show(value)} is not a time zone; write an IANA name such as Europe/Berlin")
    try:
        ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError(
            f"{show(value)} is not an IANA time zone; write e.g. Europe/Berlin or America/New_York"
        ) from None
    return value.strip()


def parse_days(value: Any) -> list[int]:
    """``mon``, ``monday``, ``mon-fri``, ``sat,sun`` or ``daily`` → weekday numbers (Monday 0)."""
    text = str(value).strip().lower()
    if text in ("daily", "every day", "all"):
        return list(range(7))
    days: list[int] = []
    for part in text.split(","):
        ends = [p.strip() for p in part.split("-")]
        if len(ends) not in (1, 2) or not all(_day(e) is not None for e in ends):
            raise InputError(f"{show(value)} is not a day or range of days; write e.g. mon, mon-fri, sat,sun or daily")
        first, last = _day(ends[0]), _day(ends[-1])
        days += [(first + k) % 7 for k in range((last - first) % 7 + 1)]  # fri-mon wraps the weekend
    return sorted(set(days))


def _day(text: str) -> int | None:
    text = _FULL_NAMES.get(text, text)
    return WEEKDAYS.index(text) if text in WEEKDAYS else None


def parse_day_hours(value: Any) -> list[tuple[int, int]]:
    """A day's opening hours → (start, end) minutes after local midnight.

    ``09:00-17:00``, a list of such (``[09:00-12:00, 13:00-17:00]``), ``00:00-24:00`` for all
    day, ``closed`` or ``[]``. An end before its start runs past midnight (``22:00-06:00``)."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "closed"):
        return []
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        parts = str(item).split("-") if isinstance(item, str) else []
        if len(parts) != 2:
            raise InputError(
                f"{show(item)} is not an opening interval; write HH:MM-HH:MM, e.g. 09:00-17:00 (or closed)"
            )
        start, end = _minutes(parts[0], item), _minutes(parts[1], item)
        if start == 1440:
            raise InputError(f"{show(item)} starts at 24:00; write 00:00 (24:00 can only end an interval)")
        if start == end:
            raise InputError(f"{show(item)} is empty; for the whole day write 00:00-24:00")
        out.append((start, end if end > start else end + 1440))  # past midnight: into the next day
    return out


def _minutes(text: str, item: Any) -> int:
    found = _TIME.match(text)
    if not found or int(found.group(2)) > 59 or int(found.group(1)) * 60 + int(found.group(2)) > 1440:
        raise InputError(f"{show(item)}: {text.strip()!r} is not a time of day; write HH:MM from 00:00 to 24:00")
    return int(found.group(1)) * 60 + int(found.group(2))


def parse_holiday(value: Any) -> list[date]:
    """A holiday: a date (``2026-12-25``) or a range of dates (``2026-12-24..2026-12-26``)."""
    if isinstance(value, datetime):
        raise InputError(
            f"{show(value)} has a time; a holiday is a whole local day: write only the date, e.g. 2026-12-25"
        )
    if isinstance(value, date):
        return [value]
    parts = str(value).split("..")
    try:
        first, last = date.fromisoformat(parts[0].strip()), date.fromisoformat(parts[-1].strip())
    except ValueError:
        raise InputError(f"{show(value)} is not a date; write YYYY-MM-DD, or a range 2026-12-24..2026-12-26") from None
    if len(parts) > 2 or last < first:
        raise InputError(f"{show(value)} is not a range of dates; write FIRST..LAST with FIRST on or before LAST")
    return [first + timedelta(days=k) for k in range((last - first).days + 1)]


def show(value: Any) -> str:
    """A value as a problem message quotes it: text in quotes, anything long cut short."""
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- the schedule ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessDurations:
    """Business seconds per span (NaN where there is none) and why not, as a code per span
    (0: a number; see ``REASONS``)."""

    seconds: np.ndarray
    codes: np.ndarray

    @property
    def reasons(self) -> list[str | None]:
        """Why each null is null (None where there is a number)."""
        return [REASONS[c] or None for c in self.codes.tolist()]

    def to_arrow(self) -> pa.Array:
        return pa.array(self.seconds, pa.float64(), mask=self.codes != 0)


@dataclass(frozen=True)
class Schedule:
    """Opening hours in a time zone, with holidays.

    ``hours`` maps days (``mon``, ``mon-fri``, ``sat,sun``, ``daily``) to a day's hours
    (see :func:`parse_day_hours`); a later entry replaces an earlier one for the days it names,
    so ``{"mon-fri": "09:00-17:00", "fri": "09:00-15:00"}`` closes early on Fridays.
    ``holidays``: dates (or ``FIRST..LAST`` ranges), closed all day in the schedule's zone.
    ``teams``: the ticket teams that work on it; ``default``: the schedule of every other team.
    """

    key: str
    timezone: str
    hours: Mapping[str, Any]
    holidays: Sequence[Any] = ()
    name: str | None = None
    teams: Sequence[str] = ()
    default: bool = False
    _week: tuple[tuple[tuple[int, int], ...], ...] = field(init=False, repr=False, compare=False)
    _holiday_days: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        zone = parse_time_zone(self.timezone)
        object.__setattr__(self, "timezone", zone)
        # One team or holiday given bare, not in a list, is still one (not its letters).
        for name in ("teams", "holidays"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, (str, date)) else tuple(value or ()))
        week: list[list[tuple[int, int]]] = [[] for _ in WEEKDAYS]
        if not isinstance(self.hours, Mapping):
            raise InputError(f"schedule {self.key}: hours must map days to hours, e.g. {{'mon-fri': '09:00-17:00'}}")
        for days, value in self.hours.items():
            spans = parse_day_hours(value)
            for d in parse_days(days):
                week[d] = list(spans)
        if not any(week):
            raise InputError(
                f"schedule {self.key}: has no opening hours; give at least one day, e.g. mon-fri: 09:00-17:00"
            )
        object.__setattr__(self, "_week", tuple(tuple(w) for w in week))
        days = sorted({d for h in self.holidays for d in parse_holiday(h)})
        object.__setattr__(self, "_holiday_days", np.array([(d - date(1970, 1, 1)).days for d in days], np.int64))

    # -- what is stored --

    def weekly_hours(self) -> dict[str, list[str]]:
        """The hours per weekday as declared (``{"mon": ["09:00-17:00"], ...}``), closed days left out."""
        return {
            WEEKDAYS[d]: [f"{_hhmm(a)}-{_hhmm(b % 1440 if b > 1440 else b)}" for a, b in spans]
            for d, spans in enumerate(self._week)
            if spans
        }

    def holiday_dates(self) -> list[str]:
        return [(date(1970, 1, 1) + timedelta(days=int(d))).isoformat() for d in self._holiday_days]

    # -- computing --

    def business_seconds(self, start: Any, end: Any) -> BusinessDurations:
        """Business seconds of each span from ``start[i]`` to ``end[i]`` (UTC instants: Arrow
        timestamps, NumPy datetime64 read as UTC, or aware datetimes).

        Null where either end is missing, the span ends before it starts, or it reaches outside
        1900–2199 (``reasons`` says which)."""
        a, a_ok = _micros(start)
        b, b_ok = _micros(end)
        if len(a) != len(b):
            raise InputError(f"business_seconds: {len(a)} start(s) but {len(b)} end(s); give one of each per span")
        codes = np.zeros(len(a), np.int8)
        codes[~b_ok] = _NO_END
        codes[~a_ok] = _NO_START
        codes[(codes == 0) & (b < a)] = _BACKWARDS
        codes[(codes == 0) & ((a < _FIRST_US) | (b >= _LAST_US))] = _OUT_OF_RANGE
        ok = codes == 0
        seconds = np.full(len(a), np.nan)
        if ok.any():
            a_ok_values, b_ok_values = a[ok], b[ok]
            open_before = self._open_time(int(a_ok_values.min()), int(b_ok_values.max()))
            seconds[ok] = (open_before(b_ok_values) - open_before(a_ok_values)) / _US
        return BusinessDurations(seconds, codes)

    def _open_time(self, lo: int, hi: int):
        """F(t) of the module's docstring over [lo, hi] (UTC microseconds)."""
        starts, ends = self.open_intervals(lo, hi)
        if not len(starts):
            return lambda t: np.zeros(len(t), np.int64)
        lengths = ends - starts
        before = np.concatenate(([0], np.cumsum(lengths)))

        def open_before(t: np.ndarray) -> np.ndarray:
            j = np.searchsorted(starts, t, side="right")
            k = np.maximum(j - 1, 0)
            return np.where(j > 0, before[k] + np.clip(t - starts[k], 0, lengths[k]), 0)

        return open_before

    def open_intervals(self, lo: int, hi: int) -> tuple[np.ndarray, np.ndarray]:
        """The UTC intervals (microseconds, sorted, disjoint) when the schedule is open, covering
        [lo, hi]: local intervals built for every day, then mapped through the zone's offsets."""
        first_day, last_day = lo // _DAY_US - 2, hi // _DAY_US + 2  # local days reach ±14 h off UTC
        local_a, local_b = self._local_intervals(first_day, last_day)
        pieces = _offset_pieces(ZoneInfo(self.timezone), first_day * _DAY_US, (last_day + 1) * _DAY_US)
        starts, ends = [], []
        for piece_start, piece_end, offset in pieces:
            # The instants of this piece whose wall time is inside a local interval.
            a = np.maximum(local_a - offset, piece_start)
            b = np.minimum(local_b - offset, piece_end)
            keep = a < b
            starts.append(a[keep])
            ends.append(b[keep])
        starts_all, ends_all = np.concatenate(starts), np.concatenate(ends)
        order = np.argsort(starts_all, kind="stable")
        return starts_all[order], ends_all[order]

    def _local_intervals(self, first_day: int, last_day: int) -> tuple[np.ndarray, np.ndarray]:
        """Open intervals in local wall time (microseconds since local 1970-01-01 00:00)."""
        days = np.arange(first_day, last_day + 1, dtype=np.int64)
        open_days = days[~np.isin(days, self._holiday_days)]
        weekday = (open_days + _THURSDAY) % 7
        a_parts, b_parts = [], []
        for d, spans in enumerate(self._week):
            on = open_days[weekday == d] * _DAY_US
            for start, end in spans:
                a_parts.append(on + start * _MINUTE_US)
                b_parts.append(on + min(end, 1440) * _MINUTE_US)
        # The part of an interval past midnight belongs to the next local day, and is closed
        # when that day is a holiday.
        for d, spans in enumerate(self._week):
            on = open_days[weekday == (d + 1) % 7] * _DAY_US
            for start, end in spans:
                if end > 1440:
                    a_parts.append(on)
                    b_parts.append(on + (end - 1440) * _MINUTE_US)
        a, b = np.concatenate(a_parts), np.concatenate(b_parts)
        return _union(a, b)


def _union(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted, disjoint intervals covering the same instants (hours may overlap as declared)."""
    order = np.argsort(a, kind="stable")
    a, b = a[order], b[order]
    reach = np.maximum.accumulate(b)
    # An interval starts a new run when it begins after everything before it has ended.
    new = np.ones(len(a), bool)
    new[1:] = a[1:] > reach[:-1]
    run = np.cumsum(new) - 1
    ends = np.zeros(int(run[-1]) + 1 if len(run) else 0, np.int64)
    np.maximum.at(ends, run, b)
    return a[new], ends


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _offset_pieces(zone: ZoneInfo, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """(start, end, offset) in UTC microseconds covering [lo, hi): where the zone's UTC offset
    is constant. Found a year at a time and remembered: an import asks for the same years of
    the same zones for every schedule and span column."""
    first, last = _year_of(lo), _year_of(hi)
    pieces = []
    for year in range(first, last + 1):
        for start, end, offset in _year_pieces(zone.key, year):
            if end > lo and start < hi:
                pieces.append((max(start, lo), min(end, hi), offset))
    return pieces


def _year_of(micros: int) -> int:
    return (_EPOCH + timedelta(microseconds=micros)).year


@lru_cache(maxsize=4096)
def _year_pieces(zone_name: str, year: int) -> tuple[tuple[int, int, int], ...]:
    zone = ZoneInfo(zone_name)
    lo = (datetime(year, 1, 1, tzinfo=timezone.utc) - _EPOCH) // timedelta(microseconds=1)
    hi = lo + (datetime(year + 1, 1, 1) - datetime(year, 1, 1)) // timedelta(microseconds=1)
    probes = list(range(lo, hi, _PROBE_US)) + [hi]
    offsets = [_offset(zone, t) for t in probes]
    pieces, start = [], lo
    for k in range(1, len(probes)):
        if offsets[k] != offsets[k - 1]:
            change = _transition(zone, probes[k - 1], probes[k], offsets[k - 1])
            pieces.append((start, change, offsets[k - 1]))
            start = change
    pieces.append((start, hi, offsets[-1]))
    return tuple(pieces)


def _offset(zone: ZoneInfo, micros: int) -> int:
    # Probes are whole seconds (day starts, then bisection in seconds).
    return int(datetime.fromtimestamp(micros // _US, zone).utcoffset().total_seconds()) * _US


def _transition(zone: ZoneInfo, lo: int, hi: int, before: int) -> int:
    """The first instant in (lo, hi] with another offset than ``before`` (to the second)."""
    lo_s, hi_s = lo // _US, -(-hi // _US)
    while hi_s - lo_s > 1:
        mid = (lo_s + hi_s) // 2
        if _offset(zone, mid * _US) == before:
            lo_s = mid
        else:
            hi_s = mid
    return hi_s * _US


def _micros(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """UTC microseconds since 1970 and a validity mask."""
    if isinstance(values, np.ndarray) and np.issubdtype(values.dtype, np.datetime64):
        ok = ~np.isnat(values)
        return values.astype("datetime64[us]").view(np.int64), ok
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        values = list(values)
        for v in values:
            if v is not None and (not isinstance(v, datetime) or v.tzinfo is None):
                raise InputError(
                    f"business_seconds: {v!r} is not an aware datetime; attach a time zone (cxlens works in UTC)"
                )
        values = pa.array(
            [None if v is None else v.astimezone(timezone.utc) for v in values], pa.timestamp("us", "UTC")
        )
    if not pa.types.is_timestamp(values.type):
        raise InputError(f"business_seconds: expected timestamps, got {values.type}")
    ok = pc.is_valid(values).to_numpy(zero_copy_only=False)
    micros = pc.cast(pc.cast(values, pa.timestamp("us", values.type.tz), safe=False), pa.int64())
    return pc.fill_null(micros, 0).to_numpy(zero_copy_only=False).astype(np.int64, copy=False), ok


# --- which schedule a ticket uses ---------------------------------------------------------------------


@dataclass
class ScheduleBook:
    """The stored schedules: each team's, and the default for the others (may be none)."""

    schedules: dict[str, Schedule] = field(default_factory=dict)
    by_team: dict[str, str] = field(default_factory=dict)  # team -> schedule key
    default: str | None = None

    def __bool__(self) -> bool:
        return bool(self.schedules)

    def schedule_for(self, team: str | None) -> Schedule | None:
        key = self.by_team.get(team, self.default) if team is not None else self.default
        return self.schedules.get(key) if key is not None else None

    def business_seconds(self, teams: pa.Array | None, start: Any, end: Any) -> pa.Array:
        """Business seconds per span, each on its team's schedule; null without a schedule."""
        a, a_ok = _micros(start)
        b, b_ok = _micros(end)
        out = np.full(len(a), np.nan)
        known = np.zeros(len(a), bool)
        team_values = pc.unique(teams).to_pylist() if teams is not None else [None]
        groups: dict[str, list] = {}
        for team in team_values:
            schedule = self.schedule_for(team)
            if schedule is not None:
                groups.setdefault(schedule.key, []).append(team)
        for key, members in groups.items():
            if teams is None:
                rows = np.ones(len(a), bool)
            else:
                named = [t for t in members if t is not None]
                rows = pc.fill_null(pc.is_in(teams, value_set=pa.array(named, pa.string())), False).to_numpy(
                    zero_copy_only=False
                )
                if None in members:
                    rows |= pc.is_null(teams).to_numpy(zero_copy_only=False)
            rows = rows & a_ok & b_ok
            if rows.any():
                d = self.schedules[key].business_seconds(
                    a[rows].astype("datetime64[us]"), b[rows].astype("datetime64[us]")
                )
                out[rows] = d.seconds
                known[rows] = d.codes == 0
        return pa.array(out, pa.float64(), mask=~known)
