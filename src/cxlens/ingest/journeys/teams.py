"""The journeys file's ``teams:`` section: which helpdesk teams each journey team covers.

Touchpoints name the team that owns them (``support``); tickets carry their helpdesk's team
(``support-tier1``). The mapping makes them one notion, so that a filter on ``support`` finds
the tickets of ``support-tier1`` and ``support-tier2``::

    teams:
      support: [support-tier1, support-tier2]
      billing: [billing]

A journey team must own a touchpoint (in the file or the store) and a helpdesk team belongs
to one journey team at most: either mistake would make a filter quietly find too little or
count a ticket twice. Stored as the setting ``teams``; a file without the section keeps it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from ...errors import JourneyFileError
from ...store import schema as s
from .checker import KEY, KEY_HINT, Checker, show
from .sections import register_section

__all__ = ["SETTING", "covered_teams", "parse_teams", "read_teams", "save_teams"]

SETTING = "teams"


def parse_teams(checker: Checker, value: Any) -> dict[str, list[str]]:
    """The mapping {journey team: [helpdesk team, …]}, problems reported with their paths."""
    found: dict[str, list[str]] = {}
    owner: dict[str, str] = {}  # helpdesk team → the journey team that lists it first
    for team, names in checker.mapping(value, "teams").items():
        path = f"teams.{team}"
        if not isinstance(team, str) or not KEY.match(team):
            checker.problem(path, f"{show(team)} is not a team key: {KEY_HINT}")
            continue
        if isinstance(names, str):
            names = [names]
        found[team] = []
        for i, name in enumerate(checker.items(names, path)):
            where = f"{path}[{i}]"
            if not isinstance(name, str) or not name.strip():
                checker.problem(where, f"expected a helpdesk team's name, got {show(name)}")
            elif name in owner:
                again = "twice here" if owner[name] == team else f"under teams.{owner[name]} too"
                checker.problem(
                    where,
                    f"{name!r} is listed {again}; a helpdesk team belongs to one journey team (remove one)",
                )
            else:
                owner[name] = team
                found[team].append(name)
    return found


def save_teams(conn: sa.Connection, parsed: dict[str, list[str]]) -> int:
    """Store the mapping (in the load's transaction, after the file's touchpoints are written);
    a journey team that owns no touchpoint is refused. Returns the helpdesk teams stored."""
    owning = set(conn.execute(sa.select(s.touchpoints.c.team).distinct()).scalars())
    problems = [
        f"teams.{team}: no touchpoint has team {team!r} (known: {', '.join(sorted(t for t in owning if t))}); "
        "use a touchpoint's team, or give a touchpoint this team"
        for team in parsed
        if team not in owning
    ]
    if problems:
        raise JourneyFileError("(journeys)", problems)
    now = datetime.now(timezone.utc)
    conn.execute(sa.delete(s.settings).where(s.settings.c.key == SETTING))
    conn.execute(s.settings.insert().values(key=SETTING, value=parsed, updated_at=now))
    return sum(len(names) for names in parsed.values())


def read_teams(conn: sa.Connection) -> dict[str, list[str]]:
    """The stored mapping, {} when no journeys file gave one."""
    row = conn.execute(sa.select(s.settings.c.value).where(s.settings.c.key == SETTING)).first()
    return dict(row.value) if row is not None and isinstance(row.value, dict) else {}


def covered_teams(mapping: dict[str, list[str]], team: str) -> list[str]:
    """The team names a filter on ``team`` finds among tickets and cases: itself and the
    helpdesk teams it covers."""
    return [team, *(n for n in mapping.get(team, ()) if n != team)]


register_section(SETTING, parse_teams, save_teams)
