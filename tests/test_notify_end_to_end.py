"""From a real drop in the data to a verified webhook, through the real evaluator and the worker:
the evaluator killed halfway and the sender killed after its first send, both run again, and
the receiver gets each notification exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alerts_helpers import NOW, monthly_nps, store_rules, touchpoint_ids
from test_notify_fixtures import SECRET, Receiver, declare, outbox

from cxlens.alerts import delivery, lifecycle, worker
from cxlens.alerts.delivery import LEASE

WATCHED = ("checkout", "delivery", "sales-call", "first-use")
RULES = """
alerts:
  every_minutes: 15
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], notify: [ops-hook]}
    - {name: nps-trail, kind: change, kpi: nps, by: [touchpoint], baseline: trailing, notify: [ops-hook]}
    - {name: nps-target, kind: below_target, kpi: nps, by: [touchpoint], significant_only: false, notify: [ops-hook]}
"""


class Killed(BaseException):
    """Stands for the process being killed."""


@pytest.mark.slow
def test_killed_evaluator_and_killed_sender_each_notification_arrives_once(mapped_store, monkeypatch):
    store = mapped_store
    tps = touchpoint_ids(store)
    monthly_nps(store, {k: tps[k] for k in WATCHED}, 300, drop={"delivery": (0.4, 0.3)}, seed=3)
    store_rules(store, RULES)
    monkeypatch.setenv("CXLENS_PUBLIC_URL", "https://cx.example.com")
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

        # 1. The scheduled evaluation dies after the second rule's writes (inside its transaction).
        real_step, steps = lifecycle.step_rule, []

        def dying_step(conn, **kw):
            steps.append(kw["rule_name"])
            out = real_step(conn, **kw)
            if len(steps) == 2:
                raise Killed()
            return out

        monkeypatch.setattr(lifecycle, "step_rule", dying_step)
        with pytest.raises(Killed):
            worker.tick(store, now=NOW)
        monkeypatch.setattr(lifecycle, "step_rule", real_step)
        assert len(outbox(store)) == 1 and hook.requests == []

        # 2. Fifteen minutes on, the next tick evaluates again; its sender dies after one send.
        real_post, posts = delivery.post_json, []

        def dying_post(*args, **kwargs):
            posts.append(1)
            if len(posts) == 2:
                raise Killed()
            return real_post(*args, **kwargs)

        monkeypatch.setattr(delivery, "post_json", dying_post)
        with pytest.raises(Killed):
            worker.tick(store, now=NOW + timedelta(minutes=15))
        monkeypatch.setattr(delivery, "post_json", real_post)
        assert len(outbox(store)) == 3 and len(hook.requests) == 1

        # 3. Later ticks: the rest goes out (the interrupted one once its lease has run out),
        #    and evaluating again announces nothing new.
        worker.tick(store, now=NOW + timedelta(minutes=16))
        worker.tick(store, now=NOW + timedelta(minutes=16) + LEASE)
        worker.tick(store, now=NOW + timedelta(minutes=45))
    assert [r["status"] for r in outbox(store)] == ["sent"] * 3
    assert hook.rejected == []
    assert len(hook.requests) == 3 and len(set(hook.ids())) == 3  # each exactly once
    bodies = [r["json"] for r in hook.requests]
    assert sorted(b["title"].split(":")[0] for b in bodies) == ["nps-drop", "nps-target", "nps-trail"]
    for body in bodies:
        assert body["type"] == "cxlens.alert" and body["items"]
        assert all(i["link"].startswith("https://cx.example.com/alerts/") for i in body["items"])
    drop = next(b for b in bodies if b["title"].startswith("nps-drop"))
    assert [(i["slice"], i["state"]) for i in drop["items"]] == [({"touchpoint": "delivery"}, "firing")], drop["items"]
