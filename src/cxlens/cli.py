"""The ``cxlens`` command: parses options, calls the library, turns errors into plain words."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from .config import settings
from .errors import CxlensError
from .ingest import KINDS, import_file
from .ingest.journeys import journey_tree
from .metrics import format_target
from .store import Store, open_store

app = typer.Typer(help="cxlens: customer-experience measurement across the whole journey.", no_args_is_help=True)
db_app = typer.Typer(help="The store's schema: migrate, inspect.", no_args_is_help=True)
journeys_app = typer.Typer(help="Journeys, stages and touchpoints as code.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(journeys_app, name="journeys")
apikeys_app = typer.Typer(help="API keys for programs that call the REST API.", no_args_is_help=True)
app.add_typer(apikeys_app, name="apikeys")
users_app = typer.Typer(help="Dashboard users: admin, analyst or viewer.", no_args_is_help=True)
app.add_typer(users_app, name="users")
# Feedback collection: the commands live beside the library (collect/commands.py).
from .collect.commands import invitations_app, surveys_app  # noqa: E402

app.add_typer(surveys_app, name="surveys")
app.add_typer(invitations_app, name="invitations")
# Text analytics: the commands live beside the library (text/commands.py).
from .text.commands import text_app  # noqa: E402

app.add_typer(text_app, name="text")

out = Console()
err = Console(stderr=True)

# Files above this size take more than about a second: they get a progress bar.
PROGRESS_BYTES = 5_000_000


def main() -> None:
    try:
        app()
    except CxlensError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        sys.exit(1)


@contextmanager
def progress_bar(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A callback ``(stage, done, total)`` drawing one rich progress bar per stage."""
    if not enabled or not err.is_terminal:
        yield lambda stage, done, total: None
        return
    with Progress(TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=err, transient=True) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total or None)
            bar.update(tasks[stage], completed=done, total=total or None)

        yield update


def _store() -> Store:
    return open_store()


@db_app.command("upgrade")
def db_upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Migrate the store to the newest schema (or REVISION)."""
    store = Store()
    store.upgrade(revision)
    out.print(f"{store!r} is at schema {store.current_revision()}")


@db_app.command("downgrade")
def db_downgrade(revision: str = typer.Argument(..., help="target revision, e.g. base")) -> None:
    """Migrate the store back to REVISION (data in dropped tables is lost)."""
    store = Store()
    store.downgrade(revision)
    out.print(f"{store!r} is at schema {store.current_revision() or '(empty)'}")


@db_app.command("current")
def db_current() -> None:
    """Show the store, its schema version and row counts."""
    store = Store()
    current, head = store.current_revision(), store.head_revision()
    out.print(f"{store!r}: schema {current or '(empty)'}; this cxlens needs {head}")
    store.check_schema()  # an out-of-date or newer schema: say what to do, show no counts
    table = Table("table", "rows")
    for name, n in store.row_counts().items():
        table.add_row(name, f"{n:,}")
    out.print(table)


@journeys_app.command("load")
def journeys_load(file: Path = typer.Argument(..., help="a journeys YAML file")) -> None:
    """Validate FILE and upsert its journeys, stages, touchpoints, targets and surveys."""
    from .collect.surveys import load_surveys  # checks the surveys' collection settings (texts, trigger, widget) too

    result = load_surveys(_store(), file)
    out.print(result.summary())


@journeys_app.command("show")
def journeys_show() -> None:
    """Print the journey map: journeys → stages → touchpoints with their targets."""
    tree = journey_tree(_store())
    if not tree:
        out.print("No journeys yet. Load some: cxlens journeys load FILE (see the README for the format)")
        return
    root = Tree("[bold]Journeys")
    for j in tree:
        jn = root.add(f"[bold]{j['name']}[/] ({j['key']})" + (f" — {j['goal']}" if j["goal"] else ""))
        for st in j["stages"]:
            sn = jn.add(f"{st['name']} ({st['key']})")
            for tp in st["touchpoints"]:
                targets = ", ".join(f"{m} {format_target(m, v)}" for m, v in tp["targets"].items())
                where = " · ".join(x for x in (tp["channel"], tp["team"]) if x)
                sn.add(f"{tp['name']} ({tp['key']}) [dim]{where}[/]" + (f"  targets: {targets}" if targets else ""))
    out.print(root)


@apikeys_app.command("create")
def apikeys_create(
    name: str = typer.Argument(..., help="who uses the key, e.g. 'shop backend'"),
    scope: list[str] = typer.Option([], "--scope", help="what it may do (repeatable): kpi:read, text:read, events:write, responses:write, surveys:write"),
) -> None:
    """Create an API key. It is printed once; only its hash is stored."""
    from .access import create_api_key

    key = create_api_key(_store(), name, scope)
    out.print(f"API key {key.prefix} for {key.name!r} with scopes {', '.join(key.scopes)}:")
    out.print(key.secret, markup=False, highlight=False, soft_wrap=True)
    err.print("Copy it now: cxlens cannot show it again. Send it as `Authorization: Bearer <key>`.")


@apikeys_app.command("list")
def apikeys_list() -> None:
    """List API keys (prefix, name, scopes, last use); keys themselves are never shown."""
    from .access import list_api_keys

    keys = list_api_keys(_store())
    if not keys:
        out.print("No API keys yet. Create one: cxlens apikeys create NAME --scope kpi:read")
        return
    table = Table("prefix", "name", "scopes", "created", "last used", "status")
    for k in keys:
        table.add_row(k.prefix, k.name, ", ".join(k.scopes), _cell(k.created_at), _cell(k.last_used_at),
                      "active" if k.active else f"revoked {_cell(k.revoked_at)}")
    out.print(table)


@apikeys_app.command("revoke")
def apikeys_revoke(prefix: str = typer.Argument(..., help="the key's prefix, as `cxlens apikeys list` shows it")) -> None:
    """Revoke an API key: requests with it are refused from now on."""
    from .access import revoke_api_key

    key = revoke_api_key(_store(), prefix)
    out.print(f"API key {key.prefix} ({key.name}) is revoked.")


@users_app.command("create")
def users_create(
    email: str = typer.Argument(..., help="the user's e-mail: what they log in with"),
    role: str = typer.Option("viewer", help="viewer (reads pages), analyst (also downloads data), admin (also manages users)"),
    name: str = typer.Option(None, help="the name the dashboard shows"),
    password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True,
                                 help="asked for when left out (at least 10 characters)"),
) -> None:
    """Create a dashboard user (the first one is usually an admin)."""
    from .access import create_user

    user = create_user(_store(), email, password, role=role, name=name)
    out.print(f"User {user.email} ({user.role}) created: log in at /login.", highlight=False)


@users_app.command("list")
def users_list() -> None:
    """List dashboard users; passwords are stored only as argon2 hashes."""
    from .access import list_users

    users = list_users(_store())
    if not users:
        out.print("No users yet. Create one: cxlens users create EMAIL --role admin")
        return
    table = Table("e-mail", "name", "role", "created", "status")
    for u in users:
        table.add_row(u.email, u.name or "", u.role, _cell(u.created_at), "disabled" if u.disabled else "active")
    out.print(table)


@users_app.command("password")
def users_password(
    email: str = typer.Argument(...),
    password: str = typer.Option(..., prompt="New password", hide_input=True, confirmation_prompt=True),
) -> None:
    """Set a user's password (their open sessions stay; disable the user to end them)."""
    from .access import set_password

    set_password(_store(), email, password)
    out.print(f"Password of {email} changed.", highlight=False)


@users_app.command("role")
def users_role(email: str = typer.Argument(...), role: str = typer.Argument(..., help="viewer, analyst or admin")) -> None:
    """Change a user's role (the last active admin keeps theirs); it applies to their next page."""
    from .access import set_role

    user = set_role(_store(), email, role)
    out.print(f"{user.email} is now {user.role}.", highlight=False)


@users_app.command("deactivate")
def users_deactivate(email: str = typer.Argument(...)) -> None:
    """Stop a user from logging in and end their open sessions (the last active admin stays)."""
    from .access import set_disabled

    set_disabled(_store(), email, True)
    out.print(f"{email} is deactivated: they cannot log in, and their open sessions ended.", highlight=False)


@users_app.command("reactivate")
def users_reactivate(email: str = typer.Argument(...)) -> None:
    """Let a deactivated user log in again (with their old password)."""
    from .access import set_disabled

    set_disabled(_store(), email, False)
    out.print(f"{email} can log in again.", highlight=False)


DEMO_ADMIN = "demo@cxlens.example"


def _demo_admin(store: Store) -> str:
    """A fresh password for the demo's admin (created on first use), to print: only its hash is kept."""
    import secrets

    from .access import create_user, get_user, set_password

    password = secrets.token_urlsafe(12)
    if get_user(store, email=DEMO_ADMIN) is None:
        create_user(store, DEMO_ADMIN, password, role="admin", name="Demo admin")
    else:
        set_password(store, DEMO_ADMIN, password)
    return password


def _parse_map(values: list[str]) -> dict[str, str]:
    mapping = {}
    for item in values:
        field, sep, column = item.partition("=")
        if not sep or not field or not column:
            raise CxlensError(f"--map {item!r}: write it as FIELD=COLUMN, e.g. --map score=nps_score")
        mapping[field.strip()] = column.strip()
    return mapping


@app.command("import")
def import_(
    kind: str = typer.Argument(
        ..., help=" · ".join(f"{k} ({spec.help})" for k, spec in KINDS.items()) + " · zendesk (a Zendesk ticket export)"
    ),
    file: Path = typer.Argument(..., help="a .csv, .jsonl or .parquet file (zendesk: the API's JSON)"),
    fmt: str = typer.Option(None, "--format", help="csv, jsonl or parquet (default: from the extension)"),
    map_: list[str] = typer.Option([], "--map", help="FIELD=COLUMN: read FIELD from the file's COLUMN"),
    update: bool = typer.Option(False, "--update", help="update rows whose id exists and whose values changed"),
    skip_bad_rows: bool = typer.Option(False, "--skip-bad-rows", help="import the good rows; write the bad ones to a file"),
    rejected: Path = typer.Option(None, "--rejected", help="where --skip-bad-rows writes rejected rows"),
    timezone_name: str = typer.Option("UTC", "--timezone", help="time zone of timestamps without an offset (zendesk: always UTC)"),
    touchpoint: str = typer.Option(None, "--touchpoint", help="zendesk: the touchpoint its tickets belong to"),
) -> None:
    """Import FILE as KIND: every row is checked; a bad row rejects the file unless --skip-bad-rows."""
    store = _store()
    big = file.exists() and file.stat().st_size > PROGRESS_BYTES
    with progress_bar(big) as progress:
        if kind == "zendesk":
            from .ingest.zendesk import import_zendesk

            results = import_zendesk(store, file, update=update, skip_bad_rows=skip_bad_rows, rejected_file=rejected, touchpoint=touchpoint, progress=progress)
        else:
            results = [
                import_file(
                    store, kind, file, fmt=fmt, mapping=_parse_map(map_), update=update,
                    skip_bad_rows=skip_bad_rows, rejected_file=rejected, timezone_name=timezone_name, progress=progress,
                )
            ]
    for result in results:
        out.print(result.summary(), highlight=False)


@app.command("kpi")
def kpi_(
    name: str = typer.Argument(..., help="a KPI, e.g. nps, csat, ces, first_response_p90, churn_rate, cohort_retention, survival, net_revenue_retention, clv, funnel, touchpoint_health (a name it does not know lists them all)"),
    by: str = typer.Option("", "--by", help="comma-separated dimensions, e.g. touchpoint,channel"),
    grain: str = typer.Option(None, "--grain", help="day, week, month, quarter or year"),
    since: str = typer.Option(None, "--since", help="first day, e.g. 2026-01-01"),
    until: str = typer.Option(None, "--until", help="day after the last, e.g. 2026-07-01"),
    where: list[str] = typer.Option([], "--where", help="DIMENSION=VALUE, e.g. segment=smb (repeatable)"),
    compare: str = typer.Option(None, "--compare", help="previous (the period before) or year (a year before): the change, with a test"),
    fmt: str = typer.Option("table", "--format", help="table, csv or json"),
    tier: str = typer.Option("store", "--tier", help="store (the database itself), duckdb (an in-memory copy of the embedded store) or spark (with --parquet)"),
    parquet: Path = typer.Option(None, "--parquet", help="for --tier spark: a folder written by cxlens export --parquet"),
) -> None:
    """A KPI with its interval and n, sliced by dimensions and time."""
    from .analytics.kpis import kpi

    filters: dict[str, list[str]] = {}
    for item in where:
        dim, sep, value = item.partition("=")
        if not sep:
            raise CxlensError(f"--where {item!r}: write it as DIMENSION=VALUE, e.g. --where segment=smb")
        filters.setdefault(dim.strip(), []).append(value.strip())
    dims = [d.strip() for d in by.split(",") if d.strip()]
    k = kpi(None if tier == "spark" else _store(), tier=tier, parquet=parquet)
    result = k.compute(name, by=dims, grain=grain, since=since, until=until, where=filters, compare=compare)
    _print_kpi(result, fmt)


def _print_kpi(result, fmt: str) -> None:
    table = result.to_arrow()
    if fmt == "json":
        import json

        out.print_json(json.dumps(result.to_dicts(), default=str))
    elif fmt == "csv":
        import io

        import pyarrow.csv as pacsv

        buf = io.BytesIO()
        pacsv.write_csv(table, buf)
        sys.stdout.write(buf.getvalue().decode())
    elif fmt == "table":
        view = Table(*table.column_names)
        for row in result.rows:
            view.add_row(*(_cell(row.get(c)) for c in table.column_names))
        out.print(view if result.rows else "No answers match.")
    else:
        raise CxlensError(f"--format {fmt!r}: use table, csv or json")


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1 else f"{value:,.1f}"
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    return "" if value is None else str(value)


@app.command("export")
def export(
    parquet: Path = typer.Option(..., "--parquet", help="directory for one <table>.parquet per table (created if missing)"),
    table: list[str] = typer.Option([], "--table", help="only this table (repeatable); default: every table"),
) -> None:
    """Write the store's tables to Parquet, for Spark and other engines (tier 2)."""
    from .store.export import export_parquet

    store = _store()
    with progress_bar() as progress:
        result = export_parquet(store, parquet, tables=table or None, progress=progress)
    out.print(result.summary(), highlight=False)


@app.command("demo")
def demo(
    customers: int = typer.Option(3000, help="how many customers"),
    responses: int = typer.Option(20000, help="how many survey responses"),
    seed: int = typer.Option(7, help="same seed, same data"),
    reset: bool = typer.Option(False, "--reset", help="delete the store's data (customers, answers, tickets, …) and generate a new demo company"),
    serve_: bool = typer.Option(True, "--serve/--no-serve", help="start the web app afterwards"),
    host: str = typer.Option("127.0.0.1"),
    port: int = typer.Option(8000),
) -> None:
    """Generate a realistic demo company into the store, then serve it.

    A store that already holds data is served as it is (run again with --reset to replace it)."""
    from .demo import generate_demo

    store = _store()
    with progress_bar() as progress:
        summary = generate_demo(store, customers=customers, responses=responses, seed=seed, reset=reset, progress=progress)
    out.print(summary.describe(), highlight=False)
    password = _demo_admin(store)
    out.print(f"Log in at http://{host}:{port}/login as [bold]{DEMO_ADMIN}[/] with the password [bold]{password}[/] "
              "(a new one each run).", highlight=False, soft_wrap=True)
    if serve_:
        serve(host=host, port=port)


@app.command("serve")
def serve(host: str = typer.Option("127.0.0.1"), port: int = typer.Option(8000)) -> None:
    """Start the web app (FastAPI) on HOST:PORT."""
    import uvicorn

    from .web import create_app

    web = create_app(_store())
    out.print(f"cxlens is serving {settings().database_url} on [bold]http://{host}:{port}[/] (Ctrl+C stops it)")
    uvicorn.run(web, host=host, port=port, log_level="warning")


if __name__ == "__main__":  # pragma: no cover
    main()
