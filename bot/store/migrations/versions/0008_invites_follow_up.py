"""invite: one-time links that register a facilitator, trainer or coordinator from Telegram;
lead.follow_up_at: the day a facilitator wants to be reminded of a lead

Revision ID: 0008_invites_follow_up
Revises: 0007_funnel_journeys_alliances
Create Date: 2026-12-07 15:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_invites_follow_up'
down_revision = '0007_funnel_journeys_alliances'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('invite',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.BigInteger(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
              nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('token_hash')
    )
    op.add_column('lead', sa.Column('follow_up_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('lead', schema=None) as batch_op:
        batch_op.drop_column('follow_up_at')
    op.drop_table('invite')
