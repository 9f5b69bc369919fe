"""API keys: created, listed, revoked, and checked on every authenticated request.

A key reads ``cxl_<prefix>_<secret>``. The prefix is stored in clear, so a key can be named in a
list or a log without revealing it; the whole key is stored as its SHA-256 hash, compared in
constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ..errors import AccessDenied, InputError
from ..store import Store
from ..store.schema import api_keys

__all__ = ["SCOPES", "ApiKey", "create_api_key", "list_api_keys", "revoke_api_key", "verify_api_key"]

SCOPES: dict[str, str] = {
    "kpi:read": "read KPIs (/api/kpi)",
    "text:read": "read text analytics: sentiment, themes, drivers (/api/text)",
    "events:write": "post touchpoint events (/api/events)",
    "responses:write": "post survey responses collected elsewhere",
    "surveys:write": "create and change surveys and invitations",
    "alerts:read": "read alerts and their evidence (/api/alerts)",
    "alerts:write": "acknowledge, snooze and resolve alerts (/api/alerts)",
    "cases:read": "read cases and their timelines (/api/cases)",
    "cases:write": "open, assign, change, note and close cases (/api/cases)",
    "predictions:read": "read customers' stored predictions: lifetime value, churn risk (/api/customers/{id}/prediction)",
}

# Writing last_used_at on every call would turn each read into a write; once a minute is enough
# to tell a live key from a forgotten one.
_LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    secret: str | None = None  # the whole key: only on the object create_api_key returns

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _check_scopes(scopes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    if not scopes:
        raise InputError(f"an API key needs at least one scope; choose from: {', '.join(SCOPES)}")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise InputError(f"unknown scope(s) {', '.join(map(repr, unknown))}; choose from: {', '.join(SCOPES)}")
    return tuple(dict.fromkeys(scopes))


def _row_to_key(row, secret: str | None = None) -> ApiKey:
    return ApiKey(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(row.scopes or ()),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
        secret=secret,
    )


def create_api_key(store: Store, name: str, scopes: list[str] | tuple[str, ...]) -> ApiKey:
    """Create a key; the returned object's ``secret`` is the only time the key is visible."""
    if not name.strip():
        raise InputError("an API key needs a name that says who uses it, e.g. 'shop backend'")
    scopes = _check_scopes(scopes)
    prefix = secrets.token_hex(4)
    secret = f"cxl_{prefix}_{secrets.token_urlsafe(32)}"
    now = datetime.now(UTC)
    with store.begin() as conn:
        key_id = conn.execute(
            api_keys.insert().values(
                name=name.strip(), prefix=prefix, key_hash=_hash(secret), scopes=list(scopes), created_at=now
            )
        ).inserted_primary_key[0]
        row = conn.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).one()
    return _row_to_key(row, secret)


def list_api_keys(store: Store) -> list[ApiKey]:
    with store.engine.connect() as conn:
        return [_row_to_key(r) for r in conn.execute(sa.select(api_keys).order_by(api_keys.c.id))]


def revoke_api_key(store: Store, prefix: str) -> ApiKey:
    """Revoke the key with ``prefix`` (as ``list_api_keys`` shows it); it stops working at once."""
    with store.begin() as conn:
        row = conn.execute(sa.select(api_keys).where(api_keys.c.prefix == prefix)).one_or_none()
        if row is None:
            raise InputError(f"no API key with prefix {prefix!r}; `cxlens apikeys list` shows them")
        if row.revoked_at is None:
            conn.execute(api_keys.update().where(api_keys.c.id == row.id).values(revoked_at=datetime.now(UTC)))
        row = conn.execute(sa.select(api_keys).where(api_keys.c.id == row.id)).one()
    return _row_to_key(row)


def verify_api_key(store: Store, key: str, scope: str | None = None) -> ApiKey:
    """The key's record if ``key`` is valid, active and (if given) holds ``scope``.

    Raises :class:`AccessDenied` with ``status`` 401 (unknown, malformed or revoked key) or 403
    (valid key without the scope).
    """
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "cxl":
        raise AccessDenied("this is not a cxlens API key (they start with cxl_)", status=401)
    prefix = parts[1]
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(api_keys).where(api_keys.c.prefix == prefix)).one_or_none()
    if row is None or not hmac.compare_digest(row.key_hash, _hash(key)):
        raise AccessDenied("unknown API key", status=401)
    if row.revoked_at is not None:
        raise AccessDenied(f"API key {prefix} was revoked; create a new one with `cxlens apikeys create`", status=401)
    found = _row_to_key(row)
    if scope is not None and scope not in found.scopes:
        raise AccessDenied(
            f"API key {prefix} lacks the scope {scope!r} (it has: {', '.join(found.scopes)}); "
            f"create a key with --scope {scope}",
            status=403,
        )
    _touch(store, row)
    return found


def _touch(store: Store, row) -> None:
    now = datetime.now(UTC)
    if row.last_used_at is not None and now - row.last_used_at < _LAST_USED_EVERY:
        return
    with store.begin() as conn:
        conn.execute(api_keys.update().where(api_keys.c.id == row.id).values(last_used_at=now))
