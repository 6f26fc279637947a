"""a waitlist place told once that a seat went past it at its limit; the message of an offer

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 10:00:00
"""
import sqlalchemy as sa
from alembic import op

from storage.schema import UTCDateTime

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# Plain ALTER TABLE, not batch: SQLite (3.35 and later) adds and drops these columns in
# place, where a batch would copy the table, and dropping the old copy of `waitlist` or
# `offers` with foreign keys on would cascade to the offers and holds that point at it.


def upgrade() -> None:
    op.add_column('waitlist', sa.Column('told_limit_at', UTCDateTime(), nullable=True))
    op.add_column('offers', sa.Column('message_id', sa.BigInteger(), nullable=True))


def downgrade() -> None:
    op.drop_column('offers', 'message_id')
    op.drop_column('waitlist', 'told_limit_at')
