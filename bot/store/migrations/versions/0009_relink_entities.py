"""relink entities to their conversation: on SQLite, 0003's table copy (run with foreign keys on) set every
entity's conversation_id to NULL

Revision ID: 0009_relink_entities
Revises: 0008_invites_follow_up
Create Date: 2026-12-07 16:30:00

SQLite alters a table by copying it and dropping the old one; with foreign keys on, that drop is a DELETE
that sets every reference to NULL. Migrations now run with foreign keys off (bot/store/migrate.py), but a
database upgraded through 0003 before that lost the link from each entity to its conversation, so /forget
no longer found the entity to erase and a new handoff made a second entity. An entity's lead keeps the
sender in its dossier: each unlinked entity is linked again to that sender's conversation (when that
conversation has no entity of its own), and its funnel row gets the entity's territory. Assessments have
no sender to find them by; those without an entity stay unlinked (see the issue's report).
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0009_relink_entities'
down_revision = '0008_invites_follow_up'
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    meta = sa.MetaData()
    entity = sa.Table("entity", meta, autoload_with=conn)
    lead = sa.Table("lead", meta, autoload_with=conn)
    conversation = sa.Table("conversation", meta, autoload_with=conn)
    journey = sa.Table("funnel_journey", meta, autoload_with=conn)
    linked = {row[0] for row in conn.execute(sa.select(entity.c.conversation_id)
                                             .where(entity.c.conversation_id.is_not(None)))}
    unlinked = conn.execute(sa.select(entity.c.id, entity.c.territory).where(entity.c.conversation_id.is_(None))).all()
    for entity_id, territory in unlinked:
        senders = [_json(d).get("sender_id") for (d,) in conn.execute(
            sa.select(lead.c.dossier).where(lead.c.entity_id == entity_id).order_by(lead.c.id.desc()))]
        sender = next((s for s in senders if s), None)
        if not sender:
            continue
        conversation_id = conn.scalar(sa.select(conversation.c.id).where(conversation.c.sender_id == sender))
        if conversation_id is None or conversation_id in linked:
            continue
        conn.execute(entity.update().where(entity.c.id == entity_id).values(conversation_id=conversation_id))
        linked.add(conversation_id)
        if territory:
            conn.execute(journey.update().where(journey.c.conversation_id == conversation_id,
                                                journey.c.territory == "").values(territory=territory[:64]))


def downgrade() -> None:
    pass  # the links are right; nothing to undo


def _json(value) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return dict(value or {})
