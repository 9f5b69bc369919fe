"""Idempotency keys of API requests: a client that lost an answer resends its request under
the same ``Idempotency-Key`` and gets the first answer back instead of a second effect.

Race-safe by the store's unique key on (API key, Idempotency-Key): :func:`claim` inserts a
pending record and only the request whose insert lands goes on; one arriving meanwhile gets
the stored answer (:class:`Replay`), or a 409 while the first is still running. A record left
pending by a crashed request is taken over after :data:`STALE_SECONDS`. The first answer is
kept by :func:`settle`; :func:`release` forgets a claim whose request failed, so that a retry
runs again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s

__all__ = ["STALE_SECONDS", "Replay", "claim", "fingerprint", "release", "settle"]

STALE_SECONDS = 300  # a request running longer than this has died: its claim may be taken over
_PENDING = 0  # status_code of a claim whose answer is not known yet
_KEY_LENGTH = 200


@dataclass(frozen=True)
class Replay:
    """What to answer instead of running the request again."""

    status: int
    body: dict | list | None
    replayed: bool = True


def fingerprint(body: bytes, path: str = "") -> str:
    """What tells a retried request from another one sent under the same key."""
    return hashlib.sha256(path.encode() + b"\n" + body).hexdigest()


def _insert(conn: sa.Connection, values: dict) -> bool:
    k = s.idempotency_keys
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(k).values(**values).on_conflict_do_nothing(index_elements=["api_key_id", "key"]).returning(k.c.id)
    return conn.execute(stmt).scalar() is not None


def claim(store: Store, api_key_id: int, key: str, request_hash: str, now: datetime | None = None) -> Replay | None:
    """None when this request may run (its claim is stored); else what to answer."""
    now = now or datetime.now(UTC)
    key = key[:_KEY_LENGTH]
    k = s.idempotency_keys
    values = {
        "api_key_id": api_key_id,
        "key": key,
        "request_hash": request_hash,
        "status_code": _PENDING,
        "body": None,
        "created_at": now,
    }
    with store.engine.begin() as conn:
        if _insert(conn, values):
            return None
        found = conn.execute(
            sa.select(k.c.request_hash, k.c.status_code, k.c.body, k.c.created_at).where(
                k.c.api_key_id == api_key_id, k.c.key == key
            )
        ).one()
        if found.request_hash != request_hash:
            return Replay(
                422, _problem(key, "was used before with another body; use a new key for a new request"), False
            )
        if found.status_code != _PENDING:
            return Replay(found.status_code, found.body)
        created = found.created_at if found.created_at.tzinfo else found.created_at.replace(tzinfo=UTC)
        if now - created > timedelta(seconds=STALE_SECONDS):
            taken = conn.execute(
                k.update()
                .where(k.c.api_key_id == api_key_id, k.c.key == key, k.c.created_at == found.created_at)
                .values(created_at=now)
            ).rowcount
            if taken == 1:
                return None
        return Replay(409, _problem(key, "names a request that is still running; retry in a moment"), False)


def settle(store: Store, api_key_id: int, key: str, status: int, body: dict | list | None) -> None:
    """Keep the answer of the request that claimed ``key``."""
    k = s.idempotency_keys
    with store.engine.begin() as conn:
        conn.execute(
            k.update()
            .where(k.c.api_key_id == api_key_id, k.c.key == key[:_KEY_LENGTH], k.c.status_code == _PENDING)
            .values(status_code=status, body=body)
        )


def release(store: Store, api_key_id: int, key: str) -> None:
    """Forget a claim whose request failed, so that its retry runs."""
    k = s.idempotency_keys
    with store.engine.begin() as conn:
        conn.execute(
            k.delete().where(k.c.api_key_id == api_key_id, k.c.key == key[:_KEY_LENGTH], k.c.status_code == _PENDING)
        )


def _problem(key: str, text: str) -> dict:
    return {"detail": [{"index": None, "field": "Idempotency-Key", "value": key[:80], "problem": text}]}
