"""Dashboard users, sessions and login throttling, on SQLite and PostgreSQL."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from cxlens.access import (
    authenticate,
    check_login_allowed,
    create_session,
    create_user,
    csrf_matches,
    end_session,
    get_user,
    list_users,
    record_login_attempt,
    resolve_session,
    set_disabled,
    set_password,
)
from cxlens.access import sessions as sessions_module
from cxlens.errors import InputError, LoginFailed, LoginThrottled
from cxlens.store.schema import login_attempts, user_sessions, users

PASSWORD = "correct horse battery"


def test_a_user_logs_in_with_the_right_password_only(store):
    user = create_user(store, " Ana@Example.com ", PASSWORD, role="analyst", name="Ana")
    assert (user.email, user.role, user.name) == ("ana@example.com", "analyst", "Ana")
    assert authenticate(store, "ANA@example.com", PASSWORD).id == user.id
    with pytest.raises(LoginFailed, match="e-mail or the password"):
        authenticate(store, "ana@example.com", PASSWORD + "x")
    with pytest.raises(LoginFailed, match="e-mail or the password"):  # the same words: no hint which e-mails exist
        authenticate(store, "nobody@example.com", PASSWORD)


def test_only_an_argon2_hash_is_stored(store):
    create_user(store, "a@example.com", PASSWORD)
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored


def test_users_are_checked_on_the_way_in(store):
    create_user(store, "a@example.com", PASSWORD)
    with pytest.raises(InputError, match="exists already"):
        create_user(store, "A@example.com", PASSWORD)
    with pytest.raises(InputError, match="role 'owner' is not known; use one of: viewer, analyst, admin"):
        create_user(store, "b@example.com", PASSWORD, role="owner")
    with pytest.raises(InputError, match="at least 10 characters"):
        create_user(store, "b@example.com", "short")
    with pytest.raises(InputError, match="not an address"):
        create_user(store, "not-an-email", PASSWORD)
    assert [u.email for u in list_users(store)] == ["a@example.com"]


def test_roles_nest(store):
    admin = create_user(store, "boss@example.com", PASSWORD, role="admin")
    viewer = create_user(store, "v@example.com", PASSWORD)
    assert admin.may("analyst") and admin.may("viewer") and admin.may("admin")
    assert viewer.may("viewer") and not viewer.may("analyst")


def test_a_new_password_replaces_the_old_and_a_disabled_user_cannot_log_in(store):
    create_user(store, "a@example.com", PASSWORD)
    set_password(store, "a@example.com", "another long password")
    with pytest.raises(LoginFailed):
        authenticate(store, "a@example.com", PASSWORD)
    authenticate(store, "a@example.com", "another long password")
    set_disabled(store, "a@example.com")
    with pytest.raises(LoginFailed):
        authenticate(store, "a@example.com", "another long password")
    with pytest.raises(InputError, match="no user has the e-mail"):
        set_password(store, "b@example.com", PASSWORD)


def test_a_session_lives_until_logout_and_only_its_hash_is_stored(store):
    user = create_user(store, "a@example.com", PASSWORD)
    new = create_session(store, user)
    session = resolve_session(store, new.token)
    assert session.user.id == user.id and session.csrf_token == new.csrf_token
    assert (
        csrf_matches(session, new.csrf_token)
        and not csrf_matches(session, "forged")
        and not csrf_matches(session, None)
    )
    with store.engine.connect() as conn:
        assert new.token not in [r.token_hash for r in conn.execute(sa.select(user_sessions))]
    assert resolve_session(store, new.token + "x") is None and resolve_session(store, None) is None
    end_session(store, new.token)
    assert resolve_session(store, new.token) is None


def test_expired_idle_and_disabled_sessions_stop_working(store):
    user = create_user(store, "a@example.com", PASSWORD)
    expired, idle, other = (create_session(store, user) for _ in range(3))
    past = datetime.now(UTC) - timedelta(seconds=1)
    with store.begin() as conn:
        conn.execute(
            user_sessions.update().where(user_sessions.c.csrf_token == expired.csrf_token).values(expires_at=past)
        )
        conn.execute(
            user_sessions.update()
            .where(user_sessions.c.csrf_token == idle.csrf_token)
            .values(last_seen_at=past - sessions_module.IDLE)
        )
    assert resolve_session(store, expired.token) is None
    assert resolve_session(store, idle.token) is None
    assert resolve_session(store, other.token) is not None
    set_disabled(store, "a@example.com")
    assert resolve_session(store, other.token) is None


def test_logins_are_throttled_per_email_and_address_with_growing_delays(store):
    """OWASP: account and address together, growing delays, never a lock-out from elsewhere."""
    for _ in range(sessions_module.FREE_FAILURES):
        check_login_allowed(store, "a@example.com", "10.0.0.1")
        record_login_attempt(store, "a@example.com", "10.0.0.1", False)
    with pytest.raises(LoginThrottled, match="too many failed logins from here; try again in") as caught:
        check_login_allowed(store, "A@example.com", "10.0.0.1")
    assert caught.value.status == 429 and caught.value.retry_after <= 2
    check_login_allowed(store, "a@example.com", "10.0.0.2")  # the right person elsewhere is not locked out
    check_login_allowed(store, "b@example.com", "10.0.0.1")  # nor another user behind the same address
    delays = []
    for _ in range(8):
        record_login_attempt(store, "a@example.com", "10.0.0.1", False)
        with pytest.raises(LoginThrottled) as caught:
            check_login_allowed(store, "a@example.com", "10.0.0.1")
        delays.append(caught.value.retry_after)
    assert delays == sorted(delays) and delays[-1] > 60 * delays[0]  # doubling
    assert sessions_module.unlock_login(store, "a@example.com") == 11
    check_login_allowed(store, "a@example.com", "10.0.0.1")  # an admin's unlock
    for i in range(sessions_module.MAX_FAILURES_PER_ADDRESS):
        record_login_attempt(store, f"u{i}@example.com", "10.0.0.9", False)
    with pytest.raises(LoginThrottled):
        check_login_allowed(store, "fresh@example.com", "10.0.0.9")  # spraying from one address


def test_guesses_spread_over_many_addresses_delay_new_addresses_only(store):
    """An account guessed at from many addresses (each under its own limit) makes addresses it
    never logged in from wait; where its user logged in lately, the right password still works."""
    record_login_attempt(store, "a@example.com", "10.0.0.1", True)  # the user's own address
    for i in range(sessions_module.MAX_FAILURES_PER_ACCOUNT):
        record_login_attempt(store, "a@example.com", f"198.51.100.{i}", False)
    with pytest.raises(LoginThrottled):
        check_login_allowed(store, "a@example.com", "203.0.113.9")
    check_login_allowed(store, "a@example.com", "10.0.0.1")
    check_login_allowed(store, "b@example.com", "203.0.113.9")  # other accounts are not affected


def test_failures_leave_the_window_and_a_success_clears_the_count(store):
    for _ in range(sessions_module.FREE_FAILURES + 2):
        record_login_attempt(store, "a@example.com", None, False)
    with store.begin() as conn:  # as if they were made long ago
        conn.execute(
            login_attempts.update().values(
                attempted_at=datetime.now(UTC) - sessions_module.MAX_DELAY - timedelta(seconds=5)
            )
        )
    check_login_allowed(store, "a@example.com", None)
    for _ in range(sessions_module.FREE_FAILURES + 2):
        record_login_attempt(store, "b@example.com", None, False)
    record_login_attempt(store, "b@example.com", None, True)
    record_login_attempt(store, "b@example.com", None, False)
    check_login_allowed(store, "b@example.com", None)


def test_get_user_by_id_and_email(store):
    user = create_user(store, "a@example.com", PASSWORD)
    assert get_user(store, user.id).email == "a@example.com"
    assert get_user(store, email="A@EXAMPLE.COM").id == user.id
    assert get_user(store, email="x@example.com") is None


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def env(store_url, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    return store_url


def test_users_create_asks_for_the_password_twice(env, store):
    from typer.testing import CliRunner

    from cxlens.cli import app

    runner = CliRunner()
    result = runner.invoke(
        app, ["users", "create", "Boss@Example.com", "--role", "admin"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert "User boss@example.com (admin) created" in result.output
    assert authenticate(store, "boss@example.com", PASSWORD).role == "admin"
    listed = runner.invoke(app, ["users", "list"])
    assert "boss@example.com" in listed.output and "admin" in listed.output
    bad = runner.invoke(app, ["users", "create", "x@example.com", "--role", "owner"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert bad.exit_code != 0


def test_demo_prints_a_login_that_works(env, store):
    from typer.testing import CliRunner

    from cxlens.cli import DEMO_ADMIN, app

    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--customers", "50", "--responses", "200", "--no-serve"])
    assert first.exit_code == 0, first.output
    password = re.search(rf"as {re.escape(DEMO_ADMIN)} with the password (\S+)", first.output).group(1)
    assert authenticate(store, DEMO_ADMIN, password).role == "admin"
    again = runner.invoke(app, ["demo", "--no-serve"])  # a second run prints a new password that works
    new = re.search(r"with the password (\S+)", again.output).group(1)
    assert new != password and authenticate(store, DEMO_ADMIN, new)
    with pytest.raises(LoginFailed):
        authenticate(store, DEMO_ADMIN, password)
