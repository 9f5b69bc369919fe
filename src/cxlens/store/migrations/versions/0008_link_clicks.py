"""invitations: when the score was last clicked in the e-mail and when a form was last posted,
so that a mail security scanner fetching every score link can be told from a person

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa

import cxlens.store.schema

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): SQLite adds a nullable column in place, keeping the
    # change-tracking triggers of 0002/0007 on the table.
    op.add_column('invitations', sa.Column('clicked_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=True))
    op.add_column('invitations', sa.Column('posted_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_column('posted_at')
        batch_op.drop_column('clicked_at')
