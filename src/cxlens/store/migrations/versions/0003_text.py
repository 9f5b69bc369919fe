"""text analytics results (language, sentiment, themes)

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import cxlens.store.schema

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')
_TS = cxlens.store.schema.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('text_models',
    sa.Column('id', _ID, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('created_at', _TS, nullable=False),
    sa.Column('n_texts', sa.Integer(), nullable=False),
    sa.Column('metrics', _JSON, nullable=True),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_models'))
    )
    op.create_index(op.f('ix_text_models_kind_created_at'), 'text_models', ['kind', 'created_at'], unique=False)
    op.create_table('text_themes',
    sa.Column('id', _ID, nullable=False),
    sa.Column('model_id', _ID, nullable=True),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('pinned', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('merged_into_id', _ID, nullable=True),
    sa.Column('terms', _JSON, nullable=True),
    sa.Column('created_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['model_id'], ['text_models.id'], name=op.f('fk_text_themes_model_id_text_models'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['text_themes.id'], name=op.f('fk_text_themes_merged_into_id_text_themes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_themes'))
    )
    op.create_table('text_results',
    sa.Column('id', _ID, nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_id', _ID, nullable=False),
    sa.Column('occurred_at', _TS, nullable=True),
    sa.Column('customer_id', _ID, nullable=True),
    sa.Column('language', sa.String(length=35), nullable=True),
    sa.Column('sentiment', sa.String(length=10), nullable=True),
    sa.Column('sentiment_score', sa.Float(), nullable=True),
    sa.Column('sentiment_method', sa.String(length=10), nullable=True),
    sa.Column('theme_id', _ID, nullable=True),
    sa.Column('theme_score', sa.Float(), nullable=True),
    sa.Column('feature_request', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('analyzed_at', _TS, nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_text_results_customer_id_customers'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['theme_id'], ['text_themes.id'], name=op.f('fk_text_results_theme_id_text_themes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_results')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_text_results_source_source_id'))
    )
    op.create_index(op.f('ix_text_results_theme_id_occurred_at'), 'text_results', ['theme_id', 'occurred_at'], unique=False)
    op.create_index(op.f('ix_text_results_occurred_at'), 'text_results', ['occurred_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_text_results_occurred_at'), table_name='text_results')
    op.drop_index(op.f('ix_text_results_theme_id_occurred_at'), table_name='text_results')
    op.drop_table('text_results')
    op.drop_table('text_themes')
    op.drop_index(op.f('ix_text_models_kind_created_at'), table_name='text_models')
    op.drop_table('text_models')
