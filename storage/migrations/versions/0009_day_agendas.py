"""the message in each staff chat that shows the day's agenda, kept up to date

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 17:10:00
"""
import sqlalchemy as sa
from alembic import op


revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'day_agendas',
        sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('message_id', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('chat_id', 'day'),
    )


def downgrade() -> None:
    op.drop_table('day_agendas')
