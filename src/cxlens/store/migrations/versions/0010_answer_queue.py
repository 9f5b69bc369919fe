"""answer queue: answers, mentions and tickets stored by the survey pages, widget and API wait
here for the answer rules, which then run just after the answer's transaction instead of in it

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa
import cxlens.store.schema

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answer_queue',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('queued_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_queue'))
    )


def downgrade() -> None:
    op.drop_table('answer_queue')
