"""Periods of time as KPIs count them: days, weeks (from Monday), months, quarters and years, in UTC.

A period is named by its start, an aware UTC datetime at midnight; it runs up to the start of
the next one. Everything here is plain datetime arithmetic, so pages and the CLI can use it
without loading an analytics engine.

    >>> start(datetime(2026, 5, 14, 9, tzinfo=timezone.utc), "quarter")
    datetime.datetime(2026, 4, 1, 0, 0, tzinfo=datetime.timezone.utc)
    >>> previous(datetime(2026, 1, 1, tzinfo=timezone.utc), "month")
    datetime.datetime(2025, 12, 1, 0, 0, tzinfo=datetime.timezone.utc)
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from .errors import InputError

__all__ = [
    "COMPARISONS",
    "DAYS",
    "GRAINS",
    "MONDAY_EPOCH_SECONDS",
    "as_utc",
    "check_grain",
    "earlier",
    "end",
    "from_index",
    "index",
    "previous",
    "start",
    "step",
    "timestamp",
]

# Each grain and the unit an engine truncates a timestamp to (Ibis's names).
GRAINS = {"day": "D", "week": "W", "month": "M", "quarter": "Q", "year": "Y"}
# A grain's mean length in days (the Gregorian year), for durations counted in grains.
DAYS = {"day": 1.0, "week": 7.0, "month": 30.4375, "quarter": 91.3125, "year": 365.25}
# 1970-01-05, the first Monday after the Unix epoch: weeks start on Mondays everywhere.
MONDAY_EPOCH_SECONDS = 4 * 86400
# What a period can be compared with: nothing, the period before, the same period a year before.
COMPARISONS = (None, "previous", "year")

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def check_grain(grain: str) -> str:
    """``grain`` itself when it is one of ``GRAINS``; an :class:`InputError` naming them if not."""
    if grain not in GRAINS:
        raise InputError(f"grain {grain!r} is not known; use one of: {', '.join(GRAINS)}")
    return grain


def timestamp(value: str | date | datetime | None, option: str = "date") -> datetime | None:
    """An option's value (``2026-01-31``, an ISO time, a date or a datetime) as a datetime; a
    date or a time without a zone is taken as UTC. ``option`` names it in the error."""
    if value is None or isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{option} {value!r} is not a date; write it as 2026-01-31") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def as_utc(value):
    """A zone-less datetime marked as UTC (the store's rule: SQLite hands back naive times,
    PostgreSQL aware ones); anything else as it is."""
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def start(moment: datetime, grain: str) -> datetime:
    """The start of the ``grain`` period holding ``moment`` (its calendar date, as written)."""
    check_grain(grain)
    day = datetime(moment.year, moment.month, moment.day, tzinfo=timezone.utc)
    if grain == "day":
        return day
    if grain == "week":
        return day - timedelta(days=day.weekday())
    month = {"month": moment.month, "quarter": 3 * ((moment.month - 1) // 3) + 1, "year": 1}[grain]
    return day.replace(month=month, day=1)


def step(period: datetime, grain: str, steps: int = 1) -> datetime:
    """The start of the period ``steps`` after ``period`` (before, if negative)."""
    check_grain(grain)
    if grain in ("day", "week"):
        return period + timedelta(days=(1 if grain == "day" else 7) * steps)
    months = _MONTHS[grain] * steps
    i = period.year * 12 + period.month - 1 + months
    return period.replace(year=i // 12, month=i % 12 + 1)


def end(period: datetime, grain: str) -> datetime:
    """Where the period starting at ``period`` ends: the start of the next one (excluded)."""
    return step(period, grain, 1)


def previous(period: datetime, grain: str) -> datetime:
    """The start of the period before."""
    return step(period, grain, -1)


def earlier(period: datetime, grain: str, compare: str) -> datetime:
    """The period a comparison looks back to: the one before (``"previous"``), or the same one
    a year before (``"year"``; 52 weeks or 364 days before for weeks and days, so weekdays line up)."""
    if compare == "previous":
        return previous(period, grain)
    if grain == "week":
        return period - timedelta(weeks=52)
    if grain == "day":
        return period - timedelta(days=364)
    return step(period, grain, -{"month": 12, "quarter": 4, "year": 1}[grain])


def index(moment: datetime, grain: str) -> int:
    """An integer counting ``grain`` periods, so that the next period is index + 1 (the same
    numbering an engine computes for the revenue KPIs); :func:`from_index` inverts it."""
    check_grain(grain)
    if grain in _MONTHS:
        months = moment.year * 12 + moment.month - 1
        return months // _MONTHS[grain] if grain != "month" else months
    seconds = (as_utc(moment) - _EPOCH).total_seconds()
    if grain == "day":
        return int(seconds // 86400)
    return int((seconds - MONDAY_EPOCH_SECONDS) // (7 * 86400))


def from_index(i: int, grain: str) -> datetime:
    """The start of period number ``i`` (see :func:`index`)."""
    check_grain(grain)
    if grain == "month":
        return datetime(i // 12, i % 12 + 1, 1, tzinfo=timezone.utc)
    if grain == "quarter":
        return datetime(i // 4, (i % 4) * 3 + 1, 1, tzinfo=timezone.utc)
    if grain == "year":
        return datetime(i, 1, 1, tzinfo=timezone.utc)
    return _EPOCH + (timedelta(days=i) if grain == "day" else timedelta(seconds=MONDAY_EPOCH_SECONDS, weeks=i))
