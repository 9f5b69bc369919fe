"""The demo company has real events for alerts to find, and a history of closed-loop cases."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import yaml
from conftest import count

from cxlens.analytics import kpi
from cxlens.analytics.kpis import SPECS
from cxlens.demo import generate_demo
from cxlens.demo.casework import ALERTING_FILE, CAP, CASE_DAYS, HISTORY_FILE
from cxlens.demo.generator import JOURNEYS_FILE
from cxlens.demo.incidents import (
    ANGRY_DAYS,
    BILLING_DAYS,
    incident_phrases,
    months_back,
)
from cxlens.demo.staff import staff
from cxlens.ingest.journeys import read_journey_map
from cxlens.store import open_store

END = date(2026, 11, 30)  # history ends at 1 December: October and November are the last complete months
END_AT = datetime(2026, 12, 1, tzinfo=UTC)
INCIDENT = months_back(END_AT, 2)
URGENT = {  # words of alerts/data/word_lists.yaml's urgent list, per language
    "en": ["cancel", "refund", "lawyer"],
    "de": ["kündig", "erstattung", "anwalt"],
    "es": ["cancelar", "reembolso", "abogado"],
    "fi": ["peruuttaa", "peruutus", "asianajaja", "lakimies", "rahat takaisin"],
    "ru": ["отмен", "возврат", "юрист", "адвокат"],
    "zh": ["取消", "退款", "律师"],
    "th": ["ยกเลิก", "คืนเงิน", "ทนาย"],
}


def rows(store, sql, **params):
    with store.engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def utc(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@pytest.fixture(scope="module")
def default_demo(tmp_path_factory):
    """The demo at its default size (as `cxlens demo` makes it), once for the module."""
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'cxlens.db'}")
    generate_demo(store, customers=3000, responses=20000, seed=7, end=END)
    yield store
    store.dispose()


def test_the_incident_starts_with_the_second_to_last_complete_month():
    assert INCIDENT == datetime(2026, 10, 1, tzinfo=UTC)
    assert months_back(datetime(2026, 12, 2, 5, tzinfo=UTC), 2) == datetime(2026, 10, 1, tzinfo=UTC)
    assert months_back(datetime(2026, 1, 15, tzinfo=UTC), 2) == datetime(2025, 11, 1, tzinfo=UTC)


# -- the incidents ------------------------------------------------------------------------


def test_delivery_csat_fell_for_the_last_two_complete_months(default_demo):
    k = kpi(default_demo)
    before = INCIDENT - timedelta(days=183)
    after = k.compute("csat", by=["touchpoint"], since=INCIDENT, until=END_AT).to_dicts()
    earlier = k.compute("csat", by=["touchpoint"], since=before, until=INCIDENT).to_dicts()
    now = {r["touchpoint"]: r for r in after}
    then = {r["touchpoint"]: r for r in earlier}
    drop = then["delivery"]["value"] - now["delivery"]["value"]
    assert drop >= 25, f"delivery CSAT fell {drop:.1f} points"
    assert now["delivery"]["n"] >= 250
    assert now["delivery"]["high"] < then["delivery"]["low"]  # the intervals do not even touch
    for tp, row in now.items():  # the other touchpoints stay as they were
        if tp != "delivery" and row["n"] >= 100 and tp in then:
            assert abs(row["value"] - then[tp]["value"]) < 12, tp
    # Month by month: the first incident month is a significant drop from the one before.
    months = k.compute(
        "csat",
        by=["touchpoint"],
        where={"touchpoint": "delivery"},
        grain="month",
        since=INCIDENT,
        until=END_AT,
        compare="previous",
    ).to_dicts()
    first = next(r for r in months if utc(r["period"]) == INCIDENT)
    assert first["change"] <= -25 and first["p_value"] < 1e-6


def test_billing_error_spikes_in_tickets_mentions_and_answers(default_demo):
    start = END_AT - timedelta(days=BILLING_DAYS)
    base = start - timedelta(days=56)

    def per_day(sql, a, b):
        return rows(default_demo, sql, a=a, b=b)[0][0] / (b - a).days

    tickets = "SELECT count(*) FROM tickets WHERE team = 'billing' AND created_at >= :a AND created_at < :b"
    assert per_day(tickets, start, END_AT) >= 2.5 * per_day(tickets, base, start)
    mentions = "SELECT count(*) FROM mentions WHERE posted_at >= :a AND posted_at < :b"
    assert per_day(mentions, start, END_AT) >= 2 * per_day(mentions, base, start)
    double = {p: lang for lang, ps in incident_phrases()["double_charge"].items() for p in ps}
    texts = rows(
        default_demo,
        "SELECT text FROM tickets WHERE created_at >= :a UNION ALL SELECT text FROM mentions WHERE posted_at >= :a "
        "UNION ALL SELECT comment FROM responses WHERE submitted_at >= :a",
        a=start,
    )
    assert len({double[t] for (t,) in texts if t in double}) == 7
    # The renewal payment's NPS falls with it.
    k = kpi(default_demo)
    recent = k.compute("nps", where={"touchpoint": "renewal-payment"}, since=start, until=END_AT).to_dicts()[0]
    earlier = k.compute("nps", where={"touchpoint": "renewal-payment"}, since=base, until=start).to_dicts()[0]
    assert earlier["value"] - recent["value"] >= 25


def test_very_angry_answers_in_the_last_days(default_demo):
    since = END_AT - timedelta(days=ANGRY_DAYS)
    angry = rows(
        default_demo,
        "SELECT score, comment, language FROM responses WHERE metric = 'nps' AND score <= 2 "
        "AND submitted_at >= :a AND comment IS NOT NULL",
        a=since,
    )
    urgent = [(lang, c) for _, c, lang in angry if any(w in c.lower() for w in URGENT[lang])]
    assert len(urgent) >= 10
    assert len({lang for lang, _ in urgent}) >= 5
    phrases = {p for ps in incident_phrases()["angry"].values() for p in ps}
    older = rows(default_demo, "SELECT comment FROM responses WHERE submitted_at < :a AND comment IS NOT NULL", a=since)
    assert not phrases & {c for (c,) in older}  # only lately


def test_angry_phrases_name_an_urgent_word_in_their_language():
    for lang, phrases in incident_phrases()["angry"].items():
        for phrase in phrases:
            assert any(w in phrase.lower() for w in URGENT[lang]), phrase


# -- cases --------------------------------------------------------------------------------


@pytest.fixture
def small_demo(store):
    generate_demo(store, customers=600, responses=5000, seed=11, end=END)
    return store


def test_cases_have_consistent_timelines(small_demo):
    cases = rows(small_demo, "SELECT * FROM cases ORDER BY id")
    events = rows(small_demo, "SELECT * FROM case_events ORDER BY case_id, id")
    assert 50 <= len(cases) <= CAP
    by_case: dict = {}
    for e in events:
        by_case.setdefault(e.case_id, []).append(e)
    statuses, outcomes = set(), set()
    for c in cases:
        created = utc(c.created_at)
        assert END_AT - timedelta(days=CASE_DAYS + 1) < created < END_AT
        timeline = by_case[c.id]
        assert [e.kind for e in timeline[:2]] == ["opened", "assigned"]
        times = [utc(e.at) for e in timeline]
        assert times == sorted(times) and times[0] == created and times[-1] < END_AT
        assert utc(c.updated_at) == times[-1]
        statuses.add(c.status)
        kinds = [e.kind for e in timeline]
        if c.first_contacted_at is not None:
            assert created <= utc(c.first_contacted_at) and "contacted" in kinds
        if c.status == "closed":
            outcomes.add(c.outcome)
            assert c.outcome and kinds[-1] in ("closed", "escalated") and c.closed_at is not None
            assert utc(c.closed_at) >= utc(c.resolved_at) >= created
            if c.first_contacted_at is not None:
                assert utc(c.closed_at) >= utc(c.first_contacted_at)
            else:
                assert c.outcome == "false_alarm"
            if c.outcome != "false_alarm":
                assert c.root_cause and c.resolution
        else:
            assert c.outcome is None and c.closed_at is None
        if c.escalated_at is not None:
            assert c.status not in ("closed", "resolved") and utc(c.escalated_at) > utc(c.due_at)
    assert {"open", "in_progress", "closed"} <= statuses
    assert {"recovered", "not_recovered", "no_action_needed", "false_alarm"} <= outcomes
    overdue = rows(
        small_demo, "SELECT count(*) FROM cases WHERE status NOT IN ('resolved', 'closed') AND due_at < :e", e=END_AT
    )
    assert overdue[0][0] > 0
    assert {r[0] for r in rows(small_demo, "SELECT DISTINCT source FROM cases")} == {"response", "mention", "ticket"}


def test_recovered_detractors_answered_better_next(small_demo):
    found = rows(
        small_demo,
        """
        SELECT c.id, c.outcome, (SELECT n.score FROM responses n WHERE n.customer_id = r.customer_id AND n.metric = 'nps'
                                   AND n.submitted_at > r.submitted_at ORDER BY n.submitted_at LIMIT 1) AS next_nps
        FROM cases c JOIN responses r ON r.id = c.response_id WHERE c.outcome IN ('recovered', 'not_recovered')""",
    )
    recovered = [n for _, outcome, n in found if outcome == "recovered"]
    assert recovered and all(n is not None and n >= 7 for n in recovered)
    assert any(outcome == "not_recovered" for _, outcome, _ in found)


def test_owners_take_turns_inside_their_team(small_demo):
    members = rows(small_demo, "SELECT m.team, u.email FROM team_members m JOIN users u ON u.id = m.user_id")
    teams = {}
    for team, email in members:
        teams.setdefault(team, set()).add(email)
    assert teams == {t: {m.email for m in staff() if m.team == t} for t in ("support", "logistics", "billing")}
    load = rows(
        small_demo, "SELECT c.team, u.email, count(*) FROM cases c JOIN users u ON u.id = c.owner_id GROUP BY 1, 2"
    )
    per_team: dict = {}
    for team, email, n in load:
        assert email in teams[team]
        per_team.setdefault(team, []).append(n)
    for team, counts in per_team.items():
        assert max(counts) - min(counts) <= 1, team
    assert set(per_team) == {"support", "logistics", "billing"}
    # Delivery cases go to logistics, renewal ones to billing (alerting.yaml's assignment).
    wrong = rows(
        small_demo,
        """SELECT count(*) FROM cases c JOIN touchpoints t ON t.id = c.touchpoint_id
        WHERE c.source = 'response' AND ((t.key = 'delivery' AND c.team <> 'logistics') OR (t.key = 'renewal-payment' AND c.team <> 'billing'))""",
    )
    assert wrong[0][0] == 0


def test_same_seed_same_cases(tmp_path):
    def cases(name):
        s = open_store(f"sqlite:///{tmp_path / name}")
        generate_demo(s, customers=200, responses=1500, seed=3, end=END)
        out = rows(
            s,
            "SELECT origin_key, title, status, outcome, root_cause, created_at, closed_at FROM cases ORDER BY origin_key",
        )
        s.dispose()
        return out

    a = cases("a.db")
    assert a and a == cases("b.db")


def test_reset_empties_cases_and_alerts(small_demo):
    with small_demo.begin() as conn:
        rule = conn.execute(
            sa.text(
                "INSERT INTO alert_rules (name, kind, kpi, definition, enabled, origin) "
                "VALUES ('r', 'change', 'nps', '{}', true, 'file') RETURNING id"
            )
        ).scalar_one()
        alert = conn.execute(
            sa.text(
                "INSERT INTO alerts (rule_id, fingerprint, slice, state, first_seen_at) "
                "VALUES (:r, 'f', '{}', 'firing', :t) RETURNING id"
            ),
            {"r": rule, "t": END_AT},
        ).scalar_one()
        check = conn.execute(
            sa.text("INSERT INTO alert_checks (started_at, trigger, status) VALUES (:t, 'cli', 'ok') RETURNING id"),
            {"t": END_AT},
        ).scalar_one()
        conn.execute(
            sa.text("INSERT INTO alert_events (alert_id, check_id, at, kind) VALUES (:a, :c, :t, 'firing')"),
            {"a": alert, "c": check, "t": END_AT},
        )
        note = conn.execute(
            sa.text(
                "INSERT INTO notifications (key, notifier, topic, payload, created_at) "
                "VALUES ('k', 'n', 'alert', '{}', :t) RETURNING id"
            ),
            {"t": END_AT},
        ).scalar_one()
        conn.execute(
            sa.text("INSERT INTO deliveries (notification_id, at, ok) VALUES (:n, :t, false)"), {"n": note, "t": END_AT}
        )
    cases_before = count(small_demo, "cases")
    generate_demo(small_demo, customers=100, responses=500, seed=5, end=END, reset=True)
    for table in ("alerts", "alert_events", "alert_checks", "notifications", "deliveries"):
        assert count(small_demo, table) == 0, table
    # The set-up stays, as the journey map does (the demo adds its own rules beside it).
    assert rows(small_demo, "SELECT count(*) FROM alert_rules WHERE name = 'r'")[0][0] == 1
    assert 0 < count(small_demo, "cases") < cases_before  # the new, smaller company's cases only
    assert count(small_demo, "team_members") == sum(1 for m in staff() if m.team)
    assert (
        rows(small_demo, "SELECT count(*) FROM case_events e LEFT JOIN cases c ON c.id = e.case_id WHERE c.id IS NULL")[
            0
        ][0]
        == 0
    )


def test_summary_tells_about_the_loop(store):
    summary = generate_demo(store, customers=100, responses=500, seed=5, end=END)
    assert summary.loop["cases"] == count(store, "cases") and summary.loop["staff users"] == len(staff())
    assert "Closing the loop: 9 staff users" in summary.describe()


# -- the alerting set-up ------------------------------------------------------------------


def test_alerting_file_names_only_what_exists():
    config = yaml.safe_load(ALERTING_FILE.read_text(encoding="utf-8"))
    assert set(config) == {"alerts", "notifiers", "cases"}
    assert config["notifiers"] == []  # nothing leaves the machine by default
    jmap = read_journey_map(JOURNEYS_FILE)
    touchpoints = set(jmap.touchpoint_keys())
    rules = config["alerts"]["rules"]
    assert {r["kind"] for r in rules} == {"below_target", "change", "drift", "volume", "answer"}
    assert len({r["name"] for r in rules}) == len(rules)
    cases = config["cases"]
    for rule in rules:
        if rule["kind"] != "answer" and "kpi" in rule:
            assert rule["kpi"] in SPECS, rule["name"]
        for value in [(rule.get("where") or {}).get("touchpoint")]:
            assert value is None or value in touchpoints, rule["name"]
        assert rule.get("priority", "normal") in cases["sla"]
        assert rule.get("notify", []) == []
    for rule in cases["assignment"]:
        assert rule.get("touchpoint") is None or rule["touchpoint"] in touchpoints
        assert rule["team"] in cases["teams"]
    assert {t: set(e) for t, e in cases["teams"].items()} == {
        t: {m.email for m in staff() if m.team == t} for t in ("support", "logistics", "billing")
    }
    assert cases["escalation"]["to"] in {m.email for m in staff()}
    history = yaml.safe_load(HISTORY_FILE.read_text(encoding="utf-8"))
    assert {c for w in history["root_causes"].values() for c in w} <= set(cases["root_causes"])
    assert set(history["resolutions"]) <= set(cases["root_causes"])
    assert {r for rs in history["resolutions"].values() for r in rs} | {"no_action"} <= set(cases["resolutions"])
