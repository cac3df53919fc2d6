"""send_budget: Telegram's sending budgets shared by the workers (bot/store/send_budget.py)

Revision ID: 0004_send_budget
Revises: 0003_conversation_paused
Create Date: 2026-12-07 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0004_send_budget'
down_revision = '0003_conversation_paused'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('send_budget',
                    sa.Column('key', sa.String(length=64), nullable=False),
                    sa.Column('tat', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('key'))


def downgrade() -> None:
    op.drop_table('send_budget')
