"""The demo company's invitations: consistent with its answers, skips and opt-outs, so that
response rates on the demo are real numbers."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

import cxlens
from cxlens.collect import Collection, response_rates
from cxlens.demo import generate_demo
from cxlens.demo.company import COLLECTION_DAYS, RESPONSE_RATE
from cxlens.store import schema as s

END = date(2026, 6, 30)
END_AT = datetime(2026, 7, 1, tzinfo=timezone.utc)


@pytest.fixture
def demo(store):
    generate_demo(store, customers=600, responses=4000, seed=11, end=END)
    return store


def fetch(store, query):
    with store.engine.connect() as conn:
        return conn.execute(query).all()


def test_every_status_and_reason_is_there(demo):
    i = s.invitations
    counts = dict(
        ((st, r), n)
        for st, r, n in fetch(demo, sa.select(i.c.status, i.c.reason, sa.func.count()).group_by(i.c.status, i.c.reason))
    )
    assert set(counts) == {
        ("answered", None),
        ("sent", None),
        ("pending", None),
        ("skipped", "fatigue"),
        ("skipped", "opted_out"),
        ("skipped", "too_late"),
    }
    assert counts[("answered", None)] > 200 and counts[("sent", None)] > counts[("answered", None)] / 2
    sent = fetch(demo, sa.select(i.c.status, i.c.sent_at, i.c.due_at, i.c.created_at, i.c.channel))
    assert all((st in ("sent", "answered")) == (sent_at is not None) for st, sent_at, *_ in sent)
    assert all(ch == "email" for *_, ch in sent)
    for _, sent_at, due_at, created_at, _ in sent:
        assert created_at <= due_at < END_AT and (sent_at is None or sent_at < END_AT)


def test_answered_invitations_are_the_e_mail_answers_of_the_period(demo):
    i, r = s.invitations, s.responses
    since = END_AT - timedelta(days=COLLECTION_DAYS)
    linked = fetch(
        demo,
        sa.select(
            i.c.status, i.c.customer_id, r.c.customer_id, i.c.survey_id, r.c.survey_id, i.c.sent_at, r.c.submitted_at
        ).select_from(r.join(i, i.c.id == r.c.invitation_id)),
    )
    answered = fetch(demo, sa.select(sa.func.count()).where(i.c.status == "answered"))[0][0]
    assert len(linked) == answered > 0
    for status, ic, rc, isv, rsv, sent_at, submitted in linked:
        assert status == "answered" and ic == rc and isv == rsv and sent_at < submitted
    e_mail_answers = fetch(demo, sa.select(sa.func.count()).where(r.c.channel == "email", r.c.submitted_at >= since))[
        0
    ][0]
    assert e_mail_answers == answered
    # Chat and phone support ask in the conversation, and older answers came before cxlens.
    assert (
        fetch(
            demo,
            sa.select(sa.func.count()).where(
                r.c.invitation_id.is_not(None), sa.or_(r.c.channel != "email", r.c.submitted_at < since)
            ),
        )[0][0]
        == 0
    )


def test_skips_are_consistent_with_opt_outs_and_fatigue(demo):
    i, o = s.invitations, s.opt_outs
    opted = fetch(
        demo,
        sa.select(i.c.customer_id, i.c.due_at, o.c.created_at, o.c.channel)
        .select_from(i.outerjoin(o, o.c.customer_id == i.c.customer_id))
        .where(i.c.reason == "opted_out"),
    )
    assert opted and all(
        created is not None and created < due and channel == "email" for _, due, created, channel in opted
    )
    ids = [c for c, *_ in opted]
    assert fetch(demo, sa.select(sa.func.count()).where(i.c.customer_id.in_(ids), i.c.sent_at.is_not(None)))[0][0] == 0
    sent = {}
    for c, at in fetch(demo, sa.select(i.c.customer_id, i.c.sent_at).where(i.c.sent_at.is_not(None))):
        sent.setdefault(c, []).append(at)
    for c, due in fetch(demo, sa.select(i.c.customer_id, i.c.due_at).where(i.c.reason == "fatigue")):
        assert any(timedelta(0) < due - at < timedelta(days=14) for at in sent.get(c, [])), (
            "fatigue without a recent invitation"
        )


def test_response_rates_on_the_demo_are_real_numbers(demo):
    rates = response_rates(Collection(demo))
    assert len(rates) >= 5
    for row in rates:
        assert row["sent"] >= row["answered"]
        if row["sent"]:
            assert 0 < row["response_rate"] < 1
    # The KPI (in per cent) over the last two months: each survey near its own response rate.
    kpi = cxlens.kpi(demo).compute("response_rate", by=["survey"], since="2026-05-01", until="2026-07-01").rows
    assert len(kpi) >= 5
    for r in kpi:
        assert abs(r["value"] - 100 * RESPONSE_RATE[r["survey"]]) < 15, r


def test_reset_regenerates_invitations_and_opt_outs(demo):
    before = fetch(demo, sa.select(sa.func.count()).select_from(s.invitations))[0][0]
    generate_demo(demo, customers=600, responses=4000, seed=11, end=END, reset=True)
    assert fetch(demo, sa.select(sa.func.count()).select_from(s.invitations))[0][0] == before
    # Invitations made after the demo get fresh ids (PostgreSQL's sequence was moved past the demo's).
    collection = Collection(demo)
    customer = fetch(demo, sa.select(s.customers.c.external_id).limit(1))[0][0]
    assert collection.invite("relationship-nps", customer) > before
