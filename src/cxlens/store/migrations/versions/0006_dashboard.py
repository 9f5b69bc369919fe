"""dashboard access: sessions and login throttling

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa
import cxlens.store.schema

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id', _ID, nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', _ID, nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_user_sessions_token_hash'))
    )
    op.create_table('login_attempts',
    sa.Column('id', _ID, nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('attempted_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.Column('succeeded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_attempts'))
    )
    op.create_index(op.f('ix_login_attempts_email_attempted_at'), 'login_attempts', ['email', 'attempted_at'], unique=False)
    op.create_index(op.f('ix_login_attempts_address_attempted_at'), 'login_attempts', ['address', 'attempted_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_login_attempts_address_attempted_at'), table_name='login_attempts')
    op.drop_index(op.f('ix_login_attempts_email_attempted_at'), table_name='login_attempts')
    op.drop_table('login_attempts')
    op.drop_table('user_sessions')
