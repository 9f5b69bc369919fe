"""stages: whether a stage may be skipped (optional) and whether its touchpoints follow each
other (sequential) rather than being alternatives, for the funnel between stages

Revision ID: 0014
Revises: 0013
"""

from alembic import op
import sqlalchemy as sa

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): SQLite adds a column with a constant default in place,
    # keeping the change-tracking triggers of 0002 on the table.
    op.add_column('stages', sa.Column('optional', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('stages', sa.Column('sequential', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('stages', schema=None) as batch_op:
        batch_op.drop_column('sequential')
        batch_op.drop_column('optional')
