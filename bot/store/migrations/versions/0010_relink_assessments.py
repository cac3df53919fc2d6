"""relink assessments to their conversation, where the conversation still names them

Revision ID: 0010_relink_assessments
Revises: 0009_relink_entities
Create Date: 2026-12-07 16:35:00

The same SQLite upgrade through 0003 (see 0009) set every assessment's conversation_id to NULL, so /forget
no longer found the answers of a journey that did not end in a handoff. A conversation's saved state keeps
its latest assessment's id (the `assessment_id` slot): that one is linked again. Older assessments of a
journey done twice name no conversation and stay as they are.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0010_relink_assessments'
down_revision = '0009_relink_entities'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    meta = sa.MetaData()
    assessment = sa.Table("assessment", meta, autoload_with=conn)
    conversation = sa.Table("conversation", meta, autoload_with=conn)
    unlinked = {row[0] for row in conn.execute(sa.select(assessment.c.id)
                                               .where(assessment.c.conversation_id.is_(None)))}
    if not unlinked:
        return
    for conversation_id, state in conn.execute(sa.select(conversation.c.id, conversation.c.state)):
        slots = (_json(state).get("slots") or {}) if state else {}
        found = slots.get("assessment_id")
        if isinstance(found, int) and not isinstance(found, bool) and found in unlinked:
            conn.execute(assessment.update().where(assessment.c.id == found).values(conversation_id=conversation_id))
            unlinked.discard(found)


def downgrade() -> None:
    pass  # the links are right; nothing to undo


def _json(value) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value or {})
