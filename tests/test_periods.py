"""cxlens.periods: period starts, ends, steps and comparisons, in UTC."""

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cxlens import periods
from cxlens.errors import InputError

UTC = timezone.utc


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("grain", "start", "end", "previous"),
    [
        ("day", at(2026, 5, 14), at(2026, 5, 15), at(2026, 5, 13)),
        ("week", at(2026, 5, 11), at(2026, 5, 18), at(2026, 5, 4)),  # 2026-05-14 is a Thursday
        ("month", at(2026, 5, 1), at(2026, 6, 1), at(2026, 4, 1)),
        ("quarter", at(2026, 4, 1), at(2026, 7, 1), at(2026, 1, 1)),
        ("year", at(2026, 1, 1), at(2027, 1, 1), at(2025, 1, 1)),
    ],
)
def test_start_end_and_previous(grain, start, end, previous):
    moment = at(2026, 5, 14, 17, 30)
    assert periods.start(moment, grain) == start
    assert periods.end(start, grain) == end
    assert periods.previous(start, grain) == previous


def test_a_year_before_keeps_weekdays_for_days_and_weeks():
    assert periods.earlier(at(2026, 5, 11), "week", "year") == at(2025, 5, 12)
    assert periods.earlier(at(2026, 5, 14), "day", "year").weekday() == at(2026, 5, 14).weekday()
    assert periods.earlier(at(2026, 4, 1), "quarter", "year") == at(2025, 4, 1)
    assert periods.earlier(at(2026, 1, 1), "month", "previous") == at(2025, 12, 1)


def test_timestamps_from_options():
    assert periods.timestamp("2026-01-31", "--since") == at(2026, 1, 31)
    assert periods.timestamp(date(2026, 1, 31)) == at(2026, 1, 31)
    assert periods.timestamp(None) is None
    with pytest.raises(InputError, match="--until 'soon' is not a date"):
        periods.timestamp("soon", "--until")
    with pytest.raises(InputError, match="grain 'fortnight' is not known"):
        periods.start(at(2026, 1, 1), "fortnight")
    assert periods.as_utc(datetime(2026, 1, 1)) == at(2026, 1, 1)


@given(
    st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)), st.sampled_from(list(periods.GRAINS))
)
def test_periods_tile_time_and_their_index_counts_them(moment, grain):
    moment = moment.replace(tzinfo=UTC)
    start = periods.start(moment, grain)
    assert start <= moment < periods.end(start, grain)
    assert periods.start(periods.end(start, grain), grain) == periods.end(start, grain)
    i = periods.index(moment, grain)
    assert periods.from_index(i, grain) == start
    assert periods.from_index(i + 1, grain) == periods.step(start, grain)
    assert periods.end(start, grain) - start <= timedelta(days=366)
