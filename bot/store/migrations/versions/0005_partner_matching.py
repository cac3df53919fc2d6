"""partner matching: match_profile (who opted in, with its partner profile) and introduction

Revision ID: 0005_partner_matching
Revises: 0004_send_budget
Create Date: 2026-12-07 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005_partner_matching'
down_revision = '0004_send_budget'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'match_profile',
        sa.Column('entity_id', sa.Integer(), sa.ForeignKey('entity.id', ondelete='CASCADE'), primary_key=True,
                  autoincrement=False),
        sa.Column('consent_version', sa.String(length=32), nullable=False),
        sa.Column('consent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('offers', sa.JSON(), nullable=False),
        sa.Column('seeks', sa.JSON(), nullable=False),
        sa.Column('groups_served', sa.JSON(), nullable=False),
        sa.Column('objective', sa.String(length=32), nullable=True),
        sa.Column('motivation', sa.String(length=16), nullable=True),
        sa.Column('readiness', sa.Float(), nullable=True),
        sa.Column('fear_power', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    )
    op.create_table(
        'introduction',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('a_entity_id', sa.Integer(), sa.ForeignKey('entity.id', ondelete='CASCADE'), nullable=False),
        sa.Column('b_entity_id', sa.Integer(), sa.ForeignKey('entity.id', ondelete='CASCADE'), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('a_answer', sa.String(length=16), nullable=True),
        sa.Column('b_answer', sa.String(length=16), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('aim', sa.String(length=32), nullable=True),
        sa.Column('proposed_by', sa.BigInteger(), nullable=True),
        sa.Column('proposed_at', sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index('ix_introduction_pair', 'introduction', ['a_entity_id', 'b_entity_id'])
    op.create_index('ix_introduction_status', 'introduction', ['status', 'proposed_at'])
    op.create_index('ix_introduction_b_entity_id', 'introduction', ['b_entity_id'])


def downgrade() -> None:
    op.drop_index('ix_introduction_b_entity_id', table_name='introduction')
    op.drop_index('ix_introduction_status', table_name='introduction')
    op.drop_index('ix_introduction_pair', table_name='introduction')
    op.drop_table('introduction')
    op.drop_table('match_profile')
