"""Storing a finished journey: the entity (no personal data) and its assessment, linked to the conversation."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import Assessment, Conversation, Entity

# Entity columns the journey fills; contact details are the handoff's, after consent.
ENTITY_FIELDS = {"name": 200, "field": 300, "territory": 64, "size_staff": 32, "size_volunteers": 32,
                 "budget_band": 32}


async def conversation_id_for(*, session: AsyncSession, sender_id: str) -> int | None:
    return await session.scalar(select(Conversation.id).where(Conversation.sender_id == sender_id))


async def upsert_entity(*, session: AsyncSession, conversation_id: int | None, fields: dict[str, Any]) -> Entity:
    """The conversation's entity row, created or updated with the given (non-personal) fields."""
    row = None
    if conversation_id is not None:
        row = await session.scalar(select(Entity).where(Entity.conversation_id == conversation_id))
    if row is None:
        row = Entity(conversation_id=conversation_id)
        session.add(row)
    for name, size in ENTITY_FIELDS.items():
        value = fields.get(name)
        if value not in (None, "", "skipped"):
            setattr(row, name, str(value)[:size])
    row.updated_at = datetime.now(UTC)
    await session.flush()
    return row


async def save_assessment(*, session: AsyncSession, sender_id: str, entity: dict[str, Any],
                          answers: dict[str, Any], motivation: str | None, confidence: float | None,
                          evidence: list[Any], readiness: dict[str, Any], readiness_overall: float | None,
                          flags: list[Any], disagreement: str | None, language: str,
                          content_version: str) -> Assessment:
    """A new assessment row (one per finished journey), with the entity created or updated."""
    conversation_id = await conversation_id_for(session=session, sender_id=sender_id)
    entity_row = await upsert_entity(session=session, conversation_id=conversation_id, fields=entity)
    row = Assessment(conversation_id=conversation_id, entity_id=entity_row.id, answers=answers,
                     motivation=motivation, confidence=confidence, evidence=evidence, readiness=readiness,
                     readiness_overall=readiness_overall, flags=flags, disagreement=disagreement,
                     language=language, content_version=content_version or "unknown")
    session.add(row)
    await session.flush()
    return row
