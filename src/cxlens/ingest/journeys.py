"""Journeys as code: a YAML file of journeys → ordered stages → touchpoints (with targets),
plus the surveys that ask about them.

    journeys:
      - key: get-help
        name: Get help
        goal: Solve a problem with our help
        stages:
          - key: ask
            name: Ask for help
            touchpoints:
              - key: support-chat
                name: Support chat
                channel: chat
                team: support
                targets: {first_response_time: 2m, csat: 85, first_contact_resolution: 70}
    surveys:
      - key: support-csat
        name: Support satisfaction
        metric: csat
        scale: 1-5
        touchpoint: support-chat

A file may hold journeys, surveys or both. Loading validates the whole file first and reports
every problem with its path (``journeys[1].stages[2].touchpoints[0].targets.nps: 120 is outside
-100..100``); only a valid file is written, in one transaction, as an upsert by key. A survey may
name a touchpoint loaded earlier from another file: that reference is checked against the store
when loading. Nothing is ever deleted: touchpoints missing from the file are kept and reported.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from ..errors import InputError, JourneyFileError
from ..metrics import METRICS, SCALES, default_scale, parse_duration
from ..store import Store
from ..store import schema as s
from .business_hours import Schedule, parse_day_hours, parse_days, parse_holiday, parse_time_zone, save_schedules

__all__ = [
    "Journey",
    "JourneyMap",
    "LoadResult",
    "Stage",
    "Survey",
    "Touchpoint",
    "journey_tree",
    "load_journeys",
    "parse_journeys",
    "read_journey_map",
]

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_KEY_HINT = "use lower-case letters, digits, - and _ (e.g. support-chat)"
_SURVEY_CHANNELS = ("email", "sms", "web", "widget", "api")


@dataclass
class Touchpoint:
    key: str
    name: str
    description: str | None = None
    channel: str | None = None
    team: str | None = None
    targets: dict[str, float] = field(default_factory=dict)


@dataclass
class Stage:
    key: str
    name: str
    touchpoints: list[Touchpoint] = field(default_factory=list)


@dataclass
class Journey:
    key: str
    name: str
    goal: str | None = None
    stages: list[Stage] = field(default_factory=list)


@dataclass
class Survey:
    key: str
    name: str
    metric: str
    scale: tuple[int, int] | None
    touchpoint: str | None = None
    definition: dict[str, Any] = field(default_factory=dict)

    def touchpoint_refs(self, path: str) -> list[tuple[str, str]]:
        """(path, key) of every touchpoint this survey names; ``path`` is the survey's own."""
        refs = [(f"{path}.touchpoint", self.touchpoint)] if self.touchpoint else []
        trigger = self.definition.get("trigger")
        if isinstance(trigger, dict) and isinstance(trigger.get("touchpoint"), str):
            refs.append((f"{path}.trigger.touchpoint", trigger["touchpoint"]))
        return refs


@dataclass
class JourneyMap:
    journeys: list[Journey] = field(default_factory=list)
    surveys: list[Survey] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)  # business hours (business_hours.py)

    def touchpoint_keys(self) -> list[str]:
        return [t.key for j in self.journeys for st in j.stages for t in st.touchpoints]


class _Checker:
    """Walks the parsed YAML, collecting every problem with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping (key: value), got {_show(value)}")
            return {}
        return value

    def items(self, value: Any, path: str, required: bool = True) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.problem(path, f"expected a non-empty list, got {_show(value)}")
            return []
        return value

    def key(self, obj: dict, path: str, seen: set[str]) -> str:
        key = obj.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            self.problem(f"{path}.key", f"{_show(key)} is not a key: {_KEY_HINT}")
            return str(key)
        if key in seen:
            self.problem(f"{path}.key", f"{key!r} is used twice; keys must be unique")
        seen.add(key)
        return key

    def text(self, obj: dict, name: str, path: str, required: bool = False) -> str | None:
        value = obj.get(name)
        if value is None:
            if required:
                self.problem(f"{path}.{name}", "is missing")
            return None
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem(f"{path}.{name}", f"expected text, got {_show(value)}")
            return None
        return str(value)

    def unknown(self, obj: dict, allowed: set[str], path: str) -> None:
        for extra in sorted(set(obj) - allowed):
            self.problem(f"{path}.{extra}", f"is not a known field (known: {', '.join(sorted(allowed))})")

    def targets(self, value: Any, path: str) -> dict[str, float]:
        out: dict[str, float] = {}
        for metric, goal in self.mapping(value, path).items() if value is not None else []:
            where = f"{path}.{metric}"
            spec = METRICS.get(metric)
            if spec is None:
                self.problem(where, f"{metric!r} is not a metric cxlens knows; use one of: {', '.join(METRICS)}")
                continue
            number = parse_duration(goal) if spec.unit == "seconds" else _number(goal)
            hint = "a duration such as 90s, 4h or 2d" if spec.unit == "seconds" else "a number"
            if number is None:
                self.problem(where, f"{_show(goal)} is not {hint}")
            elif not math.isfinite(number):
                # YAML reads .inf and .nan as numbers; no target can be reached or missed by them.
                self.problem(where, f"{_show(goal)} is not a finite number; write {hint}")
            elif not spec.low <= number <= spec.high:
                self.problem(where, f"{_show(goal)} is outside {_span(spec.low, spec.high)}")
            elif _looks_like_fraction(spec, goal, number):
                self.problem(where, f"{_show(goal)} looks like a fraction: write {number * 100:g} for {number * 100:g}% "
                             f"(or '{number:g}%' if you mean less than one percent)")
            else:
                out[metric] = number
        return out

    def touchpoint_ref(self, value: Any, path: str) -> str | None:
        """A touchpoint key a survey refers to: checked for form here, for existence on load
        (it may be in this file or loaded earlier from another)."""
        if value is None:
            return None
        if not isinstance(value, str) or not _KEY.match(value):
            self.problem(path, f"{_show(value)} is not a touchpoint key: {_KEY_HINT}")
            return None
        return value

    def survey_fields(self, obj: dict, path: str) -> dict[str, Any]:
        """The collection settings of a survey, checked just enough that a typo cannot pass as a
        setting; returns the valid ones, normalised, to store in its definition."""
        out: dict[str, Any] = {}
        if "sampling" in obj:
            value = obj["sampling"]
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1
            if ok:
                out["sampling"] = float(value)
            else:
                self.problem(f"{path}.sampling", f"{_show(value)} is not a share of events between 0 and 1; "
                             "write e.g. 0.25 to invite a quarter of them, 1 to invite all")
        if "fatigue_days" in obj:
            value = obj["fatigue_days"]
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            if ok and value >= 0 and float(value).is_integer():
                out["fatigue_days"] = int(value)
            else:
                self.problem(f"{path}.fatigue_days", f"{_show(value)} is not a whole number of days (0 or more); "
                             "write e.g. 30 to ask a customer at most once a month, 0 for no limit")
        if "trigger" in obj:
            out["trigger"] = self.trigger(obj["trigger"], f"{path}.trigger")
        if "languages" in obj:
            value = obj["languages"]
            if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
                self.problem(f"{path}.languages", f"{_show(value)} is not a list of language codes; write e.g. [en, fi]")
            else:
                out["languages"] = value
        if "channels" in obj:
            out["channels"] = self.channels(obj["channels"], f"{path}.channels")
        return out

    def trigger(self, value: Any, path: str) -> dict:
        trigger = self.mapping(value, path)
        # Other fields are left to collection, which owns the trigger's meaning.
        if "after" in trigger:
            after = trigger["after"]
            seconds = parse_duration(after)
            if seconds is None or not math.isfinite(seconds) or seconds < 0:
                self.problem(f"{path}.after", f"{_show(after)} is not a duration; write e.g. 1h or 1d")
        if "touchpoint" in trigger:
            self.touchpoint_ref(trigger["touchpoint"], f"{path}.touchpoint")
        return trigger

    def channels(self, value: Any, path: str) -> list:
        allowed = ", ".join(_SURVEY_CHANNELS)
        if not isinstance(value, list):
            self.problem(path, f"{_show(value)} is not a list of channels; write e.g. [email, web] using {allowed}")
            return []
        for n, channel in enumerate(value):
            if channel not in _SURVEY_CHANNELS:
                self.problem(f"{path}[{n}]", f"{_show(channel)} is not a survey channel; use one of {allowed}")
        return value


def _looks_like_fraction(spec, goal: Any, number: float) -> bool:
    """0.85 for "85 %" is the usual slip; stored as written it would be a target of 0.85 %. Only
    for percents where higher is better (a 0.5 % reopen-rate ceiling is plausible), and not when
    the % is written out."""
    written_as_percent = isinstance(goal, str) and goal.strip().endswith("%")
    return spec.unit == "percent" and spec.higher_is_better and 0 < number < 1 and not written_as_percent


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(str(value).rstrip("%"))
    except ValueError:
        return None


def _span(low: float, high: float) -> str:
    def f(x):
        return "∞" if x == float("inf") else ("-∞" if x == float("-inf") else f"{x:g}")

    return f"{f(low)}..{f(high)}"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_TOUCHPOINT_FIELDS = {"key", "name", "description", "channel", "team", "targets"}
_SURVEY_FIELDS = {"key", "name", "metric", "scale", "touchpoint", "questions", "languages", "trigger", "channels", "fatigue_days", "sampling", "texts"}


def parse_journeys(data: Any, source: str = "(journeys)") -> JourneyMap:
    """Validate parsed YAML; raise :class:`JourneyFileError` listing every problem.

    Survey references to touchpoints not in the file are left for :func:`load_journeys` to
    resolve against the store."""
    c = _Checker()
    if data is None:
        raise JourneyFileError(source, ["(top): the file is empty; write journeys:, surveys: or both (see the README)"])
    top = c.mapping(data, "(top)")
    c.unknown(top, {"journeys", "surveys", "schedules"}, "(top)")
    # Either list may be left out (a file of surveys only, for touchpoints loaded before), not both.
    if isinstance(data, dict) and not top.get("journeys") and not top.get("surveys") and not top.get("schedules"):
        c.problem("(top)", "has neither journeys nor surveys; write journeys:, surveys: or both (see the README)")
    result = JourneyMap()
    journey_keys: set[str] = set()
    stage_keys: dict[str, set[str]] = {}
    touchpoint_keys: set[str] = set()
    for i, jraw in enumerate(c.items(top.get("journeys"), "journeys", required=False)):
        jpath = f"journeys[{i}]"
        jobj = c.mapping(jraw, jpath)
        c.unknown(jobj, {"key", "name", "goal", "stages"}, jpath)
        journey = Journey(c.key(jobj, jpath, journey_keys), c.text(jobj, "name", jpath, True) or "", c.text(jobj, "goal", jpath))
        seen_stages = stage_keys.setdefault(journey.key, set())
        for k, sraw in enumerate(c.items(jobj.get("stages"), f"{jpath}.stages")):
            spath = f"{jpath}.stages[{k}]"
            sobj = c.mapping(sraw, spath)
            c.unknown(sobj, {"key", "name", "touchpoints"}, spath)
            stage = Stage(c.key(sobj, spath, seen_stages), c.text(sobj, "name", spath, True) or "")
            for m, traw in enumerate(c.items(sobj.get("touchpoints"), f"{spath}.touchpoints")):
                tpath = f"{spath}.touchpoints[{m}]"
                tobj = c.mapping(traw, tpath)
                c.unknown(tobj, _TOUCHPOINT_FIELDS, tpath)
                stage.touchpoints.append(
                    Touchpoint(
                        key=c.key(tobj, tpath, touchpoint_keys),
                        name=c.text(tobj, "name", tpath, True) or "",
                        description=c.text(tobj, "description", tpath),
                        channel=c.text(tobj, "channel", tpath),
                        team=c.text(tobj, "team", tpath),
                        targets=c.targets(tobj.get("targets"), f"{tpath}.targets"),
                    )
                )
            journey.stages.append(stage)
        result.journeys.append(journey)
    survey_keys: set[str] = set()
    for i, raw in enumerate(c.items(top.get("surveys"), "surveys", required=False)):
        result.surveys.append(_parse_survey(c, raw, f"surveys[{i}]", survey_keys))
    result.schedules = _parse_schedules(c, top.get("schedules"))
    if c.problems:
        raise JourneyFileError(source, c.problems)
    return result


def _parse_survey(c: _Checker, raw: Any, path: str, seen: set[str]) -> Survey:
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
                c.problem(f"{path}.scale", f"{_show(raw_scale)} is not a {metric} scale; use one of {allowed}")
            else:
                scale = parsed
    elif metric == "text" and obj.get("scale") is not None:
        # It would be dropped without a word; the author presumably meant a scored survey.
        c.problem(f"{path}.scale", f"{_show(obj['scale'])}: a text survey has no scale; remove scale, or use metric nps, csat or ces")
    touchpoint = c.touchpoint_ref(obj.get("touchpoint"), f"{path}.touchpoint")
    definition = {k: v for k, v in obj.items() if k not in {"key", "name", "metric", "scale", "touchpoint"}}
    definition.update(c.survey_fields(obj, path))
    return Survey(key, name, metric or "", scale, touchpoint, definition)


_SCHEDULE_FIELDS = {"key", "name", "timezone", "hours", "holidays", "teams", "default"}


def _parse_schedules(c: _Checker, value: Any) -> list[Schedule]:
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
                c.problem(f"{path}.teams[{k}]", f"{_show(team)} is not a team name; write the team as your tickets name it")
            elif team in team_of:
                c.problem(f"{path}.teams[{k}]", f"{team!r} is already on schedule {team_of[team]!r}; a team works on one schedule")
            else:
                team_of[team] = key
        default = obj.get("default", False)
        if not isinstance(default, bool):
            c.problem(f"{path}.default", f"{_show(default)} is not true or false")
        elif default:
            defaults.append(key)
        if len(c.problems) == before:
            # Whole-schedule checks (no opening hours at all) once each part is valid.
            schedule = _checked(c, path, lambda _: Schedule(key, zone, hours, obj.get("holidays") or (), name, tuple(teams), default), None)
            if schedule is not None:
                out.append(schedule)
    if len(defaults) > 1:
        c.problem("schedules", f"{', '.join(defaults)} are all marked default; mark one (the others' teams name them)")
    return out


def _checked(c: _Checker, path: str, parse, value: Any):
    try:
        return parse(value)
    except InputError as exc:
        c.problem(path, str(exc))
        return None


def read_journey_map(path: str | Path) -> JourneyMap:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
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
    return parse_journeys(data, str(path))


@dataclass
class LoadResult:
    journeys: int
    stages: int
    touchpoints: int
    targets: int
    surveys: int
    # Touchpoints in the store that the file (one with journeys) no longer lists. They are kept,
    # not deleted: events, responses and tickets may hang off them.
    not_in_file: list[str] = field(default_factory=list)
    schedules: int = 0

    def summary(self) -> str:
        text = (
            f"{self.journeys} journey(s), {self.stages} stage(s), {self.touchpoints} touchpoint(s) "
            f"with {self.targets} target(s), {self.surveys} survey(s) loaded"
        )
        if self.schedules:
            text += f"; {self.schedules} schedule(s) of business hours loaded"
        if self.not_in_file:
            text += f"; touchpoint(s) kept: {', '.join(self.not_in_file)} (not in this file; they keep their data)"
        return text


def load_journeys(store: Store, source: str | Path | JourneyMap) -> LoadResult:
    """Validate and upsert a journeys file (or a parsed map) by key, in one transaction."""
    jmap = source if isinstance(source, JourneyMap) else read_journey_map(source)
    name = "(journeys)" if isinstance(source, JourneyMap) else str(Path(source))
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
            raise JourneyFileError(name, problems)
        if jmap.journeys:
            counts.not_in_file = sorted(set(stored) - in_file)
        tp_ids: dict[str, int] = {}
        for jpos, journey in enumerate(jmap.journeys):
            jid = _upsert(conn, s.journeys, {"key": journey.key}, {"name": journey.name, "goal": journey.goal, "position": jpos})
            counts.journeys += 1
            tp_pos = 0
            for spos, stage in enumerate(journey.stages):
                sid = _upsert(conn, s.stages, {"journey_id": jid, "key": stage.key}, {"name": stage.name, "position": spos})
                counts.stages += 1
                for tp in stage.touchpoints:
                    tid = _upsert(
                        conn, s.touchpoints, {"key": tp.key},
                        {"journey_id": jid, "stage_id": sid, "name": tp.name, "description": tp.description,
                         "channel": tp.channel, "team": tp.team, "position": tp_pos},
                    )
                    tp_pos += 1
                    tp_ids[tp.key] = tid
                    counts.touchpoints += 1
                    # Targets are what the file says now: replace, don't merge.
                    conn.execute(sa.delete(s.touchpoint_targets).where(s.touchpoint_targets.c.touchpoint_id == tid))
                    for metric, goal in tp.targets.items():
                        conn.execute(s.touchpoint_targets.insert().values(touchpoint_id=tid, metric=metric, kind=METRICS[metric].kind, target=goal))
                        counts.targets += 1
        for survey in jmap.surveys:
            low, high = survey.scale or (None, None)
            tid = None
            if survey.touchpoint:
                # Checked above: in this file (just written) or in the store before.
                tid = tp_ids[survey.touchpoint] if survey.touchpoint in tp_ids else stored[survey.touchpoint]
            _upsert(conn, s.surveys, {"key": survey.key},
                    {"name": survey.name, "metric": survey.metric, "scale_min": low, "scale_max": high,
                     "touchpoint_id": tid, "definition": survey.definition or None})
            counts.surveys += 1
        counts.schedules = save_schedules(conn, jmap.schedules)
    return counts


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
                {"key": t["key"], "name": t["name"], "channel": t["channel"], "team": t["team"], "targets": targets.get(t["id"], {})}
                for t in tps if t["stage_id"] == stage["id"]
            ]
            stages.append({"key": stage["key"], "name": stage["name"], "touchpoints": points})
        tree.append({"key": j["key"], "name": j["name"], "goal": j["goal"], "stages": stages})
    return tree
