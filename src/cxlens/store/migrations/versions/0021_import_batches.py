"""import_runs.status, pid, host and import_batches: an import publishes in short batches
(releasing SQLite's write lock between them), and a run that died half-way can be undone

Revision ID: 0021
Revises: 0020
"""

from alembic import op
import sqlalchemy as sa

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): the runs written so far are done.
    op.add_column('import_runs', sa.Column('status', sa.String(20), nullable=False, server_default='done'))
    op.add_column('import_runs', sa.Column('pid', sa.Integer(), nullable=True))
    op.add_column('import_runs', sa.Column('host', sa.String(255), nullable=True))
    op.create_index('ix_import_runs_status', 'import_runs', ['status'])
    op.create_table(
        'import_batches',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('table_name', sa.String(64), nullable=False),
        sa.Column('after_id', sa.BigInteger(), nullable=False),
        sa.Column('last_id', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ['run_id'], ['import_runs.id'], name=op.f('fk_import_batches_run_id_import_runs'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches')),
    )


def downgrade() -> None:
    op.drop_table('import_batches')
    op.drop_index('ix_import_runs_status', table_name='import_runs')
    with op.batch_alter_table('import_runs', schema=None) as batch_op:
        batch_op.drop_column('host')
        batch_op.drop_column('pid')
        batch_op.drop_column('status')
