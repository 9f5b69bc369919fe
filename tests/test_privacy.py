"""Customers' data under their control: an export holds everything about them; an erasure
leaves no table holding their name, e-mail, phone or words, keeps their scores counting, and
keeps them from being surveyed again; backups restore to the same KPIs; the audit log."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from cxlens.access import create_user
from cxlens.analytics import KPIs
from cxlens.collect.events import check_events, record_events, touchpoint_ids
from cxlens.store import schema as s
from cxlens.store.audit import audit_entries
from cxlens.store.privacy import erase_customer, export_customer

NAME, EMAIL, PHONE = "Aino <Korhonen>", "aino@example.fi", "+358401234567"
WORDS = "the courier threw my parcel over the fence"
AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _seed_everywhere(collection) -> int:
    """Aino in every table that can hold a customer's data."""
    store = collection.store
    with store.engine.begin() as conn:
        cid = conn.execute(sa.select(s.customers.c.id).where(s.customers.c.external_id == "c-fi")).scalar_one()
        survey = conn.execute(sa.select(s.surveys.c.id).where(s.surveys.c.key == "support-csat")).scalar_one()
        conn.execute(s.customers.update().where(s.customers.c.id == cid).values(attributes={"nick": NAME}))
        rid = conn.execute(
            s.responses.insert()
            .values(
                survey_id=survey,
                customer_id=cid,
                submitted_at=AT,
                metric="csat",
                score=2,
                scale_min=1,
                scale_max=5,
                comment=WORDS,
                answers={"topic": "speed", "why": WORDS},
            )
            .returning(s.responses.c.id)
        ).scalar_one()
        tid = conn.execute(
            s.tickets.insert()
            .values(
                external_id="t-1", customer_id=cid, created_at=AT, subject=f"From {EMAIL}", text=f"{WORDS}, {PHONE}"
            )
            .returning(s.tickets.c.id)
        ).scalar_one()
        conn.execute(
            s.mentions.insert().values(
                external_id="m-1",
                source="trustpilot",
                text=WORDS,
                author=NAME,
                posted_at=AT,
                customer_id=cid,
                url="https://example.com/aino",
            )
        )
        conn.execute(s.feature_requests.insert().values(external_id="f-1", text=WORDS, customer_id=cid, created_at=AT))
        case = conn.execute(
            s.cases.insert()
            .values(
                source="response",
                response_id=rid,
                customer_id=cid,
                title=f"Call {NAME} back",
                status="open",
                priority="high",
                notes=f"phone {PHONE}",
                created_at=AT,
                updated_at=AT,
                business_hours=False,
            )
            .returning(s.cases.c.id)
        ).scalar_one()
        conn.execute(
            s.case_events.insert().values(
                case_id=case, at=AT, kind="note", note=f"{NAME} said: {WORDS}", data={"e": EMAIL}
            )
        )
        conn.execute(
            s.text_results.insert().values(
                source="ticket", source_id=tid, occurred_at=AT, customer_id=cid, sentiment="negative", analyzed_at=AT
            )
        )
        conn.execute(
            s.notifications.insert().values(
                key="n-1",
                notifier="ops",
                topic="answer",
                payload={"comment": WORDS, "customer": NAME},
                status="pending",
                attempts=0,
                next_attempt_at=AT,
                created_at=AT,
            )
        )
    rows, _ = check_events(
        [
            {
                "customer": "c-fi",
                "touchpoint": "support-chat",
                "occurred_at": "2026-03-02T10:00:00Z",
                "properties": {"said": WORDS},
            }
        ],
        touchpoint_ids(store),
    )
    record_events(collection, rows, 0, None, b"")
    user = create_user(store, EMAIL, "a long enough password", role="viewer")
    with store.engine.begin() as conn:
        conn.execute(
            s.user_sessions.insert().values(
                token_hash="t" * 64, user_id=user.id, csrf_token="c", created_at=AT, last_seen_at=AT, expires_at=AT
            )
        )
    return cid


def _holding(store, needles: list[str]) -> list[str]:
    """Every table.column whose text (or JSON) still holds one of the needles."""
    found = []
    with store.engine.connect() as conn:
        for table in s.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, (sa.String, sa.Text, sa.JSON)):
                    continue
                text = sa.cast(column, sa.Text)
                for needle in needles:
                    hit = conn.execute(
                        sa.select(sa.func.count()).where(text.contains(needle, autoescape=True))
                    ).scalar()
                    if hit:
                        found.append(f"{table.name}.{column.name} holds {needle!r}")
    return found


def _csat(store):
    result = KPIs(store).compute("csat")
    return [(r["value"], r["n"]) for r in result.rows]


def test_erasure_leaves_no_name_address_or_words_and_keeps_scores(collection):
    store = collection.store
    cid = _seed_everywhere(collection)
    needles = [NAME, "Korhonen", EMAIL, PHONE, WORDS]
    assert len(_holding(store, needles)) >= 10  # the seed reached every kind of table
    before = _csat(store)
    exported = export_customer(store, "c-fi")
    text = json.dumps(exported, ensure_ascii=False)
    assert all(n in text for n in (NAME, EMAIL, PHONE, WORDS)) and "password_hash" not in text
    assert {"responses", "tickets", "mentions", "cases", "case_events", "events", "invitations"} <= set(exported)

    erase_customer(store, "c-fi")
    # A dashboard login with their address is an account of the business's staff: its sessions
    # end, the login stays (an admin deactivates it).
    assert _holding(store, needles) == ["users.email holds 'aino@example.fi'"]
    assert _csat(store) == before  # the score still counts, anonymised
    with store.engine.connect() as conn:
        assert (
            conn.execute(sa.select(s.customers.c.external_id).where(s.customers.c.id == cid)).scalar()
            == f"erased-{cid}"
        )
        assert conn.execute(sa.select(sa.func.count()).select_from(s.suppressions)).scalar() == 2
        assert conn.execute(sa.select(sa.func.count()).select_from(s.user_sessions)).scalar() == 0


def test_an_erased_customer_coming_back_is_never_surveyed(collection):
    erase_customer(collection.store, "c-fi")
    rows, problems = check_events(
        [
            {
                "customer": {"external_id": "c-fi-again", "email": " AINO@example.fi ", "locale": "fi"},
                "touchpoint": "support-chat",
                "occurred_at": "2026-03-03T10:00:00Z",
            }
        ],
        touchpoint_ids(collection.store),
    )
    assert problems == []
    record_events(collection, rows, 0, None, b"")
    with collection.store.engine.connect() as conn:
        [(status, reason)] = conn.execute(sa.select(s.invitations.c.status, s.invitations.c.reason)).all()
    assert (status, reason) == ("skipped", "suppressed")


def test_the_cli_exports_and_erases_and_the_audit_log_says_so(collection, monkeypatch, tmp_path):
    from cxlens.cli import app

    monkeypatch.setenv("CXLENS_DATABASE_URL", collection.store.url)
    runner = CliRunner()
    out = tmp_path / "aino.json"
    done = runner.invoke(app, ["customers", "export", "c-fi", "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert json.loads(out.read_text())["customer"]["email"] == EMAIL
    assert runner.invoke(app, ["customers", "erase", "c-fi", "--yes"]).exit_code == 0
    unknown = runner.invoke(app, ["customers", "erase", "nobody", "--yes"])
    assert unknown.exit_code == 1 and "nobody" in str(unknown.exception)
    assert [e["action"] for e in audit_entries(collection.store)] == ["customer.erase", "customer.export"]


def test_backup_and_restore_give_back_the_same_kpis(collection, tmp_path, backend):
    from cxlens.store.backup import backup, restore

    store = collection.store
    if backend != "sqlite":
        with pytest.raises(Exception, match="pg_dump"):
            backup(store, tmp_path / "b.db")
        return
    _seed_everywhere(collection)
    before = _csat(store)
    backup(store, tmp_path / "b.db")
    with store.engine.begin() as conn:
        conn.execute(s.responses.update().values(score=5))
    assert _csat(store) != before
    restore(store, tmp_path / "b.db")
    assert _csat(store) == before
    with pytest.raises(Exception, match="exists"):
        backup(store, tmp_path / "b.db")
