"""``answer`` rules on each new answer, mention and ticket: scores, words in several languages,
sentiment, customer value, any/all; idempotent; a failing rule loses nothing; imports too."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pytest
import sqlalchemy as sa
from conftest import count
from test_cases_fixtures import add_customer, add_response, setup_cases
from test_collect_fixtures import T0, setup_collection

from cxlens.alerts import answers
from cxlens.alerts.answer_rules import forget_answer_rules
from cxlens.alerts.answers import check_new_items
from cxlens.alerts.words import WordMatcher, word_lists
from cxlens.ingest import import_table
from cxlens.store import schema as s


@pytest.fixture
def cases_store(mapped_store):
    return setup_cases(mapped_store)


def add_rule(store, name: str, **definition) -> int:
    now = datetime.now(timezone.utc)
    with store.begin() as conn:
        rule_id = conn.execute(
            s.alert_rules.insert()
            .values(
                name=name,
                kind="answer",
                kpi=None,
                definition=definition,
                enabled=True,
                origin="file",
                created_at=now,
                updated_at=now,
            )
            .returning(s.alert_rules.c.id)
        ).scalar_one()
    forget_answer_rules()
    return rule_id


def rows(store, table: str) -> list[dict]:
    t = getattr(s, table)
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(t).order_by(t.c.id)).mappings()]


def check(store, kind: str, ids: list[int], now=T0):
    with store.begin() as conn:
        return check_new_items(conn, kind=kind, ids=ids, now=now)


# --- words --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, found",
    [
        ("I want a REFUND, or I cancel.", ["refund", "cancel"]),
        ("This is an issue with the app", []),  # 'sue' only as a word
        ("Ich möchte kündigen und eine Rückerstattung!", ["kundigen", "ruckerstattung"]),
        ("Quiero el reembolso, hablaré con mi abogado", ["reembolso", "abogado"]),
        ("Haluan hyvityksen heti tai haastan oikeuteen", ["hyvityksen", "haastan oikeuteen", "oikeuteen"]),
        ("Peruna oli hyvä", []),  # a potato is no cancellation
        ("Верните деньги! Это мошенничество", ["верните деньги", "мошенничество"]),
        ("我要退款，不然投诉", ["退款", "投诉"]),
        ("ขอคืนเงินด้วย", ["คืนเงิน"]),
        ("REEMBOLSO YA", ["reembolso"]),  # case-folded
        ("reembólso", ["reembolso"]),  # accent-folded
    ],
)
def test_urgent_words_match_in_the_demo_languages(text, found):
    assert WordMatcher(word_lists()["urgent"]).find(text) == found


def test_a_users_list_replaces_a_builtin_one_and_lists_can_name_lists():
    lists = word_lists({"urgent": ["escalate", "legal"], "vip": ["ceo"]})
    assert "escalate" in lists["urgent"] and "lawyer*" in lists["urgent"] and "refund*" not in lists["urgent"]
    assert WordMatcher(lists["vip"]).find("Our CEO is unhappy") == ["ceo"]


def test_matching_a_comment_is_fast():
    matcher = WordMatcher(word_lists()["urgent"])
    text = "Returned the item a month ago and still nothing, very disappointed with the whole experience " * 3
    import time

    started = time.perf_counter()
    for _ in range(200):
        matcher.find(text)
    assert (time.perf_counter() - started) / 200 < 0.002


# --- rules on the write path ----------------------------------------------------------------------------


def test_a_detractor_answer_on_the_survey_page_opens_a_case_and_notifies(store, tmp_path):
    collection = setup_collection(store, tmp_path)
    rule = add_rule(
        store,
        "angry-answer",
        sources=["response"],
        score_at_most=3,
        words="urgent",
        match="any",
        notify=["cx-mail"],
        open_case=True,
        priority="high",
    )
    invitation = collection.invite("support-csat", "c-fi")
    token = collection.token(invitation)
    answered = collection.answer(token, 1)
    [case] = rows(store, "cases")
    assert case["origin_key"] == f"rule:{rule}:response:{answered.response_id}" and case["priority"] == "high"
    assert (
        case["response_id"] == answered.response_id and case["source"] == "response" and case["customer_id"] is not None
    )
    [note] = [n for n in rows(store, "notifications") if n["topic"] == "answer"]
    assert note["key"] == f"answer:{rule}:response:{answered.response_id}:cx-mail" and note["notifier"] == "cx-mail"
    assert note["payload"]["link"] == f"/cases/{case['id']}" and note["payload"]["why"] == {"score_at_most": 1}
    # The follow-up form adds a comment: the rule sees the row again, and acts no second time.
    collection.answer(token, 1, {"comment": "I want a refund"})
    assert count(store, "cases") == 1 and len([n for n in rows(store, "notifications") if n["topic"] == "answer"]) == 1


def test_all_conditions_must_hold_with_match_all_and_the_comment_can_complete_them(store, tmp_path):
    collection = setup_collection(store, tmp_path)
    add_rule(store, "low-and-urgent", score_at_most=2, words="urgent", match="all", open_case=True)
    token = collection.token(collection.invite("support-csat", "c-de"))
    collection.answer(token, 2)
    assert count(store, "cases") == 0  # a low score but no words yet
    collection.answer(token, 2, {"comment": "Ich will mein Geld zurück!"})
    [case] = rows(store, "cases")
    assert case["title"].startswith("CSAT 2: Ich will mein Geld zurück")


def test_any_fires_on_one_condition_and_nothing_fires_on_a_happy_answer(cases_store):
    add_rule(cases_store, "any", score_at_most=6, words=["broken"], notify=["slack"])
    with cases_store.begin() as conn:
        customer = add_customer(conn)
        happy = add_response(conn, customer, 10, "Great service")
        words_only = add_response(conn, customer, 9, "Great, but the box was broken")
        score_only = add_response(conn, customer, 5, "Meh")
    result = check(cases_store, "response", [happy, words_only, score_only])
    assert [(m["id"], m["why"]) for m in result.matches] == [
        (words_only, {"words": ["broken"]}),
        (score_only, {"score_at_most": 5}),
    ]
    assert result.notified == 2 and result.items == 3 and result.rules == 1


def test_sentiment_uses_the_stored_analysis_else_scores_the_text(cases_store):
    add_rule(cases_store, "negative", sentiment="negative", notify=["slack"])
    with cases_store.begin() as conn:
        customer = add_customer(conn)
        stored = add_response(conn, customer, 8, "It was fine")
        scored = add_response(conn, customer, 8, "This is the worst, horrible and awful experience, I hate it")
        neutral = add_response(conn, customer, 8, "The parcel came on Tuesday")
        conn.execute(
            s.text_results.insert().values(
                source="response",
                source_id=stored,
                sentiment="negative",
                sentiment_score=-0.8,
                sentiment_method="model",
                analyzed_at=T0,
            )
        )
    result = check(cases_store, "response", [stored, scored, neutral])
    assert [m["id"] for m in result.matches] == [stored, scored]


def test_customer_value_thresholds_read_revenue_and_clv(cases_store):
    add_rule(cases_store, "big-customer", revenue_at_least=5000, notify=["slack"])
    add_rule(cases_store, "high-clv", clv_at_least=20000, notify=["slack"])
    with cases_store.begin() as conn:
        big = add_customer(conn, "big", signed_up_at=T0 - timedelta(days=800))
        small = add_customer(conn, "small", signed_up_at=T0 - timedelta(days=800))
        given = add_customer(conn, "given", attributes={"clv": 50000})
        conn.execute(
            s.revenue.insert(),
            [
                {"customer_id": big, "occurred_at": T0 - timedelta(days=30), "amount": 4000.0, "currency": "EUR"},
                {"customer_id": big, "occurred_at": T0 - timedelta(days=200), "amount": 2000.0, "currency": "EUR"},
                {
                    "customer_id": big,
                    "occurred_at": T0 - timedelta(days=400),
                    "amount": 9000.0,
                    "currency": "EUR",
                },  # over a year ago
                {"customer_id": small, "occurred_at": T0 - timedelta(days=30), "amount": 100.0, "currency": "EUR"},
            ],
        )
        ids = [add_response(conn, c, 9, "ok") for c in (big, small, given)]
    result = check(cases_store, "response", ids)
    matched = {(m["rule"], m["id"]) for m in result.matches}
    # big: 6000 a year; no churn in the store, so the expected lifetime is the 10-year horizon: CLV 60,000.
    assert matched == {("big-customer", ids[0]), ("high-clv", ids[0]), ("high-clv", ids[2])}
    assert next(m for m in result.matches if m["rule"] == "big-customer")["why"] == {"revenue_at_least": 6000.0}


def test_rerunning_a_check_opens_and_sends_nothing_new(cases_store):
    add_rule(cases_store, "low", score_at_most=3, notify=["slack", "cx-mail"], open_case=True)
    with cases_store.begin() as conn:
        response = add_response(conn, add_customer(conn), 1, "bad")
    first = check(cases_store, "response", [response])
    again = check(cases_store, "response", [response])
    assert len(first.cases) == 1 and first.notified == 2
    assert again.cases == [] and again.notified == 0 and len(again.matches) == 1
    assert (
        count(cases_store, "cases") == 1 and count(cases_store, "notifications") == 3
    )  # two answers + the owner's e-mail
    [case] = rows(cases_store, "cases")
    assert case["owner_id"] == cases_store.users["dan@example.com"]  # a delivery answer goes to logistics


def test_a_failing_rule_loses_neither_the_answer_nor_the_other_rules(store, tmp_path, monkeypatch, caplog):
    collection = setup_collection(store, tmp_path)
    add_rule(store, "broken", score_at_most=3, open_case=True)
    add_rule(store, "fine", score_at_most=3, notify=["slack"])
    real = answers._act

    def act(conn, rule, item, why, now, result):
        if rule.name == "broken":
            conn.execute(
                s.notifications.insert().values(
                    key="half-written", notifier="x", topic="answer", payload={}, created_at=now
                )
            )
            conn.execute(sa.text("SELECT * FROM no_such_table"))  # a database error, mid-rule
        return real(conn, rule, item, why, now, result)

    monkeypatch.setattr(answers, "_act", act)
    answered = collection.answer(collection.token(collection.invite("support-csat", "c-fi")), 2, {"comment": "slow"})
    [response] = rows(store, "responses")
    assert response["id"] == answered.response_id and response["comment"] == "slow"
    keys = [n["key"] for n in rows(store, "notifications")]
    assert "half-written" not in keys and any(k.startswith("answer:") for k in keys)
    assert count(store, "cases") == 0
    assert "answer rule 'broken' failed" in caplog.text


def test_a_rule_that_cannot_be_read_is_skipped_and_said(cases_store, caplog):
    add_rule(cases_store, "typo", words="urgnt", notify=["slack"])
    add_rule(cases_store, "ok", score_at_most=3, notify=["slack"])
    with cases_store.begin() as conn:
        response = add_response(conn, add_customer(conn), 1, "bad")
    result = check(cases_store, "response", [response])
    assert result.rules == 1 and "'urgnt' is not a word list" in result.errors[0]
    assert "'urgnt' is not a word list" in caplog.text


def test_old_items_are_left_alone_and_sources_are_respected(cases_store):
    add_rule(cases_store, "low", score_at_most=3, sources=["mention"], notify=["slack"])
    add_rule(cases_store, "low-answers", score_at_most=3, notify=["slack"])
    with cases_store.begin() as conn:
        old = add_response(conn, add_customer(conn), 1, "bad", at=T0 - timedelta(days=30))
        new = add_response(conn, None, 1, "bad", external_id="anon-1")
    result = check(cases_store, "response", [old, new])
    assert [(m["rule"], m["id"]) for m in result.matches] == [("low-answers", new)]


def test_without_rules_a_check_asks_the_store_nothing(cases_store):
    with cases_store.begin() as conn:
        response = add_response(conn, add_customer(conn), 1, "bad")
        forget_answer_rules()
        check_new_items(conn, kind="response", ids=[response])  # reads the (no) rules once
        statements = []
        sa.event.listen(cases_store.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        for _ in range(100):
            result = check_new_items(conn, kind="response", ids=[response])
    assert result.rules == 0 and statements == []


# --- imports -----------------------------------------------------------------------------------------------


def test_an_import_checks_its_new_rows_in_batches(cases_store, monkeypatch):
    monkeypatch.setattr(answers, "BATCH", 2)
    add_rule(
        cases_store, "reviews", sources=["mention"], score_at_most=2, words="urgent", notify=["slack"], open_case=True
    )
    add_rule(cases_store, "tickets", sources=["ticket"], words="legal", open_case=True, priority="high")
    now = datetime.now(timezone.utc)
    mentions = pa.table(
        {
            "source": ["trustpilot"] * 5,
            "rating": [1.0, 5.0, 2.0, 4.0, 1.0],
            "text": ["Awful", "Lovely", "Nie wieder, Betrug!", "ok", "fine"],
            "posted_at": [now - timedelta(hours=k) for k in range(5)],
            "url": [f"https://trustpilot.example/r/{k}" for k in range(5)],
        }
    )
    result = import_table(cases_store, "mentions", mentions)
    assert result.inserted == 5
    opened = rows(cases_store, "cases")
    assert [c["source"] for c in opened] == ["mention"] * 3
    assert len([n for n in rows(cases_store, "notifications") if n["topic"] == "answer"]) == 3
    # Importing the same file again adds no rows, so it checks nothing and opens nothing.
    import_table(cases_store, "mentions", mentions)
    assert count(cases_store, "cases") == 3
    tickets = pa.table(
        {
            "external_id": ["t-1", "t-2"],
            "created_at": [now, now],
            "subject": ["Refund", "Login"],
            "text": ["My lawyer will contact you", "Cannot log in"],
            "team": ["billing", "support-tier1"],
        }
    )
    import_table(cases_store, "tickets", tickets)
    [ticket_case] = [c for c in rows(cases_store, "cases") if c["source"] == "ticket"]
    assert (
        ticket_case["priority"] == "high" and ticket_case["ticket_id"] is not None and ticket_case["team"] == "support"
    )


def test_an_import_with_no_rules_pays_no_query(cases_store, monkeypatch):
    forget_answer_rules()
    calls = []
    monkeypatch.setattr(answers, "_max_id", lambda conn, kind: calls.append(kind) or 0)
    now = datetime.now(timezone.utc)
    import_table(cases_store, "mentions", pa.table({"source": ["x"], "text": ["Awful"], "posted_at": [now]}))
    assert calls == []


def test_a_rule_from_the_alerts_section_runs_on_the_write_path(store, tmp_path):
    from cxlens.alerts.rules import parse_alerts, store_alerts

    collection = setup_collection(store, tmp_path)
    parsed = parse_alerts(
        {
            "rules": [
                {
                    "name": "angry-answer",
                    "kind": "answer",
                    "sources": ["response"],
                    "score_at_most": 3,
                    "words": "urgent",
                    "notify": ["cx-mail"],
                    "open_case": True,
                    "priority": "high",
                }
            ]
        },
        "journeys.yaml",
    )
    with store.begin() as conn:
        store_alerts(conn, parsed)
    forget_answer_rules()
    collection.answer(
        collection.token(collection.invite("support-csat", "c-de")), 5, {"comment": "Ich kündige, das ist Betrug"}
    )
    [case] = rows(store, "cases")
    assert case["priority"] == "high" and "kündige" in case["title"]
