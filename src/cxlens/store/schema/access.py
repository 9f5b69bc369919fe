"""Who may use cxlens: users, API keys, dashboard sessions and login attempts."""

from __future__ import annotations

import sqlalchemy as sa

from .columns import JSONValue, foreign_key, metadata, primary_id, timestamp

__all__ = ["users", "api_keys", "user_sessions", "login_attempts"]


users = sa.Table(
    "users",
    metadata,
    primary_id(),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200)),
    sa.Column("role", sa.String(20), nullable=False),  # admin | analyst | viewer
    sa.Column("password_hash", sa.String(300)),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    timestamp("created_at"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    primary_id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False, unique=True),  # shown, to tell keys apart
    sa.Column("key_hash", sa.String(128), nullable=False),  # the key itself is never stored
    sa.Column("scopes", JSONValue, nullable=False),
    foreign_key("user_id", "users", ondelete="SET NULL"),
    timestamp("created_at"),
    timestamp("last_used_at"),
    timestamp("revoked_at"),
)

# Dashboard access.
# Logins live on the server, so logging out (or disabling a user) ends a session at once. Only
# a hash of the session token is stored: a copy of the database cannot be used to log in.
# login_attempts is what rate-limits password guessing, across processes and restarts.

user_sessions = sa.Table(
    "user_sessions",
    metadata,
    primary_id(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # SHA-256 of the cookie
    foreign_key("user_id", "users", nullable=False, ondelete="CASCADE"),
    sa.Column("csrf_token", sa.String(64), nullable=False),  # sent back by every form and HTMX request
    timestamp("created_at", nullable=False),
    timestamp("last_seen_at", nullable=False),
    timestamp("expires_at", nullable=False),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    primary_id(),
    sa.Column("email", sa.String(320), nullable=False),  # as typed, lower-cased
    sa.Column("address", sa.String(64)),  # the client's IP address
    timestamp("attempted_at", nullable=False),
    sa.Column("succeeded", sa.Boolean, nullable=False),
    sa.Index(None, "email", "attempted_at"),
    sa.Index(None, "address", "attempted_at"),
)
