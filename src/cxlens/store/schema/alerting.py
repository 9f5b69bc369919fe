"""Acting on what was measured: alert rules and their alerts, the check log, notifiers and their
outbox, and follow-up cases with their timeline.

Idempotency lives in unique keys, not in the code that writes: an alert is one row per rule and
slice (``fingerprint``), a notification one row per ``key`` (the alert's state change and the
notifier), a case opened by a rule one row per ``origin_key``. Killing a writer halfway and running
it again therefore finds the rows it already wrote instead of adding new ones.
"""

from __future__ import annotations

import sqlalchemy as sa

from .columns import JSONValue, foreign_key, metadata, primary_id, timestamp

__all__ = [
    "alert_checks",
    "answer_queue",
    "alert_events",
    "alert_rules",
    "alerts",
    "case_events",
    "cases",
    "deliveries",
    "notifications",
    "notifiers",
    "settings",
    "team_members",
]

# A rule as loaded from the journeys file's ``alerts:`` section or edited in the UI. ``kind`` is
# the condition (below_target, change, drift, volume, answer); ``definition`` holds the rest
# (filters, by, grain, min_n, the condition's parameters, notifiers, whether to open a case).
alert_rules = sa.Table(
    "alert_rules",
    metadata,
    primary_id(),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("kpi", sa.String(80)),
    sa.Column("definition", JSONValue, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("origin", sa.String(10), nullable=False, server_default="file"),  # file | ui
    timestamp("created_at"),
    timestamp("updated_at"),
)

# One row per rule and slice. state: pending | firing | resolved. Acknowledging and snoozing are
# marks on a firing alert, not states, so that a snoozed alert still resolves when the data do.
alerts = sa.Table(
    "alerts",
    metadata,
    primary_id(),
    foreign_key("rule_id", "alert_rules", nullable=False, ondelete="CASCADE"),
    sa.Column("fingerprint", sa.String(64), nullable=False),
    sa.Column("slice", JSONValue, nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("breaches", sa.Integer, nullable=False, server_default="0"),  # in a row
    sa.Column("clears", sa.Integer, nullable=False, server_default="0"),  # in a row
    timestamp("window_start"),
    timestamp("window_end"),
    sa.Column("evidence", JSONValue),
    sa.Column("link", sa.String(2000)),
    timestamp("first_seen_at", nullable=False),
    timestamp("fired_at"),
    timestamp("resolved_at"),
    timestamp("last_evaluated_at"),
    timestamp("acknowledged_at"),
    foreign_key("acknowledged_by", "users", ondelete="SET NULL"),
    timestamp("snoozed_until"),
    sa.UniqueConstraint("rule_id", "fingerprint"),
    sa.Index(None, "state"),
)

# Every change of an alert's state or marks, with the evidence at that moment.
alert_events = sa.Table(
    "alert_events",
    metadata,
    primary_id(),
    foreign_key("alert_id", "alerts", nullable=False, ondelete="CASCADE"),
    foreign_key("check_id", "alert_checks", ondelete="SET NULL"),
    timestamp("at", nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # pending | firing | resolved | acknowledged | snoozed | …
    foreign_key("actor_id", "users", ondelete="SET NULL"),
    sa.Column("evidence", JSONValue),
    sa.Index(None, "alert_id", "at"),
)

# The check log: one row per evaluation run, however it ended.
alert_checks = sa.Table(
    "alert_checks",
    metadata,
    primary_id(),
    timestamp("started_at", nullable=False),
    timestamp("finished_at"),
    sa.Column("trigger", sa.String(20), nullable=False),  # schedule | import | cli | web
    sa.Column("status", sa.String(10), nullable=False),  # running | ok | failed
    sa.Column("rules", sa.Integer, nullable=False, server_default="0"),
    sa.Column("slices", sa.Integer, nullable=False, server_default="0"),
    sa.Column("tests", sa.Integer, nullable=False, server_default="0"),
    sa.Column("fired", sa.Integer, nullable=False, server_default="0"),
    sa.Column("resolved", sa.Integer, nullable=False, server_default="0"),
    sa.Column("q", sa.Float),
    sa.Column("error", sa.Text),
)

# Notifiers as declared in the file; their secrets stay in environment variables, named here.
notifiers = sa.Table(
    "notifiers",
    metadata,
    primary_id(),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("kind", sa.String(20), nullable=False),  # webhook | slack | email
    sa.Column("config", JSONValue, nullable=False),
    timestamp("disabled_at"),
    sa.Column("disabled_reason", sa.Text),
)

# The outbox: what is to be sent, and whether it was. Delivery reads it; nothing else sends.
notifications = sa.Table(
    "notifications",
    metadata,
    primary_id(),
    sa.Column("key", sa.String(200), nullable=False, unique=True),
    sa.Column("notifier", sa.String(100), nullable=False),
    sa.Column("topic", sa.String(30), nullable=False),  # alert | case_assigned | case_overdue | answer
    sa.Column("payload", JSONValue, nullable=False),
    sa.Column("status", sa.String(10), nullable=False, server_default="pending"),  # pending | sent | failed
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    timestamp("next_attempt_at"),
    timestamp("created_at", nullable=False),
    timestamp("sent_at"),
    sa.Column("last_error", sa.Text),
    sa.Index(None, "status", "next_attempt_at"),
)

# Every delivery attempt, kept for admins to read.
deliveries = sa.Table(
    "deliveries",
    metadata,
    primary_id(),
    foreign_key("notification_id", "notifications", nullable=False, ondelete="CASCADE"),
    timestamp("at", nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("duration_ms", sa.Float),
    sa.Index(None, "notification_id"),
)

# A follow-up case. source: response | mention | ticket | alert | manual. origin_key makes a case
# opened by a rule unique per rule and item. status: open | in_progress | waiting_customer |
# resolved | closed; outcome: recovered | not_recovered | no_action_needed | false_alarm.
cases = sa.Table(
    "cases",
    metadata,
    primary_id(),
    sa.Column("source", sa.String(20), nullable=False, server_default="manual"),
    sa.Column("origin_key", sa.String(200), unique=True),
    foreign_key("response_id", "responses", ondelete="SET NULL"),
    foreign_key("mention_id", "mentions", ondelete="SET NULL"),
    foreign_key("ticket_id", "tickets", ondelete="SET NULL"),
    foreign_key("alert_id", "alerts", ondelete="SET NULL"),
    foreign_key("rule_id", "alert_rules", ondelete="SET NULL"),
    foreign_key("customer_id", "customers", ondelete="SET NULL"),
    foreign_key("touchpoint_id", "touchpoints", ondelete="SET NULL"),
    sa.Column("title", sa.String(300)),
    foreign_key("owner_id", "users", ondelete="SET NULL"),
    sa.Column("team", sa.String(100)),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    sa.Column("priority", sa.String(10), nullable=False, server_default="normal"),
    timestamp("due_at"),
    sa.Column("business_hours", sa.Boolean, nullable=False, server_default=sa.false()),
    timestamp("first_contacted_at"),
    timestamp("escalated_at"),
    foreign_key("escalated_to", "users", ondelete="SET NULL"),
    sa.Column("root_cause", sa.String(100)),
    sa.Column("resolution", sa.String(100)),
    sa.Column("outcome", sa.String(30)),
    sa.Column("notes", sa.Text),
    timestamp("created_at"),
    timestamp("updated_at"),
    timestamp("resolved_at"),
    timestamp("closed_at"),
    sa.Index(None, "status", "due_at"),
    sa.Index(None, "owner_id", "status"),
    sa.Index(None, "customer_id"),
)

# The append-only timeline of a case.
case_events = sa.Table(
    "case_events",
    metadata,
    primary_id(),
    foreign_key("case_id", "cases", nullable=False, ondelete="CASCADE"),
    timestamp("at", nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # opened | assigned | status | note | contacted | escalated | …
    foreign_key("actor_id", "users", ondelete="SET NULL"),
    sa.Column("data", JSONValue),
    sa.Column("note", sa.Text),
    sa.Index(None, "case_id", "at"),
)

# Who works in which team, for assignment (round robin within a team).
team_members = sa.Table(
    "team_members",
    metadata,
    primary_id(),
    sa.Column("team", sa.String(100), nullable=False),
    foreign_key("user_id", "users", nullable=False, ondelete="CASCADE"),
    sa.UniqueConstraint("team", "user_id"),
)

# Settings loaded from the journeys file that the app reads at run time (SLA policies, root-cause
# taxonomy, assignment and escalation, alerting's q), one JSON value per key.
settings = sa.Table(
    "settings",
    metadata,
    sa.Column("key", sa.String(100), primary_key=True),
    sa.Column("value", JSONValue, nullable=False),
    timestamp("updated_at"),
)

# Answers, mentions and tickets stored by the survey pages, widget and API, waiting for the
# answer rules. Queued in the transaction that stores the item, removed in the one that acts
# on it, so a crash in between leaves the item queued, never unchecked. No foreign key: an
# item deleted before its check is simply found missing.
answer_queue = sa.Table(
    "answer_queue",
    metadata,
    primary_id(),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    timestamp("queued_at", nullable=False),
)
