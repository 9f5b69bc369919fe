"""text_themes.ignored: a discovered theme an admin marked as noise, left out of the lists

Revision ID: 0020
Revises: 0018
"""

from alembic import op
import sqlalchemy as sa

revision = '0020'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): SQLite adds a column with a constant default in place,
    # keeping the change-tracking triggers on the table.
    op.add_column('text_themes', sa.Column('ignored', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('text_themes', schema=None) as batch_op:
        batch_op.drop_column('ignored')
