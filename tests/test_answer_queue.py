"""Answer rules just after the answer's transaction: the survey page answers at once and the
rules act a moment later from the ``answer_queue`` table, which outlives a crash; a web app's
checker thread takes them within seconds with no worker tick."""

from __future__ import annotations

import threading
import time

from conftest import count
from fastapi.testclient import TestClient
from test_answer_rules import add_rule, rows
from test_collect_fixtures import T0, setup_collection

from cxlens.alerts import worker
from cxlens.alerts.answer_queue import check_queued, queued_count, start_answer_checker
from cxlens.collect import Collection
from cxlens.web import create_app


def queued_collection(collection: Collection) -> Collection:
    """The same collection with answer rules after the commit, as the web app runs them."""
    return Collection(
        collection.store,
        policy=collection.policy,
        signer=collection.signer,
        clock=collection.clock,
        catalog=collection.catalog,
        answer_rules="after",
    )


def test_an_answer_is_queued_then_checked_once(store, tmp_path):
    collection = queued_collection(setup_collection(store, tmp_path))
    rule = add_rule(store, "angry-answer", sources=["response"], score_at_most=3, notify=["cx-mail"], open_case=True)
    token = collection.token(collection.invite("support-csat", "c-fi"))
    answered = collection.answer(token, 1)
    assert count(store, "cases") == 0 and queued_count(store) == 1  # stored and acknowledged, not yet acted on
    [checked] = check_queued(store)
    assert checked.items == 1 and checked.cases and queued_count(store) == 0
    [case] = rows(store, "cases")
    assert case["origin_key"] == f"rule:{rule}:response:{answered.response_id}"
    assert case["created_at"] == T0  # judged as of when the answer arrived, not when it was checked
    assert check_queued(store) == []
    # The comment that follows is queued again and acts no second time.
    collection.answer(token, 1, {"comment": "I want a refund"})
    assert queued_count(store) == 1
    check_queued(store)
    assert count(store, "cases") == 1 and len([n for n in rows(store, "notifications") if n["topic"] == "answer"]) == 1


def test_without_rules_nothing_is_queued(store, tmp_path):
    collection = queued_collection(setup_collection(store, tmp_path))
    collection.answer(collection.token(collection.invite("support-csat", "c-fi")), 1)
    assert queued_count(store) == 0


def test_what_a_crash_left_queued_is_checked_by_the_next_worker_tick(store, tmp_path):
    collection = queued_collection(setup_collection(store, tmp_path))
    add_rule(store, "angry-answer", sources=["response"], score_at_most=3, open_case=True)
    for customer in ("c-fi", "c-de"):
        collection.answer(collection.token(collection.invite("support-csat", customer)), 2)
    # No checker ran (the process died after acknowledging): the queue still holds both.
    assert queued_count(store) == 2 and count(store, "cases") == 0
    report = worker.tick(store, evaluate=False, escalate=False, deliver=False)
    assert sum(a.items for a in report.answers) == 2 and "answers checked 2" in report.summary()
    assert count(store, "cases") == 2 and queued_count(store) == 0


def test_two_checkers_at_once_act_on_each_item_once(store, tmp_path):
    collection = queued_collection(setup_collection(store, tmp_path))
    add_rule(store, "angry-answer", sources=["response"], score_at_most=3, notify=["cx-mail"], open_case=True)
    for customer in ("c-fi", "c-de", "c-none"):
        collection.answer(collection.token(collection.invite("support-csat", customer)), 1)
    results: list = []
    threads = [threading.Thread(target=lambda: results.append(check_queued(store))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    acted = sum(len(c.cases) for found in results for c in found)
    assert acted == 3 and count(store, "cases") == 3 and queued_count(store) == 0
    assert len([n for n in rows(store, "notifications") if n["topic"] == "answer"]) == 3


def test_the_checker_thread_acts_within_seconds_and_stops(store, tmp_path):
    collection = queued_collection(setup_collection(store, tmp_path))
    add_rule(store, "angry-answer", sources=["response"], score_at_most=3, open_case=True)
    checker = start_answer_checker(store, poll_seconds=30)  # woken by the commit, not by its poll
    try:
        started = time.monotonic()
        collection.answer(collection.token(collection.invite("support-csat", "c-fi")), 1)
        while count(store, "cases") == 0 and time.monotonic() - started < 10:
            time.sleep(0.01)
        assert count(store, "cases") == 1 and time.monotonic() - started < 5
    finally:
        checker.stop()
    assert not checker.thread.is_alive()


def test_the_web_app_acknowledges_first_and_its_checker_opens_the_case(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_ALERT_WORKER", "1")
    fixture = setup_collection(store, tmp_path)
    add_rule(store, "angry-answer", sources=["response"], score_at_most=3, open_case=True)
    app = create_app(store, worker_every=60)  # no worker tick in this test's time: the checker does it
    with TestClient(app) as client:
        assert app.state.answer_checker is not None
        app.state.collection = queued_collection(fixture)
        token = fixture.token(fixture.invite("support-csat", "c-fi"))
        assert client.get(f"/s/{token}?score=1").status_code == 200
        deadline = time.monotonic() + 10
        while count(store, "cases") == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert count(store, "cases") == 1 and queued_count(store) == 0
    assert not app.state.answer_checker.thread.is_alive()


def test_the_web_app_checks_answers_in_their_transaction_when_its_worker_is_off(store):
    app = create_app(store)  # CXLENS_ALERT_WORKER=0 in the tests
    with TestClient(app):
        from cxlens.web.deps import collection_of

        class Request:
            pass

        request = Request()
        request.app = app
        assert app.state.answer_checker is None and not collection_of(request).rules_after_commit
