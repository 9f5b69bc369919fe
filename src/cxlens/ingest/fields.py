"""Field types for imports: each turns a raw Arrow column into a typed one, vectorised.

A check never stops at the first bad value: it returns the typed column (bad values become
null) and the index of every bad value with what is wrong and how to fix it, so that one run
reports every bad row. Python loops run only over the bad values.
"""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "Problem",
    "FieldType",
    "Text",
    "Integer",
    "Number",
    "Timestamp",
    "Choice",
    "Email",
    "Tags",
    "JsonObject",
    "TimeZoneName",
]


@dataclass
class Problem:
    """Bad values of one column: their row indexes, and the same message for all of them."""

    indexes: np.ndarray
    problem: str
    fix: str


@dataclass
class Coerced:
    values: pa.Array
    problems: list[Problem] = field(default_factory=list)


def _flag(mask: pa.Array | np.ndarray, problem: str, fix: str) -> list[Problem]:
    arr = mask if isinstance(mask, np.ndarray) else pc.fill_null(mask, False).to_numpy(zero_copy_only=False)
    idx = np.flatnonzero(arr)
    return [Problem(idx, problem, fix)] if len(idx) else []


def _combine(arr) -> pa.Array:
    return arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr


def as_text(arr: pa.Array) -> pa.Array:
    """Any column as trimmed text; empty text is null (a blank cell is a missing value)."""
    arr = _combine(arr)
    if pa.types.is_null(arr.type):
        return pa.nulls(len(arr), pa.string())
    if pa.types.is_nested(arr.type):  # structs, lists, maps: as JSON text
        return pa.array([None if v is None else to_json(v) for v in arr.to_pylist()], pa.string())
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(arr, pa.string())
    # PostgreSQL text cannot hold NUL; nobody means one.
    arr = pc.utf8_trim_whitespace(pc.replace_substring(arr, "\x00", ""))
    return pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr).cast(pa.string())


def to_json(value) -> str:
    """JSON text with sorted keys (so equal objects compare equal in the store); dates and
    other non-JSON values as their ISO text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)


def _json_default(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class FieldType(ABC):
    """Base: ``coerce(raw)`` returns the typed column and the problems found."""

    @abstractmethod
    def coerce(self, raw: pa.Array) -> Coerced: ...


@dataclass
class Text(FieldType):
    max_length: int | None = None

    def coerce(self, raw):
        values = as_text(raw)
        # PostgreSQL's text holds no NUL: the row is named here rather than failing the import there.
        has_nul = pc.fill_null(pc.match_substring(values, "\x00"), False)
        problems = _flag(has_nul, "holds a NUL character", "remove the NUL (\\x00) characters")
        values = pc.if_else(has_nul, pa.scalar(None, pa.string()), values)
        if self.max_length:
            too_long = pc.greater(pc.utf8_length(values), self.max_length)
            problems += _flag(
                too_long,
                f"is longer than {self.max_length} characters",
                f"shorten it to at most {self.max_length} characters",
            )
            values = pc.if_else(too_long, pa.scalar(None, pa.string()), values)
        return Coerced(values, problems)


_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$"


_NOT_A_NUMBER = ("is not a number", "write a plain number such as 42 or 3.5")


def _to_float(raw: pa.Array) -> tuple[pa.Array, list[Problem]]:
    """Numbers as float64; text that is not a number, true/false, infinity and NaN are bad."""
    raw = _combine(raw)
    if pa.types.is_boolean(raw.type):  # true is not 1 in a survey answer or an amount
        bad = pc.is_valid(raw)
        return pa.nulls(len(raw), pa.float64()), _flag(bad, "is true/false", _NOT_A_NUMBER[1])
    if pa.types.is_integer(raw.type) or pa.types.is_floating(raw.type) or pa.types.is_decimal(raw.type):
        # Unsafe only in precision (beyond 2**53); the range checks then see the magnitude.
        values, problems = pc.cast(raw, pa.float64(), safe=False), []
    else:
        text = as_text(raw)
        ok = pc.match_substring_regex(text, _NUMBER)
        bad = pc.and_(pc.is_valid(text), pc.invert(pc.fill_null(ok, False)))
        values = pc.cast(pc.if_else(bad, pa.scalar(None, pa.string()), text), pa.float64())
        problems = _flag(bad, *_NOT_A_NUMBER)
    infinite = pc.invert(pc.fill_null(pc.is_finite(values), True))
    problems += _flag(infinite, "is not a finite number", _NOT_A_NUMBER[1])
    return pc.if_else(infinite, pa.scalar(None, pa.float64()), values), problems


@dataclass
class Number(FieldType):
    low: float | None = None
    high: float | None = None

    def coerce(self, raw):
        values, problems = _to_float(raw)
        values, more = self._range(values)
        return Coerced(values, problems + more)

    def _range(self, values):
        problems: list[Problem] = []
        if self.low is None and self.high is None:
            return values, problems
        out = pa.array(np.zeros(len(values), bool))
        if self.low is not None:
            out = pc.or_(out, pc.fill_null(pc.less(values, self.low), False))
        if self.high is not None:
            out = pc.or_(out, pc.fill_null(pc.greater(values, self.high), False))
        span = f"{_fmt(self.low)}..{_fmt(self.high)}"
        problems = _flag(out, f"is outside {span}", f"use a value from {span}")
        return pc.if_else(out, pa.scalar(None, values.type), values), problems


def _fmt(x) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)


_INT32 = 2**31 - 1


@dataclass
class Integer(Number):
    """A whole number; by default one that fits a 32-bit column (counts, votes)."""

    low: float | None = -_INT32 - 1
    high: float | None = _INT32

    def coerce(self, raw):
        raw = _combine(raw)
        if pa.types.is_integer(raw.type):
            # Exact: going through float64 would round integers beyond 2**53.
            values, problems = pc.cast(raw, pa.float64(), safe=False), []
            exact = raw
        else:
            values, problems = _to_float(raw)
            fractional = pc.not_equal(values, pc.floor(values))
            problems += _flag(fractional, "is not a whole number", "write a whole number such as 7")
            values = pc.if_else(fractional, pa.scalar(None, pa.float64()), values)
            exact = None
        values, more = self._range(values)  # bounds are far inside int64, so the cast is safe
        out = (
            pc.cast(values, pa.int64())
            if exact is None
            else pc.if_else(pc.is_null(values), pa.scalar(None, pa.int64()), pc.cast(exact, pa.int64(), safe=False))
        )
        return Coerced(out, problems + more)


# A zone offset only counts after a time of day: the "-01" ending "2024-02-01" is a day.
UTC = pa.timestamp("us", tz="UTC")
_OFFSET = r"T\d\d:\d\d(:\d\d([.,]\d+)?)?\s*(Z|z|[+-]\d\d(:?\d\d)?)$"


@dataclass
class Timestamp(FieldType):
    """ISO 8601 date or time; with a zone offset it is converted to UTC, without one it is
    read in ``timezone`` (the import's ``--timezone``, default UTC)."""

    timezone: str = "UTC"

    def coerce(self, raw):
        raw = _combine(raw)
        if pa.types.is_timestamp(raw.type):
            # Microseconds are what the store keeps: nanoseconds (pandas) are cut, on purpose.
            if raw.type.tz is None:
                return Coerced(self._localize(pc.cast(raw, pa.timestamp("us"), safe=False)))
            return Coerced(pc.cast(raw, UTC, safe=False))
        if pa.types.is_date(raw.type):
            return Coerced(self._localize(pc.cast(raw, pa.timestamp("us"))))
        text = pc.replace_substring_regex(as_text(raw), r"^(\d{4}-\d\d-\d\d)[Tt ]", r"\1T")
        # Seven to nine fraction digits (.NET, Go) are cut to microseconds; "14:05:00 +02:00"
        # loses the space before its offset.
        text = pc.replace_substring_regex(text, r"([.,]\d{6})\d+", r"\1")
        text = pc.replace_substring_regex(text, r"(\d)\s+([+-]\d\d:?\d\d|Z|z)$", r"\1\2")
        has_offset = pc.fill_null(pc.match_substring_regex(text, _OFFSET), False)
        aware_text = pc.if_else(has_offset, text, pa.scalar(None, pa.string()))
        naive_text = pc.if_else(has_offset, pa.scalar(None, pa.string()), text)
        aware, bad_a = self._parse(aware_text, UTC)
        naive, bad_n = self._parse(naive_text, pa.timestamp("us"))
        values = pc.if_else(has_offset, aware, self._localize(naive))
        bad = np.union1d(bad_a, bad_n)
        problems = []
        if len(bad):
            problems = [
                Problem(
                    bad,
                    "is not a date and time",
                    "write it as ISO 8601, e.g. 2024-05-31T14:05:00Z or 2024-05-31 14:05:00+02:00",
                )
            ]
        return Coerced(values, problems)

    def _localize(self, naive: pa.Array) -> pa.Array:
        return pc.cast(pc.assume_timezone(naive, self.timezone, ambiguous="earliest", nonexistent="latest"), UTC)

    @staticmethod
    def _parse(text: pa.Array, typ: pa.DataType) -> tuple[pa.Array, np.ndarray]:
        try:
            return pc.cast(text, typ), np.array([], dtype=np.int64)
        except pa.ArrowInvalid:
            # Some value is bad: find which, one by one (only on this error path).
            return _one_by_one(text, lambda v: pc.cast(pa.array([v]), typ)[0].as_py(), typ)


@dataclass
class Choice(FieldType):
    values: tuple[str, ...] = ()

    def coerce(self, raw):
        text = pc.utf8_lower(as_text(raw))
        unknown = pc.and_(pc.is_valid(text), pc.invert(pc.is_in(text, value_set=pa.array(self.values))))
        problems = _flag(unknown, "is not one of the allowed values", f"use one of: {', '.join(self.values)}")
        return Coerced(pc.if_else(unknown, pa.scalar(None, pa.string()), text), problems)


@dataclass
class Email(FieldType):
    def coerce(self, raw):
        text = as_text(raw)
        # 320 characters: the longest address RFC 5321 allows, and the column's size.
        shape = pc.match_substring_regex(text, r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
        bad = pc.invert(pc.fill_null(pc.and_(shape, pc.less_equal(pc.utf8_length(text), 320)), True))
        problems = _flag(bad, "is not an e-mail address", "write it as name@example.com, or leave it empty")
        return Coerced(pc.if_else(bad, pa.scalar(None, pa.string()), text), problems)


@dataclass
class TimeZoneName(FieldType):
    def coerce(self, raw):
        text = as_text(raw)
        unknown = [z for z in pc.unique(text).to_pylist() if z is not None and not _is_zone(z)]
        bad = pc.is_in(text, value_set=pa.array(unknown, pa.string()))
        problems = _flag(bad, "is not a time zone", "use an IANA name such as Europe/Helsinki or America/New_York")
        return Coerced(pc.if_else(bad, pa.scalar(None, pa.string()), text), problems)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
        return True
    except (ZoneInfoNotFoundError, ValueError):
        return False


@dataclass
class Tags(FieldType):
    """A list of tags: a list in JSON/Parquet, or text separated by commas, semicolons or spaces."""

    def coerce(self, raw):
        raw = _combine(raw)
        if pa.types.is_list(raw.type) or pa.types.is_large_list(raw.type):
            lists = raw.to_pylist()
        else:
            lists = []
            for v in as_text(raw).to_pylist():
                if v is None:
                    lists.append(None)
                elif v.startswith("["):
                    try:
                        lists.append(json.loads(v))
                    except json.JSONDecodeError:
                        lists.append(re.split(r"[,;\s]+", v.strip("[]")))
                else:
                    lists.append([t for t in re.split(r"[,;\s]+", v) if t])
        return Coerced(
            pa.array(
                [
                    None if t is None else json.dumps([str(x) for x in t if x is not None], ensure_ascii=False)
                    for t in lists
                ],
                pa.string(),
            )
        )


@dataclass
class JsonObject(FieldType):
    """A JSON object: an object in JSON, a struct in Parquet, or JSON text in CSV."""

    def coerce(self, raw):
        raw = _combine(raw)
        if pa.types.is_struct(raw.type):
            return Coerced(as_text(raw))
        values, bad = _one_by_one(as_text(raw), _json_object, pa.string())
        problems = [Problem(bad, "is not a JSON object", 'write it as {"key": "value"}')] if len(bad) else []
        return Coerced(values, problems)


def _json_object(text: str) -> str:
    obj = json.loads(text)
    if not isinstance(obj, dict):
        raise ValueError(f"{type(obj).__name__}, not an object")
    return to_json(obj)


def _one_by_one(text: pa.Array, parse, typ: pa.DataType) -> tuple[pa.Array, np.ndarray]:
    """Parse each non-null value; a value ``parse`` refuses becomes null and its index is bad."""
    values, bad = [], []
    for i, v in enumerate(text.to_pylist()):
        if v is None:
            values.append(None)
            continue
        try:
            values.append(parse(v))
        except (ValueError, pa.ArrowInvalid):  # json.JSONDecodeError is a ValueError
            values.append(None)
            bad.append(i)
    return pa.array(values, typ), np.array(bad, dtype=np.int64)
