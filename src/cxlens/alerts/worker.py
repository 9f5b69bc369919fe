"""The alerting worker: scheduled evaluation, escalation of overdue cases, delivery of the outbox.

One :func:`tick` does what is due: the answers queued for the answer rules
(:mod:`cxlens.alerts.answer_queue`; the web app's checker thread usually took them already),
an evaluation run (``run_check(trigger="schedule")``) when the last scheduled one is
``every_minutes`` old (the journeys file's ``alerts.every_minutes``, default 15), the
escalation of overdue cases (at most once a minute), a delivery pass, and with ``predict`` the
recomputation of the predictions per customer when due (:mod:`cxlens.predict.recompute`).
Each step fails on its own: a broken rule does not stop the outbox.

Three ways to run it, all reading the tables (the truth), so any of them can stop, crash or run
twice at once without losing or doubling a message (:mod:`cxlens.alerts.delivery`):

* :func:`work` — a loop that ticks every few seconds until its stop event is set:
  ``cxlens alerts work`` in the foreground, or the web app in a background thread
  (:func:`start_background_worker`; ``CXLENS_ALERT_WORKER=0`` turns that off, e.g. when a
  separate worker process runs);
* Huey: ``huey_consumer cxlens.alerts.worker.huey`` runs :func:`alerts_tick` once a minute
  (Huey's finest periodic grain) next to the invitation sender, on the same queue
  (:mod:`cxlens.collect.jobs`); :func:`deliver_notifications` is a wake-up a writer may enqueue
  to have a message sent at once (these three names are made on first use, so they are not in
  ``__all__``: a star import must not create the queue file);
* :func:`tick` called by hand (tests, a notebook).

Two workers evaluating at the same moment both run a check: evaluation is idempotent per rule,
slice and window, so that costs time, not correctness.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from ..ingest.runs import undo_dead_runs
from ..store import Store, open_store
from ..store import schema as s
from .answer_queue import AnswerChecker, drain, start_answer_checker
from .delivery import DeliveryReport, deliver_pending
from .settings import read_setting

__all__ = [
    "DEFAULT_EVERY_MINUTES",
    "BackgroundWorker",
    "OwnEngine",
    "TickReport",
    "evaluation_due",
    "every_minutes",
    "start_background_worker",
    "tick",
    "work",
]

log = logging.getLogger("cxlens.alerts.worker")

DEFAULT_EVERY_MINUTES = 15
DELIVERY_SECONDS = 5.0
SLOW_STEPS_EVERY = timedelta(minutes=1)


@dataclass
class TickReport:
    """What one :func:`tick` did; ``errors`` holds one line per step that failed."""

    answers: list = field(default_factory=list)  # AnswerChecks of queued answers checked
    check: Any = None  # the CheckResult of a scheduled evaluation, if one ran
    escalated: Any = None  # what escalate_overdue returned, if it ran
    predictions: Any = None  # the RecomputeReport of a recomputation of predictions, if one ran
    undone: list = field(default_factory=list)  # ingest.UndoneRun of imports that died publishing
    delivery: DeliveryReport = field(default_factory=DeliveryReport)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = []
        if self.undone:
            parts.append(f"imports undone {len(self.undone)}")
        if self.answers:
            parts.append(f"answers checked {sum(a.items for a in self.answers)}")
        if self.check is not None:
            fired = getattr(self.check, "fired", None)
            parts.append(
                f"check {getattr(self.check, 'check_id', '?')}: {len(fired) if fired is not None else '?'} fired"
            )
        if self.escalated:
            parts.append(f"escalated {self.escalated if isinstance(self.escalated, int) else len(self.escalated)}")
        if self.delivery.attempts:
            parts.append(self.delivery.summary())
        if self.predictions is not None:
            parts.append(self.predictions.summary())
        parts += [f"error: {e}" for e in self.errors]
        return "; ".join(parts) or "nothing to do"


def every_minutes(conn: sa.Connection) -> int:
    """The evaluation interval the journeys file set (``alerts.every_minutes``), else 15."""
    value = read_setting(conn, "alerts.every_minutes")
    if value is None:
        section = read_setting(conn, "alerts")
        value = section.get("every_minutes") if isinstance(section, dict) else None
    try:
        minutes = int(value) if value is not None else DEFAULT_EVERY_MINUTES
    except (TypeError, ValueError):
        minutes = DEFAULT_EVERY_MINUTES
    return max(1, minutes)


def evaluation_due(store: Store, now: datetime | None = None) -> bool:
    """Whether the last scheduled evaluation started ``every_minutes`` or more before ``now``."""
    now = now or datetime.now(timezone.utc)
    c = s.alert_checks
    with store.engine.connect() as conn:
        last = conn.execute(sa.select(sa.func.max(c.c.started_at)).where(c.c.trigger == "schedule")).scalar()
        minutes = every_minutes(conn)
    if isinstance(last, str):  # SQLite's max() returns the stored text
        last = datetime.fromisoformat(last)
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    # A few seconds of slack, so a 15-minute cron tick is not skipped for a check that started late.
    return last is None or now - last >= timedelta(minutes=minutes) - timedelta(seconds=30)


class OwnEngine:
    """The worker's own KPI engine, made at its first evaluation and synced before each one:
    tier 0 (a DuckDB copy) for a SQLite store, whose own database is slow to aggregate at
    millions of answers; the store's database otherwise. Its own, because the web app's engine
    answers requests from other threads."""

    def __init__(self, store: Store):
        self.store = store
        self.kpis: Any = None

    def ready(self) -> Any:
        if self.kpis is None:
            from ..analytics.kpis import KPIs

            self.kpis = KPIs(self.store, tier="duckdb") if self.store.dialect == "sqlite" else KPIs(self.store)
        self.kpis.sync()
        return self.kpis


def _has_evaluated_rules(store: Store) -> bool:
    """Whether any enabled rule is one evaluation measures (answer rules judge each new item)."""
    r = s.alert_rules
    with store.engine.connect() as conn:
        found = conn.execute(sa.select(r.c.id).where(r.c.enabled.is_(sa.true()), r.c.kind != "answer").limit(1))
        return found.first() is not None


def _evaluate(store: Store, now: datetime, kpis: Any = None) -> Any:
    # Imported when needed: evaluation pulls in the analytics engine, which the delivery-only
    # paths (and the web app's start-up) should not pay for.
    from .evaluation import run_check

    if isinstance(kpis, OwnEngine):
        # Its DuckDB copy is made and synced only for rules that read KPIs: answer rules alone need none.
        kpis = kpis.ready() if _has_evaluated_rules(store) else None
    if kpis is not None:
        return run_check(store, trigger="schedule", now=now, kpis=kpis)
    return run_check(store, trigger="schedule", now=now)


def _escalate(store: Store, now: datetime) -> Any:
    from .assignment import escalate_overdue

    with store.begin() as conn:
        return escalate_overdue(conn, now)


def _absent(exc: ModuleNotFoundError) -> bool:
    """True when the step's own module is not installed (a build without cases, say): skipped."""
    return exc.name in ("cxlens.alerts.evaluation", "cxlens.alerts.assignment")


def tick(
    store: Store,
    *,
    now: datetime | None = None,
    evaluate: bool = True,
    escalate: bool = True,
    deliver: bool = True,
    answers: bool = True,
    kpis: Any = None,
    predict: bool = False,
) -> TickReport:
    """Do what is due now: evaluation (if its interval has passed), escalation, delivery and,
    with ``predict``, the predictions when due (off by default: a tick by hand stays quick).
    ``kpis``: the KPI engine evaluation uses (a long-running process passes its warm one)."""
    now = now or datetime.now(timezone.utc)
    report = TickReport()
    try:
        report.undone = undo_dead_runs(store)  # a killed import's published batches
    except Exception as exc:
        log.exception("undoing dead imports failed")
        report.errors.append(f"imports: {exc}")
    if answers:
        try:
            report.answers = drain(store)  # answers the survey pages queued for the answer rules
        except Exception as exc:
            log.exception("checking queued answers failed")
            report.errors.append(f"answers: {exc}")
    if evaluate:
        try:
            if evaluation_due(store, now):
                report.check = _evaluate(store, now, kpis)
        except ModuleNotFoundError as exc:
            if not _absent(exc):
                raise
        except Exception as exc:  # one failing step must not stop the others
            log.exception("scheduled evaluation failed")
            report.errors.append(f"evaluation: {exc}")
    if escalate:
        try:
            report.escalated = _escalate(store, now)
        except ModuleNotFoundError as exc:
            if not _absent(exc):
                raise
        except Exception as exc:
            log.exception("escalation failed")
            report.errors.append(f"escalation: {exc}")
    if deliver:
        try:
            report.delivery = deliver_pending(store, now=now)
        except Exception as exc:
            log.exception("delivery failed")
            report.errors.append(f"delivery: {exc}")
    if predict:
        try:
            report.predictions = _recompute(store, now)
        except Exception as exc:
            log.exception("recomputing predictions failed")
            report.errors.append(f"predictions: {exc}")
    return report


def _recompute(store: Store, now: datetime) -> Any:
    # Imported when needed: the models pull in SciPy, scikit-learn and lifelines.
    from ..predict.recompute import recompute, recompute_due

    return recompute(store, now=now) if recompute_due(store, now) else None


def work(
    store: Store,
    stop_event: threading.Event,
    *,
    every_seconds: float = DELIVERY_SECONDS,
    on_tick=None,
    kpis: Any = None,
    answers: bool = True,
) -> None:
    """Tick until ``stop_event`` is set: delivery every ``every_seconds``, escalation once a
    minute, evaluation on its schedule. ``on_tick(report)`` sees each tick's report.
    ``answers=False``: leave queued answers to a checker thread of this process. Predictions
    are recomputed when due, checked once a minute, unless ``CXLENS_PREDICT_SCHEDULE=0``."""
    from ..predict.recompute import scheduled

    # Evaluation's due-check and escalation run at most once a minute: a failing evaluation
    # (which may leave no check-log row) is then retried once a minute, not every few seconds.
    last_minute: datetime | None = None
    kpis = OwnEngine(store) if kpis is None else kpis
    predict = scheduled()
    while not stop_event.is_set():
        now = datetime.now(timezone.utc)
        minutely = last_minute is None or now - last_minute >= SLOW_STEPS_EVERY
        if minutely:
            last_minute = now
        report = tick(
            store,
            now=now,
            evaluate=minutely,
            escalate=minutely,
            answers=answers,
            kpis=kpis,
            predict=minutely and predict,
        )
        if on_tick is not None:
            on_tick(report)
        stop_event.wait(every_seconds)


@dataclass
class BackgroundWorker:
    """A :func:`work` loop in a daemon thread and the answer rules' checker in another;
    :meth:`stop` ends both after their current step."""

    thread: threading.Thread
    stop_event: threading.Event
    answers: AnswerChecker | None = None

    def stop(self, timeout: float = 30.0) -> None:
        self.stop_event.set()
        if self.answers is not None:
            self.answers.stop(timeout)
        self.thread.join(timeout)


def start_background_worker(
    store: Store, environ: dict[str, str] | None = None, *, every_seconds: float = DELIVERY_SECONDS, kpis: Any = None
) -> BackgroundWorker | None:
    """Start the worker loop and the answer rules' checker in threads (for the web app), unless
    ``CXLENS_ALERT_WORKER`` is 0/false/off/no; returns None then."""
    env = os.environ if environ is None else environ
    if env.get("CXLENS_ALERT_WORKER", "1").strip().lower() in ("0", "false", "off", "no"):
        return None
    stop_event = threading.Event()
    thread = threading.Thread(
        target=work,
        args=(store, stop_event),
        kwargs={"every_seconds": every_seconds, "kpis": kpis, "answers": False},  # the checker takes them
        name="cxlens-alert-worker",
        daemon=True,
    )
    thread.start()
    return BackgroundWorker(thread, stop_event, start_answer_checker(store))


# -- Huey -----------------------------------------------------------------------------------
# The tasks live on collection's queue (one consumer runs invitations and alerts), which creates
# its SQLite file when imported; so they are made on first use of ``huey``, ``alerts_tick`` or
# ``deliver_notifications`` (``huey_consumer cxlens.alerts.worker.huey`` does that), and
# importing this module for the loop alone (web app, CLI) creates no queue file.

_store: Store | None = None
_tasks: dict[str, Any] = {}


def _job_store() -> Store:
    global _store
    if _store is None:
        _store = open_store()
    return _store


def _make_tasks() -> dict[str, Any]:
    if not _tasks:
        from huey import crontab

        from ..collect.jobs import huey

        @huey.periodic_task(crontab(minute="*"), name="cxlens.alerts.worker.alerts_tick")
        def alerts_tick() -> str:
            """Every minute: evaluation if due, escalation, delivery, predictions if due."""
            from ..predict.recompute import scheduled

            return tick(_job_store(), predict=scheduled()).summary()

        @huey.task(name="cxlens.alerts.worker.deliver_notifications")
        def deliver_notifications() -> str:
            """Deliver what the outbox holds now (a wake-up; the table is the truth)."""
            return deliver_pending(_job_store()).summary()

        _tasks.update(huey=huey, alerts_tick=alerts_tick, deliver_notifications=deliver_notifications)
    return _tasks


def __getattr__(name: str) -> Any:
    if name in ("huey", "alerts_tick", "deliver_notifications"):
        return _make_tasks()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
