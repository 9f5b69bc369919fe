"""Business hours: schedules, business seconds (hand-worked, properties, a minute-by-minute
reference), schedules in the journeys file, and the tickets import that computes them."""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pytest
import sqlalchemy as sa
import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cxlens.errors import ImportRejected, InputError, JourneyFileError
from cxlens.ingest import import_file, load_journeys
from cxlens.ingest.business_hours import Schedule, recompute_business_seconds
from cxlens.ingest.journeys import parse_journeys

UTC = timezone.utc
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = {"mon-fri": ["09:00-12:00", "13:00-17:00"]}


def one(schedule: Schedule, start: datetime | None, end: datetime | None) -> float | None:
    """The business seconds of one span (None where there are none)."""
    result = schedule.business_seconds([start], [end])
    return None if result.codes[0] else float(result.seconds[0])


# --- hand-worked examples ----------------------------------------------------------------------


def test_a_weekend_between_two_working_days():
    office = Schedule("office", "Europe/Berlin", OFFICE)
    # Friday 16:00 to Monday 10:00: one hour on Friday, one on Monday.
    assert one(office, datetime(2026, 3, 6, 16, tzinfo=BERLIN), datetime(2026, 3, 9, 10, tzinfo=BERLIN)) == 7200
    # Inside the lunch break, and from before opening to after closing.
    assert one(office, datetime(2026, 3, 9, 12, 10, tzinfo=BERLIN), datetime(2026, 3, 9, 12, 50, tzinfo=BERLIN)) == 0
    assert one(office, datetime(2026, 3, 9, 6, tzinfo=BERLIN), datetime(2026, 3, 9, 22, tzinfo=BERLIN)) == 7 * 3600


def test_berlin_dst_the_weekend_clocks_change_does_not_move_office_hours():
    office = Schedule("office", "Europe/Berlin", OFFICE)
    # Clocks go forward on Sunday 2026-03-29 and back on Sunday 2026-10-25; the calendar span
    # is an hour shorter (longer), the business time is still Friday 16-17 and Monday 9-10.
    spring = (datetime(2026, 3, 27, 16, tzinfo=BERLIN), datetime(2026, 3, 30, 10, tzinfo=BERLIN))
    autumn = (datetime(2026, 10, 23, 16, tzinfo=BERLIN), datetime(2026, 10, 26, 10, tzinfo=BERLIN))
    assert (spring[1].astimezone(UTC) - spring[0].astimezone(UTC)).total_seconds() == 66 * 3600 - 3600
    assert one(office, *spring) == 7200
    assert one(office, *autumn) == 7200


def test_berlin_dst_night_shift_loses_or_gains_the_hour():
    night = Schedule("night", "Europe/Berlin", {"daily": "01:00-04:00"})
    day = lambda d, h: datetime(2026, 3 if d == "spring" else 10, 29 if d == "spring" else 25, h, tzinfo=BERLIN)  # noqa: E731
    # 02:00-03:00 does not exist on 29 March: three hours on the clock are two real hours.
    assert one(night, day("spring", 0), day("spring", 5)) == 2 * 3600
    # 02:00-03:00 happens twice on 25 October: four real hours.
    assert one(night, day("autumn", 0), day("autumn", 5)) == 4 * 3600
    # An interval inside the skipped hour never opens; inside the repeated hour it opens twice.
    short = Schedule("short", "Europe/Berlin", {"daily": "02:15-02:45"})
    assert one(short, day("spring", 0), day("spring", 5)) == 0
    assert one(short, day("autumn", 0), day("autumn", 5)) == 3600


def test_new_york_dst_days_are_23_and_25_hours_long():
    always = Schedule("always", "America/New_York", {"daily": "00:00-24:00"})
    for day, hours in ((date(2026, 3, 8), 23), (date(2026, 11, 1), 25), (date(2026, 6, 1), 24)):
        start = datetime(day.year, day.month, day.day, tzinfo=NEW_YORK)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=NEW_YORK)
        assert one(always, start, end) == hours * 3600


def test_new_york_office_over_the_spring_weekend_and_a_holiday():
    office = Schedule("office", "America/New_York", {"mon-fri": "09:00-17:00"}, holidays=["2026-03-09"])
    # Friday 16:00 EST to Tuesday 10:00 EDT, Monday a holiday: 1 h + 1 h.
    start, end = datetime(2026, 3, 6, 16, tzinfo=NEW_YORK), datetime(2026, 3, 10, 10, tzinfo=NEW_YORK)
    assert one(office, start, end) == 7200
    assert one(Schedule("office", "America/New_York", {"mon-fri": "09:00-17:00"}), start, end) == 10 * 3600


def test_overnight_hours_and_a_holiday_after_midnight():
    nights = Schedule("nights", "America/New_York", {"mon-fri": "22:00-06:00"})
    mon, tue = datetime(2026, 6, 1, 21, tzinfo=NEW_YORK), datetime(2026, 6, 2, 7, tzinfo=NEW_YORK)
    assert one(nights, mon, tue) == 8 * 3600
    # A holiday closes its whole local day: Tuesday's 00:00-06:00 too.
    closed_tuesday = Schedule("nights", "America/New_York", {"mon-fri": "22:00-06:00"}, holidays=[date(2026, 6, 2)])
    assert one(closed_tuesday, mon, tue) == 2 * 3600
    # Friday night runs into Saturday.
    assert one(nights, datetime(2026, 6, 5, 22, tzinfo=NEW_YORK), datetime(2026, 6, 6, 12, tzinfo=NEW_YORK)) == 8 * 3600


def test_multi_week_spans_holiday_ranges_and_later_days_override():
    office = Schedule(
        "office", "Europe/Berlin", {"mon-fri": "09:00-17:00", "fri": "09:00-15:00"}, holidays=["2026-12-24..2026-12-26"]
    )
    # Three weeks from Monday 2026-06-01: 3 × (4 × 8 h + 6 h).
    start = datetime(2026, 6, 1, tzinfo=BERLIN)
    assert one(office, start, start + timedelta(weeks=3)) == 3 * 38 * 3600
    # Christmas week 2026: Thursday 24 and Friday 25 closed; Monday–Wednesday remain.
    assert one(office, datetime(2026, 12, 21, tzinfo=BERLIN), datetime(2026, 12, 28, tzinfo=BERLIN)) == 3 * 8 * 3600


def test_nulls_say_why():
    office = Schedule("office", "Europe/Berlin", OFFICE)
    at = datetime(2026, 6, 1, 10, tzinfo=UTC)
    result = office.business_seconds([at, None, at, at], [at - timedelta(seconds=1), at, None, at])
    assert result.reasons == ["ends before it starts", "no start time", "no end time", None]
    assert result.to_arrow().to_pylist() == [None, None, None, 0.0]
    # A placeholder for "never" is no span to walk day by day.
    never, long_ago = datetime(9999, 12, 31, tzinfo=UTC), datetime(1850, 1, 1, tzinfo=UTC)
    assert office.business_seconds([at, long_ago], [never, at]).reasons == ["not between 1900 and 2199"] * 2


def test_inputs_can_be_arrow_numpy_or_aware_datetimes():
    office = Schedule("office", "UTC", {"daily": "00:00-24:00"})
    start = np.array(["2026-06-01T00:00:00"], "datetime64[us]")
    end = pa.array([datetime(2026, 6, 1, 1, tzinfo=UTC)], pa.timestamp("us", "UTC"))
    assert office.business_seconds(start, end).seconds.tolist() == [3600.0]
    with pytest.raises(InputError, match="aware"):
        office.business_seconds([datetime(2026, 6, 1)], [datetime(2026, 6, 2)])


@pytest.mark.parametrize(
    "hours, message",
    [
        ({"mon-fry": "09:00-17:00"}, "is not a day"),
        ({"mon": "9am to 5pm"}, "is not an opening interval"),
        ({"mon": "9-5"}, "'9' is not a time of day"),
        ({"mon": "09:00-25:00"}, "is not a time of day"),
        ({"mon": "09:00-09:00"}, "is empty"),
        ({"mon": "closed"}, "has no opening hours"),
    ],
)
def test_bad_hours_are_refused(hours, message):
    with pytest.raises(InputError, match=message):
        Schedule("s", "Europe/Berlin", hours)


def test_bad_zone_and_holiday_are_refused():
    with pytest.raises(InputError, match="IANA"):
        Schedule("s", "Europe/Berlinn", OFFICE)
    with pytest.raises(InputError, match="not a date"):
        Schedule("s", "Europe/Berlin", OFFICE, holidays=["25.12.2026"])


# --- properties ----------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns"]
NO_DST = ["UTC", "Asia/Tokyo", "Asia/Kolkata", "Asia/Kathmandu"]
LO = int(datetime(2025, 1, 1, tzinfo=UTC).timestamp())
HI = int(datetime(2027, 12, 31, tzinfo=UTC).timestamp())


@st.composite
def day_hours(draw):
    """0–2 intervals of whole quarter hours; an end before its start runs past midnight."""
    spans = []
    for _ in range(draw(st.integers(0, 2))):
        a, b = draw(st.integers(0, 95)), draw(st.integers(0, 96))
        assume(a != b % 96 or b == 96)
        spans.append(f"{a // 4:02d}:{a % 4 * 15:02d}-{b // 4:02d}:{b % 4 * 15:02d}")
    return spans


@st.composite
def schedules(draw, zones=ZONES, holidays=True):
    week = {day: draw(day_hours()) for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    assume(any(week.values()))
    days = draw(st.lists(st.dates(date(2025, 1, 1), date(2027, 12, 31)), max_size=40)) if holidays else []
    return Schedule("s", draw(st.sampled_from(zones)), week, days)


def dst_moments():
    """Instants near a DST change of the zones above, where the bugs would be."""
    moments = []
    for zone in ("Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "America/St_Johns"):
        tz = ZoneInfo(zone)
        t = LO
        while t < HI:
            if datetime.fromtimestamp(t, tz).utcoffset() != datetime.fromtimestamp(t + 86400, tz).utcoffset():
                moments.append(t)
            t += 86400
    return moments


DST_MOMENTS = dst_moments()
instants = st.one_of(
    st.integers(LO, HI),
    st.builds(lambda m, d: m + d, st.sampled_from(DST_MOMENTS), st.integers(-3 * 86400, 3 * 86400)),
)


def utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@settings(deadline=None, max_examples=150)
@given(schedules(), instants, st.integers(0, 60 * 86400))
def test_business_time_is_never_negative_nor_longer_than_calendar_time(schedule, start, length):
    seconds = one(schedule, utc(start), utc(start + length))
    assert 0 <= seconds <= length


@settings(deadline=None, max_examples=150)
@given(schedules(), instants, st.integers(0, 20 * 86400), st.integers(0, 20 * 86400))
def test_business_time_adds_up(schedule, a, ab, bc):
    b, c = a + ab, a + ab + bc
    whole = one(schedule, utc(a), utc(c))
    assert whole == pytest.approx(one(schedule, utc(a), utc(b)) + one(schedule, utc(b), utc(c)), abs=1e-6)


@settings(deadline=None, max_examples=100)
@given(schedules(), st.dates(date(2025, 1, 1), date(2027, 12, 20)), st.integers(0, 86399), st.integers(0, 86399))
def test_nothing_is_open_on_a_closed_weekend_or_a_holiday(schedule, day, x, y):
    zone = ZoneInfo(schedule.timezone)
    weekend = Schedule("w", schedule.timezone, {"mon-fri": "08:00-18:00"}, holidays=[day])
    saturday = day + timedelta(days=(5 - day.weekday()) % 7)
    for closed in (day, saturday):
        midnight = datetime.combine(closed, datetime.min.time(), tzinfo=zone)
        a, b = sorted((x, y))
        # Wall-clock times of that local day (real seconds may differ by the DST hour).
        start, end = midnight + timedelta(seconds=a), midnight + timedelta(seconds=b)
        assert one(weekend, start.astimezone(UTC), end.astimezone(UTC)) == 0


@settings(deadline=None, max_examples=100)
@given(
    schedules(zones=NO_DST, holidays=False),
    st.integers(LO, HI - 90 * 86400),
    st.integers(0, 30 * 86400),
    st.integers(1, 8),
)
def test_a_week_later_is_the_same(schedule, start, length, weeks):
    week = 7 * 86400 * weeks
    assert one(schedule, utc(start), utc(start + length)) == one(
        schedule, utc(start + week), utc(start + length + week)
    )


def reference(spec: dict[str, list[str]], zone: str, holidays: set[date], a: int, b: int) -> float:
    """Business seconds counted minute by minute in UTC, each minute judged by its wall clock:
    slow, and obviously what the schedule means."""
    days = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    parsed = {
        d: [tuple(int(p[:2]) * 60 + int(p[3:]) for p in span.split("-")) for span in spec.get(d, [])] for d in days
    }
    tz = ZoneInfo(zone)

    def is_open(t: int) -> bool:
        local = datetime.fromtimestamp(t, tz)
        today, minute = local.date(), local.hour * 60 + local.minute
        if today in holidays:
            return False
        for s, e in parsed[days[today.weekday()]]:
            if (s < e and s <= minute < e) or (e <= s and minute >= s):
                return True
        for s, e in parsed[days[(today.weekday() - 1) % 7]]:
            if e <= s and minute < e:  # yesterday's interval past midnight
                return True
        return False

    total, m = 0, a - a % 60
    while m < b:
        if is_open(m):
            total += min(m + 60, b) - max(m, a)
        m += 60
    return total


@settings(deadline=None, max_examples=60)
@given(schedules(), instants, st.integers(0, 4 * 86400))
def test_matches_a_minute_by_minute_reference(schedule, start, length):
    spec = schedule.weekly_hours()
    holidays = {date.fromisoformat(d) for d in schedule.holiday_dates()}
    assert one(schedule, utc(start), utc(start + length)) == reference(
        spec, schedule.timezone, holidays, start, start + length
    )


def test_many_spans_at_once_agree_with_one_at_a_time():
    schedule = Schedule("s", "Europe/Berlin", OFFICE, holidays=["2026-04-03", "2026-12-24..2026-12-26"])
    rng = np.random.default_rng(3)
    starts = rng.integers(LO, HI, 300)
    ends = starts + rng.integers(-3600, 40 * 86400, 300)
    together = schedule.business_seconds(starts.astype("datetime64[s]"), ends.astype("datetime64[s]"))
    for k in range(300):
        alone = schedule.business_seconds(
            starts[k : k + 1].astype("datetime64[s]"), ends[k : k + 1].astype("datetime64[s]")
        )
        assert together.codes[k] == alone.codes[0]
        assert together.codes[k] or together.seconds[k] == alone.seconds[0]


# --- schedules in the journeys file ------------------------------------------------------------------

SCHEDULES_YAML = """
schedules:
  - key: frontline
    name: Front line
    timezone: Europe/Berlin
    default: true
    teams: [tier1]
    hours: {mon-fri: 08:00-20:00, sat: 10:00-16:00}
    holidays: [2026-12-25, 2026-12-31..2027-01-01]
  - key: specialists
    timezone: America/New_York
    teams: [tier2, billing]
    hours:
      mon-fri: [09:00-12:00, 13:00-17:00]
"""


def test_the_journeys_file_declares_schedules():
    jmap = parse_journeys(yaml.safe_load(SCHEDULES_YAML))
    front, specialists = jmap.schedules
    assert front.default and front.teams == ("tier1",) and front.timezone == "Europe/Berlin"
    assert front.holiday_dates() == ["2026-12-25", "2026-12-31", "2027-01-01"]
    assert (
        specialists.weekly_hours()["wed"] == ["09:00-12:00", "13:00-17:00"] and "sat" not in specialists.weekly_hours()
    )


def test_schedule_problems_are_reported_with_their_path():
    bad = """
schedules:
  - key: a
    timezone: Mars/Olympus
    default: yes please
    teams: [tier1, 7]
    hours: {mon-fry: 09:00-17:00, tue: [09:00-12:00, 13:00-25:00]}
    holidays: [2026-12-25, 31.12.2026, "2026-12-27 10:00"]
  - key: b
    timezone: UTC
    teams: [tier1]
    hours: {mon: 09:00-17:00}
  - key: c
    timezone: UTC
    hours: {mon: 09:00-17:00}
    opening: always
  - key: d
    timezone: UTC
    hours: {sun: closed}
"""
    with pytest.raises(JourneyFileError) as info:
        parse_journeys(yaml.safe_load(bad), "company.yaml")
    text = str(info.value)
    for expected in [
        "schedules[0].timezone: 'Mars/Olympus' is not an IANA time zone",
        "schedules[0].default: 'yes please' is not true or false",
        "schedules[0].teams[1]: 7 is not a team name",
        "schedules[0].hours.mon-fry: 'mon-fry' is not a day",
        "schedules[0].hours.tue: '13:00-25:00': '25:00' is not a time of day",
        "schedules[0].holidays[1]: '31.12.2026' is not a date",
        "schedules[0].holidays[2]: '2026-12-27 10:00'",
        "schedules[1].teams[0]: 'tier1' is already on schedule 'a'",
        "schedules[3]: schedule d: has no opening hours",
        "schedules[2].opening: is not a known field",
    ]:
        assert expected in text, text


def test_two_defaults_are_refused():
    two = "schedules:\n" + "".join(
        f"  - {{key: s{k}, timezone: UTC, default: true, hours: {{mon: '09:00-17:00'}}}}\n" for k in range(2)
    )
    with pytest.raises(JourneyFileError, match="s0, s1 are all marked default"):
        parse_journeys(yaml.safe_load(two))


# --- the tickets import --------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict]) -> Path:
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(rows)
    return path


def tickets(store) -> dict[str, dict]:
    with store.engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT * FROM tickets")).mappings().all()
    return {r["external_id"]: dict(r) for r in rows}


def load_schedules_file(store, tmp_path, text: str = SCHEDULES_YAML):
    path = tmp_path / "schedules.yaml"
    path.write_text(text, encoding="utf-8")
    return load_journeys(store, path)


# Friday 2026-06-05 19:00 Berlin (17:00 UTC = 13:00 New York) to Monday 09:00 Berlin.
FRIDAY_EVENING = "2026-06-05T17:00:00Z"
MONDAY_MORNING = "2026-06-08T07:00:00Z"
TICKETS = [
    # tier1 (Berlin 08-20, Sat 10-16): Fri 19-20, Sat 10-16, Mon 08-09 → 8 h; solved Mon 10:00 → 9 h.
    {
        "external_id": "T1",
        "team": "tier1",
        "created_at": FRIDAY_EVENING,
        "first_response_at": MONDAY_MORNING,
        "solved_at": "2026-06-08T08:00:00Z",
    },
    # billing (New York 9-12, 13-17): Fri 13-17 → 4 h; Monday 03:00 in New York: nothing more.
    {"external_id": "T2", "team": "billing", "created_at": FRIDAY_EVENING, "first_response_at": MONDAY_MORNING},
    # No team, or a team no schedule names: the default (frontline).
    {"external_id": "T3", "created_at": FRIDAY_EVENING, "first_response_at": MONDAY_MORNING},
    {"external_id": "T4", "team": "sales", "created_at": FRIDAY_EVENING, "first_response_at": MONDAY_MORNING},
]


def test_the_import_computes_business_seconds_from_the_team_schedule(store, tmp_path):
    assert "2 schedule(s) of business hours loaded" in load_schedules_file(store, tmp_path).summary()
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", TICKETS))
    rows = tickets(store)
    assert rows["T1"]["first_response_business_seconds"] == 8 * 3600
    assert rows["T1"]["resolution_business_seconds"] == 9 * 3600
    assert rows["T1"]["first_response_seconds"] == 62 * 3600
    assert rows["T2"]["first_response_business_seconds"] == 4 * 3600
    assert rows["T2"]["resolution_business_seconds"] is None  # not solved
    assert rows["T3"]["first_response_business_seconds"] == rows["T4"]["first_response_business_seconds"] == 8 * 3600


def test_a_placeholder_solve_time_imports_without_business_seconds(store, tmp_path):
    load_schedules_file(store, tmp_path)
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", [dict(TICKETS[0], solved_at="9999-12-31T00:00:00Z")]))
    row = tickets(store)["T1"]
    assert row["resolution_business_seconds"] is None and row["first_response_business_seconds"] == 8 * 3600


def test_without_schedules_business_seconds_stay_empty(store, tmp_path):
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", TICKETS))
    assert {r["first_response_business_seconds"] for r in tickets(store).values()} == {None}


def test_business_seconds_given_by_the_file_are_kept(store, tmp_path):
    load_schedules_file(store, tmp_path)
    given = [
        dict(TICKETS[0], first_response_business_seconds="1234"),
        dict(TICKETS[1], first_response_business_seconds=""),
    ]
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", given))
    rows = tickets(store)
    assert rows["T1"]["first_response_business_seconds"] == 1234  # the helpdesk's own
    assert rows["T1"]["resolution_business_seconds"] == 9 * 3600  # not given: computed
    assert rows["T2"]["first_response_business_seconds"] == 4 * 3600  # blank: computed


def test_update_recomputes_when_times_or_team_change(store, tmp_path):
    load_schedules_file(store, tmp_path)
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", TICKETS))
    # created_at one hour later (Friday 20:00 Berlin): the stored reply time is used.
    later = [
        {"external_id": "T1", "created_at": "2026-06-05T18:00:00Z"},
        {"external_id": "T2", "team": "tier1", "created_at": FRIDAY_EVENING},
    ]
    result = import_file(store, "tickets", write_csv(tmp_path / "u.csv", later), update=True)
    assert result.updated == 2
    rows = tickets(store)
    assert rows["T1"]["first_response_seconds"] == 61 * 3600
    assert rows["T1"]["first_response_business_seconds"] == 7 * 3600
    assert rows["T1"]["resolution_business_seconds"] == 8 * 3600
    assert rows["T2"]["team"] == "tier1" and rows["T2"]["first_response_business_seconds"] == 8 * 3600


def test_update_refuses_a_created_at_after_the_stored_reply(store, tmp_path):
    load_schedules_file(store, tmp_path)
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", TICKETS))
    bad = [{"external_id": "T1", "created_at": "2026-06-09T00:00:00Z"}]
    with pytest.raises(ImportRejected, match="is after the stored first_response_at"):
        import_file(store, "tickets", write_csv(tmp_path / "u.csv", bad), update=True)
    assert tickets(store)["T1"]["first_response_seconds"] == 62 * 3600


def test_reloading_moves_teams_and_the_default(store, tmp_path):
    load_schedules_file(store, tmp_path)
    moved = """
schedules:
  - key: specialists
    timezone: America/New_York
    default: true
    teams: [tier1]
    hours: {mon-fri: [09:00-12:00, 13:00-17:00]}
"""
    load_schedules_file(store, tmp_path, moved)
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", TICKETS))
    rows = tickets(store)
    assert all(rows[k]["first_response_business_seconds"] == 4 * 3600 for k in ("T1", "T2", "T3", "T4"))
    with store.engine.connect() as conn:
        assert conn.execute(sa.text("SELECT key FROM schedules WHERE is_default")).scalars().all() == ["specialists"]


def test_recompute_after_a_schedule_changed(store, tmp_path):
    load_schedules_file(store, tmp_path)
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", TICKETS))
    load_schedules_file(store, tmp_path, SCHEDULES_YAML.replace("sat: 10:00-16:00", "sat: closed"))
    assert recompute_business_seconds(store) == 4
    assert tickets(store)["T1"]["first_response_business_seconds"] == 2 * 3600


def test_the_demo_has_business_hours(store):
    from cxlens.demo import generate_demo

    generate_demo(store, customers=300, responses=600, seed=5)
    with store.engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT count(first_response_seconds), count(first_response_business_seconds), "
                "sum(CASE WHEN first_response_business_seconds > first_response_seconds THEN 1 ELSE 0 END), "
                "sum(first_response_business_seconds), sum(first_response_seconds) FROM tickets"
            )
        ).one()
    assert rows[0] == rows[1] > 0 and rows[2] == 0
    assert 0 < rows[3] < rows[4]  # nights and weekends are closed


def test_the_readme_schedule_example_is_valid():
    import re

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(schedules:.*?)```", readme, re.S).group(1)
    (frontline,) = parse_journeys(yaml.safe_load(block), "README.md").schedules
    hours = frontline.weekly_hours()
    assert (
        hours["mon"] == ["09:00-12:00", "13:00-17:00"]
        and hours["fri"] == ["09:00-15:00"]
        and hours["sat"] == ["22:00-06:00"]
    )
    assert frontline.holiday_dates() == ["2026-12-25", "2026-12-31", "2027-01-01"]


def test_update_keeps_business_seconds_when_nothing_they_depend_on_changed(store, tmp_path):
    load_schedules_file(store, tmp_path)
    helpdesk = [dict(TICKETS[0], first_response_business_seconds="1234", resolution_business_seconds="2345")]
    import_file(store, "tickets", write_csv(tmp_path / "t.csv", helpdesk))
    # Only the tags change: the helpdesk's values stay.
    import_file(store, "tickets", write_csv(tmp_path / "u.csv", [dict(TICKETS[0], tags="refund")]), update=True)
    row = tickets(store)["T1"]
    assert (row["first_response_business_seconds"], row["resolution_business_seconds"]) == (1234, 2345)
    # The reply time changes: that span is recomputed from the schedule, the other kept.
    moved = {"external_id": "T1", "created_at": FRIDAY_EVENING, "first_response_at": "2026-06-08T06:30:00Z"}
    import_file(store, "tickets", write_csv(tmp_path / "v.csv", [moved]), update=True)
    row = tickets(store)["T1"]
    assert (row["first_response_business_seconds"], row["resolution_business_seconds"]) == (7.5 * 3600, 2345)


def test_a_bare_team_or_holiday_is_one_not_its_letters():
    schedule = Schedule("s", "UTC", OFFICE, holidays="2026-12-25", teams="billing")
    assert schedule.teams == ("billing",) and schedule.holiday_dates() == ["2026-12-25"]
