"""Business hours: support teams' opening hours (:mod:`.schedule`: a time zone, weekly hours and
holidays, and how much of a span fell inside them) and the tickets' business-hours durations
computed from them when tickets are written (:mod:`.tickets`)."""

from .schedule import (
    REASONS,
    WEEKDAYS,
    BusinessDurations,
    Schedule,
    ScheduleBook,
    parse_day_hours,
    parse_days,
    parse_holiday,
    parse_time_zone,
)
from .tickets import derive_ticket_durations, load_schedules, recompute_business_seconds, save_schedules

__all__ = [
    "BusinessDurations",
    "REASONS",
    "Schedule",
    "ScheduleBook",
    "WEEKDAYS",
    "derive_ticket_durations",
    "load_schedules",
    "parse_day_hours",
    "parse_days",
    "parse_holiday",
    "parse_time_zone",
    "recompute_business_seconds",
    "save_schedules",
]
