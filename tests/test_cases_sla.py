"""Case deadlines: calendar time, and business hours on the ticket schedules across a weekend."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from test_cases_fixtures import T0, setup_cases

from cxlens.alerts import cases as c
from cxlens.alerts.case_settings import parse_deadline
from cxlens.alerts.case_views import case_detail
from cxlens.alerts.sla import add_deadline, add_open_time, case_deadlines
from cxlens.ingest.business_hours import Schedule, save_schedules
from cxlens.store import schema as s


@pytest.fixture
def cases_store(mapped_store):
    return setup_cases(mapped_store)


BERLIN = ZoneInfo("Europe/Berlin")
WEEK = Schedule("week", "Europe/Berlin", {"mon-fri": "09:00-17:00"}, holidays=["2026-03-10"])


def local(*args) -> datetime:
    return datetime(*args, tzinfo=BERLIN)


@pytest.mark.parametrize(
    "opened, deadline, due",
    [
        (local(2026, 3, 6, 15, 0), "4h", local(2026, 3, 9, 11, 0)),  # Friday 15:00 + 4 open hours: Monday 11:00
        (local(2026, 3, 6, 15, 0), "2d", local(2026, 3, 11, 15, 0)),  # two working days; Tuesday 10th is a holiday
        (local(2026, 3, 6, 15, 0), "1d", local(2026, 3, 9, 15, 0)),
        (local(2026, 3, 7, 12, 0), "1h", local(2026, 3, 9, 10, 0)),  # opened on Saturday: the clock starts Monday
        (local(2026, 3, 6, 7, 0), "30m", local(2026, 3, 6, 9, 30)),  # before opening
        (local(2026, 3, 6, 19, 0), "1d", local(2026, 3, 11, 9, 0)),  # after closing: Monday counts as day 0
        (local(2026, 3, 2, 10, 0), "1w", local(2026, 3, 9, 10, 0)),  # a working week: five working days
    ],
)
def test_business_hours_skip_the_weekend_and_holidays(opened, deadline, due):
    assert add_deadline(WEEK, opened, parse_deadline(deadline)) == due


def test_calendar_time_counts_every_hour():
    assert add_deadline(None, local(2026, 3, 6, 15, 0), parse_deadline("2d")) == local(2026, 3, 8, 15, 0)


def test_open_time_is_additive_over_long_spans():
    start = local(2026, 3, 6, 15, 0)
    a = add_open_time(WEEK, start, 40 * 3600)
    b = add_open_time(WEEK, add_open_time(WEEK, start, 15 * 3600), 25 * 3600)
    assert a == b
    assert WEEK.business_seconds([start], [a]).seconds[0] == 40 * 3600


def test_a_high_priority_case_is_due_in_business_hours_of_its_teams_schedule(cases_store):
    """Friday 15:00 in Berlin, high priority: first contact in 4 open hours, resolved in 2 working days."""
    with cases_store.begin() as conn:
        save_schedules(conn, [Schedule("support", "Europe/Berlin", {"mon-fri": "09:00-17:00"}, teams=["support"])])
        friday = local(2026, 3, 6, 15, 0)
        case_id = c.open_case(conn, source="manual", title="urgent", priority="high", now=friday)
        detail = case_detail(conn, case_id)
        assert detail.business_hours
        assert detail.case.due_at == local(2026, 3, 9, 11, 0)  # first contact: 4 open hours
        opened = detail.timeline[0]["data"]
        assert opened["resolve_due_at"] == local(2026, 3, 10, 15, 0).astimezone(timezone.utc).isoformat()
        c.mark_contacted(conn, case_id, now=local(2026, 3, 9, 10, 0))
        assert case_detail(conn, case_id).case.due_at == local(2026, 3, 10, 15, 0)


def test_without_a_schedule_business_hours_fall_back_on_calendar_time(cases_store):
    with cases_store.begin() as conn:
        conn.execute(s.schedules.delete())  # the demo's journeys bring a default schedule
        deadlines = case_deadlines(conn, priority="high", team="support", start=T0)
    assert not deadlines.business_hours and deadlines.first_contact_at == T0 + timedelta(hours=4)
    assert deadlines.resolve_at == T0 + timedelta(days=2)


def test_a_priority_without_policy_has_no_deadline(cases_store):
    with cases_store.begin() as conn:
        assert case_deadlines(conn, priority="low", team=None, start=T0).due_at is None
