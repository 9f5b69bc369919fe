"""What each import kind accepts: its fields, their types, and its cross-field rules.

Field names are the names users write in their files (``customer``, ``touchpoint``,
``survey`` refer to other records by their external id or key); ``--map field=column`` renames
a file's column onto a field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ..limits import MAX_COMMENT_CHARS
from ..metrics import SCALES, default_scale
from ..store import schema as s
from .business_hours import derive_ticket_durations
from .fields import (
    Choice,
    Email,
    FieldType,
    Integer,
    JsonObject,
    Number,
    Tags,
    Text,
    Timestamp,
    TimeZoneName,
)

if TYPE_CHECKING:
    from .checked_rows import CheckedRows

__all__ = ["KINDS", "Field", "Kind", "Ref"]


@dataclass(frozen=True)
class Ref:
    """A field that names another record; resolved to that record's id."""

    table: sa.Table
    by: str  # the column the file's value matches: external_id or key
    column: str  # the id column written, e.g. customer_id
    label: str  # what it is called in an error: customer, touchpoint, survey
    fix: str  # what to do when the record is unknown
    carry: tuple[str, ...] = ()  # more of its columns that a kind's rules read


@dataclass(frozen=True)
class Field:
    type: FieldType = field(default_factory=Text)
    required: bool = False
    default: object = None
    ref: Ref | None = None
    column: str | None = None  # store column when it differs from the field name
    help: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    table: sa.Table
    fields: dict[str, Field]
    help: str
    key_from: tuple[str, ...] | None = None  # hashed into external_id when a row has none
    extras: str | None = None  # JSON column that keeps columns no field claims
    prepare: Callable[[CheckedRows], None] | None = None
    # Rows are written in this column's order: the time indexes then grow at their ends
    # instead of splitting pages all over, which makes bulk writes about 1.4× faster.
    order_by: str | None = None
    # Run once the rows already stored are known (``existing``: per row, or None without
    # --update): for values computed from stored ones too, such as tickets' business hours.
    derive: Callable[[CheckedRows, pa.Array | None], None] | None = None


CUSTOMER = Ref(
    s.customers,
    "external_id",
    "customer_id",
    "customer",
    "import this customer first (cxlens import customers FILE), or fix the id",
)
TOUCHPOINT = Ref(
    s.touchpoints,
    "key",
    "touchpoint_id",
    "touchpoint",
    "add the touchpoint to your journeys file and run cxlens journeys load, or fix the key",
)
SURVEY = Ref(
    s.surveys,
    "key",
    "survey_id",
    "survey",
    "add the survey to your journeys file (surveys:) and run cxlens journeys load, or fix the key",
    carry=("metric", "scale_min", "scale_max", "touchpoint_id"),
)

_CHANNEL = Field(Text(50), help="email, chat, phone, web, mobile-app, sms, …")
_LANGUAGE = Field(Text(35), help="a language tag such as en, fi or zh-Hans")


def _ordered(batch: CheckedRows, earlier: str, later: str) -> None:
    if batch.has(earlier) and batch.has(later):
        wrong = pc.less(batch.out[later], batch.out[earlier])
        batch.reject_mask(
            wrong, later, f"is before {earlier}", f"it cannot be earlier than {earlier}; check both values"
        )


def _prepare_customers(batch: CheckedRows) -> None:
    _ordered(batch, "signed_up_at", "churned_at")


def _prepare_tickets(batch: CheckedRows) -> None:
    _ordered(batch, "created_at", "first_response_at")
    _ordered(batch, "created_at", "solved_at")
    created = batch.out["created_at"]
    for at, seconds in (("first_response_at", "first_response_seconds"), ("solved_at", "resolution_seconds")):
        if batch.has(at):
            micros = pc.subtract(pc.cast(batch.out[at], pa.int64()), pc.cast(created, pa.int64()))
            # Unsafe: past 2**53 µs (285 years: a 9999-12-31 "never") a float rounds, not fails.
            batch.derived[seconds] = pc.divide(pc.cast(micros, pa.float64(), safe=False), 1e6)
    if batch.has("solved_at"):
        # A solve time says the ticket is solved; its absence says nothing (it may be pending),
        # so new tickets without either get the field's default and stored ones keep theirs.
        solved = pc.if_else(pc.is_valid(batch.out["solved_at"]), pa.scalar("solved"), pa.scalar(None, pa.string()))
        batch.out["status"] = pc.coalesce(batch.out.get("status", pa.nulls(batch.n, pa.string())), solved)


def _prepare_mentions(batch: CheckedRows) -> None:
    if batch.has("rating"):
        rating_max = batch.out.get("rating_max")
        if rating_max is None:
            rating_max = pa.array(np.full(batch.n, 5.0))
        rating_max = pc.if_else(
            pc.is_valid(batch.out["rating"]), pc.fill_null(rating_max, 5.0), pa.scalar(None, pa.float64())
        )
        batch.out["rating_max"] = rating_max
        over = pc.greater(batch.out["rating"], rating_max)
        batch.reject_mask(over, "rating", "is above rating_max", "give rating_max (e.g. 10) or fix the rating")


def _prepare_revenue(batch: CheckedRows) -> None:
    if not batch.has("currency"):
        return  # new rows get the default; stored ones keep theirs
    currency = pc.utf8_upper(batch.out["currency"])
    bad = pc.invert(pc.fill_null(pc.match_substring_regex(currency, r"^[A-Z]{3}$"), True))
    batch.reject_mask(bad, "currency", "is not a currency code", "use a three-letter ISO 4217 code such as EUR or USD")
    batch.out["currency"] = currency


def _prepare_responses(batch: CheckedRows) -> None:
    """Metric and scale come from the row, else its survey, else the metric's default scale."""
    n = batch.n
    metric = batch.out.get("metric", pa.nulls(n, pa.string()))
    scale_min = pa.nulls(n, pa.int64())
    scale_max = pa.nulls(n, pa.int64())
    if "survey" in batch.refs:
        info = batch.ref_rows("survey")
        survey_metric = info["metric"]
        conflict = pc.and_(pc.is_valid(metric), pc.not_equal(metric, survey_metric))
        batch.reject_mask(
            conflict, "metric", "differs from its survey's metric", "leave metric empty or fix the survey"
        )
        metric = pc.coalesce(metric, survey_metric)
        scale_min, scale_max = info["scale_min"], info["scale_max"]
        tp = batch.derived.get("touchpoint_id", pa.nulls(n, pa.int64()))
        batch.derived["touchpoint_id"] = pc.coalesce(tp, info["touchpoint_id"])
    missing = pc.is_null(metric)
    batch.reject_mask(missing, "metric", "is missing", "give the metric (nps, csat, ces or text) or a survey key")
    batch.derived["metric"] = metric
    if batch.has("scale"):
        scale_min, scale_max = _parse_scales(batch, metric, scale_min, scale_max)
    for name, (low, high) in ((m, default_scale(m)) for m in SCALES):
        is_m = pc.fill_null(pc.equal(metric, name), False)
        scale_min = pc.if_else(pc.and_(is_m, pc.is_null(scale_min)), pa.scalar(low, pa.int64()), scale_min)
        scale_max = pc.if_else(pc.and_(is_m, pc.is_null(scale_max)), pa.scalar(high, pa.int64()), scale_max)
    batch.derived["scale_min"] = scale_min
    batch.derived["scale_max"] = scale_max
    if batch.has("score"):
        score = batch.out["score"]
        text_only = pc.and_(pc.fill_null(pc.equal(metric, "text"), False), pc.is_valid(score))
        batch.reject_mask(text_only, "score", "is given for a text-only answer", "leave score empty, or set the metric")
        batch.reject_out_of_scale(score, scale_min, scale_max)


def _parse_scales(batch, metric, scale_min, scale_max):
    text = batch.out["scale"]
    lows, highs = [], []
    for value in pc.unique(text).to_pylist():
        parts = (value or "").replace("..", "-").split("-")
        ok = len(parts) == 2 and all(p.strip().isdigit() for p in parts)
        lows.append(int(parts[0]) if ok else None)
        highs.append(int(parts[1]) if ok else None)
    uniques = pc.unique(text)
    where = pc.index_in(text, value_set=uniques)
    low = pc.take(pa.array(lows, pa.int64()), where)
    high = pc.take(pa.array(highs, pa.int64()), where)
    unparsed = pc.and_(pc.is_valid(text), pc.is_null(low))
    batch.reject_mask(unparsed, "scale", "is not a scale", "write it as LOW-HIGH, e.g. 1-5")
    allowed = pa.array([f"{m}:{lo}-{hi}" for m, scales in SCALES.items() for lo, hi in scales])
    combo = pc.binary_join_element_wise(metric, pc.cast(low, pa.string()), pc.cast(high, pa.string()), ":")
    combo = pc.replace_substring_regex(combo, r"^([a-z]+):(\d+):(\d+)$", r"\1:\2-\3")
    not_allowed = pc.and_(pc.is_valid(low), pc.invert(pc.fill_null(pc.is_in(combo, value_set=allowed), False)))
    batch.reject_mask(
        not_allowed,
        "scale",
        "is not a scale cxlens allows for this metric",
        "NPS is 0-10; CSAT 1-5, 1-3, 1-10 or 1-2 (bad/good); CES 1-7 or 1-5",
    )
    return pc.coalesce(low, scale_min), pc.coalesce(high, scale_max)


KINDS: dict[str, Kind] = {
    "customers": Kind(
        "customers",
        s.customers,
        {
            "external_id": Field(Text(200), required=True, help="your id for the customer"),
            "name": Field(Text(300)),
            "email": Field(Email()),
            "phone": Field(Text(50)),
            "locale": Field(Text(35), help="e.g. en-US, fi, zh-CN"),
            "timezone": Field(TimeZoneName()),
            "segment": Field(Text(100)),
            "plan": Field(Text(100)),
            "persona": Field(Text(100)),
            "signed_up_at": Field(Timestamp()),
            "churned_at": Field(Timestamp()),
            "churn_reason": Field(Text(300)),
            "acquisition_cost": Field(Number(low=0)),
            "attributes": Field(JsonObject()),
        },
        help="people or accounts; extra columns are kept as attributes",
        extras="attributes",
        prepare=_prepare_customers,
    ),
    "events": Kind(
        "events",
        s.events,
        {
            "external_id": Field(Text(200)),
            "customer": Field(Text(200), required=True, ref=CUSTOMER),
            "touchpoint": Field(Text(100), required=True, ref=TOUCHPOINT),
            "occurred_at": Field(Timestamp(), required=True),
            "channel": _CHANNEL,
            "properties": Field(JsonObject()),
        },
        help="what happened at a touchpoint; extra columns are kept as properties",
        key_from=("customer", "touchpoint", "occurred_at"),
        extras="properties",
        order_by="occurred_at",
    ),
    "responses": Kind(
        "responses",
        s.responses,
        {
            "external_id": Field(Text(200)),
            "survey": Field(Text(100), ref=SURVEY),
            "customer": Field(Text(200), ref=CUSTOMER),
            "touchpoint": Field(Text(100), ref=TOUCHPOINT),
            "channel": _CHANNEL,
            "submitted_at": Field(Timestamp(), required=True),
            "metric": Field(Choice(("nps", "csat", "ces", "text"))),
            "score": Field(Integer()),
            "scale": Field(Text(20), help="LOW-HIGH, e.g. 1-5; default: the survey's or the metric's"),
            "comment": Field(Text(max_length=MAX_COMMENT_CHARS)),
            "language": _LANGUAGE,
            "answers": Field(JsonObject()),
        },
        help="survey answers: NPS, CSAT, CES scores and comments",
        key_from=("survey", "customer", "touchpoint", "submitted_at", "metric", "score", "comment"),
        prepare=_prepare_responses,
        order_by="submitted_at",
    ),
    "tickets": Kind(
        "tickets",
        s.tickets,
        {
            "external_id": Field(Text(200), required=True, help="the helpdesk's ticket id"),
            "customer": Field(Text(200), ref=CUSTOMER),
            "touchpoint": Field(Text(100), ref=TOUCHPOINT),
            "channel": _CHANNEL,
            "team": Field(Text(100)),
            "agent": Field(Text(200)),
            "status": Field(Choice(("new", "open", "pending", "hold", "solved", "closed")), default="open"),
            "priority": Field(Text(20)),
            "created_at": Field(Timestamp(), required=True),
            "first_response_at": Field(Timestamp()),
            "solved_at": Field(Timestamp()),
            "updated_at": Field(Timestamp()),
            "reopens": Field(Integer(low=0)),
            "replies": Field(Integer(low=0)),
            "handle_seconds": Field(Number(low=0)),
            "first_response_business_seconds": Field(Number(low=0)),
            "resolution_business_seconds": Field(Number(low=0)),
            "subject": Field(Text()),
            "text": Field(Text()),
            "tags": Field(Tags()),
            "language": _LANGUAGE,
        },
        help="support tickets; response and resolution times (calendar, and business hours from the team's schedule) are computed from the timestamps",
        prepare=_prepare_tickets,
        order_by="created_at",
        derive=derive_ticket_durations,
    ),
    "mentions": Kind(
        "mentions",
        s.mentions,
        {
            "external_id": Field(Text(200)),
            "source": Field(Text(100), required=True, help="e.g. trustpilot, app-store, x"),
            "kind": Field(Choice(("review", "social"))),
            "rating": Field(Number(low=0)),
            "rating_max": Field(Number(low=1)),
            "title": Field(Text()),
            "text": Field(Text(), required=True),
            "author": Field(Text(300)),
            "posted_at": Field(Timestamp(), required=True),
            "url": Field(Text(2000)),
            "customer": Field(Text(200), ref=CUSTOMER),
            "language": _LANGUAGE,
        },
        help="reviews and social posts",
        key_from=("source", "url", "author", "posted_at", "text"),
        prepare=_prepare_mentions,
        order_by="posted_at",
    ),
    "revenue": Kind(
        "revenue",
        s.revenue,
        {
            "external_id": Field(Text(200)),
            "customer": Field(Text(200), required=True, ref=CUSTOMER),
            "occurred_at": Field(Timestamp(), required=True),
            "amount": Field(Number(), required=True),
            "currency": Field(Text(3), default="USD", help="ISO 4217 code; default USD"),
        },
        help="payments and refunds (negative amounts) per customer",
        key_from=("customer", "occurred_at", "amount", "currency"),
        prepare=_prepare_revenue,
        order_by="occurred_at",
    ),
    "feature_requests": Kind(
        "feature_requests",
        s.feature_requests,
        {
            "external_id": Field(Text(200)),
            "text": Field(Text(), required=True),
            "customer": Field(Text(200), ref=CUSTOMER),
            "votes": Field(Integer(low=1), default=1),
            "status": Field(Choice(("open", "planned", "in_progress", "done", "declined")), default="open"),
            "created_at": Field(Timestamp()),
        },
        help="what customers asked the product to do",
        key_from=("text", "customer"),
    ),
}
