"""Changing leads and their history: the contract between the assistant and the people.

What a lead is and the rules read off one (statuses, urgency, overdue, who may see it) are in
`lead_rules.py`, reading leads in `lead_queries.py`, what coordinators do in `lead_admin.py`;
facilitators in `facilitators.py`, outbox rows in `outbox.py`, the conversation's lock and pause in
`conversations.py`, the clock in `clock.py`. Their names are imported here too, for the callers that use
this module as the handoff's store (`from bot.store import leads as store`).

Every function takes keyword-only arguments and a session, flushes but never commits: the caller
owns the transaction (`async with sessionmaker() as s, s.begin(): ...`), so a lead, its history
and its outbox rows are written together or not at all. Status changes are conditional UPDATEs,
so when two facilitators press Claim together exactly one row changes and one of them wins.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store import alliances, funnel, staff
from bot.store.clock import aware as aware
from bot.store.clock import now_utc as now_utc
from bot.store.conversations import is_paused, lock_conversation, set_conversation_paused
from bot.store.db import changed
from bot.store.facilitators import add_facilitator as add_facilitator
from bot.store.facilitators import get_facilitator as get_facilitator
from bot.store.facilitators import list_facilitators as list_facilitators
from bot.store.lead_queries import count_overdue as count_overdue
from bot.store.lead_queries import entity_for_sender as entity_for_sender
from bot.store.lead_queries import filter_leads as filter_leads
from bot.store.lead_queries import get_lead as get_lead
from bot.store.lead_queries import held_lead_for_sender as held_lead_for_sender
from bot.store.lead_queries import lead_stats as lead_stats
from bot.store.lead_queries import list_leads as list_leads
from bot.store.lead_queries import open_lead_for_entity
from bot.store.lead_queries import open_lead_for_sender as open_lead_for_sender
from bot.store.lead_queries import show_lead as show_lead
from bot.store.lead_rules import CONTACT_FIELDS
from bot.store.lead_rules import HELD as HELD
from bot.store.lead_rules import OPEN as OPEN
from bot.store.lead_rules import OUTCOMES as OUTCOMES
from bot.store.lead_rules import UNCLAIMED as UNCLAIMED
from bot.store.lead_rules import LeadResult as LeadResult
from bot.store.lead_rules import LeadStatus as LeadStatus
from bot.store.lead_rules import LeadView as LeadView
from bot.store.lead_rules import Seer as Seer
from bot.store.lead_rules import may_see as may_see
from bot.store.lead_rules import overdue as overdue
from bot.store.lead_rules import queue_key as queue_key
from bot.store.lead_rules import readiness_of as readiness_of
from bot.store.lead_rules import urgency_level as urgency_level
from bot.store.lead_rules import waiting_hours as waiting_hours
from bot.store.models import ENTITY_FIELDS, Assessment, Conversation, Entity, Facilitator, Lead, LeadEvent
from bot.store.outbox import (
    AssigneeReminder,
    EntityMessage,
    LeadCard,
    LeadRefresh,
    LeadReminder,
    lead_card_key,
)
from bot.store.outbox import add_outbox as add_outbox


# ------------------------------------------------------------------ history
async def add_lead_event(*, session: AsyncSession, lead_id: int, actor: str, action: str,
                         note: str | None = None) -> LeadEvent:
    event = LeadEvent(lead_id=lead_id, actor=actor[:64], action=action[:32], note=note, created_at=now_utc())
    session.add(event)
    await session.flush()
    return event


def actor_of(facilitator: Facilitator | None) -> str:
    return f"facilitator:{facilitator.telegram_user_id}" if facilitator else "system"


async def create_or_update_lead(*, session: AsyncSession, sender_id: str, entity: dict[str, Any],
                                contact: dict[str, Any], consent_at: datetime, consent_version: str,
                                dossier: dict[str, Any], priority: str, priority_reasons: list[str],
                                language: str, assessment_id: int | None = None) -> LeadResult:
    """Store the entity (with its consent), and its open lead or a new one, plus the card's outbox row."""
    now = now_utc()
    conversation_id = await session.scalar(select(Conversation.id).where(Conversation.sender_id == sender_id))
    row = None
    if conversation_id is not None:
        row = await session.scalar(select(Entity).where(Entity.conversation_id == conversation_id))
    if row is None:
        row = Entity(conversation_id=conversation_id, created_at=now)
        session.add(row)
    for key, size in ENTITY_FIELDS.items():
        if entity.get(key) not in (None, ""):
            setattr(row, key, str(entity[key])[:size])
    for key in CONTACT_FIELDS:
        if key in contact:
            setattr(row, key, contact[key])
    row.consent_at, row.consent_version, row.updated_at = consent_at, consent_version, now
    await session.flush()
    if assessment_id is not None:
        found = await session.scalar(select(Assessment.id).where(Assessment.id == assessment_id))
        assessment_id = found
        if found is not None:
            await session.execute(update(Assessment).where(Assessment.id == found).values(entity_id=row.id))
    dossier = {**dossier, "sender_id": sender_id}
    lead = await open_lead_for_entity(session=session, entity_id=row.id)
    if lead is not None:
        lead.dossier, lead.priority, lead.priority_reasons = dossier, priority, list(priority_reasons)
        lead.language, lead.updated_at = language, now
        if assessment_id is not None:
            lead.assessment_id = assessment_id
        await session.flush()
        await add_lead_event(session=session, lead_id=lead.id, actor="entity", action="updated")
        await add_outbox(session=session, payload=LeadRefresh(lead_id=lead.id))
        return LeadResult(ok=True, lead=lead, created=False)
    lead = Lead(entity_id=row.id, assessment_id=assessment_id, status=LeadStatus.NEW, priority=priority,
                priority_reasons=list(priority_reasons), dossier=dossier, language=language,
                created_at=now, updated_at=now)
    session.add(lead)
    await session.flush()
    await add_lead_event(session=session, lead_id=lead.id, actor="entity", action="created")
    await add_outbox(session=session, payload=LeadCard(lead_id=lead.id),
                     dedup_key=lead_card_key(lead.id))
    dims = funnel.lead_dimensions(dossier, language, row.territory)
    await funnel.reach(session=session, step="lead", conversation_id=conversation_id, when=now, **dims)
    return LeadResult(ok=True, lead=lead, created=True)

async def _sender_of(session: AsyncSession, lead_id: int) -> str | None:
    dossier = await session.scalar(select(Lead.dossier).where(Lead.id == lead_id))
    return (dossier or {}).get("sender_id") if dossier is not None else None


async def _refused(session: AsyncSession, lead_id: int, reason: str) -> LeadResult:
    lead = await get_lead(session=session, lead_id=lead_id)
    if lead is None:
        return LeadResult(ok=False, lead=None, reason="not_found")
    holder = await session.get(Facilitator, lead.assignee_id) if lead.assignee_id else None
    if lead.status == LeadStatus.CLOSED:
        reason = "closed"
    return LeadResult(ok=False, lead=lead, reason=reason, holder=holder)


async def claim_lead(*, session: AsyncSession, lead_id: int, facilitator: Facilitator,
                     notice: dict[str, Any] | None = None) -> LeadResult:
    """Take an unclaimed lead: one conditional UPDATE, so of two racing facilitators one wins.

    The winner's transaction also pauses the entity's conversation (a human is on it) and queues
    `notice` (the entity's "X has taken your case") for the notifier.
    """
    sender_id = await _sender_of(session, lead_id)
    await lock_conversation(session=session, sender_id=sender_id)
    now = now_utc()
    result = await session.execute(
        update(Lead).where(Lead.id == lead_id, Lead.status.in_(UNCLAIMED))
        .values(status=LeadStatus.CLAIMED, assignee_id=facilitator.id, claimed_at=now, updated_at=now, reminded_at=None))
    if changed(result) != 1:
        return await _refused(session, lead_id, "taken")
    await add_lead_event(session=session, lead_id=lead_id, actor=actor_of(facilitator), action="claimed")
    await _count_step(session, lead_id, "claimed", now)
    await set_conversation_paused(session=session, sender_id=sender_id, paused=True)
    if notice is not None and sender_id:
        await add_outbox(session=session, payload=EntityMessage.from_dict({"to": sender_id, **notice}))
    return LeadResult(ok=True, lead=await get_lead(session=session, lead_id=lead_id), holder=facilitator)


async def release_lead(*, session: AsyncSession, lead_id: int, facilitator: Facilitator | None,
                       note: str | None = None) -> LeadResult:
    """Give a held lead back (to be claimed again); the assistant takes the conversation back."""
    sender_id = await _sender_of(session, lead_id)
    await lock_conversation(session=session, sender_id=sender_id)
    query = update(Lead).where(Lead.id == lead_id, Lead.status.in_(HELD))
    if facilitator is not None:
        query = query.where(Lead.assignee_id == facilitator.id)
    now = now_utc()
    result = await session.execute(query.values(status=LeadStatus.NOTIFIED, assignee_id=None, claimed_at=None,
                                                updated_at=now, reminded_at=now))
    if changed(result) != 1:
        return await _refused(session, lead_id, "not_yours")
    await add_lead_event(session=session, lead_id=lead_id, actor=actor_of(facilitator), action="released", note=note)
    await set_conversation_paused(session=session, sender_id=sender_id, paused=False)
    await add_outbox(session=session, payload=LeadReminder(lead_id=lead_id, why="released"))
    return LeadResult(ok=True, lead=await get_lead(session=session, lead_id=lead_id))


async def mark_contacted(*, session: AsyncSession, lead_id: int, facilitator: Facilitator,
                         note: str | None = None) -> LeadResult:
    now = now_utc()
    result = await session.execute(
        update(Lead).where(Lead.id == lead_id, Lead.status == LeadStatus.CLAIMED, Lead.assignee_id == facilitator.id)
        .values(status=LeadStatus.CONTACTED, contacted_at=now, updated_at=now))
    if changed(result) != 1:
        return await _refused(session, lead_id, "not_yours")
    await add_lead_event(session=session, lead_id=lead_id, actor=actor_of(facilitator), action="contacted",
                         note=note)
    await _count_step(session, lead_id, "contacted", now)
    return LeadResult(ok=True, lead=await get_lead(session=session, lead_id=lead_id))


async def close_lead(*, session: AsyncSession, lead_id: int, facilitator: Facilitator, outcome: str,
                     note: str | None = None, notice: dict[str, Any] | None = None) -> LeadResult:
    """Close with an outcome: its assignee; while unclaimed, anyone may drop it, but only a facilitator who
    held it can say an alliance was formed (a forged "formed" on an unclaimed lead counted one, issue 27).
    The entity gets the assistant back."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    sender_id = await _sender_of(session, lead_id)
    await lock_conversation(session=session, sender_id=sender_id)
    now = now_utc()
    held_by_them = Lead.status.in_(HELD) & (Lead.assignee_id == facilitator.id)
    allowed = held_by_them if outcome == "alliance_formed" else or_(Lead.status.in_(UNCLAIMED), held_by_them)
    result = await session.execute(
        update(Lead).where(Lead.id == lead_id, allowed)
        .values(status=LeadStatus.CLOSED, outcome=outcome, closed_at=now, updated_at=now))
    if changed(result) != 1:
        return await _refused(session, lead_id, "not_yours")
    await add_lead_event(session=session, lead_id=lead_id, actor=actor_of(facilitator), action=f"closed:{outcome}",
                         note=note)
    await after_close(session, lead_id=lead_id, sender_id=sender_id, outcome=outcome, notice=notice, when=now)
    return LeadResult(ok=True, lead=await get_lead(session=session, lead_id=lead_id))


async def after_close(session: AsyncSession, *, lead_id: int, sender_id: str | None, outcome: str,
                      notice: dict[str, Any] | None, when: datetime) -> None:
    """What closing a lead does besides its row, whoever closed it: an alliance counted (the funnel's step and
    the programme's alliance), the conversation given back to the bot, the entity told if it was paused."""
    if outcome == "alliance_formed":
        await _count_step(session, lead_id, "alliance_formed", when)
        await alliances.record(session=session, lead_id=lead_id, when=when)
    paused_before = await is_paused(session=session, sender_id=sender_id)
    await set_conversation_paused(session=session, sender_id=sender_id, paused=False)
    if notice is not None and sender_id and paused_before:
        await add_outbox(session=session, payload=EntityMessage.from_dict({"to": sender_id, **notice}))


async def _count_step(session: AsyncSession, lead_id: int, step: str, when: datetime) -> None:
    """The lead's funnel step, counted with its territory, language, motivation and aim."""
    row = (await session.execute(select(Lead.dossier, Lead.language, Entity.territory, Entity.conversation_id)
                                 .outerjoin(Entity, Lead.entity_id == Entity.id).where(Lead.id == lead_id))).first()
    if row is not None and row.conversation_id is not None:  # an erased entity's lead no longer counts on
        await funnel.reach(session=session, step=step, conversation_id=row.conversation_id, when=when,
                           **funnel.lead_dimensions(row.dossier, row.language, row.territory))


async def add_note(*, session: AsyncSession, lead_id: int, facilitator: Facilitator, note: str) -> bool:
    """A facilitator's note on a lead they may see (`may_see`); False when there is none."""
    lead = await get_lead(session=session, lead_id=lead_id)
    if lead is None or not may_see(lead, Seer.facilitator(facilitator.id)):
        return False
    await add_lead_event(session=session, lead_id=lead_id, actor=actor_of(facilitator), action="note", note=note)
    await session.execute(update(Lead).where(Lead.id == lead_id).values(updated_at=now_utc()))
    return True


async def mark_notified(*, session: AsyncSession, lead_id: int, chat_id: int | None,
                        message_id: int | None) -> None:
    """The card reached the facilitators: new -> notified, and where the card is, to edit it later."""
    values: dict[str, Any] = {}
    if chat_id is not None and message_id is not None:
        values = {"card_chat_id": chat_id, "card_message_id": message_id}
    lead = await get_lead(session=session, lead_id=lead_id)
    if lead is None:
        return
    if values and lead.card_message_id is None:
        await session.execute(update(Lead).where(Lead.id == lead_id).values(**values))
    result = await session.execute(update(Lead).where(Lead.id == lead_id, Lead.status == LeadStatus.NEW)
                                   .values(status=LeadStatus.NOTIFIED, updated_at=now_utc()))
    if changed(result) == 1:
        await add_lead_event(session=session, lead_id=lead_id, actor="system", action="notified")

# ------------------------------------------------------------------ reminders
async def schedule_reminders(*, session: AsyncSession, unclaimed_hours: float, no_contact_days: float,
                             now: datetime | None = None) -> int:
    """Queue reminders: unclaimed leads announced again, claimed ones without contact to their assignee."""
    now = now or now_utc()
    count = 0
    unclaimed_before = now - timedelta(hours=unclaimed_hours)
    leads = await session.scalars(select(Lead).where(Lead.status.in_(UNCLAIMED)))
    for lead in list(leads):
        since = aware(lead.reminded_at) or aware(lead.created_at)
        if since is not None and since <= unclaimed_before:
            lead.reminded_at = now
            await add_outbox(session=session, payload=LeadReminder(lead_id=lead.id, why="unclaimed"))
            await add_lead_event(session=session, lead_id=lead.id, actor="system", action="reminded")
            count += 1
    contact_before = now - timedelta(days=no_contact_days)
    leads = await session.scalars(select(Lead).where(Lead.status == LeadStatus.CLAIMED, Lead.assignee_id.is_not(None)))
    for lead in list(leads):
        since = aware(lead.reminded_at) or aware(lead.claimed_at)
        if since is not None and since <= contact_before:
            lead.reminded_at = now
            await add_outbox(session=session, payload=AssigneeReminder(lead_id=lead.id))
            await add_lead_event(session=session, lead_id=lead.id, actor="system", action="reminded")
            count += 1
    await session.flush()
    return count


# ------------------------------------------------------------------ facilitators leaving
async def remove_facilitator(*, session: AsyncSession, telegram_user_id: int) -> tuple[bool, list[int]]:
    """Deactivate (history keeps the name); the leads they held go back to be claimed. Returns (found, released)."""
    row = await get_facilitator(session=session, telegram_user_id=telegram_user_id)
    if row is None:
        return False, []
    row.active = False
    await staff.end_access(session=session, telegram_user_id=telegram_user_id)
    held = list(await session.scalars(select(Lead.id).where(Lead.assignee_id == row.id, Lead.status.in_(HELD))))
    for lead_id in held:
        await release_lead(session=session, lead_id=lead_id, facilitator=row, note="facilitator removed")
    await session.flush()
    return True, held
