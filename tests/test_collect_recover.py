"""Invitations a crash left in 'sending': `cxlens invitations recover` fails them (never sends
twice) or, with --resend, queues them again; young ones, maybe still being sent, are left alone."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from conftest import DEMO_JOURNEYS
from test_collect_fixtures import SURVEYS, T0, invitations
from typer.testing import CliRunner

from cxlens.cli import app
from cxlens.collect import RecordingEmailSender
from cxlens.collect.triggers import INTERRUPTED, recover_sending, send_due
from cxlens.store import schema as s


def stuck(collection, customer: str, claimed_ago: timedelta, status: str = "sending") -> int:
    invitation = collection.invite("support-csat", customer, due_at=T0 - timedelta(hours=1))
    with collection.store.begin() as conn:
        conn.execute(
            s.invitations.update()
            .where(s.invitations.c.id == invitation)
            .values(status=status, sent_at=collection.now() - claimed_ago)
        )
    return invitation


def by_id(store) -> dict[int, dict]:
    return {row["id"]: row for row in invitations(store)}


def test_stuck_invitations_fail_with_the_reason_and_are_never_sent_again(collection):
    old = stuck(collection, "c-fi", timedelta(minutes=40))
    young = stuck(collection, "c-de", timedelta(minutes=5))
    done = stuck(collection, "c-de", timedelta(hours=2), status="sent")
    result = recover_sending(collection)
    assert result.ids == [old] and result.status == "failed"
    assert "1 invitation(s) left in 'sending' marked failed" in result.summary()
    rows = by_id(collection.store)
    assert (rows[old]["status"], rows[old]["reason"], rows[old]["sent_at"]) == ("failed", INTERRUPTED, None)
    assert rows[young]["status"] == "sending" and rows[done]["status"] == "sent"
    mail = RecordingEmailSender()
    assert send_due(collection, {"email": mail}).sent == 0 and mail.messages == []
    assert recover_sending(collection).summary() == "No invitation was left in 'sending'."


def test_resend_puts_them_back_to_pending_and_the_sender_sends_them(collection):
    old = stuck(collection, "c-fi", timedelta(hours=3))
    result = recover_sending(collection, older_than=timedelta(hours=1), resend=True)
    assert result.ids == [old] and "put back to pending" in result.summary()
    assert by_id(collection.store)[old]["status"] == "pending"
    mail = RecordingEmailSender()
    assert send_due(collection, {"email": mail}).sent == 1
    assert [m["To"] for m in mail.messages] == ['"Aino <Korhonen>" <aino@example.fi>']
    assert by_id(collection.store)[old]["status"] == "sent"


def test_the_command_prints_what_it_did(store_url, store, tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    monkeypatch.setenv("CXLENS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    assert runner.invoke(app, ["journeys", "load", str(DEMO_JOURNEYS)]).exit_code == 0
    (tmp_path / "surveys.yaml").write_text(SURVEYS)
    assert runner.invoke(app, ["surveys", "load", str(tmp_path / "surveys.yaml")]).exit_code == 0
    now = datetime.now(timezone.utc)
    with store.begin() as conn:
        cid = conn.execute(
            s.customers.insert().values(external_id="c1", email="c1@example.com").returning(s.customers.c.id)
        ).scalar_one()
        sid = conn.execute(sa.select(s.surveys.c.id).where(s.surveys.c.key == "support-csat")).scalar_one()
        ids = [
            conn.execute(
                s.invitations.insert()
                .values(
                    survey_id=sid,
                    customer_id=cid,
                    channel="email",
                    due_at=now - ago,
                    sent_at=now - ago,
                    status="sending",
                    token_nonce=f"n{n}",
                )
                .returning(s.invitations.c.id)
            ).scalar_one()
            for n, ago in enumerate([timedelta(hours=2), timedelta(minutes=30), timedelta(minutes=1)])
        ]
    first = runner.invoke(app, ["invitations", "recover", "--older-than", "1h"])
    assert first.exit_code == 0, first.output
    assert f"1 invitation(s) left in 'sending' marked failed (not sent again): {ids[0]}" in first.output
    second = runner.invoke(app, ["invitations", "recover", "--resend"])  # default: older than 15 minutes
    assert f"1 invitation(s) left in 'sending' put back to pending, to be sent again: {ids[1]}" in second.output
    statuses = {row["id"]: row["status"] for row in invitations(store)}
    assert statuses == {ids[0]: "failed", ids[1]: "pending", ids[2]: "sending"}
    bad = runner.invoke(app, ["invitations", "recover", "--older-than", "soon"])
    assert bad.exit_code != 0 and "'soon' is not a duration" in bad.output
