"""text_topics: every taxonomy topic a text carries, with the topic model's confidence;
text_results.text_hash: which wording was analysed, so that an edited text is analysed again

Revision ID: 0013
Revises: 0012
"""

from alembic import op
import sqlalchemy as sa

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('text_topics',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('theme_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('confidence', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['theme_id'], ['text_themes.id'], name=op.f('fk_text_topics_theme_id_text_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_text_topics')),
    sa.UniqueConstraint('source', 'source_id', 'theme_id', name=op.f('uq_text_topics_source_source_id_theme_id'))
    )
    op.create_index(op.f('ix_text_topics_theme_id'), 'text_topics', ['theme_id'], unique=False)
    # Plain ADD COLUMN (no batch copy): text_results keeps its change-tracking triggers.
    op.add_column('text_results', sa.Column('text_hash', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('text_results', schema=None) as batch_op:
        batch_op.drop_column('text_hash')
    op.drop_index(op.f('ix_text_topics_theme_id'), table_name='text_topics')
    op.drop_table('text_topics')
