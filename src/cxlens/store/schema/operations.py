"""Bookkeeping of the store: import runs, collection's opt-outs and idempotency keys, support
schedules, and the change log the DuckDB mirror follows."""

from __future__ import annotations

import sqlalchemy as sa

from .columns import JSONValue, foreign_key, metadata, primary_id, timestamp
from .core import invitations

__all__ = [
    "import_batches",
    "import_runs",
    "opt_outs",
    "idempotency_keys",
    "schedules",
    "schedule_teams",
    "row_changes",
    "CHANGE_TRACKED",
    "change_trigger_sql",
]


import_runs = sa.Table(
    "import_runs",
    metadata,
    primary_id(),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("inserted", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("unchanged", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    timestamp("started_at", nullable=False),
    # While a run publishes (status "publishing"): the time its last batch committed.
    timestamp("finished_at", nullable=False),
    # done | publishing (its rows go in batch by batch) | undone (it died while publishing
    # and the rows it had published were removed). Runs written in one transaction are done.
    sa.Column("status", sa.String(20), nullable=False, server_default="done"),
    sa.Column("pid", sa.Integer),  # the process that publishes, to tell a dead run from a slow one
    sa.Column("host", sa.String(255)),
)
sa.Index("ix_import_runs_status", import_runs.c.status)  # the worker looks for publishing runs

# The id ranges a run published, one row per batch, written in that batch's transaction: a
# batch holds the write lock alone, so every row of its table in (first_id, last_id] is the
# run's. They undo a run that died half-way, and show the mirror which rows to hold back.
import_batches = sa.Table(
    "import_batches",
    metadata,
    primary_id(),
    foreign_key("run_id", "import_runs", nullable=False, ondelete="CASCADE"),
    sa.Column("table_name", sa.String(64), nullable=False),
    sa.Column("after_id", sa.BigInteger, nullable=False),  # the table's highest id before the batch
    sa.Column("last_id", sa.BigInteger, nullable=False),
)

# Feedback collection.
# The invitations table above is the truth of what was sent; these tables record what
# collection must never forget: who asked not to be contacted, and which API requests were
# already answered.

# A trigger plans at most one invitation per survey and event, so an event posted twice (or a
# planner run twice) cannot invite twice. Rows without an event (sent by hand) are not limited.
sa.Index("uq_invitations_survey_id_event_id", invitations.c.survey_id, invitations.c.event_id, unique=True)

opt_outs = sa.Table(
    "opt_outs",
    metadata,
    primary_id(),
    foreign_key("customer_id", "customers", nullable=False, ondelete="CASCADE"),
    # email | sms | all: an unsubscribe link opts out of its channel; "all" of every channel.
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("source", sa.String(50), nullable=False),  # unsubscribe-link | api | cli
    timestamp("created_at", nullable=False),
    sa.UniqueConstraint("customer_id", "channel"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    primary_id(),
    foreign_key("api_key_id", "api_keys", nullable=False, ondelete="CASCADE"),
    sa.Column("key", sa.String(200), nullable=False),
    # A retry must send the same body; another body under the same key is a client bug (422).
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False),
    sa.Column("body", JSONValue),
    timestamp("created_at", nullable=False),
    sa.UniqueConstraint("api_key_id", "key"),
    sa.Index(None, "created_at"),
)

# Support schedules.
# Tickets store business-hours durations computed at import from their team's schedule (or
# the default one), so these tables are read by imports, never by KPIs.

schedules = sa.Table(
    "schedules",
    metadata,
    primary_id(),
    sa.Column("key", sa.String(100), nullable=False, unique=True),
    sa.Column("name", sa.String(200)),
    sa.Column("timezone", sa.String(64), nullable=False),  # IANA name: hours are local wall time
    sa.Column("hours", JSONValue, nullable=False),  # {"mon": ["09:00-12:00", "13:00-17:00"], ...}
    sa.Column("holidays", JSONValue),  # ["2026-12-25", ...]: whole local days closed
    sa.Column("is_default", sa.Boolean, nullable=False, server_default=sa.false()),
    timestamp("updated_at"),
)

# A team works on one schedule; teams without a row use the default schedule.
schedule_teams = sa.Table(
    "schedule_teams",
    metadata,
    primary_id(),
    sa.Column("team", sa.String(100), nullable=False, unique=True),
    foreign_key("schedule_id", "schedules", nullable=False, ondelete="CASCADE"),
)

# Change log for the DuckDB mirror.
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
    timestamp("changed_at", nullable=False),
    sqlite_autoincrement=True,
)

CHANGE_TRACKED = (
    "journeys",
    "stages",
    "touchpoints",
    "touchpoint_targets",
    "surveys",
    "customers",
    "tickets",
    "responses",
    "events",
    "revenue",
    "mentions",
    "invitations",
    "text_themes",
    "text_results",  # since 0007
    "cases",
    "case_events",  # since 0009
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
