"""The Alerts and Cases pages over HTTP, on SQLite and PostgreSQL: tabs, evidence, the
acknowledge/snooze/resolve forms, roles (viewers read only), CSRF, hostile text escaped, 404s;
the Overview's banner; the nav."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from alerts_helpers import NOW, monthly_nps, store_rules, touchpoint_ids
from fastapi.testclient import TestClient

from cxlens.access import create_user
from cxlens.alerts.evaluation import run_check
from cxlens.store import schema as s
from cxlens.web import create_app

PASSWORD = "correct horse battery"
WATCHED = ("checkout", "delivery", "sales-call", "first-use")
HOSTILE = '<script>alert("x")</script>'


def login(client: TestClient, email: str, password: str = PASSWORD):
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}, follow_redirects=False
    )
    assert r.status_code == 303
    return client


def csrf_of(html: str) -> str:
    return re.search(r'"X-CSRF-Token": "([^"]+)"', html).group(1)


@pytest.fixture
def alert_store(mapped_store):
    """A firing alert: NPS at delivery drops 20 points in June; the rule's name is hostile text."""
    tps = touchpoint_ids(mapped_store)
    monthly_nps(mapped_store, {k: tps[k] for k in WATCHED}, 300, drop={"delivery": (0.4, 0.3)}, seed=3)
    store_rules(
        mapped_store,
        """
alerts:
  rules:
    - {name: 'nps-drop <b>x</b>', kind: change, kpi: nps, by: [touchpoint], grain: month}
""",
    )
    result = run_check(mapped_store, now=NOW)
    assert len(result.fired) == 1
    create_user(mapped_store, "analyst@example.com", PASSWORD, role="analyst")
    create_user(mapped_store, "viewer@example.com", PASSWORD, role="viewer")
    return mapped_store


def alert_id(store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(sa.select(s.alerts.c.id)).scalar_one()


def test_alerts_page_shows_the_evidence_and_the_banner(alert_store):
    c = login(TestClient(create_app(alert_store)), "analyst@example.com")
    page = c.get("/alerts")
    assert page.status_code == 200
    html = page.text
    aid = alert_id(alert_store)
    assert f'id="alert-{aid}"' in html and "touchpoint = delivery" in html and "n = 300" in html
    assert "95 % interval" in html and "Baseline" in html and "q = " in html and "false alarms" in html
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html
    assert 'href="/explorer?metric=nps' in html and "data-chart" in html
    assert '<a href="/alerts"' in html and '<a href="/cases"' in html
    assert "Acknowledge" in html
    overview = c.get("/")
    assert 'id="alerts-banner"' in overview.text and "1 alert firing" in overview.text
    detail = c.get(f"/alerts/{aid}")
    assert detail.status_code == 200 and "History" in detail.text and "firing" in detail.text
    assert c.get("/alerts/99999").status_code == 404
    assert c.get("/alerts?tab=nope").status_code == 404


def test_acknowledge_snooze_resolve_move_the_alert_through_the_tabs(alert_store):
    c = login(TestClient(create_app(alert_store)), "analyst@example.com")
    aid = alert_id(alert_store)
    token = csrf_of(c.get("/alerts").text)
    r = c.post(f"/alerts/{aid}/ack", data={"csrf_token": token, "next": "/alerts?tab=firing"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/alerts?tab=firing&done=ack")
    assert f'id="alert-{aid}"' not in c.get("/alerts?tab=firing").text
    assert f'id="alert-{aid}"' in c.get("/alerts?tab=acknowledged").text
    r = c.post(f"/alerts/{aid}/snooze", data={"csrf_token": token, "duration": "1w"}, follow_redirects=False)
    assert r.status_code == 303
    assert c.post(f"/alerts/{aid}/snooze", data={"csrf_token": token, "duration": "5y"}).status_code == 422
    r = c.post(f"/alerts/{aid}/resolve", data={"csrf_token": token})
    assert r.status_code == 200 and "Resolved by hand" in r.text
    assert f'id="alert-{aid}"' in c.get("/alerts?tab=resolved").text
    history = c.get(f"/alerts/{aid}").text
    for kind in ("acknowledged", "snoozed", "resolved"):
        assert f"<strong>{kind}</strong>" in history
    assert "by analyst@example.com" in history
    assert c.post("/alerts/99999/ack", data={"csrf_token": token}).status_code == 404


def test_viewers_read_alerts_but_cannot_change_them_and_forms_need_the_token(alert_store):
    aid = alert_id(alert_store)
    v = login(TestClient(create_app(alert_store)), "viewer@example.com")
    page = v.get("/alerts")
    assert page.status_code == 200 and f'id="alert-{aid}"' in page.text and "Acknowledge</button>" not in page.text
    token = csrf_of(page.text)
    for action in ("ack", "snooze", "resolve"):
        r = v.post(f"/alerts/{aid}/{action}", data={"csrf_token": token, "duration": "1h"})
        assert r.status_code == 403 and "analyst role" in r.text
    a = login(TestClient(create_app(alert_store)), "analyst@example.com")
    for action in ("ack", "snooze", "resolve"):
        r = a.post(f"/alerts/{aid}/{action}", data={"csrf_token": "forged", "duration": "1h"})
        assert r.status_code == 403 and "security token" in r.text
    with alert_store.engine.connect() as conn:
        row = conn.execute(sa.select(s.alerts)).mappings().one()
    assert row["state"] == "firing" and row["acknowledged_at"] is None and row["snoozed_until"] is None
    anon = TestClient(create_app(alert_store))
    assert anon.get("/alerts", follow_redirects=False).status_code == 303


def test_evidence_in_words_and_chart_for_a_volume_spike():
    from cxlens.web.dashboard.alerts import alert_facts, evidence_chart

    alert = {
        "rule": "billing-tickets-spike",
        "rule_kind": "volume",
        "kpi": None,
        "slice": {},
        "state": "firing",
        "definition": {"source": "tickets", "grain": "week"},
        "evidence": {
            "kind": "volume",
            "value": 98.0,
            "low": 98.0,
            "high": 98.0,
            "n": 98,
            "p": 0.0,
            "q": 0.0,
            "baseline": {"value": 37.5, "n": 150, "counts": [31, 37, 21, 61]},
            "periods": {
                "judged": "2026-11-23T00:00:00+00:00",
                "grain": "week",
                "baseline": [f"2026-{d}T00:00:00+00:00" for d in ("10-26", "11-02", "11-09", "11-16")],
            },
        },
    }
    f = alert_facts(alert)
    assert f["title"] == "billing-tickets-spike: tickets at all" and f["value"] == "98" and f["count"]
    assert f["baseline"] == "37.5 per period on average" and f["p_words"].startswith("p < 0.000001: ")
    spec = evidence_chart(alert)
    assert [d["role"] for d in spec["data"]["values"]] == ["compared with"] * 4 + ["judged"]
    assert spec["data"]["values"][-1]["label"] == "w/c 23 Nov 2026"
