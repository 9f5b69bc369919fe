"""``cxlens users …``: dashboard users (admin, analyst or viewer)."""

from __future__ import annotations

import typer

from .shared import cell, open_store, out, print_fitted

__all__ = ["app"]

app = typer.Typer(name="users", help="Dashboard users: admin, analyst or viewer.", no_args_is_help=True)


@app.command("create")
def users_create(
    email: str = typer.Argument(..., help="the user's e-mail: what they log in with"),
    role: str = typer.Option(
        "viewer", help="viewer (reads pages), analyst (also downloads data), admin (also manages users)"
    ),
    name: str = typer.Option(None, help="the name the dashboard shows"),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        help="asked for when left out (at least 10 characters)",
    ),
) -> None:
    """Create a dashboard user (the first one is usually an admin)."""
    from ..access import create_user

    user = create_user(open_store(create=True), email, password, role=role, name=name)
    out.print(f"User {user.email} ({user.role}) created: log in at /login.", highlight=False)


@app.command("list")
def users_list(
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """List dashboard users; passwords are stored only as argon2 hashes."""
    from rich.table import Table

    from ..access import list_users

    users = list_users(open_store())
    if not users:
        out.print("No users yet. Create one: cxlens users create EMAIL --role admin")
        return
    table = Table("e-mail", "name", "role", "created", "status")
    for u in users:
        table.add_row(u.email, u.name or "", u.role, cell(u.created_at), "disabled" if u.disabled else "active")
    print_fitted(table, wide=wide)


@app.command("password")
def users_password(
    email: str = typer.Argument(...),
    password: str = typer.Option(..., prompt="New password", hide_input=True, confirmation_prompt=True),
) -> None:
    """Set a user's password (their open sessions stay; disable the user to end them)."""
    from ..access import set_password

    set_password(open_store(), email, password)
    out.print(f"Password of {email} changed.", highlight=False)


@app.command("role")
def users_role(
    email: str = typer.Argument(...), role: str = typer.Argument(..., help="viewer, analyst or admin")
) -> None:
    """Change a user's role (the last active admin keeps theirs); it applies to their next page."""
    from ..access import set_role

    user = set_role(open_store(), email, role)
    out.print(f"{user.email} is now {user.role}.", highlight=False)


@app.command("deactivate")
def users_deactivate(email: str = typer.Argument(...)) -> None:
    """Stop a user from logging in and end their open sessions (the last active admin stays)."""
    from ..access import set_disabled

    set_disabled(open_store(), email, True)
    out.print(f"{email} is deactivated: they cannot log in, and their open sessions ended.", highlight=False)


@app.command("reactivate")
def users_reactivate(email: str = typer.Argument(...)) -> None:
    """Let a deactivated user log in again (with their old password)."""
    from ..access import set_disabled

    set_disabled(open_store(), email, False)
    out.print(f"{email} can log in again.", highlight=False)


@app.command("audit")
def users_audit(
    limit: int = typer.Option(50, help="entries to show, newest first"),
    action: str = typer.Option(None, help="only this action, e.g. customer.erase"),
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """The audit log: admin actions and access to customers' data (also at /admin/audit)."""
    from rich.table import Table

    from ..store.audit import audit_entries

    table = Table("when (UTC)", "who", "action", "about")
    for e in audit_entries(open_store(), limit=limit, action=action):
        table.add_row(cell(e["at"]), e["actor"], e["action"], e["subject"] or "")
    print_fitted(table, wide=wide)


@app.command("unlock")
def users_unlock(email: str = typer.Argument(...)) -> None:
    """Forget a user's failed logins, so that their next attempt is not delayed."""
    from ..access import unlock_login
    from ..store.audit import audit

    store = open_store()
    forgotten = unlock_login(store, email)
    audit(store, "cli", "user.unlock", email, {"failures": forgotten})
    out.print(f"Unlocked {email} ({forgotten} failed logins forgotten).", highlight=False)
