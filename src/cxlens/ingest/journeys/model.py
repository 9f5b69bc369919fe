"""What a journeys file holds once parsed, and what loading it did."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..business_hours import Schedule

__all__ = ["Journey", "JourneyMap", "LoadResult", "Stage", "Survey", "Touchpoint"]


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
    # A stage's touchpoints are alternatives (a customer uses one or more of them) unless
    # ``sequential``; an ``optional`` stage may be skipped on the way to the next one.
    optional: bool = False
    sequential: bool = False


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

    def as_data(self) -> dict[str, Any]:
        """The survey as a file would write it (what the section checks read)."""
        data: dict[str, Any] = {"key": self.key, "name": self.name, "metric": self.metric}
        if self.scale is not None:
            data["scale"] = f"{self.scale[0]}-{self.scale[1]}"
        if self.touchpoint is not None:
            data["touchpoint"] = self.touchpoint
        return {**data, **self.definition}


@dataclass
class JourneyMap:
    journeys: list[Journey] = field(default_factory=list)
    surveys: list[Survey] = field(default_factory=list)
    schedules: list[Schedule] = field(default_factory=list)  # business hours (business_hours/)
    # Parsed values of the sections other parts of cxlens register (see sections.py), by name.
    sections: dict[str, Any] = field(default_factory=dict)

    def touchpoint_keys(self) -> list[str]:
        return [t.key for j in self.journeys for st in j.stages for t in st.touchpoints]


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
