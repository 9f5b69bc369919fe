"""Trust and control: whom never to survey again after an erasure, the audit log of admin
actions and of access to personal data, and answers kept apart from the KPIs as suspicious."""

from __future__ import annotations

import sqlalchemy as sa

from .columns import JSONValue, foreign_key, metadata, primary_id, timestamp

__all__ = ["audit_log", "quarantined_answers", "suppressions"]

# An erased customer's e-mail address (or phone) survives only as a keyed hash, so that the
# same person coming back through an import or the events API is never invited again.
suppressions = sa.Table(
    "suppressions",
    metadata,
    primary_id(),
    sa.Column("kind", sa.String(10), nullable=False),  # email | phone
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("reason", sa.String(50), nullable=False),  # erased | cli
    timestamp("created_at", nullable=False),
    sa.UniqueConstraint("kind", "digest"),
)

# Who did what to whose data: user changes, exports, erasures, unlocks, releases.
audit_log = sa.Table(
    "audit_log",
    metadata,
    primary_id(),
    timestamp("at", nullable=False),
    sa.Column("actor", sa.String(320), nullable=False),  # a user's e-mail, "cli" or "api key NAME"
    sa.Column("action", sa.String(50), nullable=False),
    sa.Column("subject", sa.String(200)),  # e.g. "customer 42", "user 7"
    sa.Column("detail", JSONValue),
    sa.Index(None, "at"),
)

# Answers from the public ways in that look automated: kept with their reason, out of every KPI
# (which read responses only), until an admin releases them into responses.
quarantined_answers = sa.Table(
    "quarantined_answers",
    metadata,
    primary_id(),
    foreign_key("survey_id", "surveys", nullable=False, ondelete="CASCADE"),
    sa.Column("external_id", sa.String(200), nullable=False, unique=True),
    sa.Column("payload", JSONValue, nullable=False),  # score, answers, channel, language
    sa.Column("reason", sa.String(200), nullable=False),
    timestamp("created_at", nullable=False),
    timestamp("released_at"),
)
