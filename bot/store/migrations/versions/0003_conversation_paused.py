"""conversation.paused: pausing is a column the store owns, not a key of the tracker's saved JSON

Revision ID: 0003_conversation_paused
Revises: 0002_dashboard
Create Date: 2026-12-02 10:00:00

The flag is read from the JSON once, here: the conversations a facilitator holds stay paused, and the
key is taken out of their JSON so no stale copy of it outlives the column (the other rows' `false`
disappears at their next turn; the engine no longer writes it). The downgrade writes it back.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0003_conversation_paused'
down_revision = '0002_dashboard'
branch_labels = None
depends_on = None

conversation = sa.table('conversation', sa.column('id', sa.Integer()), sa.column('state', sa.JSON()),
                        sa.column('paused', sa.Boolean()))


def upgrade() -> None:
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused', sa.Boolean(), server_default=sa.false(), nullable=False))
    conn = op.get_bind()
    rows = conn.execute(sa.select(conversation.c.id, conversation.c.state)
                        .where(conversation.c.state['paused'].as_boolean() == sa.true())).all()
    for row_id, state in rows:
        state = {k: v for k, v in _json(state).items() if k != 'paused'}
        conn.execute(conversation.update().where(conversation.c.id == row_id).values(paused=True, state=state))


def downgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.select(conversation.c.id, conversation.c.state)
                        .where(conversation.c.paused == sa.true())).all()
    for row_id, state in rows:
        conn.execute(conversation.update().where(conversation.c.id == row_id)
                     .values(state={**_json(state), 'paused': True}))
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_column('paused')


def _json(value) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value or {})
