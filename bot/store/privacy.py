"""Erasure (/forget) and retention: what a person asked us to forget, and what has been kept too long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import String, cast, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store import funnel
from bot.store.db import mark_erased
from bot.store.models import Assessment, Conversation, Entity, Lead, LeadEvent, Outbox

OPEN_LEAD_STATUSES = ("new", "notified", "claimed", "contacted")


def _personal_strings(entity: Entity) -> list[str]:
    values = [entity.contact_name, entity.contact_email, entity.contact_phone, entity.name]
    return [v for v in values if v and len(v) >= 3]


async def forget_sender(*, session: AsyncSession, sender_id: str, actor: str = "entity") -> dict[str, int]:
    """Erase a sender's personal data: entity, answers, outbox texts; anonymise its leads.

    The conversation row stays (the caller wipes its state) so the person can start again.
    Nothing is committed here: the caller commits with the rest of its turn.
    """
    counts = {"entities": 0, "assessments": 0, "leads": 0, "outbox": 0}
    mark_erased(session)  # SQLite: the WAL is checkpointed once this commits (bot/store/db.py)
    conversation = await session.scalar(select(Conversation).where(Conversation.sender_id == sender_id))
    if conversation is None:
        return counts
    await funnel.forget(session=session, conversation_id=conversation.id)  # stays counted, unlinked
    entities = (await session.scalars(select(Entity).where(Entity.conversation_id == conversation.id))).all()
    entity_ids = [e.id for e in entities]
    needles = [sender_id, sender_id.split(":", 1)[-1]]
    for entity in entities:
        needles.extend(_personal_strings(entity))
        if entity.telegram_chat_id:
            needles.append(str(entity.telegram_chat_id))
    if entity_ids:
        leads = (await session.scalars(select(Lead).where(Lead.entity_id.in_(entity_ids)))).all()
        for lead in leads:
            lead.dossier = {"erased": True}
            lead.priority_reasons = []
            lead.entity_id = None
            session.add(LeadEvent(lead_id=lead.id, actor=actor, action="erased", note=None))
            await session.execute(update(LeadEvent).where(LeadEvent.lead_id == lead.id).values(note=None))
            counts["leads"] += 1
    result = await session.execute(delete(Assessment).where(or_(
        Assessment.conversation_id == conversation.id,
        Assessment.entity_id.in_(entity_ids) if entity_ids else False,
    )))
    counts["assessments"] = result.rowcount or 0
    for entity in entities:
        await session.delete(entity)
        counts["entities"] += 1
    needles = [n for n in dict.fromkeys(needles) if n and len(n) >= 3]
    if needles:
        payload_text = cast(Outbox.payload, String)
        result = await session.execute(delete(Outbox).where(or_(*[payload_text.contains(n) for n in needles])))
        counts["outbox"] = result.rowcount or 0
    await session.flush()
    return counts


async def purge_expired(*, session: AsyncSession, older_than_days: int, now: datetime | None = None) -> int:
    """Delete conversations idle for longer than the retention period, with their personal data.

    A conversation whose entity still has an open lead is kept: a facilitator is working on it.
    """
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    stale = (await session.scalars(select(Conversation).where(Conversation.updated_at < cutoff))).all()
    purged = 0
    for conversation in stale:
        open_lead = await session.scalar(
            select(Lead.id).join(Entity, Lead.entity_id == Entity.id)
            .where(Entity.conversation_id == conversation.id, Lead.status.in_(OPEN_LEAD_STATUSES)).limit(1))
        if open_lead is not None:
            continue
        await forget_sender(session=session, sender_id=conversation.sender_id, actor="retention")
        await session.delete(conversation)
        purged += 1
    await session.flush()
    return purged
