"""Settings the journeys file declares and the running app reads (SLA policies, the root-cause
taxonomy, assignment, alerting's q): one JSON value per key in the ``settings`` table."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from ..store import schema as s

__all__ = ["read_setting", "write_setting"]


def read_setting(conn: sa.Connection, key: str, default: Any = None) -> Any:
    """The stored value of ``key``, or ``default`` when the file never set it."""
    row = conn.execute(sa.select(s.settings.c.value).where(s.settings.c.key == key)).first()
    return default if row is None else row.value


def write_setting(conn: sa.Connection, key: str, value: Any) -> None:
    """Store ``value`` under ``key``, replacing what was there."""
    now = datetime.now(timezone.utc)
    updated = conn.execute(
        s.settings.update().where(s.settings.c.key == key).values(value=value, updated_at=now)
    ).rowcount
    if not updated:
        conn.execute(s.settings.insert().values(key=key, value=value, updated_at=now))
