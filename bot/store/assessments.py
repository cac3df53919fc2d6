"""Storing a finished journey: the entity (no personal data) and its assessment, linked to the conversation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.columns import table
from bot.store.models import ENTITY_FIELDS, Assessment, Conversation, Entity

_CONVERSATION_OF = select(Conversation.__table__.c.id).where(
    Conversation.__table__.c.sender_id == bindparam("b_sender"))


async def conversation_id_for(*, session: AsyncSession, sender_id: str) -> int | None:
    conn = await session.connection()
    return (await conn.execute(_CONVERSATION_OF, {"b_sender": sender_id})).scalar()


# Pre-built Core statements on the tables, executed with plain parameter dicts: storing a journey is
# the slowest turn (the bench's p99), and building ORM statements was most of its cost.
_ENTITY = table(Entity)
_ASSESSMENT = table(Assessment)
_ENTITY_OF = select(_ENTITY.c.id).where(_ENTITY.c.conversation_id == bindparam("b_conversation"))
_UPDATE_ENTITY = update(_ENTITY).where(_ENTITY.c.id == bindparam("b_id"))
_INSERT_ENTITY = insert(_ENTITY).returning(_ENTITY.c.id)
_INSERT_ASSESSMENT = insert(_ASSESSMENT).returning(_ASSESSMENT.c.id)


async def upsert_entity(*, session: AsyncSession, conversation_id: int | None, fields: dict[str, Any]) -> int:
    """The id of the conversation's entity row, created or updated with the given (non-personal) fields."""
    values: dict[str, Any] = {name: str(value)[:size] for name, size in ENTITY_FIELDS.items()
                              if (value := fields.get(name)) not in (None, "", "skipped")}
    values["updated_at"] = datetime.now(UTC)
    conn = await session.connection()
    if conversation_id is not None:
        existing = (await conn.execute(_ENTITY_OF, {"b_conversation": conversation_id})).scalar()
        if existing is not None:
            await conn.execute(_UPDATE_ENTITY, {"b_id": existing, **values})
            return int(existing)
    inserted = await conn.execute(_INSERT_ENTITY, {"conversation_id": conversation_id,
                                                   "contact_telegram": False, **values})
    return int(inserted.scalar_one())


async def save_assessment(*, session: AsyncSession, sender_id: str, entity: dict[str, Any],
                          answers: dict[str, Any], motivation: str | None, confidence: float | None,
                          evidence: list[Any], readiness: dict[str, Any], readiness_overall: float | None,
                          flags: list[Any], disagreement: str | None, language: str,
                          content_version: str) -> int:
    """A new assessment row (one per finished journey), with the entity created or updated; its id."""
    conversation_id = await conversation_id_for(session=session, sender_id=sender_id)
    entity_id = await upsert_entity(session=session, conversation_id=conversation_id, fields=entity)
    conn = await session.connection()
    inserted = await conn.execute(_INSERT_ASSESSMENT, {
        "conversation_id": conversation_id, "entity_id": entity_id, "answers": answers, "motivation": motivation,
        "confidence": confidence, "evidence": evidence, "readiness": readiness,
        "readiness_overall": readiness_overall, "flags": flags, "disagreement": disagreement,
        "language": language, "content_version": content_version or "unknown"})
    return int(inserted.scalar_one())
