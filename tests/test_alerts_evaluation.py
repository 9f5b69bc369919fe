"""Every condition kind end to end on small generated stores; the lifecycle; idempotence,
including a run killed halfway and run again; the CLI."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa
from alerts_helpers import (
    MONTHS,
    NOW,
    add_answers,
    add_tickets,
    monthly_nps,
    nps_scores,
    store_rules,
    touchpoint_ids,
)
from conftest import count
from typer.testing import CliRunner

from cxlens.alerts import lifecycle
from cxlens.alerts.evaluation import run_check
from cxlens.store import schema as s

WATCHED = ("checkout", "delivery", "sales-call", "first-use")


@pytest.fixture
def nps_store(mapped_store):
    """Four touchpoints, 300 NPS answers a month Jan–Jun (NPS 30), and in June a drop of 20
    points at delivery (promoters 50 % → 40 %, detractors 20 % → 30 %: NPS 30 → 10)."""
    tps = touchpoint_ids(mapped_store)
    monthly_nps(mapped_store, {k: tps[k] for k in WATCHED}, 300, drop={"delivery": (0.4, 0.3)}, seed=3)
    return mapped_store


def rows(store, table):
    with store.engine.connect() as conn:
        return conn.execute(sa.select(getattr(s, table))).mappings().all()


def test_change_fires_on_the_dropped_slice_only_with_evidence_and_a_link(nps_store):
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], grain: month, notify: [cx-slack, cx-mail]}
""",
    )
    result = run_check(nps_store, now=NOW)
    assert [t.slice for t in result.fired] == [{"touchpoint": "delivery"}]
    assert result.tests == 4 and result.rules == 1
    (alert,) = rows(nps_store, "alerts")
    ev = alert["evidence"]
    assert alert["state"] == "firing" and ev["method"] == "adjusted-wald"
    assert ev["kind"] == "change" and ev["n"] == 300 and ev["baseline"]["n"] == 300
    assert ev["change"]["difference"] < -10 and ev["p"] < 0.05 and ev["q"] >= ev["p"]
    assert ev["low"] < ev["value"] < ev["high"]
    assert ev["periods"]["judged"].startswith("2026-06-01") and ev["periods"]["baseline"][0].startswith("2026-05-01")
    assert alert["link"].startswith("/explorer?metric=nps&grain=month&since=2026-05-01&until=2026-07-01&by=touchpoint")
    (check,) = rows(nps_store, "alert_checks")
    assert check["status"] == "ok" and check["fired"] == 1 and check["tests"] == 4 and check["q"] == 0.05
    notes = rows(nps_store, "notifications")
    assert sorted(n["notifier"] for n in notes) == ["cx-mail", "cx-slack"]
    item = notes[0]["payload"]["items"][0]
    assert item["slice"] == {"touchpoint": "delivery"} and item["state"] == "firing" and item["q"] is not None
    assert "n=300" in item["summary"] and "q=" in item["summary"]


def test_trailing_baseline_pools_the_periods_before(nps_store):
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-trail, kind: change, kpi: nps, by: [touchpoint], baseline: trailing, trailing_periods: 3}
""",
    )
    result = run_check(nps_store, now=NOW)
    assert [t.slice for t in result.fired] == [{"touchpoint": "delivery"}]
    assert result.fired[0].evidence["baseline"]["n"] == 900


def test_below_target_uses_the_touchpoints_target(nps_store):
    # sales-call's target is NPS 40 in the demo journeys; every touchpoint here runs at about 30.
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-target, kind: below_target, kpi: nps, by: [touchpoint]}
""",
    )
    tps = touchpoint_ids(nps_store)
    add_answers(nps_store, tps["sales-call"], MONTHS[-1], 30, nps_scores(np.random.default_rng(9), 600, 0.3, 0.4))
    result = run_check(nps_store, now=NOW)
    fired = {t.slice["touchpoint"]: t.evidence for t in result.fired}
    assert list(fired) == ["sales-call"]  # the only watched touchpoint with an NPS target
    ev = fired["sales-call"]
    assert ev["target"] == 40 and ev["value"] < 40 and ev["whole_interval_wrong_side"] is True


def test_a_target_of_another_statistic_is_named_not_silently_missed(nps_store):
    # The demo journeys set first response targets as medians ({median: 2m}), stored as
    # first_response_median: a rule on the mean would watch nothing, so the run says why.
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: frt-target, kind: below_target, kpi: first_response_time, by: [touchpoint]}
""",
    )
    result = run_check(nps_store, now=NOW)
    assert "write kpi: first_response_median" in result.errors["frt-target"]


def test_drift_finds_a_shift_inside_the_current_period(nps_store):
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: ewma, kind: drift, kpi: nps, by: [touchpoint], min_n: 100}
    - {name: cusum, kind: drift, kpi: nps, by: [touchpoint], method: cusum, min_n: 100}
""",
    )
    tps = touchpoint_ids(nps_store)
    rng = np.random.default_rng(4)
    july = datetime(2026, 7, 1, tzinfo=UTC)
    for key in ("checkout", "first-use"):
        add_answers(nps_store, tps[key], july, 9, nps_scores(rng, 90, 0.5, 0.2), rng=rng)
    add_answers(nps_store, tps["sales-call"], july, 9, nps_scores(rng, 90, 0.25, 0.45), rng=rng)
    result = run_check(nps_store, now=NOW)
    fired = sorted((t.evidence["method"], t.slice["touchpoint"]) for t in result.fired)
    assert ("cusum", "sales-call") in fired and ("ewma", "sales-call") in fired
    assert all(tp == "sales-call" for _, tp in fired)
    ev = result.fired[0].evidence
    assert ev["alarm_day"] >= "2026-07-01" and len(ev["z"]) == len(ev["days"]) <= 9


def test_volume_of_tickets_and_of_a_theme(mapped_store):
    rng = np.random.default_rng(2)
    for month in MONTHS[:-1]:
        add_tickets(mapped_store, month, 28, 40, team="billing", rng=rng, prefix=f"b{month.month}-")
        add_tickets(mapped_store, month, 28, 40, team="support", rng=rng, prefix=f"s{month.month}-")
    add_tickets(mapped_store, MONTHS[-1], 28, 90, team="billing", rng=rng, prefix="b6-")
    add_tickets(mapped_store, MONTHS[-1], 28, 44, team="support", rng=rng, prefix="s6-")
    tps = touchpoint_ids(mapped_store)
    add_answers(mapped_store, tps["checkout"], MONTHS[0], 180, nps_scores(rng, 1200, 0.5, 0.2), rng=rng)
    now = datetime.now(UTC)
    with mapped_store.engine.begin() as conn:
        themes = [
            conn.execute(
                s.text_themes.insert().values(number=i, label=label, created_at=now).returning(s.text_themes.c.id)
            ).scalar_one()
            for i, label in enumerate(["billing error", "delivery"])
        ]
        ids = [
            r.id
            for r in conn.execute(sa.select(s.responses.c.id, s.responses.c.submitted_at).order_by(s.responses.c.id))
        ]
        answers = conn.execute(sa.select(s.responses.c.id, s.responses.c.submitted_at)).all()
        results = []
        for r in answers:
            june = r.submitted_at.month == 6
            theme = themes[0] if (june and r.id % 3 == 0) or (not june and r.id % 15 == 0) else themes[1]
            results.append(
                {
                    "source": "response",
                    "source_id": r.id,
                    "occurred_at": r.submitted_at,
                    "theme_id": theme,
                    "sentiment": "negative",
                    "analyzed_at": now,
                }
            )
        conn.execute(s.text_results.insert(), results)
    assert ids
    store_rules(
        mapped_store,
        """
alerts:
  rules:
    - {name: tickets, kind: volume, source: tickets, by: [team], notify: [ops]}
    - {name: billing-theme, kind: volume, source: theme, theme: billing error, min_n: 5}
    - {name: any-theme, kind: volume, source: theme}
""",
    )
    result = run_check(mapped_store, now=NOW)
    fired = {(t.evidence["source"], tuple(sorted(t.slice.items()))) for t in result.fired}
    assert ("tickets", (("team", "billing"),)) in fired
    assert ("tickets", (("team", "support"),)) not in fired
    assert ("theme", ()) in fired  # billing-theme: no slices, one alert
    assert ("theme", (("theme", "billing error"),)) in fired  # any-theme found it by the spikes test


def test_min_n_leaves_small_slices_unjudged(nps_store):
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], min_n: 301}
""",
    )
    assert run_check(nps_store, now=NOW).slices == 0


def counts(store):
    return {t: count(store, t) for t in ("alerts", "alert_events", "notifications", "alert_checks")}


RULES = """
alerts:
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], notify: [cx-slack]}
    - {name: nps-trail, kind: change, kpi: nps, by: [touchpoint], baseline: trailing, notify: [cx-slack]}
    - {name: nps-target, kind: below_target, kpi: nps, by: [touchpoint], significant_only: false, notify: [cx-slack]}
"""


def test_running_twice_creates_nothing_twice(nps_store):
    store_rules(nps_store, RULES)
    first = run_check(nps_store, now=NOW)
    before = counts(nps_store)
    second = run_check(nps_store, now=NOW + timedelta(minutes=15))
    after = counts(nps_store)
    assert first.fired and not second.fired and not second.resolved
    assert after == {**before, "alert_checks": before["alert_checks"] + 1}
    assert before["notifications"] == 3  # one per rule: each rule's firing alerts grouped


def test_a_run_killed_halfway_and_run_again_notifies_once(nps_store, monkeypatch):
    store_rules(nps_store, RULES)
    real = lifecycle.step_rule
    calls = []

    def dying(conn, **kw):
        calls.append(kw["rule_name"])
        out = real(conn, **kw)
        if len(calls) == 2:
            raise KeyboardInterrupt("killed")  # after the second rule's writes, inside its transaction
        return out

    monkeypatch.setattr(lifecycle, "step_rule", dying)
    with pytest.raises(KeyboardInterrupt):
        run_check(nps_store, now=NOW)
    checks = rows(nps_store, "alert_checks")
    assert checks[0]["status"] == "failed" and "killed" in checks[0]["error"]
    assert count(nps_store, "notifications") == 1  # the first rule committed, the second rolled back
    monkeypatch.setattr(lifecycle, "step_rule", real)
    run_check(nps_store, now=NOW)
    run_check(nps_store, now=NOW)
    alerts = rows(nps_store, "alerts")
    assert len({(a["rule_id"], a["fingerprint"]) for a in alerts}) == len(alerts)
    assert count(nps_store, "notifications") == 3
    with nps_store.engine.connect() as conn:
        per_alert = conn.execute(
            sa.select(s.alert_events.c.alert_id, sa.func.count())
            .where(s.alert_events.c.kind == "firing")
            .group_by(s.alert_events.c.alert_id)
        ).all()
    assert per_alert and all(n == 1 for _, n in per_alert)


def test_pending_then_firing_then_resolved(mapped_store):
    tps = touchpoint_ids(mapped_store)
    rng = np.random.default_rng(5)
    tp = tps["delivery"]
    months = [datetime(2026, m, 1, tzinfo=UTC) for m in range(1, 10)]
    plan = {
        1: (0.5, 0.2),
        2: (0.5, 0.2),
        3: (0.5, 0.2),
        4: (0.3, 0.4),
        5: (0.15, 0.6),
        6: (0.5, 0.2),
        7: (0.5, 0.2),
        8: (0.5, 0.2),
    }
    for m, (p, d) in plan.items():
        add_answers(mapped_store, tp, months[m - 1], 28, nps_scores(rng, 400, p, d), rng=rng)
    store_rules(
        mapped_store,
        """
alerts:
  rules:
    - {name: drop, kind: change, kpi: nps, by: [touchpoint], pending_periods: 2, keep_firing_periods: 2, notify: [n]}
""",
    )
    states = []
    for m in range(5, 10):  # judging April (vs March) … August (vs July)
        now = months[m - 1] + timedelta(days=3)
        run_check(mapped_store, now=now)
        run_check(mapped_store, now=now + timedelta(hours=1))  # the same window again: no change
        states.append(rows(mapped_store, "alerts")[0]["state"])
    # April: breach 1 (pending); May: breach 2 (firing); June: a rise, not a drop: clear 1
    # (still firing); July: clear 2 (resolved); August: stays resolved.
    assert states == ["pending", "firing", "firing", "resolved", "resolved"]
    kinds = [e["kind"] for e in rows(mapped_store, "alert_events")]
    assert kinds == ["pending", "firing", "resolved"]
    notes = rows(mapped_store, "notifications")
    assert [n["payload"]["items"][0]["state"] for n in notes] == ["firing", "resolved"]


def test_ack_snooze_and_resolve_by_hand(nps_store):
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], notify: [n]}
""",
    )
    run_check(nps_store, now=NOW)
    (alert,) = rows(nps_store, "alerts")
    with nps_store.engine.begin() as conn:
        assert lifecycle.acknowledge(conn, alert["id"], now=NOW)
        assert not lifecycle.acknowledge(conn, alert["id"], now=NOW)
        lifecycle.snooze(conn, alert["id"], NOW + timedelta(days=90), now=NOW)
        assert lifecycle.resolve(conn, alert["id"], now=NOW)
    alert = rows(nps_store, "alerts")[0]
    assert alert["state"] == "resolved" and alert["acknowledged_at"] is not None and alert["snoozed_until"] is not None
    assert [e["kind"] for e in rows(nps_store, "alert_events")] == ["firing", "acknowledged", "snoozed", "resolved"]
    # The same window breaches still: resolved by hand stays resolved until a new window.
    run_check(nps_store, now=NOW + timedelta(hours=2))
    assert rows(nps_store, "alerts")[0]["state"] == "resolved"
    # Next month the slice breaches again: it fires again, but snoozed it sends nothing.
    tps = touchpoint_ids(nps_store)
    add_answers(
        nps_store,
        tps["delivery"],
        datetime(2026, 7, 1, tzinfo=UTC),
        30,
        nps_scores(np.random.default_rng(1), 300, 0.2, 0.55),
    )
    run_check(nps_store, now=NOW + timedelta(days=31))
    assert rows(nps_store, "alerts")[0]["state"] == "firing"
    assert count(nps_store, "notifications") == 1


def test_open_case_without_cases_says_so(nps_store, monkeypatch):
    import builtins

    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], open_case: true}
""",
    )
    real_import = builtins.__import__

    def no_cases(name, globals=None, locals=None, fromlist=(), level=0):
        if name == "cases" and level == 1 or name.endswith("alerts.cases"):
            raise ImportError("no module named cxlens.alerts.cases")
        return real_import(name, globals, locals, fromlist, level)

    monkeypatch.setattr(builtins, "__import__", no_cases)
    with pytest.raises(Exception, match="opens a case when it fires"):
        run_check(nps_store, now=NOW)
    assert count(nps_store, "alerts") == 0


def test_open_case_calls_the_cases_module(nps_store, monkeypatch):
    import sys
    import types

    opened = []
    fake = types.ModuleType("cxlens.alerts.cases")
    fake.open_case = lambda conn, **kw: opened.append(kw) or len(opened)
    monkeypatch.setitem(sys.modules, "cxlens.alerts.cases", fake)
    import cxlens.alerts as package

    monkeypatch.setattr(package, "cases", fake, raising=False)
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], open_case: true, priority: high}
""",
    )
    result = run_check(nps_store, now=NOW)
    run_check(nps_store, now=NOW)
    assert len(opened) == 1 and result.cases == [1]
    kw = opened[0]
    assert kw["source"] == "alert" and kw["priority"] == "high" and kw["origin_key"].startswith("alert:")
    assert kw["touchpoint_id"] == touchpoint_ids(nps_store)["delivery"] and kw["alert_id"] == result.fired[0].alert_id


def test_dry_run_from_a_rules_file_writes_nothing(nps_store):
    from cxlens.alerts.rules import parse_alerts

    parsed = parse_alerts({"rules": [{"name": "x", "kind": "change", "kpi": "nps", "by": ["touchpoint"]}]})
    result = run_check(nps_store, now=NOW, rules=parsed)
    assert [f["slice"] for f in result.fired] == [{"touchpoint": "delivery"}]
    assert counts(nps_store) == {"alerts": 0, "alert_events": 0, "notifications": 0, "alert_checks": 0}


def test_cli_check_list_ack_snooze_resolve(nps_store, monkeypatch, tmp_path):
    from cxlens.cli.alerts import app

    monkeypatch.setenv("CXLENS_DATABASE_URL", nps_store.engine.url.render_as_string(hide_password=False))
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint]}
""",
    )
    runner = CliRunner()
    out = runner.invoke(app, ["check", "--now", NOW.isoformat()])
    assert out.exit_code == 0, out.output
    assert "fired: 1" in out.output and "touchpoint=delivery" in out.output and "n=300" in out.output
    assert "q=" in out.output and "p=" in out.output and "Benjamini" in out.output
    out = runner.invoke(app, ["list", "--state", "firing", "--json"])
    assert out.exit_code == 0 and '"state": "firing"' in out.output
    alert_id = rows(nps_store, "alerts")[0]["id"]
    assert "acknowledged" in runner.invoke(app, ["ack", str(alert_id)]).output
    assert "snoozed until" in runner.invoke(app, ["snooze", str(alert_id), "--for", "2h"]).output
    assert "resolved" in runner.invoke(app, ["resolve", str(alert_id)]).output
    listed = runner.invoke(app, ["list"]).output
    assert f"#{alert_id} resolved (acknowledged, snoozed)" in listed
    assert runner.invoke(app, ["snooze", str(alert_id), "--for", "soon"]).exit_code != 0
    rules_file = tmp_path / "rules.yaml"
    rules_file.write_text("alerts:\n  rules:\n    - {name: dry, kind: change, kpi: nps, by: [touchpoint]}\n")
    out = runner.invoke(app, ["check", "--now", NOW.isoformat(), "--rules", str(rules_file), "--json"])
    assert out.exit_code == 0, out.output
    assert '"check_id": null' in out.output and "delivery" in out.output


def test_tier_0_judges_as_the_store_does(nps_store, backend):
    if backend != "sqlite":
        pytest.skip("the DuckDB mirror copies the embedded SQLite store")
    from cxlens.alerts.rules import parse_alerts
    from cxlens.analytics.kpis import KPIs

    parsed = parse_alerts(
        {
            "rules": [
                {"name": "c", "kind": "change", "kpi": "nps", "by": ["touchpoint"]},
                {"name": "t", "kind": "below_target", "kpi": "nps", "by": ["touchpoint"], "significant_only": False},
                {"name": "v", "kind": "volume", "source": "responses", "by": ["touchpoint"]},
            ]
        }
    )
    on_store = run_check(nps_store, now=NOW, rules=parsed).findings
    on_mirror = run_check(nps_store, now=NOW, rules=parsed, kpis=KPIs(nps_store, tier="duckdb")).findings
    key = lambda f: (f["rule"], sorted(f["slice"].items()))
    assert sorted(on_store, key=key) == sorted(on_mirror, key=key)


def test_a_rule_that_cannot_be_measured_does_not_silence_the_others(nps_store, monkeypatch):
    from cxlens.alerts import measure

    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: broken, kind: change, kpi: csat, by: [touchpoint]}
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint]}
""",
    )
    real = measure.measure

    def failing(kpis, rule, now, targets=None):
        if rule.name == "broken":
            raise RuntimeError("table text_results is missing")
        return real(kpis, rule, now, targets)

    monkeypatch.setattr(measure, "measure", failing)
    result = run_check(nps_store, now=NOW)
    assert [t.slice for t in result.fired] == [{"touchpoint": "delivery"}]
    assert "RuntimeError: table text_results is missing" in result.errors["broken"]
    assert "broken: RuntimeError" in rows(nps_store, "alert_checks")[0]["error"]


def test_a_firing_alert_opens_one_case_through_the_cases_module(nps_store):
    store_rules(
        nps_store,
        """
alerts:
  rules:
    - {name: nps-drop, kind: change, kpi: nps, by: [touchpoint], open_case: true, priority: high}
""",
    )
    result = run_check(nps_store, now=NOW)
    run_check(nps_store, now=NOW + timedelta(minutes=15))
    (case,) = rows(nps_store, "cases")
    assert result.cases == [case["id"]]
    assert case["source"] == "alert" and case["priority"] == "high" and case["alert_id"] == result.fired[0].alert_id
    assert case["touchpoint_id"] == touchpoint_ids(nps_store)["delivery"] and case["origin_key"].startswith("alert:")
    assert "opened" in [e["kind"] for e in rows(nps_store, "case_events")]
