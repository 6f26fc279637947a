"""chat state in our own table (with the updates seen), confirmed drafts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:00:00
"""
import json
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa

from storage.schema import UTCDateTime


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    chats = op.create_table('chats',
                            sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
                            sa.Column('step', sa.String(length=32), nullable=True),
                            sa.Column('draft', sa.JSON(), nullable=True),
                            sa.Column('revision', sa.Integer(), nullable=False),
                            sa.Column('message_id', sa.BigInteger(), nullable=False),
                            sa.Column('pending', sa.JSON(), nullable=True),
                            sa.Column('seen', sa.JSON(), nullable=True),
                            sa.Column('updated_at', UTCDateTime(), nullable=False),
                            sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_chats')))
    op.create_table('confirmed_drafts',
                    sa.Column('draft_id', sa.String(length=32), nullable=False),
                    sa.Column('booking_id', sa.Integer(), nullable=False),
                    sa.Column('at', UTCDateTime(), nullable=False),
                    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_confirmed_drafts_booking_id_bookings'), ondelete='CASCADE'),
                    sa.PrimaryKeyConstraint('draft_id', name=op.f('pk_confirmed_drafts')))
    op.create_index(op.f('ix_confirmed_drafts_booking_id'), 'confirmed_drafts', ['booking_id'], unique=False)
    op.create_index('ix_bookings_desk_start', 'bookings', ['desk', 'start_at'], unique=False)
    _move_conversations(chats)
    op.drop_table('bot_state')


def _move_conversations(chats: sa.Table) -> None:
    """Citizens half way through a booking keep their place: PTB's persisted conversation
    states and drafts become rows of `chats` (private chats: the chat is the user)."""
    bind = op.get_bind()
    state = sa.table('bot_state', sa.column('kind'), sa.column('key'), sa.column('data', sa.JSON))
    steps, drafts = {}, {}
    for kind, key, data in bind.execute(sa.select(state.c.kind, state.c.key, state.c.data)):
        if kind == 'conversation:booking':
            chat, _user = json.loads(key)
            steps[int(chat)] = data
        elif kind == 'user_data' and isinstance(data, dict) and isinstance(data.get('draft'), dict):
            drafts[int(key)] = data['draft']
    now = datetime.now(UTC)
    rows = [{'chat_id': chat, 'step': step if isinstance(step, str) else None,
             'draft': drafts.get(chat), 'revision': 0,
             'message_id': int((drafts.get(chat) or {}).get('message_id') or 0),
             'pending': None, 'seen': None, 'updated_at': now}
            for chat, step in steps.items()]
    if rows:
        op.bulk_insert(chats, rows)


def downgrade() -> None:
    op.create_table('bot_state',
                    sa.Column('kind', sa.String(length=64), nullable=False),
                    sa.Column('key', sa.String(length=128), nullable=False),
                    sa.Column('data', sa.JSON(), nullable=False),
                    sa.PrimaryKeyConstraint('kind', 'key', name=op.f('pk_bot_state')))
    op.drop_index('ix_bookings_desk_start', table_name='bookings')
    op.drop_index(op.f('ix_confirmed_drafts_booking_id'), table_name='confirmed_drafts')
    op.drop_table('confirmed_drafts')
    op.drop_table('chats')
