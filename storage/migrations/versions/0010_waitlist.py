"""the waitlist, the offers of freed seats, and holds of an offered seat

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 18:00:00
"""
import sqlalchemy as sa
from alembic import op

from storage.schema import UTCDateTime

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'waitlist',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('user_id', sa.BigInteger(), nullable=False),
        sa.Column('service_id', sa.String(length=32), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('day', sa.Date(), nullable=True),
        sa.Column('part', sa.String(length=16), nullable=False),
        sa.Column('until', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist')),
    )
    op.create_index(op.f('ix_waitlist_user_id'), 'waitlist', ['user_id'])
    op.create_index('ix_waitlist_service_status', 'waitlist',
                    ['service_id', 'status', 'created_at'])
    op.create_table(
        'offers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('entry_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.String(length=32), nullable=False),
        sa.Column('desk', sa.String(length=32), nullable=False),
        sa.Column('seat', sa.Integer(), nullable=False),
        sa.Column('start_at', UTCDateTime(), nullable=False),
        sa.Column('end_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('booking_id', sa.Integer(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('ended_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['entry_id'], ['waitlist.id'], ondelete='CASCADE',
                                name=op.f('fk_offers_entry_id_waitlist')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_offers')),
    )
    op.create_index(op.f('ix_offers_entry_id'), 'offers', ['entry_id'])
    op.create_index('ix_offers_desk_status', 'offers', ['desk', 'status', 'start_at'])
    with op.batch_alter_table('holds') as batch:
        batch.alter_column('booking_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('offer_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_holds_offer_id_offers'), 'offers', ['offer_id'],
                                 ['id'], ondelete='CASCADE')
        batch.create_index(op.f('ix_holds_offer_id'), ['offer_id'])


def downgrade() -> None:
    with op.batch_alter_table('holds') as batch:
        batch.drop_index(op.f('ix_holds_offer_id'))
        batch.drop_constraint(op.f('fk_holds_offer_id_offers'), type_='foreignkey')
        batch.drop_column('offer_id')
    op.execute('DELETE FROM holds WHERE booking_id IS NULL')
    with op.batch_alter_table('holds') as batch:
        batch.alter_column('booking_id', existing_type=sa.Integer(), nullable=False)
    op.drop_table('offers')
    op.drop_table('waitlist')
