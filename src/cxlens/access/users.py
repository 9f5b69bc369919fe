"""Dashboard users: e-mail, role and an argon2 password hash.

Roles nest: a *viewer* reads every page; an *analyst* also downloads data (Explorer CSV) and
sees customers' personal details; an *admin* also manages users. Passwords are hashed with
argon2id (argon2-cffi's defaults, RFC 9106's second recommendation); a hash made with older
parameters is replaced at the next successful login.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import InputError, LoginFailed
from ..store import Store
from ..store.schema import user_sessions, users

__all__ = [
    "ROLES",
    "User",
    "authenticate",
    "create_user",
    "end_sessions_of",
    "get_user",
    "last_seen",
    "list_users",
    "set_disabled",
    "set_password",
    "set_role",
]

# Ordered from least to most: a role may do what every role before it may.
ROLES = ("viewer", "analyst", "admin")
MIN_PASSWORD = 10
_HASHER = PasswordHasher()
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
# A real hash to verify against when the e-mail is unknown, so that the answer takes as long as
# for a known e-mail and timing does not tell a guesser which e-mails exist.
_DUMMY_HASH = _HASHER.hash("not a password of anyone")


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str | None
    role: str
    disabled: bool
    created_at: datetime | None

    @classmethod
    def from_row(cls, row) -> User:
        """A user from a row with the ``users`` columns (sessions read them in a join)."""
        return cls(
            id=row.id,
            email=row.email,
            name=row.name,
            role=row.role,
            disabled=bool(row.disabled),
            created_at=row.created_at,
        )

    def may(self, role: str) -> bool:
        """Whether this user has ``role`` or a role above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _normal_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise InputError(f"e-mail {email!r} is not an address like name@example.com")
    return email


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise InputError(f"role {role!r} is not known; use one of: {', '.join(ROLES)}")
    return role


def _check_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD:
        raise InputError(
            f"a password needs at least {MIN_PASSWORD} characters; a few words in a row are easy to remember"
        )
    return password


def create_user(store: Store, email: str, password: str, *, role: str = "viewer", name: str | None = None) -> User:
    """Add a user; the e-mail (case-insensitive) must be new."""
    email, role, password = _normal_email(email), _check_role(role), _check_password(password)
    with store.begin() as conn:
        if conn.execute(sa.select(users.c.id).where(users.c.email == email)).first():
            raise InputError(
                f"a user with the e-mail {email!r} exists already; choose another e-mail or change that user's password"
            )
        conn.execute(
            users.insert().values(
                email=email,
                name=name,
                role=role,
                password_hash=_HASHER.hash(password),
                disabled=False,
                created_at=datetime.now(UTC),
            )
        )
        row = conn.execute(sa.select(users).where(users.c.email == email)).one()
    return User.from_row(row)


def get_user(store: Store, user_id: int | None = None, *, email: str | None = None) -> User | None:
    """The user with this id (or e-mail), or None."""
    q = (
        sa.select(users).where(users.c.id == user_id)
        if user_id is not None
        else sa.select(users).where(users.c.email == (email or "").strip().lower())
    )
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
    return User.from_row(row) if row else None


def list_users(store: Store) -> list[User]:
    with store.engine.connect() as conn:
        return [User.from_row(r) for r in conn.execute(sa.select(users).order_by(users.c.email))]


def set_password(store: Store, email: str, password: str, *, end_sessions: bool = False) -> None:
    """Give a user a new password; ``end_sessions`` also logs them out everywhere (an admin's
    reset: whoever knew the old password should not stay logged in with it)."""
    password = _check_password(password)
    with store.begin() as conn:
        row = _existing(conn, email)
        conn.execute(users.update().where(users.c.id == row.id).values(password_hash=_HASHER.hash(password)))
        if end_sessions:
            conn.execute(user_sessions.delete().where(user_sessions.c.user_id == row.id))


def set_disabled(store: Store, email: str, disabled: bool = True) -> None:
    """Disable (or enable again) a user; a disabled user's sessions are ended at once. The last
    active admin cannot be disabled: nobody could manage users any more."""
    with store.begin() as conn:
        row = _existing(conn, email)
        if disabled and row.role == "admin" and not row.disabled:
            _keep_an_admin(conn, row, "disabled")
        conn.execute(users.update().where(users.c.id == row.id).values(disabled=disabled))
        if disabled:
            conn.execute(user_sessions.delete().where(user_sessions.c.user_id == row.id))


def set_role(store: Store, email: str, role: str) -> User:
    """Change a user's role; it applies to their next request. The last active admin keeps theirs."""
    role = _check_role(role)
    with store.begin() as conn:
        row = _existing(conn, email)
        if row.role == "admin" and role != "admin" and not row.disabled:
            _keep_an_admin(conn, row, f"made {role}")
        conn.execute(users.update().where(users.c.id == row.id).values(role=role))
        row = conn.execute(sa.select(users).where(users.c.id == row.id)).one()
    return User.from_row(row)


def end_sessions_of(store: Store, email: str) -> int:
    """Log a user out everywhere; returns how many sessions ended."""
    with store.begin() as conn:
        row = _existing(conn, email)
        return conn.execute(user_sessions.delete().where(user_sessions.c.user_id == row.id)).rowcount


def last_seen(store: Store) -> dict[int, datetime]:
    """When each user last used the dashboard, by user id, as far as their live sessions tell
    (a logout deletes its session, so this is "last seen in a session still open")."""
    s = user_sessions
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(s.c.user_id, sa.func.max(s.c.last_seen_at)).group_by(s.c.user_id)).all()
    return {user_id: _aware(at) for user_id, at in rows if at is not None}


def _aware(at: datetime | str) -> datetime:
    if isinstance(at, str):  # SQLite hands an aggregate's timestamp back as text
        at = datetime.fromisoformat(at)
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _existing(conn, email: str):
    row = conn.execute(sa.select(users).where(users.c.email == _normal_email(email))).first()
    if row is None:
        raise InputError(f"no user has the e-mail {email!r}; `cxlens users list` shows them")
    return row


def _keep_an_admin(conn, row, change: str) -> None:
    others = conn.execute(
        sa.select(sa.func.count())
        .select_from(users)
        .where(users.c.role == "admin", users.c.disabled.is_(False), users.c.id != row.id)
    ).scalar()
    if not others:
        raise InputError(
            f"{row.email} is the last active admin and cannot be {change}: "
            "make another user admin first, so that someone can still manage users"
        )


def authenticate(store: Store, email: str, password: str) -> User:
    """The active user with this e-mail and password, or :class:`LoginFailed`."""
    email = (email or "").strip().lower()
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.email == email)).first()
    stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password or "")
        ok = row is not None and row.password_hash is not None and not row.disabled
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        raise LoginFailed("the e-mail or the password is not right")
    if _HASHER.check_needs_rehash(row.password_hash):
        with store.begin() as conn:
            conn.execute(users.update().where(users.c.id == row.id).values(password_hash=_HASHER.hash(password)))
    return User.from_row(row)
