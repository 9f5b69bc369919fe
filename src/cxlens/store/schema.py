"""The system of record: one SQLAlchemy Core table per entity of DESIGN.md §2.

Conventions that every writer relies on:

* every timestamp is UTC (:class:`UTCDateTime` hands back aware datetimes on SQLite too);
* rows that come from outside carry ``external_id`` (unique), which makes imports idempotent;
* indexes follow the KPI queries: by time, by touchpoint and time, by customer.

Changing a table means adding an Alembic migration (``store/migrations/versions``); a test
checks that the migrations and these tables agree.
"""

from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

__all__ = ["metadata", "UTCDateTime", "JSONValue", "TABLES"] + [
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
    "users",
    "cases",
    "alert_rules",
    "alerts",
    "api_keys",
    "import_runs",
    "opt_outs",
    "idempotency_keys",
    "schedules",
    "schedule_teams",
    "row_changes",
    "user_sessions",
    "login_attempts",
    "CHANGE_TRACKED",
    "change_trigger_sql",
    "text_models",
    "text_themes",
    "text_results",
]


class UTCDateTime(sa.types.TypeDecorator):
    """A UTC timestamp: ``timestamptz`` on PostgreSQL, ISO text on SQLite, aware in Python."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: cxlens stores UTC; attach a time zone")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # written by the bulk path, read raw
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


# JSONB on PostgreSQL (indexable, compact); JSON text elsewhere.
JSONValue = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> sa.Column:
    return sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)


def _fk(name: str, target: str, nullable: bool = True, ondelete: str | None = None) -> sa.Column:
    return sa.Column(
        name,
        sa.BigInteger().with_variant(sa.Integer, "sqlite"),
        sa.ForeignKey(f"{target}.id", ondelete=ondelete),
        nullable=nullable,
    )


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, UTCDateTime(), nullable=nullable)


def _ext() -> sa.Column:
    return sa.Column("external_id", sa.String(200), nullable=True, unique=True)


customers = sa.Table(
    "customers",
    metadata,
    _id(),
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
    _ts("signed_up_at"),
    _ts("churned_at"),
    sa.Column("churn_reason", sa.String(300)),
    sa.Column("acquisition_cost", sa.Float),
    sa.Index(None, "signed_up_at"),
    sa.Index(None, "churned_at"),
    sa.Index(None, "segment"),
)

journeys = sa.Table(
    "journeys",
    metadata,
    _id(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("goal", sa.Text),
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
)

stages = sa.Table(
    "stages",
    metadata,
    _id(),
    _fk("journey_id", "journeys", nullable=False, ondelete="CASCADE"),
    sa.Column("key", sa.String(100), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.UniqueConstraint("journey_id", "key"),
)

touchpoints = sa.Table(
    "touchpoints",
    metadata,
    _id(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    _fk("journey_id", "journeys", nullable=False, ondelete="CASCADE"),
    _fk("stage_id", "stages", nullable=False, ondelete="CASCADE"),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("channel", sa.String(50)),
    sa.Column("team", sa.String(100)),
    sa.Column("position", sa.Integer, nullable=False),
)

touchpoint_targets = sa.Table(
    "touchpoint_targets",
    metadata,
    _id(),
    _fk("touchpoint_id", "touchpoints", nullable=False, ondelete="CASCADE"),
    sa.Column("metric", sa.String(50), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),  # interaction | perception | outcome
    sa.Column("target", sa.Float, nullable=False),
    sa.UniqueConstraint("touchpoint_id", "metric"),
)

surveys = sa.Table(
    "surveys",
    metadata,
    _id(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("metric", sa.String(20), nullable=False),  # nps | csat | ces | text
    sa.Column("scale_min", sa.Integer),
    sa.Column("scale_max", sa.Integer),
    _fk("touchpoint_id", "touchpoints", ondelete="SET NULL"),
    # Questions, languages, trigger, channels, fatigue window, sampling: owned by collection.
    sa.Column("definition", JSONValue),
    _ts("created_at"),
)

events = sa.Table(
    "events",
    metadata,
    _id(),
    _ext(),
    _fk("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    _fk("touchpoint_id", "touchpoints", nullable=False, ondelete="CASCADE"),
    _ts("occurred_at", nullable=False),
    sa.Column("channel", sa.String(50)),
    sa.Column("properties", JSONValue),
    sa.Index(None, "touchpoint_id", "occurred_at"),
    sa.Index(None, "customer_id", "occurred_at"),
    sa.Index(None, "occurred_at"),
)

invitations = sa.Table(
    "invitations",
    metadata,
    _id(),
    _fk("survey_id", "surveys", nullable=False, ondelete="CASCADE"),
    _fk("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    _fk("event_id", "events", ondelete="SET NULL"),
    sa.Column("channel", sa.String(50), nullable=False),
    _ts("due_at", nullable=False),
    _ts("sent_at"),
    # pending | sent | skipped | answered | failed | expired
    sa.Column("status", sa.String(20), nullable=False, server_default="pending"),
    sa.Column("reason", sa.String(200)),  # why it was skipped or failed
    sa.Column("token_nonce", sa.String(64), unique=True),
    _ts("created_at"),
    # The last score click from the e-mail and the last form posted: several scores clicked
    # within a minute with no form between is a mail scanner, not a person (collect/invitations.py).
    _ts("clicked_at"),
    _ts("posted_at"),
    sa.Index(None, "status", "due_at"),
    sa.Index(None, "customer_id", "sent_at"),
    sa.Index(None, "survey_id", "sent_at"),
)

responses = sa.Table(
    "responses",
    metadata,
    _id(),
    _ext(),
    _fk("survey_id", "surveys", ondelete="SET NULL"),
    _fk("invitation_id", "invitations", ondelete="SET NULL"),
    _fk("customer_id", "customers", ondelete="SET NULL"),
    _fk("touchpoint_id", "touchpoints", ondelete="SET NULL"),
    sa.Column("channel", sa.String(50)),
    _ts("submitted_at", nullable=False),
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
    _id(),
    sa.Column("external_id", sa.String(200), nullable=False, unique=True),
    _fk("customer_id", "customers", ondelete="SET NULL"),
    _fk("touchpoint_id", "touchpoints", ondelete="SET NULL"),
    sa.Column("channel", sa.String(50)),
    sa.Column("team", sa.String(100)),
    sa.Column("agent", sa.String(200)),
    sa.Column("status", sa.String(20)),  # new | open | pending | hold | solved | closed
    sa.Column("priority", sa.String(20)),
    _ts("created_at", nullable=False),
    _ts("first_response_at"),
    _ts("solved_at"),
    _ts("updated_at"),
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
    _id(),
    _ext(),
    sa.Column("source", sa.String(100), nullable=False),  # e.g. trustpilot, app-store, x
    sa.Column("kind", sa.String(20)),  # review | social
    sa.Column("rating", sa.Float),
    sa.Column("rating_max", sa.Float),
    sa.Column("title", sa.Text),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("author", sa.String(300)),
    _ts("posted_at", nullable=False),
    sa.Column("url", sa.String(2000)),
    _fk("customer_id", "customers", ondelete="SET NULL"),
    sa.Column("language", sa.String(35)),
    sa.Index(None, "posted_at"),
    sa.Index(None, "source", "posted_at"),
)

feature_requests = sa.Table(
    "feature_requests",
    metadata,
    _id(),
    _ext(),
    sa.Column("text", sa.Text, nullable=False),
    _fk("customer_id", "customers", ondelete="SET NULL"),
    sa.Column("votes", sa.Integer, nullable=False, server_default="1"),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    _ts("created_at"),
    sa.Index(None, "created_at"),
)

revenue = sa.Table(
    "revenue",
    metadata,
    _id(),
    _ext(),
    _fk("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    _ts("occurred_at", nullable=False),
    # Float, not NUMERIC: KPIs sum it through Arrow, which NUMERIC averages break (DESIGN.md §4).
    sa.Column("amount", sa.Float, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Index(None, "customer_id", "occurred_at"),
    sa.Index(None, "occurred_at"),
)

users = sa.Table(
    "users",
    metadata,
    _id(),
    sa.Column("email", sa.String(320), nullable=False, unique=True),
    sa.Column("name", sa.String(200)),
    sa.Column("role", sa.String(20), nullable=False),  # admin | analyst | viewer
    sa.Column("password_hash", sa.String(300)),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    _ts("created_at"),
)

cases = sa.Table(
    "cases",
    metadata,
    _id(),
    _fk("response_id", "responses", ondelete="SET NULL"),
    _fk("mention_id", "mentions", ondelete="SET NULL"),
    _fk("customer_id", "customers", ondelete="SET NULL"),
    _fk("owner_id", "users", ondelete="SET NULL"),
    sa.Column("status", sa.String(20), nullable=False, server_default="open"),
    _ts("due_at"),
    sa.Column("notes", sa.Text),
    _ts("created_at"),
    _ts("closed_at"),
    sa.Index(None, "status", "due_at"),
)

alert_rules = sa.Table(
    "alert_rules",
    metadata,
    _id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("metric", sa.String(50), nullable=False),
    sa.Column("scope", JSONValue),  # slice filters, e.g. {"touchpoint": "support-chat"}
    sa.Column("condition", JSONValue, nullable=False),  # e.g. {"drop": "significant"}
    sa.Column("channel", sa.String(50), nullable=False),  # webhook | slack | email
    sa.Column("destination", sa.String(2000)),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    _ts("created_at"),
)

alerts = sa.Table(
    "alerts",
    metadata,
    _id(),
    _fk("rule_id", "alert_rules", nullable=False, ondelete="CASCADE"),
    _ts("window_start", nullable=False),
    _ts("window_end", nullable=False),
    _ts("fired_at", nullable=False),
    sa.Column("evidence", JSONValue),
    _ts("notified_at"),
    # One evaluation per rule and window: a re-run of the job cannot fire twice.
    sa.UniqueConstraint("rule_id", "window_start"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    _id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False, unique=True),  # shown, to tell keys apart
    sa.Column("key_hash", sa.String(128), nullable=False),  # the key itself is never stored
    sa.Column("scopes", JSONValue, nullable=False),
    _fk("user_id", "users", ondelete="SET NULL"),
    _ts("created_at"),
    _ts("last_used_at"),
    _ts("revoked_at"),
)

import_runs = sa.Table(
    "import_runs",
    metadata,
    _id(),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("inserted", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    _ts("started_at", nullable=False),
    _ts("finished_at", nullable=False),
)

# --- Feedback collection (issue 4; migration 0004) -----------------------------------------
# The invitations table above is the truth of what was sent; these tables record what
# collection must never forget: who asked not to be contacted, and which API requests were
# already answered.

# A trigger plans at most one invitation per survey and event, so an event posted twice (or a
# planner run twice) cannot invite twice. Rows without an event (sent by hand) are not limited.
sa.Index("uq_invitations_survey_id_event_id", invitations.c.survey_id, invitations.c.event_id, unique=True)

opt_outs = sa.Table(
    "opt_outs",
    metadata,
    _id(),
    _fk("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    # email | sms | all: an unsubscribe link opts out of its channel; "all" of every channel.
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("source", sa.String(50), nullable=False),  # unsubscribe-link | api | cli
    _ts("created_at", nullable=False),
    sa.UniqueConstraint("customer_id", "channel"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    _id(),
    _fk("api_key_id", "api_keys", nullable=False, ondelete="CASCADE"),
    sa.Column("key", sa.String(200), nullable=False),
    # A retry must send the same body; another body under the same key is a client bug (422).
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("body", JSONValue),
    _ts("created_at", nullable=False),
    sa.UniqueConstraint("api_key_id", "key"),
    sa.Index(None, "created_at"),
)

# --- Support schedules (issue 3, business hours; migration 0005) ----------------------------
# Tickets store business-hours durations computed at import from their team's schedule (or
# the default one), so these tables are read by imports, never by KPIs.

schedules = sa.Table(
    "schedules",
    metadata,
    _id(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(200)),
    sa.Column("timezone", sa.String(64), nullable=False),  # IANA name: hours are local wall time
    sa.Column("hours", JSONValue, nullable=False),  # {"mon": ["09:00-12:00", "13:00-17:00"], ...}
    sa.Column("holidays", JSONValue),  # ["2026-12-25", ...]: whole local days closed
    sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
    _ts("updated_at"),
)

# A team works on one schedule; teams without a row use the default schedule.
schedule_teams = sa.Table(
    "schedule_teams",
    metadata,
    _id(),
    sa.Column("team", sa.String(100), nullable=False, unique=True),
    _fk("schedule_id", "schedules", nullable=False, ondelete="CASCADE"),
)

# --- Change log for the DuckDB mirror (issue 3, tier 0; migration 0002) ---------------------
# On SQLite, triggers add one row here for every row updated or deleted in a table the mirror
# copies (CHANGE_TRACKED), whoever writes it: imports, the web app, a hand-written UPDATE. The
# mirror appends new rows by id and re-copies only the ids logged here. AUTOINCREMENT keeps ids
# growing after old rows are pruned, so a mirror can tell that it missed some. PostgreSQL has
# the table (one schema for both) but no triggers: its KPIs read PostgreSQL directly.

row_changes = sa.Table(
    "row_changes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("row_id", sa.BigInteger, nullable=False),
    _ts("changed_at", nullable=False),
    sqlite_autoincrement=True,
)

CHANGE_TRACKED = (
    "journeys", "stages", "touchpoints", "touchpoint_targets", "surveys",
    "customers", "tickets", "responses", "events", "revenue", "mentions",
    "invitations", "text_themes", "text_results",  # since 0007
)


def change_trigger_sql(table: str) -> list[str]:
    """SQLite DDL of the triggers that log ``table``'s updates and deletes into row_changes.

    A migration that rebuilds a tracked table (batch mode copies it) drops its triggers:
    such a migration must run these statements again afterwards."""
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"
    log = "INSERT INTO row_changes (table_name, row_id, changed_at) VALUES"
    return [
        f"CREATE TRIGGER IF NOT EXISTS cx_changes_{table}_update AFTER UPDATE ON {table} BEGIN "
        f"{log} ('{table}', OLD.id, {now}); "
        f"{log.replace('VALUES', 'SELECT')} '{table}', NEW.id, {now} WHERE NEW.id <> OLD.id; END",
        f"CREATE TRIGGER IF NOT EXISTS cx_changes_{table}_delete AFTER DELETE ON {table} BEGIN "
        f"{log} ('{table}', OLD.id, {now}); END",
    ]


# --- Dashboard access (issue 5; migration 0006) ---------------------------------------------
# Logins live on the server, so logging out (or disabling a user) ends a session at once. Only
# a hash of the session token is stored: a copy of the database cannot be used to log in.
# login_attempts is what rate-limits password guessing, across processes and restarts.

user_sessions = sa.Table(
    "user_sessions",
    metadata,
    _id(),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),  # SHA-256 of the cookie
    _fk("user_id", "users", nullable=False, ondelete="CASCADE"),
    sa.Column("csrf_token", sa.String(64), nullable=False),  # sent back by every form and HTMX request
    _ts("created_at", nullable=False),
    _ts("last_seen_at", nullable=False),
    _ts("expires_at", nullable=False),
)

login_attempts = sa.Table(
    "login_attempts",
    metadata,
    _id(),
    sa.Column("email", sa.String(320), nullable=False),  # as typed, lower-cased
    sa.Column("address", sa.String(64)),  # the client's IP address
    _ts("attempted_at", nullable=False),
    sa.Column("succeeded", sa.Boolean, nullable=False),
    sa.Index(None, "email", "attempted_at"),
    sa.Index(None, "address", "attempted_at"),
)


# --- Text analytics (issue 6; migration 0003) -----------------------------------------------
# What cxlens.text found in each text of the store: language, sentiment, theme, whether it asks
# for a feature. One row per text (source: response | ticket | mention | feature_request, and
# that row's id), with the text's time and customer copied in so that KPIs, trends and spikes
# slice by theme and sentiment without joining three fact tables. Fitted models (sentiment
# weights, theme vectors) are kept as bytes so that new texts are scored and assigned
# incrementally with the same model.

text_models = sa.Table(
    "text_models",
    metadata,
    _id(),
    sa.Column("kind", sa.String(20), nullable=False),  # sentiment | themes
    _ts("created_at", nullable=False),
    sa.Column("n_texts", sa.Integer, nullable=False),
    sa.Column("metrics", JSONValue),  # held-out evaluation, settings
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Index(None, "kind", "created_at"),
)

text_themes = sa.Table(
    "text_themes",
    metadata,
    _id(),
    _fk("model_id", "text_models", ondelete="SET NULL"),
    sa.Column("number", sa.Integer, nullable=False),  # the theme's row in its model
    sa.Column("label", sa.String(300), nullable=False),  # from the top terms
    sa.Column("name", sa.String(300)),  # a user's name for it: shown instead of the label
    sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),  # kept by a refit
    _fk("merged_into_id", "text_themes", ondelete="SET NULL"),
    sa.Column("terms", JSONValue),  # top terms with weights
    _ts("created_at", nullable=False),
)

text_results = sa.Table(
    "text_results",
    metadata,
    _id(),
    sa.Column("source", sa.String(20), nullable=False),  # response | ticket | mention | feature_request
    sa.Column("source_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), nullable=False),
    _ts("occurred_at"),
    _fk("customer_id", "customers", ondelete="SET NULL"),
    sa.Column("language", sa.String(35)),
    sa.Column("sentiment", sa.String(10)),  # negative | neutral | positive | mixed
    sa.Column("sentiment_score", sa.Float),  # -1 .. 1
    sa.Column("sentiment_method", sa.String(10)),  # model | vader
    _fk("theme_id", "text_themes", ondelete="SET NULL"),
    sa.Column("theme_score", sa.Float),  # similarity to the theme (0..1)
    sa.Column("feature_request", sa.Boolean, nullable=False, server_default=sa.false()),
    _ts("analyzed_at", nullable=False),
    sa.UniqueConstraint("source", "source_id"),
    sa.Index(None, "theme_id", "occurred_at"),
    sa.Index(None, "occurred_at"),
)


TABLES: dict[str, sa.Table] = dict(metadata.tables)
