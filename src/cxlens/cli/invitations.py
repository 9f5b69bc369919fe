"""``cxlens invitations …``: plan invitations from events, send them when due, response rates
(thin over :mod:`cxlens.collect`)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import typer

from .shared import FreshConsole, open_collection, print_fitted

__all__ = ["app", "parse_when"]

app = typer.Typer(
    name="invitations", help="Invitations: plan from events, send when due, response rates.", no_args_is_help=True
)
out = FreshConsole()


def parse_when(text: str | None) -> datetime | None:
    """A ``--since``/``--until`` value: a date or ISO 8601 time, UTC unless it says otherwise."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date or ISO 8601 time, e.g. 2026-03-01") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@app.command("create")
def invitations_create(
    survey: str = typer.Argument(..., help="the survey's key"),
    customer: str = typer.Argument(..., help="the customer's external_id"),
    channel: str = typer.Option("email", help="email or sms"),
) -> None:
    """Invite one customer now (sent by the next `cxlens invitations send`); prints the link."""
    collection = open_collection()
    invitation = collection.invite(survey, customer, channel)
    out.print(f"invitation {invitation}: {collection.link(collection.token(invitation))}", markup=False)


@app.command("plan")
def invitations_plan(
    since: str = typer.Option(None, help="only events at or after this time (e.g. 2026-03-01)"),
) -> None:
    """Plan invitations for stored events (imported ones, say) that have none yet."""
    import sqlalchemy as sa

    from ..collect.triggers import plan_invitations
    from ..store import schema as s

    collection = open_collection()
    e = s.events
    query = sa.select(e.c.id).order_by(e.c.id)
    if parse_when(since):
        query = query.where(e.c.occurred_at >= parse_when(since))
    with collection.store.engine.connect() as conn:
        ids = conn.execute(query).scalars().all()
    planned = 0
    for start in range(0, len(ids), 1000):
        with collection.writing() as conn:
            planned += len(plan_invitations(collection, conn, ids[start : start + 1000]))
    out.print(f"{planned} invitation(s) planned from {len(ids)} event(s)")


@app.command("send")
def invitations_send(
    every: float = typer.Option(0, help="keep running: look for due invitations every this many seconds"),
    limit: int = typer.Option(500, help="at most this many per round"),
    dry_run: bool = typer.Option(False, "--dry-run", help="e-mail and SMS are composed and counted, not sent"),
) -> None:
    """Send the invitations that are due (SMTP from CXLENS_SMTP_*; SMS needs a gateway)."""
    from ..collect.channels import EmailSender, RecordingEmailSender, RecordingSmsSender
    from ..collect.triggers import send_due

    collection = open_collection()
    senders = {"email": RecordingEmailSender() if dry_run else EmailSender(collection.policy.smtp)}
    if dry_run:
        senders["sms"] = RecordingSmsSender()
    while True:
        report = send_due(collection, senders, limit=limit)
        out.print(f"{datetime.now(timezone.utc):%H:%M:%S} {report.summary()}")
        if not every:
            return
        time.sleep(every)


@app.command("recover")
def invitations_recover(
    older_than: str = typer.Option("15m", help="only those claimed at least this long ago (e.g. 15m, 2h)"),
    resend: bool = typer.Option(
        False, "--resend", help="put them back to pending to be sent again (some may arrive twice)"
    ),
) -> None:
    """Settle invitations left in 'sending' by a crash: failed (default; never sent twice) or pending again."""
    from ..collect.triggers import recover_sending
    from ..metrics import parse_duration

    seconds = parse_duration(older_than)
    if seconds is None or seconds < 0:
        raise typer.BadParameter(
            f"{older_than!r} is not a duration; write e.g. 15m, 2h or 1d", param_hint="--older-than"
        )
    out.print(recover_sending(open_collection(), timedelta(seconds=seconds), resend).summary(), markup=False)


@app.command("rates")
def invitations_rates(
    since: str = typer.Option(None),
    until: str = typer.Option(None),
    wide: bool = typer.Option(False, "--wide", help="every column, however narrow the terminal"),
) -> None:
    """Response rate per survey, channel and touchpoint: invited, sent, skipped by reason, answered."""
    from rich.table import Table

    from ..collect.triggers import response_rates

    rows = response_rates(open_collection(), parse_when(since), parse_when(until))
    if not rows:
        out.print("No invitations yet.")
        return
    table = Table(
        "survey",
        "channel",
        "touchpoint",
        "invited",
        "sent",
        "answered",
        "rate",
        "skipped",
        "failed",
        "pending",
        "link scans",
    )
    for r in rows:
        skipped = ", ".join(f"{n} {k}" for k, n in sorted(r["skipped"].items())) or "-"
        rate = f"{r['response_rate']:.0%}" if r["response_rate"] is not None else "-"
        table.add_row(
            r["survey"],
            r["channel"],
            r["touchpoint"] or "-",
            str(r["invited"]),
            str(r["sent"]),
            str(r["answered"]),
            rate,
            skipped,
            str(r["failed"]),
            str(r["pending"]),
            str(r["link_scans"]),
        )
    print_fitted(table, wide=wide)
