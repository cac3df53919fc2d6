"""Reading leads: an entity's open lead, one lead with its entity, assignee and history, the filtered and
ordered lists, and the counts for reporting. Nothing here writes (bot/store/leads.py does).
"""

from __future__ import annotations

from collections import Counter
from typing import Any, TypeVarTuple

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.clock import now_utc
from bot.store.lead_rules import (
    HELD,
    NO_CONTACT_TOO_LONG,
    OPEN,
    UNCLAIMED_TOO_LONG,
    LeadView,
    Seer,
    overdue,
    queue_key,
)
from bot.store.models import Conversation, Entity, Facilitator, Lead, LeadEvent


async def entity_for_sender(*, session: AsyncSession, sender_id: str) -> Entity | None:
    return await session.scalar(
        select(Entity).join(Conversation, Entity.conversation_id == Conversation.id)
        .where(Conversation.sender_id == sender_id))


async def open_lead_for_entity(*, session: AsyncSession, entity_id: int) -> Lead | None:
    return await session.scalar(select(Lead).where(Lead.entity_id == entity_id, Lead.status.in_(OPEN))
                                .order_by(Lead.id.desc()).limit(1))


async def open_lead_for_sender(*, session: AsyncSession, sender_id: str) -> Lead | None:
    entity = await entity_for_sender(session=session, sender_id=sender_id)
    if entity is None:
        return None
    return await open_lead_for_entity(session=session, entity_id=entity.id)

async def get_lead(*, session: AsyncSession, lead_id: int) -> Lead | None:
    return await session.scalar(select(Lead).where(Lead.id == lead_id).execution_options(populate_existing=True))


async def show_lead(*, session: AsyncSession, lead_id: int, with_events: bool = True) -> LeadView | None:
    lead = await get_lead(session=session, lead_id=lead_id)
    if lead is None:
        return None
    entity = await session.get(Entity, lead.entity_id) if lead.entity_id else None
    assignee = await session.get(Facilitator, lead.assignee_id) if lead.assignee_id else None
    events: list[LeadEvent] = []
    if with_events:
        events = list(await session.scalars(
            select(LeadEvent).where(LeadEvent.lead_id == lead_id).order_by(LeadEvent.id)))
    return LeadView(lead=lead, entity=entity, assignee=assignee, events=events)


Row = TypeVarTuple("Row")


def filter_leads(query: Select[*Row], *, status: str | None = None, territory: str | None = None,
                 assignee_id: int | None = None, unassigned: bool = False, priority: str | None = None,
                 visible_to: Seer | None = None) -> Select[*Row]:
    """The one lead filter (CLI, Telegram, dashboard) for a query joining Lead, Entity and Facilitator.
    `status` "open": any of OPEN; `visible_to`: who is looking (`lead_rules.may_see`'s rule: a facilitator
    sees unassigned leads and their own, a trainer only or an unknown person none). None: no such filter, for
    `list_leads`, whose callers apply the rule themselves."""
    if status == "open":
        query = query.where(Lead.status.in_(OPEN))
    elif status:
        query = query.where(Lead.status == status)
    if territory:
        query = query.where(Entity.territory == territory)
    if unassigned:
        query = query.where(Lead.assignee_id.is_(None))
    elif assignee_id is not None:
        query = query.where(Lead.assignee_id == assignee_id)
    if priority:
        query = query.where(Lead.priority == priority)
    if visible_to is not None and not visible_to.sees_all:
        if visible_to.kind == "facilitator":
            query = query.where((Lead.assignee_id.is_(None)) | (Lead.assignee_id == visible_to.facilitator_id))
        else:  # a trainer only, an unknown person: no lead
            query = query.where(false())
    return query


async def list_leads(*, session: AsyncSession, status: str | None = None, assignee_id: int | None = None,
                     open_only: bool = False, limit: int = 1000, claim_hours: float | None = None,
                     contact_days: float | None = None) -> list[dict[str, Any]]:
    """Leads in the queue's order (urgent first, then the longest waiting), each marked when overdue."""
    query = select(Lead, Entity, Facilitator).outerjoin(Entity, Lead.entity_id == Entity.id) \
        .outerjoin(Facilitator, Lead.assignee_id == Facilitator.id)
    query = filter_leads(query, status=status, assignee_id=assignee_id)
    if open_only:
        query = query.where(Lead.status.in_(OPEN))
    now = now_utc()
    rows = sorted(await session.execute(query.order_by(Lead.id).limit(limit)), key=lambda row: queue_key(row[0], now))
    return [LeadView(lead=lead, entity=entity, assignee=fac).summary(now=now, claim_hours=claim_hours,
                                                                     contact_days=contact_days)
            for lead, entity, fac in rows]


async def count_overdue(*, session: AsyncSession, claim_hours: float, contact_days: float) -> dict[str, int]:
    """Open leads past their time: nobody took them, or nobody was in touch (the overview's count)."""
    now = now_utc()
    counts = {UNCLAIMED_TOO_LONG: 0, NO_CONTACT_TOO_LONG: 0}
    for lead in await session.scalars(select(Lead).where(Lead.status.in_(OPEN))):
        late = overdue(lead, now, claim_hours=claim_hours, contact_days=contact_days)
        if late:
            counts[late] += 1
    return counts


async def lead_stats(*, session: AsyncSession) -> dict[str, Any]:
    """Counts for the programme's reporting: by status, motivation, objective, outcome."""
    leads = list(await session.scalars(select(Lead)))
    by: dict[str, Counter[str]] = {"status": Counter(), "motivation": Counter(), "objective": Counter(), "priority": Counter(),
          "outcome": Counter()}
    for lead in leads:
        dossier = lead.dossier or {}
        by["status"][lead.status] += 1
        by["priority"][lead.priority] += 1
        by["motivation"][str(dossier.get("motivation") or "unknown")] += 1
        by["objective"][str((dossier.get("answers") or {}).get("objective") or "unknown")] += 1
        if lead.outcome:
            by["outcome"][lead.outcome] += 1
    return {"total": len(leads), "alliances_formed": by["outcome"]["alliance_formed"],
            **{f"by_{k}": dict(sorted(v.items())) for k, v in by.items()}}

async def held_lead_for_sender(*, session: AsyncSession, sender_id: str) -> tuple[Lead, Facilitator] | None:
    """The entity's lead a facilitator is holding, with that facilitator (for the relay)."""
    lead = await open_lead_for_sender(session=session, sender_id=sender_id)
    if lead is None or lead.status not in HELD or lead.assignee_id is None:
        return None
    facilitator = await session.get(Facilitator, lead.assignee_id)
    return (lead, facilitator) if facilitator is not None else None
