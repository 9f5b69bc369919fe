"""Sections of a journeys file that other parts of cxlens define or check.

The journeys loader knows ``journeys``, ``surveys`` and ``schedules``. A part of cxlens that
gives a file more meaning registers here, so that one loader checks (and writes) everything,
reporting every problem of the file at once:

* :func:`register_section` adds a top-level section: ``parse(checker, value)`` returns the
  parsed value (kept in ``JourneyMap.sections[name]``) and reports problems through the
  :class:`~.checker.Checker`; ``save(conn, parsed)``, if given, writes it in the load's
  transaction and returns how many items it wrote.
* :func:`register_check` adds checks of each item of a list section: ``check(item, path)``
  returns problems as ``path: message`` strings. Collection checks the surveys this way
  (languages, wording, questions, trigger, widget: :mod:`cxlens.collect.survey_checks`).

The modules in :data:`EXTENSIONS` register themselves when imported; the loader imports them
before it parses a file, so a check is never skipped because its module was not imported yet.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from .checker import Checker

__all__ = [
    "CHECKS",
    "EXTENSIONS",
    "SECTIONS",
    "Section",
    "item_problems",
    "load_extensions",
    "register_check",
    "register_section",
]

#: Modules that register sections or checks (imported by the loader, not by this package, since
#: they build on it).
EXTENSIONS: list[str] = [
    "cxlens.collect.survey_checks",
    "cxlens.alerts.rules",  # alerts:
    "cxlens.alerts.notifiers",  # notifiers:
    "cxlens.alerts.case_section",  # cases:
    "cxlens.ingest.journeys.teams",  # teams:
]

ItemCheck = Callable[[Any, str], list[str]]


@dataclass(frozen=True)
class Section:
    name: str
    parse: Callable[[Checker, Any], Any]
    save: Callable[[sa.Connection, Any], int] | None = None


SECTIONS: dict[str, Section] = {}
CHECKS: dict[str, list[ItemCheck]] = {}
BUILT_IN = ("journeys", "surveys", "schedules")


def register_section(
    name: str, parse: Callable[[Checker, Any], Any], save: Callable[[sa.Connection, Any], int] | None = None
) -> None:
    """Make ``name`` a known top-level section of journeys files (registering it again replaces it)."""
    if name in BUILT_IN:
        raise ValueError(f"{name!r} is a built-in section of journeys files; use register_check to check it further")
    SECTIONS[name] = Section(name, parse, save)


def register_check(section: str, check: ItemCheck) -> None:
    """Check each item of the list ``section`` with ``check(item, path)`` too (once per function)."""
    checks = CHECKS.setdefault(section, [])
    if check not in checks:
        checks.append(check)


def load_extensions() -> None:
    """Import the modules of :data:`EXTENSIONS` (each registers what it checks)."""
    for module in EXTENSIONS:
        importlib.import_module(module)


def item_problems(section: str, items: list[Any]) -> list[str]:
    """The registered checks' problems with the items of ``section``, in file order."""
    problems: list[str] = []
    for n, item in enumerate(items):
        if isinstance(item, dict):
            for check in CHECKS.get(section, ()):
                problems += check(item, f"{section}[{n}]")
    return problems
