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

__all__ = ["FACTS", "TEXT_SOURCE", "FactRows", "Facts", "KPISource", "bound", "check_dimensions", "filter_dimensions", "value_lists"]


@dataclass(frozen=True)
class Facts:
    """A source of fact rows: its table, the columns KPIs read or slice by directly, its time
    column, and the dimensions it can be sliced by."""

    table: str
    columns: tuple[str, ...]
    at: str
    dimensions: tuple[str, ...]


FACTS = {
    "answers": Facts("responses", ("metric", "score", "scale_min", "scale_max", "channel", "language"), "submitted_at",
                     SOURCE_DIMENSIONS["answers"]),
    "tickets": Facts(
        "tickets",
        ("channel", "team", "agent", "language", "solved_at", "replies", "reopens", "first_response_seconds",
         "first_response_business_seconds", "resolution_seconds", "resolution_business_seconds", "handle_seconds"),
        "created_at", SOURCE_DIMENSIONS["tickets"],
    ),
    # An invitation counts once it was sent; the time is when it went out.
    "invitations": Facts("invitations", ("channel", "status"), "sent_at", SOURCE_DIMENSIONS["invitations"]),
    "mentions": Facts("mentions", ("source", "kind", "language", "rating", "rating_max"), "posted_at",
                      SOURCE_DIMENSIONS["mentions"]),
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
    groups = [{**head, "values": flat[offsets[i]:offsets[i + 1]], "n": int(offsets[i + 1] - offsets[i])} for i, head in enumerate(heads)]
    return sorted(groups, key=lambda g: tuple((g[k] is None, g[k]) if g[k] is not None else (True, 0) for k in keys))


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
        if need & {"touchpoint", "journey", "stage"}:
            tp = self._touchpoints()
            t = t.left_join(tp, f.touchpoint_id == tp.tp_id)
            names.append("touchpoint")
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
        if need & {*TEXT_DIMENSIONS, "sentiment_score"}:
            tr = self._texts(TEXT_SOURCE[source])
            t = t.left_join(tr, f.id == tr.tr_source_id)
            names += ["sentiment", "sentiment_score"]
            if "theme" in need:
                th = self._themes()
                t, names = t.left_join(th, tr.tr_theme == th.th_id), [*names, "theme"]
        return t.select(*dict.fromkeys(names), at=at, **extra)

    def _texts(self, source: str) -> ibis.Table:
        tr = self.engine.table("text_results")
        tr = tr.filter(tr.source == source)
        return tr.select(tr_source_id=tr.source_id, sentiment=tr.sentiment, sentiment_score=tr.sentiment_score, tr_theme=tr.theme_id)

    def _themes(self) -> ibis.Table:
        """Each theme's shown name: a user's name over the label, that of the theme it was merged into."""
        th = self.engine.table("text_themes")
        into = th.select(m_id=th.id, m_name=th.name.coalesce(th.label))
        j = th.left_join(into, th.merged_into_id == into.m_id)
        return j.select(th_id=j.id, theme=j.m_name.coalesce(j.name, j.label))

    def _touchpoints(self) -> ibis.Table:
        tp = self.engine.table("touchpoints")
        return tp.select(tp_id=tp.id, touchpoint=tp.key, tp_journey=tp.journey_id, tp_stage=tp.stage_id)

    def _journeys(self) -> ibis.Table:
        j = self.engine.table("journeys")
        return j.select(j_id=j.id, journey=j.key)

    def _stages(self) -> ibis.Table:
        st = self.engine.table("stages")
        return st.select(st_id=st.id, stage=st.key)

    def _customers(self) -> ibis.Table:
        c = self.engine.table("customers")
        return c.select(c_id=c.id, segment=c.segment, plan=c.plan, persona=c.persona)


class KPISource(Protocol):
    """What a KPI of its own shape (customers, funnel) needs of the ``KPIs`` facade."""

    engine: Engine

    def compute(self, metric: str, **options) -> KPIResult: ...
