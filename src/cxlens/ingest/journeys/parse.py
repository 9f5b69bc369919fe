"""Reading a journeys file: its structure checked, every problem reported with its path."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from ...errors import InputError, JourneyFileError
from ...metrics import SCALES, default_scale
from ..business_hours import Schedule, parse_day_hours, parse_days, parse_holiday, parse_time_zone
from .checker import Checker, show
from .model import Journey, JourneyMap, Stage, Survey, Touchpoint
from .sections import BUILT_IN, SECTIONS, load_extensions

__all__ = ["parse_journeys", "read_journey_data", "read_journey_map"]

_TOUCHPOINT_FIELDS = {"key", "name", "description", "channel", "team", "targets"}
_SURVEY_FIELDS = {
    "key",
    "name",
    "metric",
    "scale",
    "touchpoint",
    "questions",
    "languages",
    "trigger",
    "channels",
    "fatigue_days",
    "sampling",
    "texts",
    "widget",
}


def parse_journeys(data: Any, source: str = "(journeys)") -> JourneyMap:
    """Check the structure of parsed YAML; raise :class:`JourneyFileError` listing every problem.

    Survey references to touchpoints not in the file are left for the loader to resolve against
    the store, and the checks other parts of cxlens register (see ``sections.py``) are the
    loader's too: :func:`~.load.load_journeys` runs them all."""
    load_extensions()
    c = Checker()
    if data is None:
        raise JourneyFileError(source, ["(top): the file is empty; write journeys:, surveys: or both (see the README)"])
    top = c.mapping(data, "(top)")
    c.unknown(top, {*BUILT_IN, *SECTIONS}, "(top)")
    # Either list may be left out (a file of surveys only, for touchpoints loaded before), not both.
    if isinstance(data, dict) and not any(top.get(name) for name in (*BUILT_IN, *SECTIONS)):
        c.problem("(top)", "has neither journeys nor surveys; write journeys:, surveys: or both (see the README)")
    result = JourneyMap(journeys=_parse_journey_list(c, top.get("journeys")))
    survey_keys: set[str] = set()
    for i, raw in enumerate(c.items(top.get("surveys"), "surveys", required=False)):
        result.surveys.append(_parse_survey(c, raw, f"surveys[{i}]", survey_keys))
    result.schedules = _parse_schedules(c, top.get("schedules"))
    for name, section in SECTIONS.items():
        if name in top:
            result.sections[name] = section.parse(c, top[name])
    if c.problems:
        raise JourneyFileError(source, c.problems)
    return result


def _parse_journey_list(c: Checker, value: Any) -> list[Journey]:
    journeys = []
    journey_keys: set[str] = set()
    stage_keys: dict[str, set[str]] = {}  # per journey key
    touchpoint_keys: set[str] = set()  # unique over the whole file: surveys and events name them
    for i, jraw in enumerate(c.items(value, "journeys", required=False)):
        jpath = f"journeys[{i}]"
        jobj = c.mapping(jraw, jpath)
        c.unknown(jobj, {"key", "name", "goal", "stages"}, jpath)
        journey = Journey(
            c.key(jobj, jpath, journey_keys), c.text(jobj, "name", jpath, True) or "", c.text(jobj, "goal", jpath)
        )
        seen_stages = stage_keys.setdefault(journey.key, set())
        for k, sraw in enumerate(c.items(jobj.get("stages"), f"{jpath}.stages")):
            spath = f"{jpath}.stages[{k}]"
            sobj = c.mapping(sraw, spath)
            c.unknown(sobj, {"key", "name", "touchpoints", "optional", "sequential"}, spath)
            stage = Stage(
                c.key(sobj, spath, seen_stages),
                c.text(sobj, "name", spath, True) or "",
                optional=c.flag(sobj, "optional", spath),
                sequential=c.flag(sobj, "sequential", spath),
            )
            for m, traw in enumerate(c.items(sobj.get("touchpoints"), f"{spath}.touchpoints")):
                stage.touchpoints.append(_parse_touchpoint(c, traw, f"{spath}.touchpoints[{m}]", touchpoint_keys))
            journey.stages.append(stage)
        journeys.append(journey)
    return journeys


def _parse_touchpoint(c: Checker, raw: Any, path: str, seen: set[str]) -> Touchpoint:
    obj = c.mapping(raw, path)
    c.unknown(obj, _TOUCHPOINT_FIELDS, path)
    return Touchpoint(
        key=c.key(obj, path, seen),
        name=c.text(obj, "name", path, True) or "",
        description=c.text(obj, "description", path),
        channel=c.text(obj, "channel", path),
        team=c.text(obj, "team", path),
        targets=c.targets(obj.get("targets"), f"{path}.targets"),
    )


def _parse_survey(c: Checker, raw: Any, path: str, seen: set[str]) -> Survey:
    obj = c.mapping(raw, path)
    c.unknown(obj, _SURVEY_FIELDS, path)
    key = c.key(obj, path, seen)
    name = c.text(obj, "name", path, True) or ""
    metric = c.text(obj, "metric", path, True)
    if metric is not None and metric not in (*SCALES, "text"):
        c.problem(f"{path}.metric", f"{metric!r} is not a survey metric; use nps, csat, ces or text")
        metric = None
    scale = None
    if metric in SCALES:
        raw_scale = obj.get("scale")
        scale = default_scale(metric)
        if raw_scale is not None:
            found = re.fullmatch(r"\s*(\d+)\s*(?:-|\.\.)\s*(\d+)\s*", str(raw_scale))
            parsed = (int(found.group(1)), int(found.group(2))) if found else None
            if parsed not in SCALES[metric]:
                allowed = ", ".join(f"{a}-{b}" for a, b in SCALES[metric])
                c.problem(f"{path}.scale", f"{show(raw_scale)} is not a {metric} scale; use one of {allowed}")
            else:
                scale = parsed
    elif metric == "text" and obj.get("scale") is not None:
        # It would be dropped without a word; the author presumably meant a scored survey.
        c.problem(
            f"{path}.scale",
            f"{show(obj['scale'])}: a text survey has no scale; remove scale, or use metric nps, csat or ces",
        )
    touchpoint = c.touchpoint_ref(obj.get("touchpoint"), f"{path}.touchpoint")
    definition = {k: v for k, v in obj.items() if k not in {"key", "name", "metric", "scale", "touchpoint"}}
    definition.update(c.survey_fields(obj, path))
    return Survey(key, name, metric or "", scale, touchpoint, definition)


_SCHEDULE_FIELDS = {"key", "name", "timezone", "hours", "holidays", "teams", "default"}


def _parse_schedules(c: Checker, value: Any) -> list[Schedule]:
    """The ``schedules:`` section: support teams' business hours, from which the tickets import
    computes business-hours durations. A team may work on one schedule only; one may be default."""
    out: list[Schedule] = []
    keys: set[str] = set()
    team_of: dict[str, str] = {}
    defaults: list[str] = []
    for i, raw in enumerate(c.items(value, "schedules", required=False)):
        path = f"schedules[{i}]"
        obj = c.mapping(raw, path)
        c.unknown(obj, _SCHEDULE_FIELDS, path)
        before = len(c.problems)
        key = c.key(obj, path, keys)
        name = c.text(obj, "name", path)
        zone = _checked(c, f"{path}.timezone", parse_time_zone, obj.get("timezone"))
        hours = c.mapping(obj.get("hours"), f"{path}.hours")
        for day, spec in hours.items():
            _checked(c, f"{path}.hours.{day}", parse_days, day)
            _checked(c, f"{path}.hours.{day}", parse_day_hours, spec)
        for k, holiday in enumerate(c.items(obj.get("holidays"), f"{path}.holidays", required=False)):
            _checked(c, f"{path}.holidays[{k}]", parse_holiday, holiday)
        teams = c.items(obj.get("teams"), f"{path}.teams", required=False)
        for k, team in enumerate(teams):
            if not isinstance(team, str) or not team.strip():
                c.problem(
                    f"{path}.teams[{k}]", f"{show(team)} is not a team name; write the team as your tickets name it"
                )
            elif team in team_of:
                c.problem(
                    f"{path}.teams[{k}]",
                    f"{team!r} is already on schedule {team_of[team]!r}; a team works on one schedule",
                )
            else:
                team_of[team] = key
        default = obj.get("default", False)
        if not isinstance(default, bool):
            c.problem(f"{path}.default", f"{show(default)} is not true or false")
        elif default:
            defaults.append(key)
        if len(c.problems) == before:
            # Whole-schedule checks (no opening hours at all) once each part is valid.
            schedule = _checked(
                c,
                path,
                lambda _: Schedule(key, zone, hours, obj.get("holidays") or (), name, tuple(teams), default),
                None,
            )
            if schedule is not None:
                out.append(schedule)
    if len(defaults) > 1:
        c.problem("schedules", f"{', '.join(defaults)} are all marked default; mark one (the others' teams name them)")
    return out


def _checked(c: Checker, path: str, parse, value: Any):
    try:
        return parse(value)
    except InputError as exc:
        c.problem(path, str(exc))
        return None


def read_journey_data(path: str | Path) -> Any:
    """The parsed YAML of a journeys file; :class:`JourneyFileError` says why it cannot be read."""
    path = Path(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise JourneyFileError(str(path), ["(file): no such file"]) from None
    except IsADirectoryError:
        raise JourneyFileError(str(path), ["(file): is a directory; give the path of a YAML file"]) from None
    except UnicodeDecodeError:
        raise JourneyFileError(str(path), ["(file): not UTF-8 text; save it as UTF-8"]) from None
    except OSError as exc:
        raise JourneyFileError(str(path), [f"(file): cannot be read ({exc.strerror or exc})"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(file)"
        raise JourneyFileError(str(path), [f"{where}: not valid YAML ({getattr(exc, 'problem', exc)})"]) from None


def read_journey_map(path: str | Path) -> JourneyMap:
    """Read and parse a journeys file (its structure; :func:`~.load.load_journeys` checks the rest)."""
    return parse_journeys(read_journey_data(path), str(Path(path)))
