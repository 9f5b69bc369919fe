"""The web app runs alerting's worker while it is up: an answer rule's notification reaches a real
webhook receiver with no one calling deliver; ``CXLENS_ALERT_WORKER=0`` keeps the worker off."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from test_collect_fixtures import setup_collection
from test_notify_fixtures import SECRET, Receiver, declare, outbox

from cxlens.alerts.answer_rules import forget_answer_rules
from cxlens.alerts.rules import parse_alerts, store_alerts
from cxlens.web import create_app


def test_an_answer_rules_notification_is_delivered_by_the_apps_worker(store, tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_ALERT_WORKER", "1")
    collection = setup_collection(store, tmp_path)
    with Receiver(secret=SECRET) as hook:
        monkeypatch.setenv("OPS_HOOK_URL", hook.url)
        monkeypatch.setenv("OPS_HOOK_SECRET", SECRET)
        declare(
            store,
            {
                "name": "ops-hook",
                "kind": "webhook",
                "url_env": "OPS_HOOK_URL",
                "secret_env": "OPS_HOOK_SECRET",
                "allow_private": True,
            },
        )
        rules = parse_alerts(
            {
                "rules": [
                    {
                        "name": "angry-answer",
                        "kind": "answer",
                        "sources": ["response"],
                        "score_at_most": 2,
                        "notify": ["ops-hook"],
                    }
                ]
            },
            "journeys.yaml",
        )
        with store.begin() as conn:
            store_alerts(conn, rules)
        forget_answer_rules()
        app = create_app(store, worker_every=0.1)
        app.state.collection = collection
        with TestClient(app) as client:  # the lifespan starts the worker
            worker = app.state.alert_worker
            assert worker is not None and worker.thread.is_alive()
            token = collection.token(collection.invite("support-csat", "c-fi"))
            assert client.get(f"/s/{token}?score=1").status_code == 200  # the customer's click on the e-mail
            deadline = time.monotonic() + 30
            while not hook.requests and time.monotonic() < deadline:
                time.sleep(0.05)
        assert not worker.thread.is_alive()  # stopped with the app
    [request] = hook.requests  # verified against the signature, sent once
    assert request["json"]["type"] == "cxlens.answer"
    [note] = outbox(store)
    assert note["topic"] == "answer" and note["status"] == "sent"


def test_the_worker_stays_off_when_told(store, monkeypatch):
    monkeypatch.setenv("CXLENS_ALERT_WORKER", "0")
    app = create_app(store)
    with TestClient(app):
        assert app.state.alert_worker is None
