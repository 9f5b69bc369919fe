"""Predictions recomputed by the worker's tick: when none exist, after an import, and once
they are old; each stored model keeps its version, and a fresh one is left alone."""

from datetime import date, datetime, timedelta, timezone

import pyarrow as pa
import pytest
import sqlalchemy as sa

from cxlens.alerts.worker import tick
from cxlens.ingest.importer import import_table
from cxlens.predict.recompute import last_recompute, recompute_due
from cxlens.store import schema as s

NOW = datetime(2026, 6, 30, tzinfo=timezone.utc)


@pytest.fixture
def demo(mapped_store):
    from cxlens.demo import generate_demo

    generate_demo(mapped_store, customers=600, responses=4000, seed=3, end=date(2026, 6, 30))
    return mapped_store


def _models(store) -> dict[str, list[str]]:
    m = s.prediction_models
    found: dict[str, list[str]] = {}
    with store.engine.connect() as conn:
        for kind, version in conn.execute(sa.select(m.c.kind, m.c.version).order_by(m.c.id)):
            found.setdefault(kind, []).append(version)
    return found


def test_the_tick_recomputes_when_due_and_after_an_import(demo, monkeypatch):
    assert recompute_due(demo, NOW)
    report = tick(demo, now=NOW, evaluate=False, escalate=False, deliver=False, answers=False, predict=True)
    assert report.predictions is not None, report.errors
    assert not report.predictions.errors, report.predictions.errors
    assert set(report.predictions.versions) == {"clv", "churn", "rfm", "cluster"}
    models = _models(demo)
    assert {kind: versions[-1] for kind, versions in models.items()} == report.predictions.versions
    with demo.engine.connect() as conn:
        p = s.customer_predictions
        unversioned = conn.execute(sa.select(sa.func.count()).select_from(p).where(p.c.model_id.is_(None))).scalar()
        assert unversioned == 0  # every stored prediction names the model that made it
        assert conn.execute(sa.select(sa.func.count()).where(s.customers.c.rfm_segment.is_not(None))).scalar() > 0

    # Fresh: the next tick leaves them alone.
    done = last_recompute(demo)
    later = done + timedelta(minutes=5)
    assert not recompute_due(demo, later)
    assert (
        tick(demo, now=later, evaluate=False, escalate=False, deliver=False, answers=False, predict=True).predictions
        is None
    )

    # An import makes them due again; so does age.
    import_table(demo, "customers", pa.table({"external_id": ["new-1"], "segment": ["smb"]}))
    assert recompute_due(demo, later)
    monkeypatch.setenv("CXLENS_PREDICT_EVERY_HOURS", "1")
    with demo.engine.begin() as conn:
        conn.execute(s.import_runs.delete())
    assert not recompute_due(demo, done + timedelta(minutes=59))
    assert recompute_due(demo, done + timedelta(minutes=61))


def test_a_failing_model_does_not_stop_the_others(mapped_store):
    # Customers without any purchase: lifetime value and RFM cannot be fitted, churn risk can.
    from cxlens.demo import generate_demo

    generate_demo(mapped_store, customers=300, responses=1500, seed=4, end=date(2026, 6, 30))
    with mapped_store.engine.begin() as conn:
        conn.execute(s.revenue.delete())
    report = tick(mapped_store, now=NOW, evaluate=False, escalate=False, deliver=False, answers=False, predict=True)
    assert {e.split(":")[0] for e in report.predictions.errors} >= {"clv", "rfm"}
    assert "churn" in report.predictions.versions
    assert "predictions:" in report.summary()
