"""Dashboard sessions (server-side) and login throttling.

A session is a random 256-bit token in an HttpOnly cookie; the store keeps only its SHA-256
hash, the user, a CSRF token and two expiries: ``IDLE`` after the last request and
``LIFETIME`` after login, whichever comes first. Logging out deletes the row, so a stolen
cookie stops working at once; disabling a user ends their sessions too.

Login throttling follows OWASP's advice: failures are counted in the store (so the count holds
across processes and restarts) per account *and* address together, and answered with growing
delays rather than a lock: after ``FREE_FAILURES`` failures of one e-mail from one address,
each further attempt from there waits twice as long as the last (1 s, 2 s, 4 s … up to
``MAX_DELAY``). Nobody can lock a user out from elsewhere: the right password from another
address is never delayed by someone else's guesses, except in one case: an account failing
``MAX_FAILURES_PER_ACCOUNT`` times within ``WINDOW`` from all addresses together (guesses
spread over many addresses) makes addresses it has not logged in from for a day wait until
those failures leave the window; where the user logged in lately they are not delayed. An address failing for many accounts
(``MAX_FAILURES_PER_ADDRESS`` within ``WINDOW``: password spraying) waits until its failures
leave the window. A successful login clears its e-mail's count; an admin can clear it too
(:func:`unlock_login`, ``cxlens users unlock``, the Users page). The user is told at login
how many attempts failed since their previous login, and from where (:class:`LoginNote`), so
someone guessing at their account does not go unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from ..errors import LoginThrottled
from ..store import Store
from ..store.schema import login_attempts, user_sessions, users
from .users import User

__all__ = [
    "IDLE",
    "LIFETIME",
    "FREE_FAILURES",
    "LoginNote",
    "MAX_DELAY",
    "MAX_FAILURES_PER_ACCOUNT",
    "MAX_FAILURES_PER_ADDRESS",
    "WINDOW",
    "NewSession",
    "Session",
    "check_login_allowed",
    "create_session",
    "csrf_matches",
    "end_session",
    "record_login_attempt",
    "resolve_session",
    "unlock_login",
]

IDLE = timedelta(hours=12)
LIFETIME = timedelta(days=7)
WINDOW = timedelta(minutes=15)
FREE_FAILURES = 3  # failures of one e-mail from one address before attempts there are delayed
MAX_DELAY = timedelta(minutes=15)
MAX_FAILURES_PER_ADDRESS = 100  # for all accounts together: many people may share one address
MAX_FAILURES_PER_ACCOUNT = 50  # from all addresses together: guesses spread over many addresses
# Writing last_seen_at on every page view would turn each read into a write.
_TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class NewSession:
    token: str  # the cookie's value: only here, never stored
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class Session:
    id: int
    user: User
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class LoginNote:
    """Failed logins of an account since its previous successful one (the store keeps a day of
    attempts): what the user is told when they log in."""

    failures: int
    addresses: int  # how many different addresses they came from
    last_address: str | None
    last_at: datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> datetime:
    return datetime.now(UTC)


def create_session(store: Store, user: User) -> NewSession:
    """Start a session for ``user`` (already authenticated); expired sessions are swept."""
    now = _now()
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with store.begin() as conn:
        conn.execute(user_sessions.delete().where(user_sessions.c.expires_at < now))
        conn.execute(
            user_sessions.insert().values(
                token_hash=_hash(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=now,
                last_seen_at=now,
                expires_at=now + LIFETIME,
            )
        )
    return NewSession(token, csrf, min(now + IDLE, now + LIFETIME))


def resolve_session(store: Store, token: str | None) -> Session | None:
    """The live session of this cookie value, or None (unknown, expired, idle too long, or
    its user disabled)."""
    if not token:
        return None
    now = _now()
    s = user_sessions
    q = (
        sa.select(s.c.id.label("session_id"), s.c.csrf_token, s.c.expires_at, s.c.last_seen_at, users)
        .join(users, users.c.id == s.c.user_id)
        .where(s.c.token_hash == _hash(token))
    )
    with store.engine.connect() as conn:
        row = conn.execute(q).first()
    if row is None or row.disabled or row.expires_at <= now or row.last_seen_at + IDLE <= now:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        with store.begin() as conn:
            conn.execute(s.update().where(s.c.id == row.session_id).values(last_seen_at=now))
    return Session(
        id=row.session_id,
        user=User.from_row(row),
        csrf_token=row.csrf_token,
        expires_at=min(row.expires_at, now + IDLE),
    )


def end_session(store: Store, token: str | None) -> None:
    """Log out: the cookie's session is deleted (nothing happens for an unknown one)."""
    if token:
        with store.begin() as conn:
            conn.execute(user_sessions.delete().where(user_sessions.c.token_hash == _hash(token)))


def csrf_matches(session: Session | None, sent: str | None) -> bool:
    """Whether ``sent`` is the session's CSRF token (constant-time)."""
    return bool(session and sent) and hmac.compare_digest(session.csrf_token, sent)


def _failures(conn: sa.Connection, cond, since: datetime) -> list[datetime]:
    a = login_attempts
    query = sa.select(a.c.attempted_at).where(cond, a.c.succeeded.is_(False), a.c.attempted_at >= since)
    return list(conn.execute(query.order_by(a.c.attempted_at)).scalars())


def _throttled(seconds: float) -> LoginThrottled:
    wait = max(1, int(seconds) + 1)
    return LoginThrottled(
        f"too many failed logins from here; try again in {_say(wait)}, "
        "or ask an admin to unlock your account (`cxlens users unlock EMAIL`)",
        wait,
    )


def check_login_allowed(store: Store, email: str, address: str | None) -> None:
    """Raise :class:`LoginThrottled` while this e-mail from this address must wait (its delay
    doubles with each failure past ``FREE_FAILURES``), or while this address failed for
    too many accounts within ``WINDOW``."""
    now, email = _now(), (email or "").strip().lower()
    a = login_attempts
    with store.engine.connect() as conn:
        last_ok = conn.execute(
            sa.select(sa.func.max(a.c.attempted_at)).where(a.c.email == email, a.c.succeeded.is_(True))
        ).scalar()
        since = max(now - MAX_DELAY * 4, _aware(last_ok) or now - MAX_DELAY * 4)
        pair = a.c.email == email
        pair = sa.and_(pair, a.c.address == address) if address else sa.and_(pair, a.c.address.is_(None))
        mine = _failures(conn, pair, since)
        everyone = _failures(conn, a.c.address == address, now - WINDOW) if address else []
        account = _failures(conn, a.c.email == email, now - WINDOW)
        known = len(account) >= MAX_FAILURES_PER_ACCOUNT and _logged_in_from(conn, email, address)
    if len(mine) >= FREE_FAILURES:
        delay = min(MAX_DELAY, timedelta(seconds=2 ** (len(mine) - FREE_FAILURES)))
        wait = (_aware(mine[-1]) + delay - now).total_seconds()
        if wait > 0:
            raise _throttled(wait)
    if len(everyone) >= MAX_FAILURES_PER_ADDRESS:
        raise _throttled((_aware(everyone[-MAX_FAILURES_PER_ADDRESS]) + WINDOW - now).total_seconds())
    if len(account) >= MAX_FAILURES_PER_ACCOUNT and not known:
        raise _throttled((_aware(account[-MAX_FAILURES_PER_ACCOUNT]) + WINDOW - now).total_seconds())


def _logged_in_from(conn: sa.Connection, email: str, address: str | None) -> bool:
    """Whether ``email`` logged in from ``address`` within the day of attempts the store keeps."""
    a = login_attempts
    where = a.c.address == address if address else a.c.address.is_(None)
    query = sa.select(a.c.id).where(a.c.email == email, a.c.succeeded.is_(True), where).limit(1)
    return conn.execute(query).first() is not None


def unlock_login(store: Store, email: str) -> int:
    """Forget an e-mail's failed logins (an admin's unlock); returns how many were forgotten."""
    a = login_attempts
    with store.begin() as conn:
        return conn.execute(
            a.delete().where(a.c.email == (email or "").strip().lower(), a.c.succeeded.is_(False))
        ).rowcount


def _aware(at: datetime | None) -> datetime | None:
    return at.replace(tzinfo=UTC) if at is not None and at.tzinfo is None else at


def record_login_attempt(store: Store, email: str, address: str | None, succeeded: bool) -> LoginNote | None:
    """Log one login attempt; attempts older than a day are swept (only the window matters).
    A successful one returns the failures since the account's previous login, if any."""
    now, email = _now(), (email or "").strip().lower()[:320]
    with store.begin() as conn:
        conn.execute(login_attempts.delete().where(login_attempts.c.attempted_at < now - timedelta(days=1)))
        note = _failures_since_last_login(conn, email) if succeeded else None
        conn.execute(
            login_attempts.insert().values(email=email, address=address, attempted_at=now, succeeded=succeeded)
        )
    return note


def _failures_since_last_login(conn: sa.Connection, email: str) -> LoginNote | None:
    a = login_attempts
    last_ok = conn.execute(
        sa.select(sa.func.max(a.c.attempted_at)).where(a.c.email == email, a.c.succeeded.is_(True))
    ).scalar()
    query = sa.select(a.c.address, a.c.attempted_at).where(a.c.email == email, a.c.succeeded.is_(False))
    if last_ok is not None:
        query = query.where(a.c.attempted_at > last_ok)
    failed = conn.execute(query.order_by(a.c.attempted_at)).all()
    if not failed:
        return None
    return LoginNote(
        len(failed), len({row.address for row in failed}), failed[-1].address, _aware(failed[-1].attempted_at)
    )


def _say(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 120 else f"{round(seconds / 60)} minutes"
