"""``cxlens apikeys …``: API keys for programs that call the REST API."""

from __future__ import annotations

import typer

from .shared import cell, err, open_store, out, print_fitted

__all__ = ["app"]

app = typer.Typer(name="apikeys", help="API keys for programs that call the REST API.", no_args_is_help=True)


@app.command("create")
def apikeys_create(
    name: str = typer.Argument(..., help="who uses the key, e.g. 'shop backend'"),
    scope: list[str] = typer.Option(
        [],
        "--scope",
        help="what it may do (repeatable): kpi:read, text:read, events:write, responses:write, surveys:write",
    ),
) -> None:
    """Create an API key. It is printed once; only its hash is stored."""
    from ..access import create_api_key

    key = create_api_key(open_store(create=True), name, scope)
    out.print(f"API key {key.prefix} for {key.name!r} with scopes {', '.join(key.scopes)}:")
    out.print(key.secret, markup=False, highlight=False, soft_wrap=True)
    err.print("Copy it now: cxlens cannot show it again. Send it as `Authorization: Bearer <key>`.")


@app.command("list")
def apikeys_list(
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """List API keys (prefix, name, scopes, last use); keys themselves are never shown."""
    from rich.table import Table

    from ..access import list_api_keys

    keys = list_api_keys(open_store())
    if not keys:
        out.print("No API keys yet. Create one: cxlens apikeys create NAME --scope kpi:read")
        return
    table = Table("prefix", "name", "scopes", "created", "last used", "status")
    for k in keys:
        table.add_row(
            k.prefix,
            k.name,
            ", ".join(k.scopes),
            cell(k.created_at),
            cell(k.last_used_at),
            "active" if k.active else f"revoked {cell(k.revoked_at)}",
        )
    print_fitted(table, wide=wide)


@app.command("revoke")
def apikeys_revoke(
    prefix: str = typer.Argument(..., help="the key's prefix, as `cxlens apikeys list` shows it"),
) -> None:
    """Revoke an API key: requests with it are refused from now on."""
    from ..access import revoke_api_key

    key = revoke_api_key(open_store(), prefix)
    out.print(f"API key {key.prefix} ({key.name}) is revoked.")
