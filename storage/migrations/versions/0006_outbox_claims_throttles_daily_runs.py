"""outbox claims, chat throttles, daily runs, a partial index on what is pending

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 16:00:00
"""
from alembic import op
import sqlalchemy as sa

from storage.schema import UTCDateTime


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_until', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=64), nullable=True))
        batch_op.drop_index(batch_op.f('ix_outbox_due_at'))
        batch_op.create_index(batch_op.f('ix_outbox_claimed_at'), ['claimed_at'], unique=False)
        batch_op.create_index('ix_outbox_pending', ['due_at'], unique=False,
                              sqlite_where=sa.text("status = 'pending'"),
                              postgresql_where=sa.text("status = 'pending'"))
    op.create_table('chat_throttles',
                    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
                    sa.Column('until', UTCDateTime(), nullable=False),
                    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_chat_throttles')))
    op.create_table('daily_runs',
                    sa.Column('job', sa.String(length=32), nullable=False),
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('started_at', UTCDateTime(), nullable=False),
                    sa.Column('finished_at', UTCDateTime(), nullable=True),
                    sa.Column('instance', sa.String(length=64), nullable=False),
                    sa.PrimaryKeyConstraint('job', 'day', name=op.f('pk_daily_runs')))


def downgrade() -> None:
    op.drop_table('daily_runs')
    op.drop_table('chat_throttles')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_pending')
        batch_op.drop_index(batch_op.f('ix_outbox_claimed_at'))
        batch_op.create_index(batch_op.f('ix_outbox_due_at'), ['due_at'], unique=False)
        batch_op.drop_column('claimed_by')
        batch_op.drop_column('claimed_until')
        batch_op.drop_column('claimed_at')
