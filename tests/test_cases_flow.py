"""Cases: opened, assigned by round robin, contacted, resolved and closed with an outcome,
with a timeline of every step; settings with path-named errors; escalation once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import count
from test_cases_fixtures import (
    CASES,
    T0,
    add_customer,
    add_response,
    load_cases_section,
    make_users,
    setup_cases,
)

from cxlens.alerts import cases as c
from cxlens.alerts.assignment import escalate_overdue
from cxlens.alerts.case_settings import load_case_settings, parse_cases
from cxlens.alerts.case_views import case_detail, list_cases
from cxlens.errors import InputError, JourneyFileError
from cxlens.store import schema as s


@pytest.fixture
def cases_store(mapped_store):
    return setup_cases(mapped_store)


def outbox(store, topic=None):
    with store.engine.connect() as conn:
        q = sa.select(s.notifications).order_by(s.notifications.c.id)
        if topic:
            q = q.where(s.notifications.c.topic == topic)
        return [dict(r) for r in conn.execute(q).mappings()]


def test_a_detractor_case_flows_from_open_to_closed_with_its_timeline(cases_store):
    users = cases_store.users
    with cases_store.begin() as conn:
        customer = add_customer(conn, "c-1", email="pat@example.com")
        response = add_response(conn, customer, 2, "It never arrived", touchpoint="support-chat")
        case_id = c.open_case(
            conn,
            source="response",
            title="NPS 2: It never arrived",
            response_id=response,
            priority="normal",
            origin_key=f"rule:1:response:{response}",
            now=T0,
        )
    with cases_store.begin() as conn:
        detail = case_detail(conn, case_id)
    assert detail.case.team == "support" and detail.case.owner == "ana@example.com"  # first member of support
    assert detail.case.customer_id == customer and detail.case.touchpoint == "support-chat"
    assert (
        detail.item["kind"] == "response" and detail.item["score"] == 2 and detail.item["comment"] == "It never arrived"
    )
    assert detail.case.due_at == T0 + timedelta(days=1)  # normal: first contact within 1d, calendar time
    with cases_store.begin() as conn:
        assert c.mark_contacted(conn, case_id, users["ana@example.com"], channel="phone", now=T0 + timedelta(hours=3))
        assert not c.mark_contacted(conn, case_id, users["ana@example.com"], now=T0 + timedelta(hours=4))
        c.add_note(
            conn, case_id, "Called; a replacement is on its way", users["ana@example.com"], now=T0 + timedelta(hours=5)
        )
        c.set_status(conn, case_id, "resolved", users["ana@example.com"], now=T0 + timedelta(days=1))
        c.close(
            conn,
            case_id,
            "recovered",
            "apology",
            "delivery_delay",
            users["ana@example.com"],
            now=T0 + timedelta(days=2),
        )
        detail = case_detail(conn, case_id)
    case = detail.case
    assert (
        case.status == "closed"
        and case.outcome == "recovered"
        and case.resolution == "apology"
        and case.root_cause == "delivery_delay"
    )
    assert case.first_contacted_at == T0 + timedelta(hours=3)
    assert case.due_at == T0 + timedelta(days=5)  # after the first contact the resolution deadline is in force
    kinds = [e["kind"] for e in detail.timeline]
    assert kinds == ["opened", "assigned", "contacted", "contacted", "note", "status", "closed"]
    assert [e["at"] for e in detail.timeline] == sorted(e["at"] for e in detail.timeline)
    assert detail.timeline[2]["data"]["within_sla"] is True and detail.timeline[2]["actor"] == "ana@example.com"
    assert detail.timeline[-1]["data"] == {
        "from": "resolved",
        "outcome": "recovered",
        "resolution": "apology",
        "root_cause": "delivery_delay",
    }
    assert detail.notes == "Called; a replacement is on its way"
    mails = outbox(cases_store, "case_assigned")
    assert len(mails) == 1 and mails[0]["notifier"] == "owner" and mails[0]["payload"]["to"] == ["ana@example.com"]
    assert mails[0]["key"] == f"case:{case_id}:assigned:{users['ana@example.com']}:1"


def test_opening_twice_with_one_origin_key_opens_one_case(cases_store):
    with cases_store.begin() as conn:
        assert c.open_case(conn, source="manual", title="x", origin_key="rule:1:response:9", now=T0) is not None
        assert c.open_case(conn, source="manual", title="x", origin_key="rule:1:response:9", now=T0) is None
    assert count(cases_store, "cases") == 1


def test_a_lost_race_on_the_origin_key_keeps_the_callers_transaction(cases_store, monkeypatch):
    with cases_store.begin() as conn:
        first = c.open_case(conn, source="manual", title="x", origin_key="k-1", now=T0)
    # The second writer looked before the first committed: its look finds nothing.
    original = sa.Connection.execute
    looks = {"n": 0}

    def blind(self, statement, *args, **kwargs):
        text = str(statement)
        if "cases.origin_key" in text and text.lstrip().upper().startswith("SELECT") and looks["n"] == 0:
            looks["n"] += 1
            return original(self, sa.select(s.cases.c.id).where(sa.false()))
        return original(self, statement, *args, **kwargs)

    monkeypatch.setattr(sa.Connection, "execute", blind)
    with cases_store.begin() as conn:
        customer = add_customer(conn, "c-race")
        assert c.open_case(conn, source="manual", title="x", origin_key="k-1", now=T0) is None
    monkeypatch.undo()
    assert first is not None and count(cases_store, "cases") == 1
    with cases_store.engine.connect() as conn:  # what the caller wrote before still commits
        assert conn.execute(sa.select(s.customers.c.id).where(s.customers.c.id == customer)).scalar() == customer


def test_round_robin_takes_turns_inside_the_team_and_rules_pick_the_team(cases_store):
    users = cases_store.users
    with cases_store.begin() as conn:
        ids = [c.open_case(conn, source="manual", title=f"case {k}", now=T0) for k in range(4)]
        delivery = c.open_case(
            conn,
            source="manual",
            title="parcel",
            touchpoint_id=conn.execute(
                sa.select(s.touchpoints.c.id).where(s.touchpoints.c.key == "delivery")
            ).scalar_one(),
            now=T0,
        )
        owners = [case_detail(conn, i).case.owner for i in ids]
        assert owners == ["ana@example.com", "ben@example.com", "cy@example.com", "ana@example.com"]
        assert case_detail(conn, delivery).case.team == "logistics"
        assert case_detail(conn, delivery).case.owner == "dan@example.com"
        # A hand-made reassignment is the last assignment too, and queues a second e-mail.
        assert c.assign(conn, ids[3], users["cy@example.com"], users["lead@example.com"], now=T0)
        assert not c.assign(conn, ids[3], users["cy@example.com"], users["lead@example.com"], now=T0)
        nxt = c.open_case(conn, source="manual", title="after", now=T0)
        assert case_detail(conn, nxt).case.owner == "ana@example.com"  # after cy (case ids[3]) comes ana
    keys = [n["key"] for n in outbox(cases_store, "case_assigned")]
    assert f"case:{ids[3]}:assigned:{users['cy@example.com']}:2" in keys and len(keys) == len(set(keys)) == 7


def test_closing_checks_the_codes_in_plain_words(cases_store):
    with cases_store.begin() as conn:
        case_id = c.open_case(conn, source="manual", title="x", now=T0)
        with pytest.raises(InputError, match="'recoverd'.*recovered"):
            c.close(conn, case_id, "recoverd")
        with pytest.raises(InputError, match="'refnd' is not a resolution code; did you mean 'refund'"):
            c.close(conn, case_id, "recovered", "refnd")
        with pytest.raises(InputError, match="root-cause code; .*delivery_delay, billing_error, other"):
            c.close(conn, case_id, "recovered", "refund", "weather")
        with pytest.raises(InputError, match="closed with an outcome"):
            c.set_status(conn, case_id, "closed")
        c.close(conn, case_id, "false_alarm", now=T0)
        with pytest.raises(InputError, match="closed already"):
            c.close(conn, case_id, "recovered")
        c.reopen(conn, case_id, now=T0 + timedelta(hours=1))
        row = case_detail(conn, case_id)
        assert row.case.status == "open" and row.case.outcome is None and row.case.closed_at is None
        assert [e["kind"] for e in row.timeline][-2:] == ["closed", "reopened"]


def test_lists_filter_by_owner_team_status_and_overdue(cases_store):
    users = cases_store.users
    with cases_store.begin() as conn:
        a = c.open_case(conn, source="manual", title="a", now=T0)
        b = c.open_case(conn, source="manual", title="b", now=T0 - timedelta(days=3))
        d = c.open_case(conn, source="manual", title="d", team="logistics", now=T0)
        c.close(conn, d, "no_action_needed", now=T0)
        now = T0 + timedelta(hours=1)
        assert [x.id for x in list_cases(conn, overdue=True, now=now)] == [b]
        assert {x.id for x in list_cases(conn, team="support", now=now)} == {a, b}
        assert [x.id for x in list_cases(conn, owner_id=users["ana@example.com"], now=now)] == [a]
        assert [x.id for x in list_cases(conn, status="closed", now=now)] == [d]
        assert {x.id for x in list_cases(conn, status="active", now=now)} == {a, b}
        assert list_cases(conn, now=now)[0].id == b  # overdue first
        assert list_cases(conn, limit=1, offset=1, now=now)[0].id != b
        with pytest.raises(InputError, match="status 'done'"):
            list_cases(conn, status="done")


def test_an_overdue_case_is_escalated_once(cases_store):
    users = cases_store.users
    with cases_store.begin() as conn:
        case_id = c.open_case(conn, source="manual", title="late", now=T0)  # normal: due T0 + 1d, escalate 1d later
        fresh = c.open_case(conn, source="manual", title="fresh", now=T0 + timedelta(days=1))
        assert escalate_overdue(conn, T0 + timedelta(days=1, hours=23)) == []
        assert escalate_overdue(conn, T0 + timedelta(days=2, hours=1)) == [case_id]
        assert escalate_overdue(conn, T0 + timedelta(days=2, hours=2)) == []
        detail = case_detail(conn, case_id)
    assert detail.case.escalated_at == T0 + timedelta(days=2, hours=1)
    assert detail.timeline[-1]["kind"] == "escalated" and detail.timeline[-1]["data"]["to"] == users["lead@example.com"]
    mails = outbox(cases_store, "case_overdue")
    assert [m["key"] for m in mails] == [f"case:{case_id}:overdue"]
    assert mails[0]["payload"]["to"] == ["lead@example.com", "ana@example.com"]
    assert fresh is not None


def test_the_section_lists_every_bad_path():
    bad = {
        "sla": {
            "high": {"first_contact": "4 hours", "resolve": "1.5d", "business_hours": "yes"},
            "asap": {"resolve": "1h"},
            "low": {"first_contact": "3d", "resolve": "1d"},
        },
        "root_causes": ["Billing Error"],
        "teams": {"support": ["not-an-email"]},
        "assignment": [{"touchpoint": "delivery"}, {"team": "x", "priority": "asap"}],
        "escalation": {"after": "soon", "to": "lead@example.com"},
        "colour": "red",
    }
    with pytest.raises(JourneyFileError) as err:
        parse_cases(bad, "journeys.yaml")
    text = str(err.value)
    for path in (
        "cases.colour",
        "cases.sla.high.first_contact: '4 hours' is not a duration",
        "cases.sla.high.business_hours",
        "cases.sla.asap",
        "cases.sla.low.first_contact",
        "cases.root_causes[0]",
        "cases.teams.support[0]",
        "cases.assignment[0].team",
        "cases.assignment[1].priority",
        "cases.escalation.after",
    ):
        assert path in text, path
    assert text.startswith("journeys.yaml: ")


def test_unknown_emails_are_named_when_stored_and_nothing_is_written(mapped_store):
    make_users(mapped_store, ["ana@example.com"])
    with pytest.raises(JourneyFileError, match=r"cases.teams.support\[1\]: 'ben@example.com' is not a user"):
        load_cases_section(mapped_store)
    assert count(mapped_store, "team_members") == 0
    with mapped_store.begin() as conn:
        assert load_case_settings(conn).sla == {}


def test_storing_twice_replaces_and_reads_back(cases_store):
    load_cases_section(cases_store)
    load_cases_section(cases_store, {**CASES, "teams": {"support": ["ben@example.com"]}})
    with cases_store.begin() as conn:
        settings = load_case_settings(conn)
    assert settings.teams == {"support": ("ben@example.com",)}
    assert settings.sla["high"].business_hours and settings.sla["high"].resolve.days == 2
    assert settings.escalation.to_user_id == cases_store.users["lead@example.com"]
    assert settings.root_causes == ("delivery_delay", "billing_error", "other")


def test_without_a_section_the_default_taxonomy_applies(mapped_store):
    with mapped_store.begin() as conn:
        settings = load_case_settings(conn)
        assert "refund" in settings.resolutions and "billing_error" in settings.root_causes
        case_id = c.open_case(conn, source="manual", title="x", now=T0)
        assert case_detail(conn, case_id).case.owner is None and case_detail(conn, case_id).case.due_at is None


def test_the_journeys_loader_checks_and_stores_the_section(store, tmp_path, monkeypatch):
    import yaml
    from conftest import DEMO_JOURNEYS

    from cxlens.ingest import load_journeys
    from cxlens.ingest.journeys import sections

    monkeypatch.setattr(sections, "EXTENSIONS", [*sections.EXTENSIONS, "cxlens.alerts.case_section"])
    make_users(store)
    data = yaml.safe_load(DEMO_JOURNEYS.read_text(encoding="utf-8"))
    path = tmp_path / "journeys.yaml"
    path.write_text(
        yaml.safe_dump({**data, "cases": {**CASES, "sla": {"high": {"resolve": "soon"}}}}, allow_unicode=True),
        encoding="utf-8",
    )
    with pytest.raises(JourneyFileError, match=r"cases.sla.high.resolve: 'soon' is not a duration"):
        load_journeys(store, path)
    path.write_text(yaml.safe_dump({**data, "cases": CASES}, allow_unicode=True), encoding="utf-8")
    load_journeys(store, path)
    with store.begin() as conn:
        assert load_case_settings(conn).teams["logistics"] == ("dan@example.com",)
