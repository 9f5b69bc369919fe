"""The demo company's staff: users in roles and the cases teams they work in (``staff.yaml``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import sqlalchemy as sa
import yaml

from ..store import schema

__all__ = ["STAFF_FILE", "Member", "ensure_staff", "staff"]

STAFF_FILE = Path(__file__).parent / "staff.yaml"


@dataclass(frozen=True)
class Member:
    email: str
    name: str
    role: str
    team: str | None = None


@cache
def staff() -> tuple[Member, ...]:
    return tuple(Member(**m) for m in yaml.safe_load(STAFF_FILE.read_text(encoding="utf-8"))["staff"])


def ensure_staff(conn: sa.Connection, now: datetime) -> tuple[dict[str, int], dict[str, list[int]]]:
    """Create the staff users that do not exist yet (users outlive a reset) and their team
    memberships; ``({email: user id}, {team: [user ids in staff order]})``."""
    users, members = schema.users, schema.team_members
    emails = [m.email for m in staff()]
    known = dict(conn.execute(sa.select(users.c.email, users.c.id).where(users.c.email.in_(emails))).all())
    missing = [m for m in staff() if m.email not in known]
    if missing:
        conn.execute(
            users.insert(),
            [{"email": m.email, "name": m.name, "role": m.role, "disabled": False, "created_at": now} for m in missing],
        )
        known = dict(conn.execute(sa.select(users.c.email, users.c.id).where(users.c.email.in_(emails))).all())
    teams: dict[str, list[int]] = {}
    for m in staff():
        if m.team:
            teams.setdefault(m.team, []).append(known[m.email])
    held = set(conn.execute(sa.select(members.c.team, members.c.user_id)).all())
    rows = [{"team": team, "user_id": uid} for team, ids in teams.items() for uid in ids if (team, uid) not in held]
    if rows:
        conn.execute(members.insert(), rows)
    return known, teams
