"""staff notices, closures

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 18:30:07.700937
"""
from alembic import op
import sqlalchemy as sa

from storage.schema import UTCDateTime


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('closures',
                    sa.Column('day', sa.Date(), nullable=False),
                    sa.Column('scope_kind', sa.String(length=16), nullable=False),
                    sa.Column('scope_id', sa.String(length=32), nullable=False),
                    sa.Column('reason', sa.Text(), nullable=False),
                    sa.Column('created_by', sa.BigInteger(), nullable=False),
    sa.Column('created_at', UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'scope_kind', 'scope_id', name=op.f('pk_closures'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chat_id', sa.BigInteger(), nullable=True))
        batch_op.create_index('ix_outbox_chat_sent', ['chat_id', 'sent_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_chat_sent')
        batch_op.drop_column('chat_id')

    op.drop_table('closures')
