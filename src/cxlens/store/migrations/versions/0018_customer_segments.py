"""customers: the latest behaviour segments written onto the customer (RFM segment and code,
k-means cluster) and the version of the persona definition that set ``persona``, so that the
KPIs slice by them with the customer join they already make

Revision ID: 0018
Revises: 0014
"""

from alembic import op
import sqlalchemy as sa

revision = '0018'
down_revision = '0014'
branch_labels = None
depends_on = None

COLUMNS = (
    ('rfm_segment', 100),
    ('rfm_code', 3),
    ('cluster', 100),
    ('persona_version', 100),
)


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): SQLite keeps the change-tracking triggers of 0002.
    for name, length in COLUMNS:
        op.add_column('customers', sa.Column(name, sa.String(length), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        for name, _ in reversed(COLUMNS):
            batch_op.drop_column(name)
