"""Loading a journeys file into the store: every check first, then one transaction of upserts
by key. Nothing is ever deleted: touchpoints missing from the file are kept and reported."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa

from ...errors import JourneyFileError
from ...metrics import METRICS
from ...store import Store
from ...store import schema as s
from ..business_hours import save_schedules
from .model import Journey, JourneyMap, LoadResult
from .parse import parse_journeys, read_journey_data
from .sections import SECTIONS, item_problems, load_extensions

__all__ = ["check_journey_data", "journey_tree", "load_journey_data", "load_journeys"]


def load_journeys(store: Store, source: str | Path | JourneyMap) -> LoadResult:
    """Check and upsert a journeys (or surveys) file, or a parsed map, by key, in one transaction.

    Every check applies: the file's structure, the checks registered by other parts of cxlens
    (collection's for surveys: languages, wording, questions, trigger, widget) and the touchpoints
    the surveys name (in this file or in the store). Every problem is reported at once, and
    nothing is written unless all is valid."""
    if isinstance(source, JourneyMap):
        load_extensions()
        problems = item_problems("surveys", [survey.as_data() for survey in source.surveys])
        if problems:
            raise JourneyFileError("(journeys)", problems)
        return _save(store, source, "(journeys)")
    path = Path(source)
    return load_journey_data(store, read_journey_data(path), str(path))


def load_journey_data(store: Store, data: Any, source: str = "(journeys)") -> LoadResult:
    """Check and load parsed journeys data (what a file or ``POST /api/surveys`` holds)."""
    return _save(store, check_journey_data(data, source), source)


def check_journey_data(data: Any, source: str = "(journeys)") -> JourneyMap:
    """Parsed data as a map, after every check that needs no store; all problems at once."""
    load_extensions()
    items = data.get("surveys") if isinstance(data, dict) else None
    problems = item_problems("surveys", items) if isinstance(items, list) else []
    try:
        jmap = parse_journeys(data, source)
    except JourneyFileError as exc:
        raise JourneyFileError(source, exc.problems + problems) from None
    if problems:
        raise JourneyFileError(source, problems)
    return jmap


def _save(store: Store, jmap: JourneyMap, source: str) -> LoadResult:
    counts = LoadResult(0, 0, 0, 0, 0)
    with store.begin() as conn:
        # Resolve every survey's touchpoints before writing, so a bad reference writes nothing.
        stored = _stored_touchpoints(conn)
        in_file = set(jmap.touchpoint_keys())
        problems = [
            f"{where}: {key!r} is not a touchpoint: it is neither in this file nor in the store "
            "(load the file that defines it first, or correct the key)"
            for i, survey in enumerate(jmap.surveys)
            for where, key in survey.touchpoint_refs(f"surveys[{i}]")
            if key not in in_file and key not in stored
        ]
        if problems:
            raise JourneyFileError(source, problems)
        if jmap.journeys:
            counts.not_in_file = sorted(set(stored) - in_file)
        tp_ids: dict[str, int] = {}
        for position, journey in enumerate(jmap.journeys):
            _save_journey(conn, journey, position, tp_ids, counts)
        for survey in jmap.surveys:
            low, high = survey.scale or (None, None)
            tid = None
            if survey.touchpoint:
                # Checked above: in this file (just written) or in the store before.
                tid = tp_ids[survey.touchpoint] if survey.touchpoint in tp_ids else stored[survey.touchpoint]
            _upsert(
                conn,
                s.surveys,
                {"key": survey.key},
                {
                    "name": survey.name,
                    "metric": survey.metric,
                    "scale_min": low,
                    "scale_max": high,
                    "touchpoint_id": tid,
                    "definition": survey.definition or None,
                },
            )
            counts.surveys += 1
        counts.schedules = save_schedules(conn, jmap.schedules)
        try:
            for name, parsed in jmap.sections.items():
                if SECTIONS[name].save is not None:
                    SECTIONS[name].save(conn, parsed)
        except JourneyFileError as exc:  # a section's check that needs the store: name the file
            raise JourneyFileError(source, exc.problems) from None
    return counts


def _save_journey(
    conn: sa.Connection, journey: Journey, position: int, tp_ids: dict[str, int], counts: LoadResult
) -> None:
    jid = _upsert(
        conn, s.journeys, {"key": journey.key}, {"name": journey.name, "goal": journey.goal, "position": position}
    )
    counts.journeys += 1
    tp_pos = 0
    for spos, stage in enumerate(journey.stages):
        sid = _upsert(
            conn,
            s.stages,
            {"journey_id": jid, "key": stage.key},
            {"name": stage.name, "position": spos, "optional": stage.optional, "sequential": stage.sequential},
        )
        counts.stages += 1
        for tp in stage.touchpoints:
            tid = _upsert(
                conn,
                s.touchpoints,
                {"key": tp.key},
                {
                    "journey_id": jid,
                    "stage_id": sid,
                    "name": tp.name,
                    "description": tp.description,
                    "channel": tp.channel,
                    "team": tp.team,
                    "position": tp_pos,
                },
            )
            tp_pos += 1
            tp_ids[tp.key] = tid
            counts.touchpoints += 1
            # Targets are what the file says now: replace, don't merge.
            conn.execute(sa.delete(s.touchpoint_targets).where(s.touchpoint_targets.c.touchpoint_id == tid))
            for metric, goal in tp.targets.items():
                conn.execute(
                    s.touchpoint_targets.insert().values(
                        touchpoint_id=tid, metric=metric, kind=METRICS[metric].kind, target=goal
                    )
                )
                counts.targets += 1


def _stored_touchpoints(conn: sa.Connection) -> dict[str, int]:
    return dict(conn.execute(sa.select(s.touchpoints.c.key, s.touchpoints.c.id)).all())


def _upsert(conn: sa.Connection, table: sa.Table, key: dict, values: dict) -> int:
    where = sa.and_(*(table.c[k] == v for k, v in key.items()))
    found = conn.execute(sa.select(table.c.id).where(where)).scalar()
    if found is None:
        return conn.execute(table.insert().values(**key, **values).returning(table.c.id)).scalar_one()
    conn.execute(table.update().where(table.c.id == found).values(**values))
    return found


def journey_tree(store: Store) -> list[dict]:
    """The stored map: journeys → stages → touchpoints with targets, in order."""
    with store.engine.connect() as conn:
        js = conn.execute(sa.select(s.journeys).order_by(s.journeys.c.position, s.journeys.c.id)).mappings().all()
        st = conn.execute(sa.select(s.stages).order_by(s.stages.c.position)).mappings().all()
        tps = conn.execute(sa.select(s.touchpoints).order_by(s.touchpoints.c.position)).mappings().all()
        tg = conn.execute(sa.select(s.touchpoint_targets).order_by(s.touchpoint_targets.c.id)).mappings().all()
    targets: dict[int, dict[str, float]] = {}
    for t in tg:
        targets.setdefault(t["touchpoint_id"], {})[t["metric"]] = t["target"]
    tree = []
    for j in js:
        stages = []
        for stage in (x for x in st if x["journey_id"] == j["id"]):
            points = [
                {
                    "key": t["key"],
                    "name": t["name"],
                    "channel": t["channel"],
                    "team": t["team"],
                    "targets": targets.get(t["id"], {}),
                }
                for t in tps
                if t["stage_id"] == stage["id"]
            ]
            stages.append(
                {
                    "key": stage["key"],
                    "name": stage["name"],
                    "optional": bool(stage["optional"]),
                    "sequential": bool(stage["sequential"]),
                    "touchpoints": points,
                }
            )
        tree.append({"key": j["key"], "name": j["name"], "goal": j["goal"], "stages": stages})
    return tree
