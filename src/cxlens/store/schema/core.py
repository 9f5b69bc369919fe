"""Journeys, touchpoints and targets, customers, and what customers said and did."""

from __future__ import annotations

import sqlalchemy as sa

from .columns import JSONValue, external_id, foreign_key, metadata, primary_id, timestamp

__all__ = [
    "customers",
    "journeys",
    "stages",
    "touchpoints",
    "touchpoint_targets",
    "surveys",
    "events",
    "invitations",
    "responses",
    "tickets",
    "mentions",
    "feature_requests",
    "revenue",
]


customers = sa.Table(
    "customers",
    metadata,
    primary_id(),
    sa.Column("external_id", sa.String(200), nullable=False, unique=True),
    sa.Column("name", sa.String(300)),
    sa.Column("email", sa.String(320)),
    sa.Column("phone", sa.String(50)),
    sa.Column("locale", sa.String(35)),
    sa.Column("timezone", sa.String(64)),
    sa.Column("segment", sa.String(100)),
    sa.Column("plan", sa.String(100)),
    sa.Column("persona", sa.String(100)),
    sa.Column("attributes", JSONValue),
    # The latest behaviour segments (``cxlens segments``), written here so that KPIs slice by
    # them through the customer join; ``persona_version``: the persona definition that set
    # ``persona`` (none: the import's value).
    sa.Column("rfm_segment", sa.String(100)),
    sa.Column("rfm_code", sa.String(3)),
    sa.Column("cluster", sa.String(100)),
    sa.Column("persona_version", sa.String(100)),
    timestamp("signed_up_at"),
    timestamp("churned_at"),
    sa.Column("churn_reason", sa.String(300)),
    sa.Column("acquisition_cost", sa.Float),
    sa.Index(None, "signed_up_at"),
    sa.Index(None, "churned_at"),
    sa.Index(None, "segment"),
)

journeys = sa.Table(
    "journeys",
    metadata,
    primary_id(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("goal", sa.Text),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
)

stages = sa.Table(
    "stages",
    metadata,
    primary_id(),
    foreign_key("journey_id", "journeys", nullable=False, ondelete="CASCADE"),
    sa.Column("key", sa.String(100), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    # A stage's touchpoints are alternatives unless sequential; an optional stage may be skipped.
    sa.Column("optional", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("sequential", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("journey_id", "key"),
)

touchpoints = sa.Table(
    "touchpoints",
    metadata,
    primary_id(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    foreign_key("journey_id", "journeys", nullable=False, ondelete="CASCADE"),
    foreign_key("stage_id", "stages", nullable=False, ondelete="CASCADE"),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("channel", sa.String(50)),
    sa.Column("team", sa.String(100)),
    sa.Column("position", sa.Integer, nullable=False),
)

touchpoint_targets = sa.Table(
    "touchpoint_targets",
    metadata,
    primary_id(),
    foreign_key("touchpoint_id", "touchpoints", nullable=False, ondelete="CASCADE"),
    sa.Column("metric", sa.String(50), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # interaction | perception | outcome
    sa.Column("target", sa.Float, nullable=False),
    sa.UniqueConstraint("touchpoint_id", "metric"),
)

surveys = sa.Table(
    "surveys",
    metadata,
    primary_id(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("metric", sa.String(20), nullable=False),  # nps | csat | ces | text
    sa.Column("scale_min", sa.Integer),
    sa.Column("scale_max", sa.Integer),
    foreign_key("touchpoint_id", "touchpoints", ondelete="SET NULL"),
    # Questions, languages, trigger, channels, fatigue window, sampling: owned by collection.
    sa.Column("definition", JSONValue),
    timestamp("created_at"),
)

events = sa.Table(
    "events",
    metadata,
    primary_id(),
    external_id(),
    foreign_key("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    foreign_key("touchpoint_id", "touchpoints", nullable=False, ondelete="CASCADE"),
    timestamp("occurred_at", nullable=False),
    sa.Column("channel", sa.String(50)),
    sa.Column("properties", JSONValue),
    sa.Index(None, "touchpoint_id", "occurred_at"),
    sa.Index(None, "customer_id", "occurred_at"),
    sa.Index(None, "occurred_at"),
)

invitations = sa.Table(
    "invitations",
    metadata,
    primary_id(),
    foreign_key("survey_id", "surveys", nullable=False, ondelete="CASCADE"),
    foreign_key("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    foreign_key("event_id", "events", ondelete="SET NULL"),
    sa.Column("channel", sa.String(50), nullable=False),
    timestamp("due_at", nullable=False),
    timestamp("sent_at"),
    # pending | sent | skipped | answered | failed | expired
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    sa.Column("reason", sa.String(200)),  # why it was skipped or failed
    sa.Column("token_nonce", sa.String(64), unique=True),
    timestamp("created_at"),
    # The last score click from the e-mail and the last form posted: several scores clicked
    # within a minute with no form between is a mail scanner, not a person (collect/invitations.py).
    timestamp("clicked_at"),
    timestamp("posted_at"),
    sa.Index(None, "status", "due_at"),
    sa.Index(None, "customer_id", "sent_at"),
    sa.Index(None, "survey_id", "sent_at"),
)

responses = sa.Table(
    "responses",
    metadata,
    primary_id(),
    external_id(),
    foreign_key("survey_id", "surveys", ondelete="SET NULL"),
    foreign_key("invitation_id", "invitations", ondelete="SET NULL"),
    foreign_key("customer_id", "customers", ondelete="SET NULL"),
    foreign_key("touchpoint_id", "touchpoints", ondelete="SET NULL"),
    sa.Column("channel", sa.String(50)),
    timestamp("submitted_at", nullable=False),
    sa.Column("metric", sa.String(20), nullable=False),  # nps | csat | ces | text
    sa.Column("score", sa.SmallInteger),  # null: the scored question was skipped
    # The scale the score was given on belongs to the answer: a survey may change scale later.
    sa.Column("scale_min", sa.SmallInteger),
    sa.Column("scale_max", sa.SmallInteger),
    sa.Column("comment", sa.Text),
    sa.Column("language", sa.String(35)),
    sa.Column("answers", JSONValue),  # other questions of the survey, by question key
    sa.UniqueConstraint("invitation_id"),
    sa.Index(None, "submitted_at"),
    sa.Index(None, "touchpoint_id", "submitted_at"),
    sa.Index(None, "survey_id", "submitted_at"),
    sa.Index(None, "customer_id"),
)

tickets = sa.Table(
    "tickets",
    metadata,
    primary_id(),
    sa.Column("external_id", sa.String(200), nullable=False, unique=True),
    foreign_key("customer_id", "customers", ondelete="SET NULL"),
    foreign_key("touchpoint_id", "touchpoints", ondelete="SET NULL"),
    sa.Column("channel", sa.String(50)),
    sa.Column("team", sa.String(100)),
    sa.Column("agent", sa.String(200)),
    sa.Column("status", sa.String(20)),  # new | open | pending | hold | solved | closed
    sa.Column("priority", sa.String(20)),
    timestamp("created_at", nullable=False),
    timestamp("first_response_at"),
    timestamp("solved_at"),
    timestamp("updated_at"),
    sa.Column("reopens", sa.Integer),
    sa.Column("replies", sa.Integer),
    sa.Column("handle_seconds", sa.Float),
    # Durations are stored when the ticket is written so that KPIs only count and sum.
    sa.Column("first_response_seconds", sa.Float),
    sa.Column("first_response_business_seconds", sa.Float),
    sa.Column("resolution_seconds", sa.Float),
    sa.Column("resolution_business_seconds", sa.Float),
    sa.Column("subject", sa.Text),
    sa.Column("text", sa.Text),
    sa.Column("tags", JSONValue),
    sa.Column("language", sa.String(35)),
    sa.Index(None, "created_at"),
    sa.Index(None, "touchpoint_id", "created_at"),
    sa.Index(None, "customer_id"),
    sa.Index(None, "team", "created_at"),
)

mentions = sa.Table(
    "mentions",
    metadata,
    primary_id(),
    external_id(),
    sa.Column("source", sa.String(100), nullable=False),  # e.g. trustpilot, app-store, x
    sa.Column("kind", sa.String(20)),  # review | social
    sa.Column("rating", sa.Float),
    sa.Column("rating_max", sa.Float),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.String(300)),
    timestamp("posted_at", nullable=False),
    sa.Column("url", sa.String(2000)),
    foreign_key("customer_id", "customers", ondelete="SET NULL"),
    sa.Column("language", sa.String(35)),
    sa.Index(None, "posted_at"),
    sa.Index(None, "source", "posted_at"),
)

feature_requests = sa.Table(
    "feature_requests",
    metadata,
    primary_id(),
    external_id(),
    sa.Column("text", sa.Text, nullable=False),
    foreign_key("customer_id", "customers", ondelete="SET NULL"),
    sa.Column("votes", sa.Integer, nullable=False, server_default="1"),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    timestamp("created_at"),
    sa.Index(None, "created_at"),
)

revenue = sa.Table(
    "revenue",
    metadata,
    primary_id(),
    external_id(),
    foreign_key("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    timestamp("occurred_at", nullable=False),
    # Float, not NUMERIC: KPIs sum it through Arrow, which NUMERIC averages break (DESIGN.md §4).
    sa.Column("amount", sa.Float, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Index(None, "customer_id", "occurred_at"),
    sa.Index(None, "occurred_at"),
)
