"""row changes for the DuckDB mirror: a change log, fed by triggers on SQLite

Revision ID: 0002
Revises: 0001

The mirror (analytics/mirror.py) appends new rows by id; updates and deletes reach it through
``row_changes``, which SQLite triggers fill whoever writes. PostgreSQL gets the table (one
schema for both databases) but no triggers: its KPIs read PostgreSQL itself.
"""

from alembic import op
import sqlalchemy as sa
import cxlens.store.schema

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

# The tables tracked at this revision (frozen: a later migration that tracks more adds its own).
TRACKED = (
    "journeys", "stages", "touchpoints", "touchpoint_targets", "surveys",
    "customers", "tickets", "responses", "events", "revenue", "mentions",
)


def upgrade() -> None:
    op.create_table('row_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('row_id', sa.BigInteger(), nullable=False),
    sa.Column('changed_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_row_changes')),
    sqlite_autoincrement=True,
    )
    if op.get_bind().dialect.name == "sqlite":
        for table in TRACKED:
            for statement in cxlens.store.schema.change_trigger_sql(table):
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for table in TRACKED:
            op.execute(f"DROP TRIGGER IF EXISTS cx_changes_{table}_update")
            op.execute(f"DROP TRIGGER IF EXISTS cx_changes_{table}_delete")
    op.drop_table('row_changes')
