"""The worker: evaluation on its schedule, escalation, delivery; the loop, the Huey tasks, the CLI.

Evaluation and escalation belong to other modules (``alerts/evaluation.py``,
``alerts/assignment.py``); here stand-ins with their contract's signatures record the calls, and
write what the real ones write (a check-log row, an outbox row), so the schedule is tested on the
store and delivery reaches a real receiver."""

from __future__ import annotations

import json
import sys
import threading
import time
import types
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from test_notify_fixtures import SECRET, Receiver, attempts, declare, outbox, queue
from typer.testing import CliRunner

from cxlens.alerts import worker
from cxlens.alerts.settings import write_setting
from cxlens.cli.notifications import app
from cxlens.store import schema as s


@pytest.fixture
def hook(store, monkeypatch):
    with Receiver(secret=SECRET) as receiver:
        monkeypatch.setenv("OPS_HOOK_URL", receiver.url)
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
        yield receiver


@pytest.fixture
def stand_ins(monkeypatch):
    """Modules with the contract's run_check and escalate_overdue, recording their calls."""
    calls = {"run_check": [], "escalate_overdue": []}

    def run_check(store, *, trigger="cli", now=None, kpis=None):
        calls["run_check"].append((trigger, now))
        with store.begin() as conn:
            check_id = conn.execute(
                s.alert_checks.insert().values(started_at=now, finished_at=now, trigger=trigger, status="ok")
            ).inserted_primary_key[0]
        queue(store, f"check:{check_id}:ops-hook", "ops-hook", now=now)
        return types.SimpleNamespace(check_id=check_id, fired=[{"alert": 1}], resolved=[])

    def escalate_overdue(conn, now):
        calls["escalate_overdue"].append(now)
        return 0

    monkeypatch.setitem(sys.modules, "cxlens.alerts.evaluation", types.SimpleNamespace(run_check=run_check))
    monkeypatch.setitem(
        sys.modules, "cxlens.alerts.assignment", types.SimpleNamespace(escalate_overdue=escalate_overdue)
    )
    return calls


def test_tick_evaluates_on_schedule_escalates_and_delivers(store, hook, stand_ins):
    t0 = datetime.now(timezone.utc)
    report = worker.tick(store, now=t0)
    assert stand_ins["run_check"] == [("schedule", t0)]
    assert stand_ins["escalate_overdue"] == [t0]
    assert report.delivery.sent == 1 and len(hook.requests) == 1  # what the check queued went out
    assert report.summary().startswith("check 1: 1 fired; 1 sent")
    worker.tick(store, now=t0 + timedelta(minutes=1))
    worker.tick(store, now=t0 + timedelta(minutes=14))
    assert len(stand_ins["run_check"]) == 1  # not due before 15 minutes
    worker.tick(store, now=t0 + timedelta(minutes=15))
    assert len(stand_ins["run_check"]) == 2
    with store.begin() as conn:
        write_setting(conn, "alerts.every_minutes", 60)
    worker.tick(store, now=t0 + timedelta(minutes=45))
    assert len(stand_ins["run_check"]) == 2
    worker.tick(store, now=t0 + timedelta(minutes=75))
    assert len(stand_ins["run_check"]) == 3
    assert len(hook.requests) == 3


def test_the_interval_may_also_come_from_the_alerts_section(store):
    with store.begin() as conn:
        write_setting(conn, "alerts", {"q": 0.05, "every_minutes": 5})
        assert worker.every_minutes(conn) == 5
        write_setting(conn, "alerts.every_minutes", "nonsense")
        assert worker.every_minutes(conn) == worker.DEFAULT_EVERY_MINUTES


def test_a_failing_evaluation_does_not_stop_delivery(store, hook, monkeypatch):
    def broken(store, *, trigger="cli", now=None):
        raise RuntimeError("rule nps-drop: engine unavailable")

    monkeypatch.setitem(sys.modules, "cxlens.alerts.evaluation", types.SimpleNamespace(run_check=broken))
    queue(store, "waiting", "ops-hook")
    report = worker.tick(store)
    assert report.errors == ["evaluation: rule nps-drop: engine unavailable"]
    assert report.delivery.sent == 1


def test_missing_modules_are_skipped(store, hook, monkeypatch):
    monkeypatch.setitem(sys.modules, "cxlens.alerts.evaluation", None)  # import fails as if absent
    monkeypatch.setitem(sys.modules, "cxlens.alerts.assignment", None)
    queue(store, "alone", "ops-hook")
    report = worker.tick(store)
    assert report.delivery.sent == 1
    assert report.errors == [] and report.check is None and report.escalated is None


def test_the_loop_delivers_within_seconds_and_stops(store, hook, stand_ins):
    stop = threading.Event()
    seen = []
    thread = threading.Thread(
        target=worker.work, args=(store, stop), kwargs={"every_seconds": 0.1, "on_tick": seen.append}
    )
    thread.start()
    try:
        queue(store, "live", "ops-hook")
        deadline = time.monotonic() + 20
        while len(hook.requests) < 2 and time.monotonic() < deadline:  # the check's message and ours
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert len(hook.requests) == 2 and len(stand_ins["run_check"]) == 1
    assert len(stand_ins["escalate_overdue"]) == 1  # once a minute, not every tick
    assert len(seen) >= 1


def test_the_background_worker_can_be_turned_off(store, stand_ins):
    assert worker.start_background_worker(store, {"CXLENS_ALERT_WORKER": "0"}) is None
    running = worker.start_background_worker(store, {}, every_seconds=0.05)
    assert running is not None and running.thread.is_alive() and running.thread.daemon
    running.stop()
    assert not running.thread.is_alive()


def test_huey_tasks_run_the_tick_and_the_wake_up(store, store_url, hook, stand_ins, tmp_path, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    monkeypatch.setenv("CXLENS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CXLENS_JOBS_FILE", str(tmp_path / "jobs.db"))
    monkeypatch.setattr(worker, "_store", None)
    tasks = worker.huey  # made on first use, on collection's queue
    from cxlens.collect import jobs

    assert tasks is jobs.huey
    assert worker.alerts_tick.call_local().startswith("check 1: 1 fired; 1 sent")
    queue(store, "woken", "ops-hook")
    assert worker.deliver_notifications.call_local() == "1 sent, 0 to retry, 0 failed"
    assert len(hook.requests) == 2
    if worker._store is not None:
        worker._store.dispose()


def test_cli_deliver_and_notifiers(store, store_url, hook, monkeypatch):
    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    monkeypatch.setenv("COLUMNS", "200")
    runner = CliRunner()
    queue(store, "cli-1", "ops-hook")
    queue(store, "cli-2", "nobody")
    result = runner.invoke(app, ["deliver"])
    assert result.exit_code == 0, result.output
    assert "1 sent, 1 to retry, 0 failed" in result.output
    assert "no notifier named 'nobody'" in result.output
    result = runner.invoke(app, ["deliver", "--json"])
    assert json.loads(result.output) == {"sent": 0, "retrying": 0, "failed": 0, "attempts": []}
    result = runner.invoke(app, ["notifiers", "--attempts", "5"])
    assert result.exit_code == 0, result.output
    assert "ops-hook" in result.output and "$OPS_HOOK_URL" in result.output and "active" in result.output
    assert "nobody" in result.output and "unknown" in result.output
    data = json.loads(runner.invoke(app, ["notifiers", "--json", "--attempts", "5"]).output)
    hook_row = next(r for r in data["notifiers"] if r["name"] == "ops-hook")
    assert hook_row["sent"] == 1 and hook_row["last_ok"] is True and hook_row["last_status_code"] == 200
    assert len(data["attempts"]) == 2
    with store.begin() as conn:
        conn.execute(
            s.notifiers.update().values(disabled_at=sa.func.now(), disabled_reason="the receiver answered 410 Gone")
        )
    assert "disabled: the receiver answered 410 Gone" in runner.invoke(app, ["notifiers"]).output
    result = runner.invoke(app, ["notifiers", "--enable", "ops-hook"])
    assert "ops-hook: enabled again." in result.output
    result = runner.invoke(app, ["notifiers", "--enable", "nope"])
    assert result.exit_code != 0 and "no notifier named 'nope'" in str(result.exception)
    assert [r["status"] for r in outbox(store)] == ["sent", "pending"] and len(attempts(store)) == 2


def test_cli_work_runs_until_interrupted_and_finishes_what_it_sends(store, store_url, hook, stand_ins, monkeypatch):
    import os
    import signal

    monkeypatch.setenv("CXLENS_DATABASE_URL", store_url)
    queue(store, "before-stop", "ops-hook")

    def interrupt_soon():
        deadline = time.monotonic() + 20
        while len(hook.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=interrupt_soon, daemon=True).start()
    result = CliRunner().invoke(app, ["work", "--every", "0.5"])
    assert result.exit_code == 0, result.output
    assert "Stopping after the current message" in result.output and result.output.rstrip().endswith("Stopped.")
    assert "check 1: 1 fired; 2 sent" in result.output
    assert all(r["status"] == "sent" for r in outbox(store))
