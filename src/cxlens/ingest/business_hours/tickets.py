"""Business hours in the store: schedules saved and read, and each ticket's business-hours
durations derived when it is imported (or recomputed after a schedule changed)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc
import sqlalchemy as sa

from ...store import schema as s
from .schedule import Schedule, ScheduleBook

if TYPE_CHECKING:
    from ..checked_rows import CheckedRows

__all__ = ["derive_ticket_durations", "load_schedules", "recompute_business_seconds", "save_schedules"]


def save_schedules(conn: sa.Connection, schedules: Iterable[Schedule]) -> int:
    """Upsert schedules by key and assign their teams (a team works on one schedule; naming it
    here moves it). A schedule marked default becomes the only default. Returns how many."""
    count = 0
    for schedule in schedules:
        values = {
            "name": schedule.name,
            "timezone": schedule.timezone,
            "hours": schedule.weekly_hours(),
            "holidays": schedule.holiday_dates(),
            "is_default": schedule.default,
            "updated_at": datetime.now(timezone.utc),
        }
        if schedule.default:
            conn.execute(s.schedules.update().where(s.schedules.c.key != schedule.key).values(is_default=False))
        found = conn.execute(sa.select(s.schedules.c.id).where(s.schedules.c.key == schedule.key)).scalar()
        if found is None:
            found = conn.execute(
                s.schedules.insert().values(key=schedule.key, **values).returning(s.schedules.c.id)
            ).scalar_one()
        else:
            conn.execute(s.schedules.update().where(s.schedules.c.id == found).values(**values))
        for team in schedule.teams:
            conn.execute(sa.delete(s.schedule_teams).where(s.schedule_teams.c.team == team))
            conn.execute(s.schedule_teams.insert().values(team=team, schedule_id=found))
        count += 1
    return count


def load_schedules(conn: sa.Connection) -> ScheduleBook:
    """The stored schedules and team assignments."""
    book = ScheduleBook()
    rows = conn.execute(sa.select(s.schedules)).mappings().all()
    if not rows:
        return book
    keys = {}
    for r in rows:
        book.schedules[r["key"]] = Schedule(
            r["key"], r["timezone"], r["hours"] or {}, r["holidays"] or (), r["name"], (), bool(r["is_default"])
        )
        keys[r["id"]] = r["key"]
        if r["is_default"]:
            book.default = r["key"]
    for team, schedule_id in conn.execute(sa.select(s.schedule_teams.c.team, s.schedule_teams.c.schedule_id)).all():
        book.by_team[team] = keys[schedule_id]
    return book


# --- tickets ------------------------------------------------------------------------------------------

_TICKET_SPANS = (
    ("first_response_at", "first_response_seconds", "first_response_business_seconds"),
    ("solved_at", "resolution_seconds", "resolution_business_seconds"),
)


def derive_ticket_durations(batch: CheckedRows, existing: pa.Array | None) -> None:
    """The tickets import's hook: business seconds from the team's schedule where the file does
    not give them (a helpdesk's own, such as Zendesk's, are kept).

    With ``--update`` a stored ticket's times and team fill the file's blanks first, so that a
    changed ``created_at`` (or team) recomputes both calendar and business durations; a stored
    ticket whose times and team did not change keeps its business seconds (they may be a
    helpdesk's own)."""
    times = {
        name: batch.out.get(name, pa.nulls(batch.n, _UTC_TYPE))
        for name in ("created_at", "first_response_at", "solved_at")
    }
    team = batch.out.get("team", pa.nulls(batch.n, pa.string()))
    stored = None
    if existing is not None and pc.any(existing).as_py():
        stored = _stored_tickets(batch, existing)
        times = {name: pc.coalesce(values, stored[name]) for name, values in times.items()}
        team = pc.coalesce(team, stored["team"])
        created = times["created_at"]
        for at, seconds, _ in _TICKET_SPANS:
            micros = pc.subtract(pc.cast(times[at], pa.int64()), pc.cast(created, pa.int64()))
            batch.derived[seconds] = pc.divide(pc.cast(micros, pa.float64(), safe=False), 1e6)
            # A stored reply time now before the new created_at: say so instead of storing a negative.
            from_store = pc.and_(existing, pc.is_null(batch.out.get(at, pa.nulls(batch.n, _UTC_TYPE))))
            batch.reject_mask(
                pc.and_(from_store, pc.less(micros, 0)),
                "created_at",
                f"is after the stored {at}",
                f"give {at} too, or check created_at",
            )
    book = load_schedules(batch.conn)
    if not book:
        return
    for at, _, business in _TICKET_SPANS:
        computed = book.business_seconds(team, times["created_at"], times[at])
        if stored is not None:
            # Null leaves the stored value: where nothing it depends on changed and it has one.
            unchanged = pc.and_(
                pc.and_(_same(times["created_at"], stored["created_at"]), _same(times[at], stored[at])),
                _same(team, stored["team"]),
            )
            keep = pc.and_(pc.fill_null(unchanged, False), pc.is_valid(stored[business]))
            computed = pc.if_else(keep, pa.scalar(None, pa.float64()), computed)
        given = batch.out.get(business)
        batch.out[business] = computed if given is None else pc.coalesce(given, computed)


_UTC_TYPE = pa.timestamp("us", "UTC")


def _same(x: pa.Array, y: pa.Array) -> pa.Array:
    """Equal, or both null."""
    return pc.or_(pc.fill_null(pc.equal(x, y), False), pc.and_(pc.is_null(x), pc.is_null(y)))


def _stored_tickets(batch: CheckedRows, existing: pa.Array) -> dict[str, pa.Array]:
    """Per row of the file, the stored ticket's team, times and business seconds (null for new rows)."""
    ids = batch.out["external_id"].filter(existing).to_pylist()
    names = (
        "external_id",
        "team",
        "created_at",
        "first_response_at",
        "solved_at",
        "first_response_business_seconds",
        "resolution_business_seconds",
    )
    parts = [
        _read_tickets(batch.conn, names, s.tickets.c.external_id.in_(ids[k : k + 5000]))
        for k in range(0, len(ids), 5000)
    ]  # bounded IN lists
    columns = {n: pa.concat_arrays([p[n] for p in parts]) for n in names}
    where = pc.index_in(batch.out["external_id"], value_set=columns["external_id"])
    return {name: values.take(where) for name, values in columns.items()}


def _read_tickets(
    conn: sa.Connection, names: Sequence[str], where, order_limit: int | None = None
) -> dict[str, pa.Array]:
    """Ticket columns as Arrow arrays. Timestamps are read as the driver gives them (text on
    SQLite) and converted in one Arrow cast: per-value conversion in Python took half of an
    --update import's time."""
    t = s.tickets
    sqlite = conn.dialect.name == "sqlite"
    cols = []
    for n in names:
        c = t.c[n]
        if isinstance(c.type, s.UTCDateTime):
            c = sa.type_coerce(c, sa.String if sqlite else sa.DateTime(timezone=True)).label(n)
        cols.append(c)
    query = sa.select(*cols).where(where)
    if order_limit is not None:
        query = query.order_by(t.c.id).limit(order_limit)
    rows = conn.execute(query).all()
    out = {}
    for i, n in enumerate(names):
        values = [r[i] for r in rows]
        typ = t.c[n].type
        if isinstance(typ, s.UTCDateTime):
            out[n] = (
                pc.cast(pc.cast(pa.array(values, pa.string()), pa.timestamp("us")), _UTC_TYPE)
                if sqlite
                else pa.array(values, _UTC_TYPE)
            )
        elif isinstance(typ, sa.Float):
            out[n] = pa.array(values, pa.float64())
        elif isinstance(typ, sa.String):
            out[n] = pa.array(values, pa.string())
        else:
            out[n] = pa.array(values, pa.int64())
    return out


def recompute_business_seconds(store, *, chunk: int = 200_000) -> int:
    """Recompute every stored ticket's business seconds from the stored schedules (after a
    schedule changed). Tickets that carry a helpdesk's own values are recomputed too: call this
    only when the schedules are the truth. Returns how many tickets were updated."""
    t = s.tickets
    updated = 0
    with store.begin() as conn:
        book = load_schedules(conn)
        if not book:
            return 0
        last = 0
        while True:
            rows = _read_tickets(
                conn, ("id", "team", "created_at", "first_response_at", "solved_at"), t.c.id > last, chunk
            )
            if not len(rows["id"]):
                return updated
            last = rows["id"][-1].as_py()
            first = book.business_seconds(rows["team"], rows["created_at"], rows["first_response_at"]).to_pylist()
            solved = book.business_seconds(rows["team"], rows["created_at"], rows["solved_at"]).to_pylist()
            conn.execute(
                t.update()
                .where(t.c.id == sa.bindparam("_id"))
                .values(
                    first_response_business_seconds=sa.bindparam("_first"),
                    resolution_business_seconds=sa.bindparam("_solved"),
                ),
                [{"_id": i, "_first": f, "_solved": v} for i, f, v in zip(rows["id"].to_pylist(), first, solved)],
            )
            updated += len(first)
