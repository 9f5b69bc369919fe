"""predictions: the fitted lifetime-value and churn models, and each customer's latest prediction

Revision ID: 0012
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa
import cxlens.store.schema
from sqlalchemy.dialects import postgresql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('prediction_models',
    sa.Column('id', ID, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('version', sa.String(length=100), nullable=False),
    sa.Column('fitted_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.Column('summary', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prediction_models'))
    )
    with op.batch_alter_table('prediction_models', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prediction_models_kind_fitted_at'), ['kind', 'fitted_at'], unique=False)
    op.create_table('customer_predictions',
    sa.Column('id', ID, nullable=False),
    sa.Column('customer_id', ID, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('model_id', ID, nullable=False),
    sa.Column('computed_at', cxlens.store.schema.UTCDateTime(timezone=True), nullable=False),
    sa.Column('prediction', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_predictions_customer_id_customers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['model_id'], ['prediction_models.id'], name=op.f('fk_customer_predictions_model_id_prediction_models'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_predictions')),
    sa.UniqueConstraint('customer_id', 'kind', name=op.f('uq_customer_predictions_customer_id_kind'))
    )


def downgrade() -> None:
    op.drop_table('customer_predictions')
    with op.batch_alter_table('prediction_models', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prediction_models_kind_fitted_at'))
    op.drop_table('prediction_models')
