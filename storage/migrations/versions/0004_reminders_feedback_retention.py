"""reminders, feedback, retention

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 18:38:56.642676
"""
from alembic import op
import sqlalchemy as sa

from storage.schema import UTCDateTime


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('feedback',
                    sa.Column('booking_id', sa.Integer(), nullable=False),
                    sa.Column('rating', sa.Integer(), nullable=False),
                    sa.Column('comment', sa.Text(), nullable=False),
                    sa.Column('created_at', UTCDateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_feedback_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('booking_id', name=op.f('pk_feedback'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attendance_at', UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', UTCDateTime(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unreachable_at', UTCDateTime(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('unreachable_at')

    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('attendance_at')

    op.drop_table('feedback')
