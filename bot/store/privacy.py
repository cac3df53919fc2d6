"""Erasure (/forget) and retention: what a person asked us to forget, and what has been kept too long."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import String, cast, delete, false, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.shared.addresses import telegram_chat_id
from bot.store import funnel
from bot.store.db import changed, mark_erased
from bot.store.models import Assessment, Conversation, Entity, Lead, LeadEvent, Outbox
from bot.store.outbox import LeadRefresh, OutboxKind, add_outbox

OPEN_LEAD_STATUSES = ("new", "notified", "claimed", "contacted")


# A lead's rows that hold no words of the person and must stay: its card (edits read where it went) and the
# edits themselves (after erasure, they take the name off the card).
KEPT_LEAD_ROWS = (OutboxKind.LEAD_CARD, OutboxKind.LEAD_REFRESH)


def _owned(row: Outbox, sender_id: str, chat_id: int | None, lead_ids: set[int]) -> bool:
    """Whether an outbox row is this person's: addressed to them (a reply, a facilitator's words, a notice), or
    about their lead (their words relayed to a facilitator, a reminder). By the row's owner, never by the
    text: "Ana" is in "Joana" and in "setmana", other people's undelivered messages (issue 27)."""
    payload = row.payload or {}
    to = payload.get("to")
    if to is not None and (str(to) == sender_id or (chat_id is not None and telegram_chat_id(to) == chat_id)):
        return True
    if row.kind == OutboxKind.REPLY and chat_id is not None and payload.get("chat_id") == chat_id:
        return True
    lead_id = payload.get("lead_id")
    return isinstance(lead_id, int) and lead_id in lead_ids and row.kind not in KEPT_LEAD_ROWS


async def _erase_outbox(session: AsyncSession, sender_id: str, lead_ids: set[int]) -> int:
    chat_id = telegram_chat_id(sender_id)
    # a cheap first pass in SQL (the chat's number, the leads' ids appear in the payload), then the exact test
    marks = [sender_id] + ([str(chat_id)] if chat_id is not None else [])
    marks += [f'"lead_id":{i}' for i in lead_ids] + [f'"lead_id": {i}' for i in lead_ids]
    payload_text = cast(Outbox.payload, String)
    candidates = await session.scalars(select(Outbox).where(or_(*[payload_text.contains(m) for m in marks])))
    owned = [row.id for row in candidates if _owned(row, sender_id, chat_id, lead_ids)]
    for start in range(0, len(owned), 500):
        await session.execute(delete(Outbox).where(Outbox.id.in_(owned[start:start + 500])))
    return len(owned)


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
    lead_ids: set[int] = set()
    if entity_ids:
        leads = (await session.scalars(select(Lead).where(Lead.entity_id.in_(entity_ids)))).all()
        for lead in leads:
            lead_ids.add(lead.id)
            lead.dossier = {"erased": True}
            lead.priority_reasons = []
            lead.entity_id = None
            session.add(LeadEvent(lead_id=lead.id, actor=actor, action="erased", note=None))
            await session.execute(update(LeadEvent).where(LeadEvent.lead_id == lead.id).values(note=None))
            if lead.card_message_id is not None:  # the card in the facilitators' chats loses the name too
                await add_outbox(session=session, payload=LeadRefresh(lead_id=lead.id))
            counts["leads"] += 1
    result = await session.execute(delete(Assessment).where(or_(
        Assessment.conversation_id == conversation.id,
        Assessment.entity_id.in_(entity_ids) if entity_ids else false(),
    )))
    counts["assessments"] = changed(result)
    for entity in entities:
        await session.delete(entity)
        counts["entities"] += 1
    counts["outbox"] = await _erase_outbox(session, sender_id, lead_ids)
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
