"""Predictions kept in the store: each fit as a ``prediction_models`` row, each customer's
latest prediction of each kind (lifetime value, churn risk) with the model that made it."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import datetime, timezone

import sqlalchemy as sa

from ..store import Store
from ..store import schema as s

__all__ = ["KINDS", "customer_exists", "latest_model", "latest_predictions", "save_predictions"]

KINDS = ("clv", "churn", "rfm", "cluster")
BATCH = 5000


def _clean(value):
    """JSON-safe: NaN and infinities (an interval without a bootstrap) become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if hasattr(value, "item"):  # NumPy scalars
        return _clean(value.item())
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def save_predictions(
    store: Store, kind: str, *, version: str, summary: dict, rows: Iterable[tuple[int, dict]], fitted_at=None
) -> int:
    """Store one model and, per (customer id, values), its prediction, replacing the
    customer's previous one of this kind, in one transaction. Returns the model's id."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    now = datetime.now(timezone.utc)
    rows = list(rows)
    summary = json.loads(json.dumps(_clean(summary), default=str))
    with store.engine.begin() as conn:
        model_id = conn.execute(
            s.prediction_models.insert()
            .values(kind=kind, version=version, fitted_at=fitted_at or now, n=len(rows), summary=summary)
            .returning(s.prediction_models.c.id)
        ).scalar_one()
        conn.execute(s.customer_predictions.delete().where(s.customer_predictions.c.kind == kind))
        for i in range(0, len(rows), BATCH):
            conn.execute(
                s.customer_predictions.insert(),
                [
                    {
                        "customer_id": int(cid),
                        "kind": kind,
                        "model_id": model_id,
                        "computed_at": now,
                        "prediction": _clean(v),
                    }
                    for cid, v in rows[i : i + BATCH]
                ],
            )
    return int(model_id)


def customer_exists(store: Store, customer_id: int) -> bool:
    """Whether the store holds a customer with this id (a prediction asked of another is a 404)."""
    with store.engine.connect() as conn:
        return conn.execute(sa.select(s.customers.c.id).where(s.customers.c.id == customer_id)).first() is not None


def latest_predictions(store: Store, customer_id: int) -> dict[str, dict]:
    """The customer's stored predictions by kind: values, model version, when computed, and
    the model's summary (its backtest, for churn)."""
    p, m = s.customer_predictions, s.prediction_models
    query = (
        sa.select(p.c.kind, p.c.prediction, p.c.computed_at, m.c.version, m.c.summary)
        .join(m, p.c.model_id == m.c.id)
        .where(p.c.customer_id == customer_id)
    )
    with store.engine.connect() as conn:
        return {
            r.kind: {
                "values": r.prediction,
                "computed_at": r.computed_at,
                "model": r.version,
                "model_summary": r.summary,
            }
            for r in conn.execute(query)
        }


def latest_model(store: Store, kind: str) -> dict | None:
    """The last stored model of ``kind``: version, when fitted, n and its summary (for churn,
    with its backtest), or None when none was stored."""
    m = s.prediction_models
    query = sa.select(m.c.version, m.c.fitted_at, m.c.n, m.c.summary).where(m.c.kind == kind)
    with store.engine.connect() as conn:
        row = conn.execute(query.order_by(m.c.id.desc()).limit(1)).first()
    return None if row is None else dict(row._mapping)
