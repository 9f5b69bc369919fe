"""Predictions recomputed on a schedule and after imports, each stored with its model version.

The alerting worker's tick (``cxlens alerts work``, the web app's background thread, or Huey's
minutely ``alerts_tick``) calls :func:`recompute_due` and, when due, :func:`recompute`. It is
due when nothing was computed yet, when the last run is ``CXLENS_PREDICT_EVERY_HOURS`` old
(default 24), or when an import finished after it: an import's new
purchases, answers or churns reach the predictions at the next tick, without making the
import itself wait for model fits. Each step (lifetime value, churn risk, RFM, clusters, the
latest persona definition) fails on its own: a store without revenue still gets churn risk.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s

__all__ = [
    "DEFAULT_EVERY_HOURS",
    "RecomputeReport",
    "last_recompute",
    "recompute",
    "recompute_due",
    "scheduled",
]

log = logging.getLogger("cxlens.predict.recompute")

DEFAULT_EVERY_HOURS = 24
# Scheduled runs keep their intervals cheap: 20 parametric refits (the CLI's default is 100).
BOOTSTRAP = 20


@dataclass
class RecomputeReport:
    """The model version each step stored ({kind: version}) and one line per failed step."""

    versions: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        done = ", ".join(f"{k} {v}" for k, v in self.versions.items())
        return "; ".join([f"predictions: {done}" if done else "predictions: none", *self.errors])


def _utc(value) -> datetime | None:
    if isinstance(value, str):  # SQLite's max() returns the stored text
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value


def last_recompute(store: Store) -> datetime | None:
    """When predictions were last stored (by the schedule or by hand: either is as fresh)."""
    p = s.customer_predictions
    with store.engine.connect() as conn:
        return _utc(conn.execute(sa.select(sa.func.max(p.c.computed_at))).scalar())


def every_hours(environ=None) -> float:
    """``CXLENS_PREDICT_EVERY_HOURS`` (at least a quarter of an hour), else 24."""
    import os

    value = (os.environ if environ is None else environ).get("CXLENS_PREDICT_EVERY_HOURS")
    try:
        return max(0.25, float(value)) if value is not None else DEFAULT_EVERY_HOURS
    except (TypeError, ValueError):
        return DEFAULT_EVERY_HOURS


def recompute_due(store: Store, now: datetime | None = None) -> bool:
    """Whether predictions are missing, ``every_hours`` old, or older than the last import."""
    now = now or datetime.now(timezone.utc)
    last = last_recompute(store)
    with store.engine.connect() as conn:
        has_customers = conn.execute(sa.select(s.customers.c.id).limit(1)).first() is not None
        imported = _utc(
            conn.execute(
                sa.select(sa.func.max(s.import_runs.c.finished_at)).where(s.import_runs.c.status == "done")
            ).scalar()
        )
    hours = every_hours()
    if not has_customers:
        return False
    if last is None:
        return True
    return now - last >= timedelta(hours=hours) or (imported is not None and imported > last)


def scheduled(environ=None) -> bool:
    """Whether the worker recomputes predictions: ``CXLENS_PREDICT_SCHEDULE`` is not 0/false/off/no."""
    import os

    env = os.environ if environ is None else environ
    return env.get("CXLENS_PREDICT_SCHEDULE", "1").strip().lower() not in ("0", "false", "off", "no")


def _latest_persona_definition(store: Store) -> dict | None:
    m = s.prediction_models
    with store.engine.connect() as conn:
        summary = conn.execute(
            sa.select(m.c.summary).where(m.c.kind == "persona").order_by(m.c.id.desc()).limit(1)
        ).scalar()
    return (summary or {}).get("source")


def recompute(store: Store, *, now: datetime | None = None, bootstrap: int = BOOTSTRAP) -> RecomputeReport:
    """Fit and store every prediction as of ``now``; each stored model keeps its version."""
    from datetime import timedelta as days

    from ..analytics.kpis import kpi
    from . import churn, personas, segments
    from .churn_backtest import backtest
    from .features import purchase_summary
    from .stored import save_predictions
    from .value import ValueSettings, fit_lifetime_value, predict_values

    now = now or datetime.now(timezone.utc)
    report = RecomputeReport()
    k = kpi(store)

    def step(kind, run):
        try:
            report.versions[kind] = run()
        except Exception as exc:  # one failing model must not stop the others
            log.warning("recomputing %s failed: %s", kind, exc)
            report.errors.append(f"{kind}: {exc}")

    def clv():
        summary = purchase_summary(k, until=now)
        model = fit_lifetime_value(summary, bootstrap=bootstrap)
        settings = ValueSettings()
        values = predict_values(model, summary, settings)
        fit = model.summary() | {"settings": settings.__dict__, "bootstrap": values.draws}
        rows = [(r["customer_id"], r) for r in values.rows()]
        save_predictions(store, "clv", version=model.version, summary=fit, rows=rows, fitted_at=now)
        return model.version

    def churn_risk():
        model = churn.fit_churn(k, at=now)
        model.backtest = backtest(k, cutoff=now - days(days=90), horizon=90)
        scored = churn.value_at_stake(k, churn.predict_churn(model, k, at=now), at=now)
        rows = list(scored.drop(columns=["model"]).to_dict(orient="index").items())
        save_predictions(store, "churn", version=model.version, summary=model.summary(), rows=rows, fitted_at=now)
        return model.version

    def rfm():
        segments.save_rfm(store, until=now)
        return segments.RFM_VERSION

    def clusters():
        found = segments.save_clusters(store, at=now)
        return f"kmeans/1+k{found.k}+seed0"

    step("clv", clv)
    step("churn", churn_risk)
    step("rfm", rfm)
    step("cluster", clusters)
    source = _latest_persona_definition(store)
    if source:

        def persona():
            definition = personas.parse_definition(source, "the stored persona definition")
            personas.apply_definition(store, definition, at=now)
            return definition.label

        step("persona", persona)
    return report
