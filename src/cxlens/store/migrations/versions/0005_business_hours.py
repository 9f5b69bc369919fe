"""support schedules (business hours, holidays) for business-hours durations

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa
import cxlens.store.schema
from sqlalchemy.dialects import postgresql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade() -> None:
    op.create_table('schedules',
    sa.Column('id', _ID, nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('hours', _JSON, nullable=False),
    sa.Column('holidays', _JSON, nullable=True),
    sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('updated_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedules')),
    sa.UniqueConstraint('key', name=op.f('uq_schedules_key'))
    )
    op.create_table('schedule_teams',
    sa.Column('id', _ID, nullable=False),
    sa.Column('team', sa.String(length=100), nullable=False),
    sa.Column('schedule_id', _ID, nullable=False),
    sa.ForeignKeyConstraint(['schedule_id'], ['schedules.id'], name=op.f('fk_schedule_teams_schedule_id_schedules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_schedule_teams')),
    sa.UniqueConstraint('team', name=op.f('uq_schedule_teams_team'))
    )


def downgrade() -> None:
    op.drop_table('schedule_teams')
    op.drop_table('schedules')
