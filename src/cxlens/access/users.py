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
from ..store.schema import users

__all__ = ["ROLES", "User", "authenticate", "create_user", "get_user", "list_users", "set_password", "set_disabled"]

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

    def may(self, role: str) -> bool:
        """Whether this user has ``role`` or a role above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def _row_to_user(row) -> User:
    return User(id=row.id, email=row.email, name=row.name, role=row.role, disabled=bool(row.disabled),
                created_at=row.created_at)


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
        raise InputError(f"a password needs at least {MIN_PASSWORD} characters; a few words in a row are easy to remember")
    return password


def create_user(store: Store, email: str, password: str, *, role: str = "viewer", name: str | None = None) -> User:
    """Add a user; the e-mail (case-insensitive) must be new."""
    email, role, password = _normal_email(email), _check_role(role), _check_password(password)
    with store.begin() as conn:
        if conn.execute(sa.select(users.c.id).where(users.c.email == email)).first():
            raise InputError(f"a user with the e-mail {email!r} exists already; "
                             "choose another e-mail or change that user's password")
        conn.execute(users.insert().values(email=email, name=name, role=role, password_hash=_HASHER.hash(password),
                                           disabled=False, created_at=datetime.now(UTC)))
        row = conn.execute(sa.select(users).where(users.c.email == email)).one()
    return _row_to_user(row)


def get_user(store: Store, user_id: int | None = None, *, email: str | None = None) -> User | None:
    """The user with this id (or e-mail), or None."""
    q = sa.select(users).where(users.c.id == user_id) if user_id is not None else \
        sa.select(users).where(users.c.email == (email or "").strip().lower())
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
    return _row_to_user(row) if row else None


def list_users(store: Store) -> list[User]:
    with store.engine.connect() as conn:
        return [_row_to_user(r) for r in conn.execute(sa.select(users).order_by(users.c.email))]


def set_password(store: Store, email: str, password: str) -> None:
    password = _check_password(password)
    with store.begin() as conn:
        done = conn.execute(users.update().where(users.c.email == _normal_email(email))
                            .values(password_hash=_HASHER.hash(password))).rowcount
    if not done:
        raise InputError(f"no user has the e-mail {email!r}; `cxlens users list` shows them")


def set_disabled(store: Store, email: str, disabled: bool = True) -> None:
    """Disable (or enable again) a user; a disabled user's sessions stop working at once."""
    with store.begin() as conn:
        done = conn.execute(users.update().where(users.c.email == _normal_email(email)).values(disabled=disabled)).rowcount
    if not done:
        raise InputError(f"no user has the e-mail {email!r}; `cxlens users list` shows them")


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
    return _row_to_user(row)
