"""Text analytics: fitted models, themes and one result per analysed text."""

from __future__ import annotations

import sqlalchemy as sa

from .columns import JSONValue, foreign_key, metadata, primary_id, timestamp

__all__ = ["text_models", "text_themes", "text_results", "text_topics"]


# Text analytics.
# What cxlens.text found in each text of the store: language, sentiment, theme, whether it asks
# for a feature. One row per text (source: response | ticket | mention | feature_request, and
# that row's id), with the text's time and customer copied in so that KPIs, trends and spikes
# slice by theme and sentiment without joining three fact tables. Fitted models (sentiment
# weights, theme vectors) are kept as bytes so that new texts are scored and assigned
# incrementally with the same model.

text_models = sa.Table(
    "text_models",
    metadata,
    primary_id(),
    sa.Column("kind", sa.String(20), nullable=False),  # sentiment | themes
    timestamp("created_at", nullable=False),
    sa.Column("n_texts", sa.Integer, nullable=False),
    sa.Column("metrics", JSONValue),  # held-out evaluation, settings
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Index(None, "kind", "created_at"),
)

text_themes = sa.Table(
    "text_themes",
    metadata,
    primary_id(),
    foreign_key("model_id", "text_models", ondelete="SET NULL"),
    sa.Column("number", sa.Integer, nullable=False),  # the theme's row in its model
    sa.Column("label", sa.String(300), nullable=False),  # from the top terms
    sa.Column("name", sa.String(300)),  # a user's name for it: shown instead of the label
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),  # kept by a refit
    # An admin called it noise (since 0020): kept, so a refit does not bring it back, but listed nowhere.
    sa.Column("ignored", sa.Boolean, nullable=False, server_default=sa.false()),
    foreign_key("merged_into_id", "text_themes", ondelete="SET NULL"),
    sa.Column("terms", JSONValue),  # top terms with weights
    timestamp("created_at", nullable=False),
)

text_results = sa.Table(
    "text_results",
    metadata,
    primary_id(),
    sa.Column("source", sa.String(20), nullable=False),  # response | ticket | mention | feature_request
    sa.Column("source_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    timestamp("occurred_at"),
    foreign_key("customer_id", "customers", ondelete="SET NULL"),
    sa.Column("language", sa.String(35)),
    sa.Column("sentiment", sa.String(10)),  # negative | neutral | positive | mixed
    sa.Column("sentiment_score", sa.Float),  # -1 .. 1
    sa.Column("sentiment_method", sa.String(10)),  # model | words | vader | combined | rating
    foreign_key("theme_id", "text_themes", ondelete="SET NULL"),
    sa.Column("theme_score", sa.Float),  # similarity to the theme (0..1)
    sa.Column("feature_request", sa.Boolean, nullable=False, server_default=sa.false()),
    timestamp("analyzed_at", nullable=False),
    sa.Column("text_hash", sa.String(16)),  # of the wording analysed (since 0013): an edit is seen
    sa.UniqueConstraint("source", "source_id"),
    sa.Index(None, "theme_id", "occurred_at"),
    sa.Index(None, "occurred_at"),
)

# Every taxonomy topic a text carries (a text may carry several), with the model's confidence;
# text_results.theme_id holds the most confident one, or a discovered theme.
text_topics = sa.Table(
    "text_topics",
    metadata,
    primary_id(),
    sa.Column("source", sa.String(20), nullable=False),
    sa.Column("source_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    foreign_key("theme_id", "text_themes", nullable=False, ondelete="CASCADE"),
    sa.Column("confidence", sa.Float, nullable=False),
    sa.UniqueConstraint("source", "source_id", "theme_id"),
    sa.Index(None, "theme_id"),
)
