"""the calendar's index covers what it reads: desk, start, end, seat, status

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 18:00:00
"""
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index('ix_bookings_desk_start', table_name='bookings')
    op.create_index('ix_bookings_desk_seats', 'bookings',
                    ['desk', 'start_at', 'end_at', 'seat', 'status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_bookings_desk_seats', table_name='bookings')
    op.create_index('ix_bookings_desk_start', 'bookings', ['desk', 'start_at'], unique=False)
