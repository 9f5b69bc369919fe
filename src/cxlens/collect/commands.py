"""``cxlens surveys …`` and ``cxlens invitations …``: thin commands over the collection library.

Kept beside the library (and added to the main command in ``cxlens.cli``) so the shared CLI
module only grows by two lines. Errors are :class:`~cxlens.errors.CxlensError`, which the main
command prints as they are.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.table import Table

from ..metrics import parse_duration
from ..store import open_store
from ..store import schema as s
from .channels import EmailSender, RecordingSmsSender
from .invitations import Collection
from .policy import policy_from_env
from .surveys import load_surveys
from .triggers import plan_invitations, recover_sending, response_rates, send_due

__all__ = ["invitations_app", "surveys_app"]

surveys_app = typer.Typer(help="Surveys: definitions, links and the widget.", no_args_is_help=True)
invitations_app = typer.Typer(help="Invitations: plan from events, send when due, response rates.", no_args_is_help=True)


class _Out:
    """A console made per print, so the terminal width (COLUMNS) is read when printing."""

    def print(self, *args, **kwargs) -> None:
        Console().print(*args, **kwargs)


out = _Out()


def _collection() -> Collection:
    return Collection(open_store(), policy=policy_from_env())


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date or ISO 8601 time, e.g. 2026-03-01") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


@surveys_app.command("load")
def surveys_load(file: Path = typer.Argument(..., help="a surveys (or journeys) YAML file")) -> None:
    """Check FILE, collection settings included (questions, texts, trigger, widget), and load it."""
    out.print(load_surveys(open_store(), file).summary())


@surveys_app.command("list")
def surveys_list() -> None:
    """The surveys with their languages, channels and trigger."""
    collection = _collection()
    table = Table("key", "metric", "languages", "channels", "trigger", "sampling", "fatigue")
    for sv in sorted(collection.catalog.all(), key=lambda d: d.key):
        trig = sv.trigger
        trigger = f"{trig.touchpoint} +{trig.after_seconds / 3600:g}h → {trig.channel}" if trig else "-"
        table.add_row(sv.key, f"{sv.metric} {sv.scale[0]}-{sv.scale[1]}" if sv.scale else sv.metric,
                      ", ".join(sv.languages), ", ".join(sv.channels), trigger, f"{sv.sampling:g}",
                      f"{sv.fatigue_days}d" if sv.fatigue_days is not None else "default")
    out.print(table)


@surveys_app.command("links")
def surveys_links(survey: str = typer.Argument(..., help="the survey's key")) -> None:
    """The anonymous link (for a web page or QR code) and the widget's script tag."""
    collection = _collection()
    sv = collection.catalog.by_key(survey)
    base = collection.policy.public_url
    out.print(f"open link: {base}/s/open/{sv.key}", markup=False)
    out.print(f'widget:    <script src="{base}/w/{sv.key}.js" async></script>', markup=False)
    if not sv.origins:
        out.print("(the widget answers only from the origins in the survey's widget: {origins: [...]})")


@invitations_app.command("create")
def invitations_create(
    survey: str = typer.Argument(..., help="the survey's key"),
    customer: str = typer.Argument(..., help="the customer's external_id"),
    channel: str = typer.Option("email", help="email or sms"),
) -> None:
    """Invite one customer now (sent by the next `cxlens invitations send`); prints the link."""
    collection = _collection()
    invitation = collection.invite(survey, customer, channel)
    out.print(f"invitation {invitation}: {collection.link(collection.token(invitation))}", markup=False)


@invitations_app.command("plan")
def invitations_plan(since: str = typer.Option(None, help="only events at or after this time (e.g. 2026-03-01)")) -> None:
    """Plan invitations for stored events (imported ones, say) that have none yet."""
    collection = _collection()
    e = s.events
    query = sa.select(e.c.id).order_by(e.c.id)
    if _when(since):
        query = query.where(e.c.occurred_at >= _when(since))
    with collection.store.engine.connect() as conn:
        ids = conn.execute(query).scalars().all()
    planned = 0
    for start in range(0, len(ids), 1000):
        with collection.writing() as conn:
            planned += len(plan_invitations(collection, conn, ids[start:start + 1000]))
    out.print(f"{planned} invitation(s) planned from {len(ids)} event(s)")


@invitations_app.command("send")
def invitations_send(
    every: float = typer.Option(0, help="keep running: look for due invitations every this many seconds"),
    limit: int = typer.Option(500, help="at most this many per round"),
    dry_run: bool = typer.Option(False, "--dry-run", help="e-mail and SMS are composed and counted, not sent"),
) -> None:
    """Send the invitations that are due (SMTP from CXLENS_SMTP_*; SMS needs a gateway)."""
    from .channels import RecordingEmailSender

    collection = _collection()
    senders = {"email": RecordingEmailSender() if dry_run else EmailSender(collection.policy.smtp)}
    if dry_run:
        senders["sms"] = RecordingSmsSender()
    while True:
        report = send_due(collection, senders, limit=limit)
        out.print(f"{datetime.now(timezone.utc):%H:%M:%S} {report.summary()}")
        if not every:
            return
        time.sleep(every)


@invitations_app.command("recover")
def invitations_recover(
    older_than: str = typer.Option("15m", help="only those claimed at least this long ago (e.g. 15m, 2h)"),
    resend: bool = typer.Option(False, "--resend", help="put them back to pending to be sent again (some may arrive twice)"),
) -> None:
    """Settle invitations left in 'sending' by a crash: failed (default; never sent twice) or pending again."""
    seconds = parse_duration(older_than)
    if seconds is None or seconds < 0:
        raise typer.BadParameter(f"{older_than!r} is not a duration; write e.g. 15m, 2h or 1d", param_hint="--older-than")
    out.print(recover_sending(_collection(), timedelta(seconds=seconds), resend).summary(), markup=False)


@invitations_app.command("rates")
def invitations_rates(since: str = typer.Option(None), until: str = typer.Option(None)) -> None:
    """Response rate per survey, channel and touchpoint: invited, sent, skipped by reason, answered."""
    rows = response_rates(_collection(), _when(since), _when(until))
    if not rows:
        out.print("No invitations yet.")
        return
    table = Table("survey", "channel", "touchpoint", "invited", "sent", "answered", "rate", "skipped", "failed", "pending",
                  "link scans")
    for r in rows:
        skipped = ", ".join(f"{n} {k}" for k, n in sorted(r["skipped"].items())) or "-"
        rate = f"{r['response_rate']:.0%}" if r["response_rate"] is not None else "-"
        table.add_row(r["survey"], r["channel"], r["touchpoint"] or "-", str(r["invited"]), str(r["sent"]), str(r["answered"]),
                      rate, skipped, str(r["failed"]), str(r["pending"]), str(r["link_scans"]))
    out.print(table)
