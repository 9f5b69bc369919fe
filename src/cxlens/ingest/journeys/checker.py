"""The checker that walks a parsed journeys file, collecting every problem with its path."""

from __future__ import annotations

import math
import re
from typing import Any

from ... import catalog
from ...metrics import METRICS, parse_duration
from ..business_hours.schedule import show

__all__ = ["KEY", "KEY_HINT", "SURVEY_CHANNELS", "Checker", "show"]

KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
KEY_HINT = "use lower-case letters, digits, - and _ (e.g. support-chat)"
SURVEY_CHANNELS = ("email", "sms", "web", "widget", "api")


class Checker:
    """Walks the parsed YAML, collecting every problem with its path."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(f"{path}: {message}")

    def mapping(self, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            self.problem(path, f"expected a mapping (key: value), got {show(value)}")
            return {}
        return value

    def items(self, value: Any, path: str, required: bool = True) -> list:
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            self.problem(path, f"expected a non-empty list, got {show(value)}")
            return []
        return value

    def key(self, obj: dict, path: str, seen: set[str]) -> str:
        key = obj.get("key")
        if not isinstance(key, str) or not KEY.match(key):
            self.problem(f"{path}.key", f"{show(key)} is not a key: {KEY_HINT}")
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
            self.problem(f"{path}.{name}", f"expected text, got {show(value)}")
            return None
        return str(value)

    def flag(self, obj: dict, name: str, path: str) -> bool:
        value = obj.get(name, False)
        if not isinstance(value, bool):
            self.problem(f"{path}.{name}", f"{show(value)} is not true or false")
            return False
        return value

    def unknown(self, obj: dict, allowed: set[str], path: str) -> None:
        for extra in sorted(set(obj) - allowed):
            self.problem(f"{path}.{extra}", f"is not a known field (known: {', '.join(sorted(allowed))})")

    def targets(self, value: Any, path: str) -> dict[str, float]:
        """A touchpoint's targets by the KPI each is measured by: ``first_response_time: {median:
        2m}`` is a target of first_response_median."""
        out: dict[str, float] = {}
        for metric, goal in self.mapping(value, path).items() if value is not None else []:
            where = f"{path}.{metric}"
            if METRICS.get(metric) is None:
                self.problem(where, f"{metric!r} is not a metric cxlens knows; use one of: {', '.join(METRICS)}")
                continue
            refused = catalog.touchpoint_target_problem(metric)
            if refused:
                self.problem(where, refused)
                continue
            named = self._statistic(metric, goal, where)
            if named is None:
                continue
            metric, goal, where = named
            number = self._goal(METRICS[metric], goal, where)
            if number is not None:
                out[metric] = number
        return out

    def _statistic(self, metric: str, goal: Any, where: str) -> tuple[str, Any, str] | None:
        """(the KPI, its goal, its path) of a target that names its statistic, or of a plain one
        where the metric has one statistic; None (a problem noted) otherwise."""
        allowed = catalog.statistics_of(metric)
        if isinstance(goal, dict):
            if len(goal) != 1 or not allowed or next(iter(goal)) not in allowed:
                choices = ", ".join(f"{{{s}: …}}" for s in allowed)
                fix = f"write one of {choices}" if allowed else "write the target as a plain value"
                self.problem(where, f"{show(goal)} does not name a statistic of {metric}; {fix}")
                return None
            statistic, value = next(iter(goal.items()))
            return catalog.with_statistic(metric, statistic), value, f"{where}.{statistic}"
        if len(allowed) > 1:
            # A skewed duration: its mean, median and p90 differ a lot (DESIGN.md §5).
            if self._goal(METRICS[metric], goal, where) is not None:
                self.problem(
                    where,
                    f"{show(goal)}: say which statistic the target is for, e.g. {{median: {goal}}} "
                    f"(one of {', '.join(allowed)}): the mean of skewed times misleads",
                )
            return None
        return metric, goal, where

    def _goal(self, spec, goal: Any, where: str) -> float | None:
        number = parse_duration(goal) if spec.unit == "seconds" else as_number(goal)
        hint = "a duration such as 90s, 4h or 2d" if spec.unit == "seconds" else "a number"
        if number is None:
            self.problem(where, f"{show(goal)} is not {hint}")
        elif not math.isfinite(number):
            # YAML reads .inf and .nan as numbers; no target can be reached or missed by them.
            self.problem(where, f"{show(goal)} is not a finite number; write {hint}")
        elif not spec.low <= number <= spec.high:
            self.problem(where, f"{show(goal)} is outside {span(spec.low, spec.high)}")
        elif looks_like_fraction(spec, goal, number):
            self.problem(
                where,
                f"{show(goal)} looks like a fraction: write {number * 100:g} for {number * 100:g}% "
                f"(or '{number:g}%' if you mean less than one percent)",
            )
        else:
            return number
        return None

    def touchpoint_ref(self, value: Any, path: str) -> str | None:
        """A touchpoint key a survey refers to: checked for form here, for existence on load
        (it may be in this file or loaded earlier from another)."""
        if value is None:
            return None
        if not isinstance(value, str) or not KEY.match(value):
            self.problem(path, f"{show(value)} is not a touchpoint key: {KEY_HINT}")
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
                self.problem(
                    f"{path}.sampling",
                    f"{show(value)} is not a share of events between 0 and 1; "
                    "write e.g. 0.25 to invite a quarter of them, 1 to invite all",
                )
        if "fatigue_days" in obj:
            value = obj["fatigue_days"]
            ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
            if ok and value >= 0 and float(value).is_integer():
                out["fatigue_days"] = int(value)
            else:
                self.problem(
                    f"{path}.fatigue_days",
                    f"{show(value)} is not a whole number of days (0 or more); "
                    "write e.g. 30 to ask a customer at most once a month, 0 for no limit",
                )
        if "trigger" in obj:
            out["trigger"] = self.trigger(obj["trigger"], f"{path}.trigger")
        if "languages" in obj:
            value = obj["languages"]
            if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
                self.problem(f"{path}.languages", f"{show(value)} is not a list of language codes; write e.g. [en, fi]")
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
                self.problem(f"{path}.after", f"{show(after)} is not a duration; write e.g. 1h or 1d")
        if "touchpoint" in trigger:
            self.touchpoint_ref(trigger["touchpoint"], f"{path}.touchpoint")
        return trigger

    def channels(self, value: Any, path: str) -> list:
        allowed = ", ".join(SURVEY_CHANNELS)
        if not isinstance(value, list):
            self.problem(path, f"{show(value)} is not a list of channels; write e.g. [email, web] using {allowed}")
            return []
        for n, channel in enumerate(value):
            if channel not in SURVEY_CHANNELS:
                self.problem(f"{path}[{n}]", f"{show(channel)} is not a survey channel; use one of {allowed}")
        return value


def looks_like_fraction(spec, goal: Any, number: float) -> bool:
    """0.85 for "85 %" is the usual slip; stored as written it would be a target of 0.85 %. Only
    for percents where higher is better (a 0.5 % reopen-rate ceiling is plausible), and not when
    the % is written out."""
    written_as_percent = isinstance(goal, str) and goal.strip().endswith("%")
    return spec.unit == "percent" and spec.higher_is_better and 0 < number < 1 and not written_as_percent


def as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        return float(str(value).rstrip("%"))
    except ValueError:
        return None


def span(low: float, high: float) -> str:
    def f(x):
        return "∞" if x == float("inf") else ("-∞" if x == float("-inf") else f"{x:g}")

    return f"{f(low)}..{f(high)}"
