"""``cxlens cases …``: thin commands over :mod:`cxlens.alerts.cases` (writes) and
:mod:`cxlens.alerts.case_views` (reads).

Errors are :class:`~cxlens.errors.CxlensError` (an unknown case, user or code), which the main
command prints as they are. ``--by EMAIL`` names the user a change is recorded for (the CLI
has no login); without it the timeline shows no actor.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from ..errors import InputError
from .shared import print_fitted

if TYPE_CHECKING:
    import sqlalchemy as sa

__all__ = ["app"]

# The library is imported inside the commands: ``cxlens --help`` needs none of it.
app = typer.Typer(name="cases", help="Cases: follow-ups with an owner, an SLA and an outcome.", no_args_is_help=True)

_BY = typer.Option(None, "--by", help="the user (e-mail) the change is recorded for")


class _Out:
    """A console made per print, so the terminal width (COLUMNS) is read when printing."""

    def print(self, *args, **kwargs) -> None:
        Console().print(*args, **kwargs)


out = _Out()


def _user_id(conn: sa.Connection, email: str | None, option: str) -> int | None:
    import sqlalchemy as sa

    from ..store import schema as s

    if email is None:
        return None
    found = conn.execute(sa.select(s.users.c.id).where(s.users.c.email == email.strip().lower())).scalar()
    if found is None:
        raise InputError(f"{option} {email}: no user has this e-mail; cxlens users list shows the users")
    return found


def _when(value) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else "-"


@app.command("list")
def cases_list(
    mine: str = typer.Option(None, "--mine", metavar="EMAIL", help="only the cases this user owns"),
    team: str = typer.Option(None, "--team", help="only this team's cases"),
    status: list[str] = typer.Option(
        None, "--status", help="open, in_progress, waiting_customer, resolved, closed, or active (repeatable)"
    ),
    overdue: bool = typer.Option(False, "--overdue", help="only cases past their deadline"),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table"),
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """Cases, overdue first, then by due date."""
    from ..alerts.case_views import list_cases
    from ..store import open_store

    store = open_store()
    with store.engine.connect() as conn:
        rows = list_cases(
            conn,
            owner_id=_user_id(conn, mine, "--mine") if mine else None,
            team=team,
            status=status or None,
            overdue=overdue,
            limit=limit,
        )
    if as_json:
        typer.echo(json.dumps([r.to_dict() for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        out.print("no cases")
        return
    from rich.table import Table

    table = Table("id", "status", "priority", "due", "owner", "team", "customer", "title")
    for r in rows:
        due = f"[red]{_when(r.due_at)} overdue[/red]" if r.overdue else _when(r.due_at)
        table.add_row(
            str(r.id), r.status, r.priority, due, r.owner or "-", r.team or "-", r.customer or "-", r.title or ""
        )
    print_fitted(table, wide=wide, drop=("team", "priority", "owner", "customer", "due"))


@app.command("show")
def cases_show(
    case_id: int = typer.Argument(..., metavar="ID"),
    as_json: bool = typer.Option(False, "--json"),
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """One case: its customer, the answer (mention, ticket, alert) it is about, its timeline."""
    from ..alerts.case_views import case_detail
    from ..store import open_store

    store = open_store()
    with store.engine.connect() as conn:
        detail = case_detail(conn, case_id)
    if detail is None:
        raise InputError(f"case {case_id} does not exist; cxlens cases list shows the cases")
    if as_json:
        typer.echo(json.dumps(detail.to_dict(), indent=2, ensure_ascii=False, default=str))
        return
    k = detail.case
    out.print(f"[bold]Case #{k.id}[/bold] {k.title or ''}", markup=True, highlight=False)
    out.print(
        f"status {k.status}, priority {k.priority}, owner {k.owner or '-'}, team {k.team or '-'}, "
        f"due {_when(k.due_at)}{' (overdue)' if k.overdue else ''}{' in business hours' if detail.business_hours else ''}",
        highlight=False,
    )
    if k.outcome:
        out.print(
            f"outcome {k.outcome}, resolution {k.resolution or '-'}, root cause {k.root_cause or '-'}", highlight=False
        )
    if detail.customer:
        cu = detail.customer
        out.print(
            f"customer {cu['name'] or cu['external_id']} ({cu['external_id']}) {cu['email'] or ''}",
            highlight=False,
            markup=False,
        )
    if detail.item:
        item = detail.item
        text = item.get("comment") or item.get("text") or item.get("subject") or ""
        score = item.get("score") if item["kind"] == "response" else item.get("rating")
        out.print(
            f"{item['kind']} #{item['id']}"
            + (f", score {score}" if score is not None else "")
            + (f": {text}" if text else ""),
            highlight=False,
            markup=False,
        )
    from rich.table import Table

    table = Table("at", "event", "by", "details")
    for e in detail.timeline:
        data = ", ".join(f"{key}={value}" for key, value in (e["data"] or {}).items() if value is not None)
        table.add_row(
            e["at"][:16].replace("T", " "),
            e["kind"],
            e["actor"] or "-",
            (e["note"] or "") + (f" [{data}]" if data else ""),
        )
    print_fitted(table, wide=wide, markup=False)


@app.command("assign")
def cases_assign(
    case_id: int = typer.Argument(..., metavar="ID"),
    email: str = typer.Argument(..., help="the new owner's e-mail"),
    by: str = _BY,
) -> None:
    """Make the user with EMAIL the case's owner (they get an e-mail)."""
    from ..alerts import cases as c
    from ..store import open_store

    store = open_store()
    with store.begin() as conn:
        changed = c.assign(conn, case_id, _user_id(conn, email, "owner"), _user_id(conn, by, "--by"))
    out.print(
        f"case {case_id} assigned to {email}" if changed else f"case {case_id} is {email}'s already", highlight=False
    )


@app.command("status")
def cases_status(
    case_id: int = typer.Argument(..., metavar="ID"),
    status: str = typer.Argument(..., help="open, in_progress, waiting_customer or resolved"),
    note: str = typer.Option(None, "--note"),
    by: str = _BY,
) -> None:
    """Change a case's status (closing takes an outcome: cxlens cases close)."""
    from ..alerts import cases as c
    from ..store import open_store

    store = open_store()
    with store.begin() as conn:
        changed = c.set_status(conn, case_id, status, _user_id(conn, by, "--by"), note=note)
    out.print(f"case {case_id} is {status}{'' if changed else ' already'}", highlight=False)


@app.command("contacted")
def cases_contacted(
    case_id: int = typer.Argument(..., metavar="ID"),
    channel: str = typer.Option(None, "--channel"),
    note: str = typer.Option(None, "--note"),
    by: str = _BY,
) -> None:
    """Record that the customer was contacted (the first contact stops the first-contact SLA)."""
    from ..alerts import cases as c
    from ..store import open_store

    store = open_store()
    with store.begin() as conn:
        first = c.mark_contacted(conn, case_id, _user_id(conn, by, "--by"), channel=channel, note=note)
    out.print(f"case {case_id}: {'first contact' if first else 'contact'} recorded", highlight=False)


@app.command("close")
def cases_close(
    case_id: int = typer.Argument(..., metavar="ID"),
    outcome: str = typer.Option(..., "--outcome", help="recovered, not_recovered, no_action_needed or false_alarm"),
    resolution: str = typer.Option(None, "--resolution", help="a resolution code of the taxonomy"),
    root_cause: str = typer.Option(None, "--root-cause", help="a root-cause code of the taxonomy"),
    note: str = typer.Option(None, "--note"),
    by: str = _BY,
) -> None:
    """Close a case with its outcome (and resolution and root-cause codes)."""
    from ..alerts import cases as c
    from ..store import open_store

    store = open_store()
    with store.begin() as conn:
        c.close(conn, case_id, outcome, resolution, root_cause, _user_id(conn, by, "--by"), note=note)
    out.print(f"case {case_id} closed: {outcome}", highlight=False)


@app.command("reopen")
def cases_reopen(
    case_id: int = typer.Argument(..., metavar="ID"), note: str = typer.Option(None, "--note"), by: str = _BY
) -> None:
    """Reopen a resolved or closed case."""
    from ..alerts import cases as c
    from ..store import open_store

    store = open_store()
    with store.begin() as conn:
        c.reopen(conn, case_id, _user_id(conn, by, "--by"), note=note)
    out.print(f"case {case_id} reopened", highlight=False)


@app.command("note")
def cases_note(
    case_id: int = typer.Argument(..., metavar="ID"), text: str = typer.Argument(...), by: str = _BY
) -> None:
    """Add a note to a case's timeline."""
    from ..alerts import cases as c
    from ..store import open_store

    store = open_store()
    with store.begin() as conn:
        c.add_note(conn, case_id, text, _user_id(conn, by, "--by"))
    out.print(f"note added to case {case_id}", highlight=False)


@app.command("escalate")
def cases_escalate() -> None:
    """Escalate the overdue cases now (the worker does it on its schedule)."""
    from ..alerts.assignment import escalate_overdue
    from ..store import open_store

    store = open_store()
    with store.begin() as conn:
        done = escalate_overdue(conn)
    out.print(f"{len(done)} case(s) escalated" + (f": {', '.join(map(str, done))}" if done else ""), highlight=False)
