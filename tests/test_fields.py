"""Field checks, property-tested against Python's own parsing (hypothesis)."""

from datetime import datetime, timedelta, timezone

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlens.ingest.fields import Integer, Number, Tags, Text, Timestamp

aware = st.datetimes(
    min_value=datetime(1971, 1, 1),
    max_value=datetime(2099, 12, 31),
    timezones=st.builds(lambda m: timezone(timedelta(minutes=m)), st.integers(-14 * 60, 14 * 60)),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(aware, min_size=1, max_size=20), st.sampled_from(["T", " "]))
def test_timestamps_with_offsets_become_the_same_instant_in_utc(values, sep):
    text = pa.array([v.isoformat(sep=sep) for v in values])
    result = Timestamp().coerce(text)
    assert result.problems == []
    got = result.values.to_pylist()
    assert [g.astimezone(timezone.utc) for g in got] == [v.astimezone(timezone.utc) for v in values]


@settings(max_examples=100, deadline=None)
# Up to 2037: Arrow's time-zone rules stop at the 32-bit transition list (found by this test:
# 2038-04-01 in New York came out as standard time), which customer data never reaches.
@given(
    st.lists(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2037, 12, 31)), min_size=1, max_size=20)
)
def test_naive_timestamps_are_read_in_the_given_zone(values):
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/New_York")
    result = Timestamp(timezone="America/New_York").coerce(pa.array([v.isoformat() for v in values]))
    assert result.problems == []
    for naive, got in zip(values, result.values.to_pylist()):
        expected = naive.replace(tzinfo=zone, fold=0)
        # Non-existent local times (the spring-forward gap) are read as the earliest valid instant.
        if expected.astimezone(timezone.utc).astimezone(zone).replace(tzinfo=None) == naive:
            assert got == expected.astimezone(timezone.utc)


@given(st.lists(st.integers(-(10**12), 10**12), min_size=1, max_size=30), st.integers(-50, 50), st.integers(0, 100))
def test_integer_range_check_flags_exactly_the_values_outside(values, low, width):
    high = low + width
    result = Integer(low=low, high=high).coerce(pa.array([str(v) for v in values]))
    flagged = {int(i) for p in result.problems for i in p.indexes}
    assert flagged == {i for i, v in enumerate(values) if not low <= v <= high}
    assert [v if i not in flagged else None for i, v in enumerate(values)] == result.values.to_pylist()


@given(
    st.lists(st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8)), min_size=1, max_size=30)
)
def test_number_accepts_exactly_what_float_parses(values):
    text = [v if isinstance(v, str) else repr(v) for v in values]
    result = Number().coerce(pa.array(text))
    flagged = {int(i) for p in result.problems for i in p.indexes}
    for i, v in enumerate(text):
        stripped = v.replace("\x00", "").strip()  # NUL bytes are dropped (PostgreSQL refuses them)
        if not stripped:
            assert i not in flagged and result.values[i].as_py() is None  # blank is missing, not bad
            continue
        try:
            expected = float(stripped)
            ok = (
                stripped.lower()
                not in {"nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity", "+nan", "-nan"}
                and "_" not in stripped
            )
        except ValueError:
            ok = False
        if ok:
            assert i not in flagged and result.values[i].as_py() == expected
        else:
            assert i in flagged


def test_text_length_limit_and_blank_is_missing():
    result = Text(max_length=3).coerce(pa.array(["abc", "abcd", "  ", None]))
    assert result.values.to_pylist() == ["abc", None, None, None]
    assert [list(p.indexes) for p in result.problems] == [[1]]


def test_tags_from_text_and_lists():
    import json

    values = Tags().coerce(pa.array(["a, b;c d", '["x", "y"]', None])).values.to_pylist()
    assert [json.loads(v) if v else v for v in values] == [["a", "b", "c", "d"], ["x", "y"], None]
