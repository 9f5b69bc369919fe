"""Zendesk ticket exports → cxlens customers, tickets and CSAT responses.

Reads what Zendesk's REST API returns, saved unchanged:

* a JSON document such as the incremental ticket export
  (``GET /api/v2/incremental/tickets/cursor.json?include=metric_sets,users,groups``):
  ``{"tickets": [...], "metric_sets": [...], "users": [...], "groups": [...], ...}``, the
  sideloads being optional;
* JSON Lines, one ticket object per line, each optionally carrying its own ``metric_set``.

Each ticket becomes a cxlens ticket ``zendesk:<id>``; its requester a customer
``zendesk:user:<id>``; a "good" or "bad" satisfaction rating a CSAT response on the two-point
scale (1 = bad, 2 = good, see ``metrics.SCALES``) ``zendesk:csat:<rating id>``. Zendesk's
calendar reply time becomes ``first_response_at`` (so the tickets kind derives the calendar
seconds from the timestamps, like every other import); business minutes are stored as seconds.

The rows go through the ordinary import (``import_source``), so every check applies, and all
three kinds are written in one transaction: all or nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa

from ..errors import ImportRejected, InputError
from ..store import Store
from .importer import ImportResult, Progress, import_source
from .readers import Source

__all__ = ["CHANNELS", "import_zendesk", "read_zendesk"]

# Zendesk's via.channel → cxlens channel names; any other channel is kept as Zendesk names it.
CHANNELS = {
    "voice": "phone",
    "web": "web",
    "email": "email",
    "chat": "chat",
    "native_messaging": "chat",
    "mobile_sdk": "mobile-app",
}
SCORES = {"bad": 1, "good": 2}
# "offered" and "unoffered" say whether a survey went out, not what the customer answered.
_NO_ANSWER = {None, "offered", "unoffered"}
_LINE_SUFFIXES = {".jsonl", ".ndjson"}
_HOW_TO_EXPORT = (
    "export the tickets again with GET /api/v2/incremental/tickets/cursor.json"
    "?include=metric_sets,users,groups and save the response unchanged"
)

CUSTOMER_COLUMNS = ("external_id", "name", "email", "locale")
TICKET_COLUMNS = (
    "external_id",
    "customer",
    "channel",
    "team",
    "agent",
    "status",
    "priority",
    "created_at",
    "updated_at",
    "first_response_at",
    "first_response_business_seconds",
    "solved_at",
    "resolution_business_seconds",
    "reopens",
    "replies",
    "subject",
    "text",
    "tags",
)
RESPONSE_COLUMNS = ("external_id", "customer", "channel", "submitted_at", "metric", "score", "scale", "comment")

# Where each cxlens field comes from in the export, so that an error names what the user sees.
_SOURCE_FIELD = {
    "customers": {
        "external_id": "requester_id",
        "name": "users[].name",
        "email": "users[].email",
        "locale": "users[].locale",
    },
    "tickets": {
        "external_id": "id",
        "customer": "requester_id",
        "channel": "via.channel",
        "team": "group_id",
        "agent": "assignee_id",
        "text": "description",
        "first_response_at": "metric_set.reply_time_in_minutes.calendar",
        "first_response_business_seconds": "metric_set.reply_time_in_minutes.business",
        "solved_at": "metric_set.solved_at",
        "resolution_business_seconds": "metric_set.full_resolution_time_in_minutes.business",
        "reopens": "metric_set.reopens",
        "replies": "metric_set.replies",
        "touchpoint": "touchpoint (the touchpoint option)",
    },
    "responses": {
        "external_id": "satisfaction_rating.id",
        "customer": "requester_id",
        "channel": "via.channel",
        "submitted_at": "satisfaction_rating.updated_at / updated_at",
        "score": "satisfaction_rating.score",
        "comment": "satisfaction_rating.comment",
        "touchpoint": "touchpoint (the touchpoint option)",
    },
}


@dataclass
class _Ticket:
    data: dict
    where: str  # how a person finds it in the file: "tickets[2]" or "line 3"
    position: int  # 1-based; reported as the row of an import error
    metric_set: dict

    @property
    def id(self):
        return self.data["id"]

    @property
    def label(self) -> str:
        return f"{self.where}, ticket id {self.id}"


@dataclass
class _Export:
    path: Path
    tickets: list[_Ticket]  # as listed in the file
    users: dict[str, dict]
    groups: dict[str, dict]


@dataclass
class _Part:
    """Rows of one kind, each remembering the ticket it came from (to word its errors)."""

    kind: str
    label: str  # names its rejected-rows file
    columns: tuple[str, ...]
    rows: list[dict]
    origins: list[_Ticket]

    def table(self, touchpoint: str | None = None) -> pa.Table:
        data = {c: _column([r.get(c) for r in self.rows]) for c in self.columns}
        if touchpoint is not None and self.kind != "customers":
            data["touchpoint"] = pa.array([touchpoint] * len(self.rows), pa.string())
        return pa.table(data)


# -- reading -------------------------------------------------------------------------------


def _load(path: Path) -> _Export:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read it as UTF-8 text ({exc}); {_HOW_TO_EXPORT}") from exc
    if path.suffix.lower() in _LINE_SUFFIXES:
        return _from_lines(path, text)
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data":  # a first object parsed, then more: JSON Lines saved as .json
            return _from_lines(path, text)
        raise InputError(
            f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); {_HOW_TO_EXPORT}"
        ) from exc
    return _from_document(path, doc)


def _from_document(path: Path, doc) -> _Export:
    if not isinstance(doc, dict) or not isinstance(doc.get("tickets"), list):
        raise InputError(
            f'{path}: no "tickets" list at the top level, so this is not a Zendesk ticket export; '
            f"{_HOW_TO_EXPORT}, or give one ticket object per line (.jsonl)"
        )
    metric_sets = _by_id(path, doc, "metric_sets", "ticket_id")
    tickets = [_ticket(path, obj, f"tickets[{i}]", i + 1, metric_sets) for i, obj in enumerate(doc["tickets"])]
    return _Export(path, tickets, _by_id(path, doc, "users", "id"), _by_id(path, doc, "groups", "id"))


def _from_lines(path: Path, text: str) -> _Export:
    tickets = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path}, line {number}: not valid JSON ({exc.msg} at column {exc.colno}); "
                "each line must be one complete ticket object: fix the line"
            ) from exc
        tickets.append(_ticket(path, obj, f"line {number}", number, {}))
    return _Export(path, tickets, {}, {})


def _by_id(path: Path, doc: dict, sideload: str, key: str) -> dict[str, dict]:
    items = doc.get(sideload) or []
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise InputError(f'{path}: "{sideload}" is not a list of objects; {_HOW_TO_EXPORT}, or remove "{sideload}"')
    # Keys as text: an id is a number in the API, but hand-made files may quote it.
    return {str(x[key]): x for x in items if x.get(key) is not None}


def _ticket(path: Path, obj, where: str, position: int, metric_sets: dict[str, dict]) -> _Ticket:
    if not isinstance(obj, dict):
        raise InputError(f"{path}: {where} is a JSON {type(obj).__name__}, not a ticket object; {_HOW_TO_EXPORT}")
    tid = obj.get("id")
    if isinstance(tid, bool) or not isinstance(tid, (int, str)) or not str(tid).strip():
        raise InputError(
            f'{path}: {where} (ticket id: {tid!r}) has no usable "id"; every Zendesk ticket has a '
            f"numeric id: {_HOW_TO_EXPORT}, or remove this ticket"
        )
    if obj.get("created_at") in (None, ""):
        raise InputError(
            f'{path}: {where} (ticket id {tid}) has no "created_at"; every Zendesk ticket has one: '
            f"{_HOW_TO_EXPORT}, or add it (ISO 8601, e.g. 2024-05-31T14:05:00Z)"
        )
    _check_rating(path, f"{where} (ticket id {tid})", obj.get("satisfaction_rating"))
    own = obj.get("metric_set")
    metric_set = own if isinstance(own, dict) else metric_sets.get(str(tid), {})
    return _Ticket(obj, where, position, metric_set)


def _check_rating(path: Path, label: str, rating) -> None:
    if rating is None:
        return
    score = rating.get("score") if isinstance(rating, dict) else rating
    if not isinstance(rating, dict) or score not in (*SCORES, *_NO_ANSWER):
        raise InputError(
            f'{path}: {label}: "satisfaction_rating.score" is {score!r}, which Zendesk never gives; '
            'use "good", "bad", "offered" or "unoffered", or remove satisfaction_rating'
        )


def _current(tickets: list[_Ticket]) -> list[_Ticket]:
    """The latest version of each ticket that still exists.

    A time-based incremental export can list a ticket twice, and it lists deleted tickets
    (status "deleted") so that copies can delete theirs; cxlens keeps what it has."""
    latest: dict[str, _Ticket] = {}
    for t in tickets:
        seen = latest.get(str(t.id))
        # Zendesk writes every timestamp as YYYY-MM-DDTHH:MM:SSZ, so text order is time order.
        if seen is None or str(t.data.get("updated_at") or "") >= str(seen.data.get("updated_at") or ""):
            latest[str(t.id)] = t
    return [t for t in latest.values() if t.data.get("status") != "deleted"]


# -- mapping -------------------------------------------------------------------------------


def _customer_id(user_id) -> str | None:
    return None if user_id is None else f"zendesk:user:{user_id}"


def _channel(ticket: dict) -> str | None:
    via = ticket.get("via")
    channel = via.get("channel") if isinstance(via, dict) else None
    return CHANNELS.get(channel, channel) if isinstance(channel, str) else channel


def _named(ref_id, sideload: dict[str, dict], prefix: str):
    if ref_id is None:
        return None
    name = sideload.get(str(ref_id), {}).get("name")
    return name if name else f"{prefix}:{ref_id}"


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _minutes(metric_set: dict, name: str, clock: str):
    value = metric_set.get(name)
    return value.get(clock) if isinstance(value, dict) else None


def _seconds(minutes):
    # A value that is not a number goes through as it is, so the field check reports it.
    return minutes * 60 if _is_number(minutes) else minutes


def _after(created, minutes):
    """created + minutes, as ISO text; None when either is missing or created is unreadable
    (the created_at check then reports it)."""
    if minutes is None:
        return None
    if not _is_number(minutes):
        return minutes
    try:
        start = datetime.fromisoformat(str(created))
    except ValueError:
        return None
    return (start + timedelta(minutes=minutes)).isoformat()


def _ticket_row(t: _Ticket, export: _Export) -> dict:
    d, m = t.data, t.metric_set
    created = d.get("created_at")
    return {
        "external_id": f"zendesk:{t.id}",
        "customer": _customer_id(d.get("requester_id")),
        "channel": _channel(d),
        "team": _named(d.get("group_id"), export.groups, "group"),
        "agent": _named(d.get("assignee_id"), export.users, "agent"),
        "status": d.get("status"),
        "priority": d.get("priority"),
        "created_at": created,
        "updated_at": d.get("updated_at"),
        "first_response_at": _after(created, _minutes(m, "reply_time_in_minutes", "calendar")),
        "first_response_business_seconds": _seconds(_minutes(m, "reply_time_in_minutes", "business")),
        "solved_at": m.get("solved_at"),
        "resolution_business_seconds": _seconds(_minutes(m, "full_resolution_time_in_minutes", "business")),
        "reopens": m.get("reopens"),
        "replies": m.get("replies"),
        "subject": d.get("subject"),
        "text": d.get("description"),
        "tags": d.get("tags"),
    }


def _response_row(t: _Ticket) -> dict | None:
    d = t.data
    rating = d.get("satisfaction_rating") or {}
    if rating.get("score") not in SCORES:
        return None
    rating_id = rating.get("id")
    return {
        # A rating without an id still gets one id per ticket, so re-imports stay no-ops.
        "external_id": f"zendesk:csat:{rating_id}" if rating_id is not None else f"zendesk:csat:ticket:{t.id}",
        "customer": _customer_id(d.get("requester_id")),
        "channel": _channel(d),
        "submitted_at": rating.get("updated_at") or rating.get("created_at") or d.get("updated_at"),
        "metric": "csat",
        "score": SCORES[rating["score"]],
        "scale": "1-2",
        "comment": rating.get("comment"),
    }


def _customer_parts(export: _Export, tickets: list[_Ticket]) -> list[_Part]:
    """Requesters with a profile in the users sideload, and those known only by id.

    They are written apart so that ``update=True`` never blanks the name or e-mail of a
    customer whose profile this file happens not to carry."""
    with_profile = _Part("customers", "customers", CUSTOMER_COLUMNS, [], [])
    id_only = _Part("customers", "customer-ids", ("external_id",), [], [])
    seen: set[str] = set()
    for t in tickets:
        user_id = t.data.get("requester_id")
        if user_id is None or str(user_id) in seen:
            continue
        seen.add(str(user_id))
        user = export.users.get(str(user_id))
        part = id_only if user is None else with_profile
        part.rows.append(
            {"external_id": _customer_id(user_id), **{c: (user or {}).get(c) for c in CUSTOMER_COLUMNS[1:]}}
        )
        part.origins.append(t)
    return [p for p in (with_profile, id_only) if p.rows] or [with_profile]


def _parts(export: _Export) -> list[_Part]:
    tickets = _current(export.tickets)
    rated = [(t, row) for t in tickets if (row := _response_row(t)) is not None]
    return [
        *_customer_parts(export, tickets),
        _Part("tickets", "tickets", TICKET_COLUMNS, [_ticket_row(t, export) for t in tickets], tickets),
        _Part("responses", "responses", RESPONSE_COLUMNS, [row for _, row in rated], [t for t, _ in rated]),
    ]


def _column(values: list) -> pa.Array:
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Mixed types (a number here, text there): hand the field check text, which it reads
        # and, where it is wrong, reports as the file has it.
        return pa.array(
            [None if v is None else v if isinstance(v, str) else json.dumps(v) for v in values], pa.string()
        )


# -- public API ----------------------------------------------------------------------------


def read_zendesk(path: str | Path) -> dict[str, pa.Table]:
    """The export at ``path`` as tables of the ``customers``, ``tickets`` and ``responses``
    import kinds (field names of ``KINDS``), before any check of their values.

    Raises :class:`InputError` when the file is not a Zendesk ticket export, or a ticket lacks
    its id or created_at. Deleted tickets are left out; a ticket listed twice counts once."""
    parts = _parts(_load(Path(path)))
    customers = [p.table() for p in parts if p.kind == "customers"]
    return {
        "customers": pa.concat_tables(customers, promote_options="default"),
        "tickets": next(p.table() for p in parts if p.kind == "tickets"),
        "responses": next(p.table() for p in parts if p.kind == "responses"),
    }


def import_zendesk(
    store: Store,
    path: str | Path,
    *,
    update: bool = False,
    skip_bad_rows: bool = False,
    rejected_file: str | Path | None = None,
    touchpoint: str | None = None,
    progress: Progress | None = None,
) -> list[ImportResult]:
    """Import a Zendesk ticket export: requesters, tickets and CSAT ratings, all or nothing.

    Returns one result per kind (customers, tickets, responses). Existing rows are left as they
    are unless ``update``; ``touchpoint`` (a touchpoint key, e.g. "support-email") is set on
    the tickets and responses. With ``skip_bad_rows`` the rejected rows of each kind go to
    ``rejected_file`` with the kind before its suffix (``bad.csv`` → ``bad.tickets.csv``).
    Deleted tickets are skipped; a ticket listed twice is imported in its latest version.
    An error locates each bad value by the ticket's place in the file and its Zendesk id.
    """
    path = Path(path)
    if progress:
        progress("reading", 0, 0)
    export = _load(path)
    parts = _parts(export)
    options = dict(update=update, skip_bad_rows=skip_bad_rows, progress=progress)
    # One transaction: tickets rejected after their requesters were written take those along.
    with store.begin() as conn:
        results = [_import_part(conn, store, export, part, touchpoint, rejected_file, options) for part in parts]
    return _one_per_kind(results)


def _import_part(
    conn: sa.Connection, store: Store, export: _Export, part: _Part, touchpoint, rejected_file, options
) -> ImportResult:
    source = Source(str(export.path), part.table(touchpoint), first_row=1)
    rejected = _part_rejected_path(export.path, rejected_file, part.label) if options["skip_bad_rows"] else None
    try:
        return import_source(store, part.kind, source, conn=conn, rejected_file=rejected, **options)
    except ImportRejected as exc:
        raise _in_export_terms(exc, part, export) from exc


def _part_rejected_path(path: Path, rejected_file, label: str) -> Path:
    """Where the rejected rows of one part (tickets, requesters...) of an export go."""
    if rejected_file is None:
        return Path(f"{path}.{label}.rejected.csv")
    base = Path(rejected_file)
    return base.with_name(f"{base.stem}.{label}{base.suffix or '.csv'}")


def _in_export_terms(exc: ImportRejected, part: _Part, export: _Export) -> ImportRejected:
    """The same problems, located by ticket (its place in the file and its id) and named by
    the export's own field, instead of by a row of an intermediate table."""
    names = _SOURCE_FIELD[part.kind]
    bad = [
        replace(
            b,
            row=part.origins[b.row - 1].position,
            column=names.get(b.column, b.column),
            problem=f"{b.problem} ({part.origins[b.row - 1].label})",
        )
        for b in exc.bad_rows
    ]
    return ImportRejected(str(export.path), sorted(bad, key=lambda b: b.row), len(export.tickets))


def _one_per_kind(results: list[ImportResult]) -> list[ImportResult]:
    """Requesters with and without a profile were written apart; report them as one."""
    merged: dict[str, ImportResult] = {}
    for r in results:
        seen = merged.get(r.kind)
        merged[r.kind] = (
            r
            if seen is None
            else ImportResult(
                r.kind,
                r.source,
                seen.rows + r.rows,
                seen.inserted + r.inserted,
                seen.updated + r.updated,
                seen.unchanged + r.unchanged,
                seen.rejected + r.rejected,
                seen.rejected_file or r.rejected_file,
                seen.ignored_columns + r.ignored_columns,
                seen.seconds + r.seconds,
            )
        )
    return list(merged.values())
