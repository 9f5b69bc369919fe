"""The audit log: who did what to users and to customers' data (user changes, exports,
erasures, unlocks, releases), kept in the store and shown to admins (``/admin/audit``,
``cxlens audit``). Entries are only ever added."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from . import schema as s
from .database import Store

__all__ = ["AUDIT_PAGE", "audit", "audit_entries"]

AUDIT_PAGE = 200  # entries a page or a CLI listing shows, newest first


def audit(
    target: Store | sa.Connection,
    actor: str,
    action: str,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    """Add one entry, in the caller's transaction when given a connection."""
    values = {
        "at": now or datetime.now(UTC),
        "actor": actor[:320],
        "action": action[:50],
        "subject": subject[:200] if subject else None,
        "detail": detail,
    }
    if isinstance(target, sa.Connection):
        target.execute(s.audit_log.insert().values(**values))
        return
    with target.engine.begin() as conn:
        conn.execute(s.audit_log.insert().values(**values))


def audit_entries(store: Store, limit: int = AUDIT_PAGE, action: str | None = None) -> list[dict]:
    """The newest entries first."""
    a = s.audit_log
    query = sa.select(a).order_by(a.c.at.desc(), a.c.id.desc()).limit(limit)
    if action:
        query = query.where(a.c.action == action)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]
