"""Predictions per customer and the models that made them.

Each fit of a prediction model (lifetime value, churn risk) is one ``prediction_models`` row:
its kind, version, when it was fitted, on how many customers, and its summary (parameters,
standard errors, backtest). Each customer keeps the latest prediction of each kind, with the
model that made it, so a page or the API reads it without fitting anything.
"""

from __future__ import annotations

import sqlalchemy as sa

from .columns import JSONValue, foreign_key, metadata, primary_id, timestamp

__all__ = ["customer_predictions", "prediction_models"]

prediction_models = sa.Table(
    "prediction_models",
    metadata,
    primary_id(),
    sa.Column("kind", sa.String(20), nullable=False),  # clv | churn
    sa.Column("version", sa.String(100), nullable=False),
    timestamp("fitted_at", nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("summary", JSONValue),
    sa.Index(None, "kind", "fitted_at"),
)

customer_predictions = sa.Table(
    "customer_predictions",
    metadata,
    primary_id(),
    foreign_key("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    sa.Column("kind", sa.String(20), nullable=False),
    foreign_key("model_id", "prediction_models", nullable=False, ondelete="CASCADE"),
    timestamp("computed_at", nullable=False),
    sa.Column("prediction", JSONValue, nullable=False),
    sa.UniqueConstraint("customer_id", "kind"),
)
