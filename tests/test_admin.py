"""User management at /admin/users over HTTP, on SQLite and PostgreSQL: only admins reach it;
create, change role, deactivate/reactivate and reset a password; CSRF on every form; the last
active admin stays; what people typed comes back escaped. Plus the library rules behind it."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from cxlens.access import (
    authenticate,
    create_session,
    create_user,
    get_user,
    last_seen,
    resolve_session,
    set_disabled,
    set_role,
)
from cxlens.errors import InputError, LoginFailed
from cxlens.web import create_app

PASSWORD = "correct horse battery"


def login(client: TestClient, email: str, password: str = PASSWORD):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/admin/users"},
        follow_redirects=False,
    )


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def row_of(html: str, email: str) -> str:
    return re.search(rf'<tr id="user-\d+" data-email="{re.escape(email)}".*?</tr>', html, re.S).group(0)


@pytest.fixture
def admin(store):
    create_user(store, "boss@example.com", PASSWORD, role="admin")
    c = TestClient(create_app(store))
    assert login(c, "boss@example.com").status_code == 303
    return c


def _post(client: TestClient, path: str, **data):
    token = csrf_of(client.get("/admin/users").text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


# --- the library's rules --------------------------------------------------------------------------


def test_the_last_active_admin_cannot_be_demoted_or_disabled(store):
    create_user(store, "a@example.com", PASSWORD, role="admin")
    with pytest.raises(InputError, match="a@example.com is the last active admin and cannot be made viewer"):
        set_role(store, "a@example.com", "viewer")
    with pytest.raises(InputError, match="last active admin and cannot be disabled"):
        set_disabled(store, "a@example.com")
    create_user(store, "b@example.com", PASSWORD, role="admin")
    set_disabled(store, "b@example.com")  # a disabled admin does not count as one who can manage users
    with pytest.raises(InputError, match="last active admin"):
        set_role(store, "a@example.com", "analyst")
    set_disabled(store, "b@example.com", False)
    assert set_role(store, "a@example.com", "analyst").role == "analyst"
    with pytest.raises(InputError, match="role 'owner' is not known"):
        set_role(store, "b@example.com", "owner")
    with pytest.raises(InputError, match="no user has the e-mail 'x@example.com'"):
        set_role(store, "x@example.com", "viewer")


def test_disabling_ends_the_sessions_and_last_seen_comes_from_them(store):
    user = create_user(store, "a@example.com", PASSWORD)
    create_user(store, "b@example.com", PASSWORD)
    new = create_session(store, user)
    assert set(last_seen(store)) == {user.id}
    set_disabled(store, "a@example.com")
    assert resolve_session(store, new.token) is None and last_seen(store) == {}
    set_disabled(store, "a@example.com", False)
    assert resolve_session(store, new.token) is None  # ended, not merely hidden while disabled
    assert authenticate(store, "a@example.com", PASSWORD).id == user.id


# --- the page -------------------------------------------------------------------------------------


def test_only_admins_reach_the_page(store):
    create_user(store, "a@example.com", PASSWORD, role="analyst")
    create_user(store, "v@example.com", PASSWORD, role="viewer")
    c = TestClient(create_app(store))
    r = c.get("/admin/users", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=%2Fadmin%2Fusers")
    for email in ("a@example.com", "v@example.com"):
        c.cookies.clear()
        login(c, email)
        r = c.get("/admin/users")
        assert r.status_code == 403 and "Managing users needs the admin role" in r.text
        assert "<table" not in r.text and 'href="/admin/users"' not in r.text  # no list, no nav link
        token = re.search(r'"X-CSRF-Token": "([^"]+)"', c.get("/").text).group(1)
        r = c.post(
            "/admin/users", data={"csrf_token": token, "email": "x@example.com", "password": PASSWORD, "role": "admin"}
        )
        assert r.status_code == 403
    assert get_user(store, email="x@example.com") is None


def test_an_admin_creates_a_user_who_can_then_log_in(admin, store):
    page = admin.get("/admin/users")
    assert page.status_code == 200 and 'href="/admin/users" aria-current="page">Users' in page.text
    r = _post(admin, "/admin/users", email="New@Example.com", name="Ann <b>Lee</b>", role="analyst", password=PASSWORD)
    assert r.status_code == 303
    done = admin.get(r.headers["location"])
    assert "User new@example.com created as analyst" in done.text
    row = row_of(done.text, "new@example.com")
    assert "Ann &lt;b&gt;Lee&lt;/b&gt;" in row and "<b>Lee" not in done.text
    assert '<td data-label="role" class="role">analyst</td>' in row
    assert authenticate(store, "new@example.com", PASSWORD).role == "analyst"


def test_bad_input_comes_back_with_the_form_filled_and_escaped(admin, store):
    r = _post(admin, "/admin/users", email='"><script>alert(1)</script>', name="Bo", role="viewer", password=PASSWORD)
    assert r.status_code == 422 and "User not created: e-mail" in r.text and "is not an address" in r.text
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in r.text
    assert 'value="Bo"' in r.text
    r = _post(admin, "/admin/users", email="short@example.com", role="viewer", password="short")
    assert r.status_code == 422 and "at least 10 characters" in r.text
    r = _post(admin, "/admin/users", email="boss@example.com", role="viewer", password=PASSWORD)
    assert r.status_code == 422 and "exists already" in r.text
    r = _post(admin, "/admin/users", email="x@example.com", role="owner", password=PASSWORD)
    assert r.status_code == 422 and "role &#39;owner&#39; is not known" in r.text
    assert get_user(store, email="x@example.com") is None and get_user(store, email="short@example.com") is None


def test_every_form_needs_the_csrf_token(admin, store):
    v = create_user(store, "v@example.com", PASSWORD)
    for path, data in (
        ("/admin/users", {"email": "x@example.com", "password": PASSWORD, "role": "admin"}),
        (f"/admin/users/{v.id}/role", {"role": "admin"}),
        (f"/admin/users/{v.id}/active", {"active": "0"}),
        (f"/admin/users/{v.id}/password", {"password": "a whole new password"}),
    ):
        for token in (None, "forged"):
            sent = data | ({"csrf_token": token} if token else {})
            r = admin.post(path, data=sent, follow_redirects=False)
            assert r.status_code == 403 and "security token" in r.text, (path, token)
    assert get_user(store, email="x@example.com") is None
    assert get_user(store, v.id).role == "viewer" and not get_user(store, v.id).disabled
    authenticate(store, "v@example.com", PASSWORD)
    html = admin.get("/admin/users").text
    assert html.count('<form method="post" action="/admin/users') == html.count('name="csrf_token"') - 1  # + log out


def test_role_changes_apply_to_the_next_request(admin, store):
    v = create_user(store, "v@example.com", PASSWORD)
    other = TestClient(create_app(store))
    login(other, "v@example.com")
    assert other.get("/customers").status_code == 403
    r = _post(admin, f"/admin/users/{v.id}/role", role="analyst")
    assert r.status_code == 303 and "v@example.com is now analyst" in admin.get(r.headers["location"]).text
    assert other.get("/customers").status_code == 200


def test_deactivating_ends_sessions_and_reactivating_lets_them_back(admin, store):
    v = create_user(store, "v@example.com", PASSWORD)
    other = TestClient(create_app(store))
    login(other, "v@example.com")
    assert other.get("/", follow_redirects=False).status_code == 200
    r = _post(admin, f"/admin/users/{v.id}/active", active="0")
    page = admin.get(r.headers["location"]).text
    assert (
        "v@example.com is deactivated" in page
        and '<td data-label="status" class="status">deactivated</td>' in row_of(page, "v@example.com")
    )
    assert other.get("/", follow_redirects=False).status_code == 303  # their session ended
    with pytest.raises(LoginFailed):
        authenticate(store, "v@example.com", PASSWORD)
    assert login(other, "v@example.com").status_code == 401
    r = _post(admin, f"/admin/users/{v.id}/active", active="1")
    assert "v@example.com can log in again" in admin.get(r.headers["location"]).text
    assert login(other, "v@example.com").status_code == 303


def test_the_last_admin_is_kept_with_a_clear_message(admin, store):
    me = get_user(store, email="boss@example.com")
    r = _post(admin, f"/admin/users/{me.id}/role", role="viewer")
    assert r.status_code == 422
    assert "Role not changed: boss@example.com is the last active admin and cannot be made viewer" in r.text
    r = _post(admin, f"/admin/users/{me.id}/active", active="0")
    assert r.status_code == 422 and "last active admin and cannot be disabled" in r.text
    assert get_user(store, me.id).role == "admin" and not get_user(store, me.id).disabled
    assert admin.get("/admin/users").status_code == 200  # still logged in
    r = _post(admin, "/admin/users/99999/role", role="viewer")
    assert r.status_code == 422 and "no user has the id 99999" in r.text


def test_a_password_reset_works_and_logs_the_user_out(admin, store):
    v = create_user(store, "v@example.com", PASSWORD)
    other = TestClient(create_app(store))
    login(other, "v@example.com")
    r = _post(admin, f"/admin/users/{v.id}/password", password="short")
    assert r.status_code == 422 and "Password not changed: a password needs at least 10 characters" in r.text
    r = _post(admin, f"/admin/users/{v.id}/password", password="a whole new password")
    assert "v@example.com has a new password" in admin.get(r.headers["location"]).text
    assert other.get("/", follow_redirects=False).status_code == 303
    with pytest.raises(LoginFailed):
        authenticate(store, "v@example.com", PASSWORD)
    assert authenticate(store, "v@example.com", "a whole new password").id == v.id


def test_the_list_shows_status_and_last_seen(admin, store):
    v = create_user(store, "v@example.com", PASSWORD, role="viewer")
    create_user(store, "off@example.com", PASSWORD)
    set_disabled(store, "off@example.com")
    html = admin.get("/admin/users").text
    me = row_of(html, "boss@example.com")
    assert "(you)" in me and re.search(r'data-label="last seen">\d\d \w{3} \d{4} \d\d:\d\d UTC', me)
    assert '<td data-label="last seen">–</td>' in row_of(html, "v@example.com")
    assert 'class="disabled"' in row_of(html, "off@example.com") and "Reactivate" in row_of(html, "off@example.com")
    assert "Deactivate" in row_of(html, "v@example.com")
    # A made-up ?done= for an unknown user or code says nothing.
    assert 'role="status"' not in admin.get(f"/admin/users?done=hacked&user={v.id}").text
    assert 'role="status"' not in admin.get("/admin/users?done=created&user=abc").text


# --- the command line -------------------------------------------------------------------------------


def test_users_role_deactivate_and_reactivate_on_the_command_line(store_url, store, monkeypatch):
    from typer.testing import CliRunner

    from cxlens.cli import app

    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    create_user(store, "boss@example.com", PASSWORD, role="admin")
    create_user(store, "v@example.com", PASSWORD)
    runner = CliRunner()
    r = runner.invoke(app, ["users", "role", "V@example.com", "analyst"])
    assert r.exit_code == 0 and "v@example.com is now analyst." in r.output
    assert get_user(store, email="v@example.com").role == "analyst"
    r = runner.invoke(app, ["users", "deactivate", "v@example.com"])
    assert r.exit_code == 0 and "v@example.com is deactivated" in r.output
    with pytest.raises(LoginFailed):
        authenticate(store, "v@example.com", PASSWORD)
    r = runner.invoke(app, ["users", "reactivate", "v@example.com"])
    assert r.exit_code == 0 and authenticate(store, "v@example.com", PASSWORD)
    r = runner.invoke(app, ["users", "role", "boss@example.com", "viewer"])
    assert r.exit_code != 0 and "last active admin" in str(r.exception)
    r = runner.invoke(app, ["users", "deactivate", "boss@example.com"])
    assert r.exit_code != 0 and "last active admin" in str(r.exception)
    assert get_user(store, email="boss@example.com").role == "admin"
