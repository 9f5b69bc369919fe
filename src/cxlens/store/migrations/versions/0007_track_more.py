"""change triggers for the tables KPIs read since 0002: invitations (response rate) and text
analytics results and themes (sentiment, theme slices), so the DuckDB mirror copies their
updates by id rather than whole

Revision ID: 0007
Revises: 0006
"""

from alembic import op

import cxlens.store.schema

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

# Frozen at this revision, like 0002's list: a later migration that tracks more adds its own.
TRACKED = ("invitations", "text_themes", "text_results")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TRACKED:
            for statement in cxlens.store.schema.change_trigger_sql(table):
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TRACKED:
            op.execute(f"DROP TRIGGER IF EXISTS cx_changes_{table}_update")
            op.execute(f"DROP TRIGGER IF EXISTS cx_changes_{table}_delete")
