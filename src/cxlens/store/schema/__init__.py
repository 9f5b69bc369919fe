"""The system of record: one SQLAlchemy Core table per entity of DESIGN.md §2, one module per
domain (core, access, alerting, operations, text) on the types of ``columns``.

Conventions that every writer relies on:

* every timestamp is UTC (:class:`UTCDateTime` hands back aware datetimes on SQLite too);
* rows that come from outside carry ``external_id`` (unique), which makes imports idempotent;
* indexes follow the KPI queries: by time, by touchpoint and time, by customer.

Changing a table means adding an Alembic migration (``store/migrations/versions``); a test
checks that the migrations and these tables agree.
"""

from __future__ import annotations

import sqlalchemy as sa

from .access import api_keys, login_attempts, user_sessions, users
from .alerting import (
    alert_checks,
    alert_events,
    alert_rules,
    alerts,
    answer_queue,
    case_events,
    cases,
    deliveries,
    notifications,
    notifiers,
    settings,
    team_members,
)
from .columns import JSONValue, UTCDateTime, external_id, foreign_key, metadata, primary_id, timestamp
from .core import (
    customers,
    events,
    feature_requests,
    invitations,
    journeys,
    mentions,
    responses,
    revenue,
    stages,
    surveys,
    tickets,
    touchpoint_targets,
    touchpoints,
)
from .operations import (
    CHANGE_TRACKED,
    change_trigger_sql,
    idempotency_keys,
    import_batches,
    import_runs,
    opt_outs,
    row_changes,
    schedule_teams,
    schedules,
)
from .predictions import customer_predictions, prediction_models
from .privacy import audit_log, quarantined_answers, suppressions
from .text import text_models, text_results, text_themes, text_topics

__all__ = [
    "alert_checks",
    "alert_events",
    "alert_rules",
    "alerts",
    "answer_queue",
    "api_keys",
    "audit_log",
    "case_events",
    "cases",
    "CHANGE_TRACKED",
    "customer_predictions",
    "change_trigger_sql",
    "customers",
    "deliveries",
    "events",
    "external_id",
    "feature_requests",
    "foreign_key",
    "idempotency_keys",
    "import_batches",
    "import_runs",
    "invitations",
    "journeys",
    "JSONValue",
    "login_attempts",
    "mentions",
    "metadata",
    "notifications",
    "notifiers",
    "opt_outs",
    "primary_id",
    "quarantined_answers",
    "responses",
    "revenue",
    "row_changes",
    "schedule_teams",
    "schedules",
    "settings",
    "stages",
    "suppressions",
    "surveys",
    "TABLES",
    "team_members",
    "prediction_models",
    "text_models",
    "text_results",
    "text_themes",
    "text_topics",
    "tickets",
    "timestamp",
    "touchpoint_targets",
    "touchpoints",
    "user_sessions",
    "users",
    "UTCDateTime",
]

TABLES: dict[str, sa.Table] = dict(metadata.tables)
