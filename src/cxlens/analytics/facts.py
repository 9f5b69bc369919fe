"""The fact rows KPIs count: each source's table, the columns KPIs read, its time column, and the
joins that bring in the dimensions a KPI is sliced by (journey map, survey, customer, text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

import ibis
import pyarrow as pa

from ..catalog import CUSTOMER_DIMENSIONS, SOURCE_DIMENSIONS, TEXT_DIMENSIONS
from ..errors import InputError
from .engine import Engine
from .result import KPIResult
from .rollup import Rollup

__all__ = [
    "FACTS",
    "TEXT_SOURCE",
    "FactRows",
    "Facts",
    "KPISource",
    "bound",
    "check_dimensions",
    "filter_dimensions",
    "value_lists",
]


@dataclass(frozen=True)
class Facts:
    """A source of fact rows: its table, the columns KPIs read or slice by directly, its time
    column, and the dimensions it can be sliced by."""

    table: str
    columns: tuple[str, ...]
    at: str
    dimensions: tuple[str, ...]


FACTS = {
    "answers": Facts(
        "responses",
        ("metric", "score", "scale_min", "scale_max", "channel", "language"),
        "submitted_at",
        SOURCE_DIMENSIONS["answers"],
    ),
    "tickets": Facts(
        "tickets",
        (
            "channel",
            "team",
            "agent",
            "language",
            "solved_at",
            "replies",
            "reopens",
            "first_response_seconds",
            "first_response_business_seconds",
            "resolution_seconds",
            "resolution_business_seconds",
            "handle_seconds",
        ),
        "created_at",
        SOURCE_DIMENSIONS["tickets"],
    ),
    # An invitation counts once it was sent; the time is when it went out.
    "invitations": Facts("invitations", ("channel", "status"), "sent_at", SOURCE_DIMENSIONS["invitations"]),
    "mentions": Facts(
        "mentions", ("source", "kind", "language", "rating", "rating_max"), "posted_at", SOURCE_DIMENSIONS["mentions"]
    ),
    # Follow-up cases, by when they were opened; durations and ``clock`` are computed (see
    # ``FactRows._case_columns``), the recovery and churn of a detractor's case joined on need.
    "cases": Facts(
        "cases",
        (
            "team",
            "priority",
            "source",
            "root_cause",
            "outcome",
            "status",
            "due_at",
            "first_contacted_at",
            "resolved_at",
            "closed_at",
            "escalated_at",
        ),
        "created_at",
        SOURCE_DIMENSIONS["cases"],
    ),
}
# The text_results.source value of each fact source that has texts.
TEXT_SOURCE = {"answers": "response", "tickets": "ticket", "mentions": "mention"}


def check_dimensions(by: Sequence[str], source: str = "answers") -> list[str]:
    """``by`` as a list, when ``source`` can be sliced by each of them; else an InputError."""
    known = CUSTOMER_DIMENSIONS if source == "customers" else FACTS[source].dimensions
    unknown = [d for d in by if d not in known]
    if unknown:
        raise InputError(f"cannot slice by {', '.join(unknown)}; dimensions: {', '.join(known)}")
    return list(by)


def filter_dimensions(t: ibis.Table, where: dict | None, source: str) -> ibis.Table:
    """``t`` keeping rows whose dimensions hold one of the wanted values ({dim: value(s)})."""
    for dim, wanted in (where or {}).items():
        values = [wanted] if isinstance(wanted, str) else list(wanted)
        t = t.filter(t[check_dimensions([dim], source)[0]].isin(values))
    return t


def bound(column: ibis.Expr, moment: datetime) -> datetime:
    """``moment`` as a literal of the column's own kind: compared with a zone-aware literal,
    DuckDB converts every value of a zone-less column (the mirror's, UTC by the store's rule)
    and can no longer skip row groups by their min and max."""
    if column.type().timezone is None and moment.tzinfo is not None:
        return moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def value_lists(values: pa.Table, keys: list[str]) -> list[dict]:
    """Each group's values as one NumPy array, ordered by the group keys: Arrow's hash_list,
    then slices of the flattened lists (a million durations must not become Python floats)."""
    if not keys:
        column = values.column("value").to_numpy(zero_copy_only=False)
        return [{"values": column, "n": len(column)}] if len(column) else []
    grouped = values.group_by(keys).aggregate([("value", "list")])
    if grouped.num_rows == 0:
        return []
    lists = grouped.column("value_list").combine_chunks()
    flat = lists.flatten().to_numpy(zero_copy_only=False)
    offsets = lists.offsets.to_numpy()
    heads = grouped.select(keys).to_pylist()
    groups = [
        {**head, "values": flat[offsets[i] : offsets[i + 1]], "n": int(offsets[i + 1] - offsets[i])}
        for i, head in enumerate(heads)
    ]
    return sorted(groups, key=lambda g: tuple((g[k] is None, g[k]) if g[k] is not None else (True, 0) for k in keys))


def _seconds(at: ibis.Expr) -> ibis.Expr:
    """Whole seconds since 1970 of a timestamp: engines differ in whether an epoch keeps the
    fraction (PostgreSQL, DuckDB) or drops it (SQLite, Spark), so every one drops it."""
    return at.epoch_seconds().cast("float64").floor()


class FactRows:
    """The fact rows of each source on one engine, joined to just the tables a question's
    dimensions need (an unused join still costs the engine a pass: DuckDB and SQLite do not
    drop it). Each shape is built once: schemas are looked up on build."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._relations: dict[tuple, ibis.Table] = {}

    def rows(self, source: str, dims: Sequence[str] = (), *, rollup: Rollup | None = None) -> ibis.Table:
        """The rows of ``source`` (``at``: its time) with the columns ``dims`` need; with
        ``rollup``, the rows of the mirror's daily summary instead, each with its ``weight``."""
        key = (source, frozenset(dims), rollup)
        if key not in self._relations:
            self._relations[key] = self._build(source, set(dims), rollup)
        return self._relations[key]

    def _build(self, source: str, need: set[str], rollup: Rollup | None = None) -> ibis.Table:
        facts = FACTS[source]
        if rollup is None:
            f = self.engine.table(facts.table)
            t, names, at, extra = f, list(facts.columns), f[facts.at], {}
        else:
            f = self.engine.table(rollup.table)
            names = [c for c in facts.columns if c in rollup.keys] + list(rollup.customer_keys)
            t, at, extra = f, f.day.cast("timestamp"), {"weight": f.weight}
        # A source without a team of its own (answers) has its touchpoint's.
        touchpoint_team = "team" in need and "team" not in facts.columns
        if need & {"touchpoint", "journey", "stage"} or touchpoint_team:
            tp = self._touchpoints()
            t = t.left_join(tp, f.touchpoint_id == tp.tp_id)
            names.append("touchpoint")
            if touchpoint_team:
                extra = {**extra, "team": tp.tp_team}
            # Predicates name the joined tables themselves: Ibis checks each belongs to the chain.
            if "journey" in need:
                j = self._journeys()
                t, names = t.left_join(j, tp.tp_journey == j.j_id), [*names, "journey"]
            if "stage" in need:
                st = self._stages()
                t, names = t.left_join(st, tp.tp_stage == st.st_id), [*names, "stage"]
        if "survey" in need:
            sv = self.engine.table("surveys")
            sv = sv.select(sv_id=sv.id, survey=sv.key)
            t, names = t.left_join(sv, f.survey_id == sv.sv_id), [*names, "survey"]
        if need & set(CUSTOMER_DIMENSIONS) and rollup is None:
            c = self._customers()
            t, names = t.left_join(c, f.customer_id == c.c_id), [*names, *CUSTOMER_DIMENSIONS]
        if source == "cases" and rollup is None:
            t, extra = self._case_columns(t, f, need)
        if need & {*TEXT_DIMENSIONS, "sentiment_score"}:
            tr = self._texts(TEXT_SOURCE[source])
            t = t.left_join(tr, f.id == tr.tr_source_id)
            names += ["sentiment", "sentiment_score"]
            if "theme" in need:
                th = self._themes()
                t, names = t.left_join(th, tr.tr_theme == th.th_id), [*names, "theme"]
        return t.select(*dict.fromkeys(names), at=at, **extra)

    def _case_columns(self, t: ibis.Table, f: ibis.Table, need: set[str]) -> tuple[ibis.Table, dict]:
        """A case's computed columns: ``clock`` (which hours its deadlines count), the seconds
        from opening to the first contact and to closing, and on need whether it was opened
        from a detractor's NPS answer, its customer's next NPS answer after the opening,
        whether that customer churned after it, and its first-contact deadline."""
        opened = _seconds(f.created_at)
        extra = {
            "clock": f.business_hours.ifelse("business", "calendar"),
            "first_contact_seconds": (_seconds(f.first_contacted_at) - opened).cast("float64"),
            "close_seconds": (_seconds(f.closed_at) - opened).cast("float64"),
        }
        if need & {"detractor", "next_nps"}:
            r = self.engine.table("responses")
            r = r.filter((r.metric == "nps") & r.score.notnull())
            if "detractor" in need:
                origin = r.select(o_id=r.id, o_score=r.score)
                t = t.left_join(origin, f.response_id == origin.o_id)
                extra["detractor"] = (origin.o_score <= 6).fill_null(False)
            if "next_nps" in need:
                nxt = self._next_answers(r)
                t = t.left_join(nxt, f.id == nxt.nx_case)
                extra["next_nps"] = nxt.next_nps
        if need & {"customer_known", "churned_after"}:
            c = self.engine.table("customers")
            c = c.select(cc_id=c.id, cc_churned_at=c.churned_at)
            t = t.left_join(c, f.customer_id == c.cc_id)
            extra["customer_known"] = c.cc_id.notnull()
            extra["churned_after"] = (c.cc_churned_at.notnull() & (c.cc_churned_at >= f.created_at)).fill_null(False)
        if "first_contact_due" in need:
            due = self._first_contact_deadlines()
            t = t.left_join(due, f.id == due.fc_case)
            extra["first_contact_due"] = due.fc_due
            extra["contacted_in_time"] = (_seconds(f.first_contacted_at) <= due.fc_due).fill_null(False)
        return t, extra

    def _first_contact_deadlines(self) -> ibis.Table:
        """Each case's first-contact deadline (seconds since 1970), as its ``opened`` event
        noted it (``data.first_contact_due_at``, an ISO time in UTC); none when its SLA policy
        sets none. The JSON is read as its text, the one form every engine holds."""
        ev = self.engine.table("case_events")
        ev = ev.filter(ev.kind == "opened")
        iso = ev.data.cast("string").re_extract(r'"first_contact_due_at"\s*:\s*"([^"]+)"', 1).nullif("")
        seconds = iso.substr(0, 19).replace("T", " ").cast("timestamp").epoch_seconds()
        return ev.group_by(fc_case=ev.case_id).aggregate(fc_due=seconds.min())

    def _next_answers(self, nps: ibis.Table) -> ibis.Table:
        """Each case's customer's first NPS answer submitted after the case was opened."""
        cs = self.engine.table("cases")
        cs = cs.filter(cs.customer_id.notnull()).select(
            nx_case=cs.id, nx_customer=cs.customer_id, nx_opened=cs.created_at
        )
        answers = nps.select(a_id=nps.id, a_customer=nps.customer_id, a_at=nps.submitted_at, a_score=nps.score)
        j = cs.join(answers, [cs.nx_customer == answers.a_customer, answers.a_at > cs.nx_opened])
        j = j.mutate(rank=ibis.row_number().over(group_by=j.nx_case, order_by=[j.a_at, j.a_id]))
        j = j.filter(j.rank == 0)
        return j.select(nx_case=j.nx_case, next_nps=j.a_score)

    def _texts(self, source: str) -> ibis.Table:
        tr = self.engine.table("text_results")
        tr = tr.filter(tr.source == source)
        return tr.select(
            tr_source_id=tr.source_id, sentiment=tr.sentiment, sentiment_score=tr.sentiment_score, tr_theme=tr.theme_id
        )

    def _themes(self) -> ibis.Table:
        """Each theme's shown name: a user's name over the label, that of the theme it was merged into."""
        th = self.engine.table("text_themes")
        into = th.select(m_id=th.id, m_name=th.name.coalesce(th.label))
        j = th.left_join(into, th.merged_into_id == into.m_id)
        return j.select(th_id=j.id, theme=j.m_name.coalesce(j.name, j.label))

    def _touchpoints(self) -> ibis.Table:
        tp = self.engine.table("touchpoints")
        return tp.select(
            tp_id=tp.id, touchpoint=tp.key, tp_journey=tp.journey_id, tp_stage=tp.stage_id, tp_team=tp.team
        )

    def _journeys(self) -> ibis.Table:
        j = self.engine.table("journeys")
        return j.select(j_id=j.id, journey=j.key)

    def _stages(self) -> ibis.Table:
        st = self.engine.table("stages")
        return st.select(st_id=st.id, stage=st.key)

    def _customers(self) -> ibis.Table:
        c = self.engine.table("customers")
        return c.select(c_id=c.id, **{d: c[d] for d in CUSTOMER_DIMENSIONS})


class KPISource(Protocol):
    """What a KPI of its own shape (customers, funnel) needs of the ``KPIs`` facade."""

    engine: Engine

    def compute(self, metric: str, **options) -> KPIResult: ...
