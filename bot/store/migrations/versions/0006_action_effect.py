"""action_effect: each action's writes once per turn (issue 27, actions exactly once)

Revision ID: 0006_action_effect
Revises: 0005_partner_matching
Create Date: 2026-12-07 15:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0006_action_effect'
down_revision = '0005_partner_matching'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action_effect',
                    sa.Column('effect_key', sa.String(length=128), nullable=False),
                    sa.Column('action', sa.String(length=64), nullable=False),
                    sa.Column('result', sa.JSON(), nullable=False),
                    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                              nullable=False),
                    sa.PrimaryKeyConstraint('effect_key'))
    op.create_index(op.f('ix_action_effect_created_at'), 'action_effect', ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_action_effect_created_at'), table_name='action_effect')
    op.drop_table('action_effect')
