"""Leads and their history: the contract between the assistant and the people.

Facilitators are in `facilitators.py`, outbox rows in `outbox.py`, the conversation's lock and pause in
`conversations.py`, the clock in `clock.py`; their names are imported here too, for the callers that
use this module as the handoff's store (`from bot.store import leads as store`).

Every function takes keyword-only arguments and a session, flushes but never commits: the caller
owns the transaction (`async with sessionmaker() as s, s.begin(): ...`), so a lead, its history
and its outbox rows are written together or not at all. Status changes are conditional UPDATEs,
so when two facilitators press Claim together exactly one row changes and one of them wins.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store import alliances, funnel, staff
from bot.store.clock import aware as aware
from bot.store.clock import now_utc as now_utc
from bot.store.conversations import is_paused, lock_conversation, set_conversation_paused
from bot.store.facilitators import add_facilitator as add_facilitator
from bot.store.facilitators import get_facilitator as get_facilitator
from bot.store.facilitators import list_facilitators as list_facilitators
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


class LeadStatus(StrEnum):
    """A lead's `status` column (a StrEnum: equal to the strings stored and compared elsewhere)."""

    NEW = "new"
    NOTIFIED = "notified"
    CLAIMED = "claimed"
    CONTACTED = "contacted"
    CLOSED = "closed"


OPEN = (LeadStatus.NEW, LeadStatus.NOTIFIED, LeadStatus.CLAIMED, LeadStatus.CONTACTED)
UNCLAIMED = (LeadStatus.NEW, LeadStatus.NOTIFIED)
HELD = (LeadStatus.CLAIMED, LeadStatus.CONTACTED)
OUTCOMES = ("alliance_formed", "not_pursued")
CONTACT_FIELDS = ("contact_name", "contact_role", "contact_email", "contact_phone", "contact_telegram",
                  "telegram_chat_id")


@dataclass
class LeadResult:
    """The outcome of a status change: whether this call changed it, and the lead as it now is."""

    ok: bool
    lead: Lead | None
    reason: str = ""
    holder: Facilitator | None = None
    created: bool = False


@dataclass
class LeadView:
    lead: Lead
    entity: Entity | None
    assignee: Facilitator | None
    events: list[LeadEvent] = field(default_factory=list)

    def summary(self, *, now: datetime | None = None, claim_hours: float | None = None,
                contact_days: float | None = None) -> dict[str, Any]:
        lead, entity, assignee = self.lead, self.entity, self.assignee
        dossier = lead.dossier or {}
        now = now or now_utc()
        return {
            "id": lead.id,
            "status": lead.status,
            "outcome": lead.outcome,
            "entity_name": entity.name if entity else dossier.get("entity", {}).get("name"),
            "territory": entity.territory if entity else None,
            "priority": lead.priority,
            "priority_reasons": list(lead.priority_reasons or []),
            # issue 24: two dimensions, urgency (stated time pressure, with its quote) and readiness (0-4)
            "urgency": urgency_level(lead),
            "urgency_reason": ((dossier.get("urgency") or {}).get("quote") or None) if urgency_level(lead) == URGENT
            else None,
            "readiness": readiness_of(lead),
            "waiting_hours": waiting_hours(lead, now),
            "overdue": overdue(lead, now, claim_hours=claim_hours, contact_days=contact_days),
            "motivation": dossier.get("motivation"),
            "objective": (dossier.get("answers") or {}).get("objective"),
            "language": lead.language,
            "assignee_id": assignee.id if assignee else None,
            "assignee_telegram_id": assignee.telegram_user_id if assignee else None,
            "assignee_name": assignee.name if assignee else None,
            "created_at": _iso(lead.created_at),
            "updated_at": _iso(lead.updated_at),
            "claimed_at": _iso(lead.claimed_at),
            "contacted_at": _iso(lead.contacted_at),
            "closed_at": _iso(lead.closed_at),
        }

    def contact(self) -> dict[str, Any]:
        e = self.entity
        if e is None:
            return {}
        return {"name": e.contact_name, "role": e.contact_role, "email": e.contact_email,
                "phone": e.contact_phone, "telegram": bool(e.contact_telegram),
                "consent_at": _iso(e.consent_at), "consent_version": e.consent_version}


URGENT, NORMAL = "urgent", "normal"
UNCLAIMED_TOO_LONG, NO_CONTACT_TOO_LONG = "unclaimed", "no_contact"


def urgency_level(lead: Lead) -> str:
    """urgent / normal, as the handoff judged it (knowledge/verdict.yml); leads from before issue 24 by their
    priority reasons."""
    level = ((lead.dossier or {}).get("urgency") or {}).get("level")
    if level in (URGENT, NORMAL):
        return level
    return URGENT if "urgent" in (lead.priority_reasons or []) else NORMAL


def readiness_of(lead: Lead) -> float | None:
    value = (lead.dossier or {}).get("readiness_overall")
    return round(float(value), 2) if isinstance(value, int | float) and not isinstance(value, bool) else None


def waiting_hours(lead: Lead, now: datetime) -> float | None:
    """How long the entity has waited for a person to contact it: from the request to the contact (or the
    close), or until now while nobody has."""
    start = aware(lead.created_at)
    if start is None:
        return None
    end = aware(lead.contacted_at) or aware(lead.closed_at) or now
    return round(max(0.0, (end - start).total_seconds() / 3600), 1)


def overdue(lead: Lead, now: datetime, *, claim_hours: float | None, contact_days: float | None) -> str | None:
    """'unclaimed' when nobody took it within `claim_hours` (config handoff.reminder_unclaimed_hours),
    'no_contact' when taken but nobody was in touch within `contact_days` (reminder_no_contact_days)."""
    if lead.status in UNCLAIMED and claim_hours is not None:
        since = aware(lead.created_at)
        if since is not None and now - since > timedelta(hours=claim_hours):
            return UNCLAIMED_TOO_LONG
    if lead.status == LeadStatus.CLAIMED and contact_days is not None:
        since = aware(lead.claimed_at)
        if since is not None and now - since > timedelta(days=contact_days):
            return NO_CONTACT_TOO_LONG
    return None


def queue_key(lead: Lead, now: datetime) -> tuple:
    """The lists' order: open before closed, urgent first, then who has waited longest."""
    return (lead.status == LeadStatus.CLOSED, urgency_level(lead) != URGENT, -(waiting_hours(lead, now) or 0.0),
            lead.id)


def _iso(value: datetime | None) -> str | None:
    value = aware(value)
    return value.isoformat(timespec="seconds") if value else None


# ------------------------------------------------------------------ history
async def add_lead_event(*, session: AsyncSession, lead_id: int, actor: str, action: str,
                         note: str | None = None) -> LeadEvent:
    event = LeadEvent(lead_id=lead_id, actor=actor[:64], action=action[:32], note=note, created_at=now_utc())
    session.add(event)
    await session.flush()
    return event


def actor_of(facilitator: Facilitator | None) -> str:
    return f"facilitator:{facilitator.telegram_user_id}" if facilitator else "system"


# ------------------------------------------------------------------ leads
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


def filter_leads(query: Select, *, status: str | None = None, territory: str | None = None,
                 assignee_id: int | None = None, unassigned: bool = False, priority: str | None = None,
                 visible_to: int | None = None) -> Select:
    """The one lead filter (CLI, Telegram, dashboard) for a query joining Lead, Entity and Facilitator.
    `status` "open": any of OPEN; `visible_to`: a facilitator sees unassigned leads and their own only."""
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
    if visible_to is not None:
        query = query.where((Lead.assignee_id.is_(None)) | (Lead.assignee_id == visible_to))
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
    by = {"status": Counter(), "motivation": Counter(), "objective": Counter(), "priority": Counter(),
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
    if result.rowcount != 1:
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
    if result.rowcount != 1:
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
    if result.rowcount != 1:
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
    if result.rowcount != 1:
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


def may_see(lead: Lead, *, facilitator_id: int | None, coordinator: bool = False) -> bool:
    """The one rule of who may read a lead or write a note on it, on every channel (the dashboard, Telegram's
    Details, `/lead N`, `/note N`): a coordinator, any lead; a facilitator, an unclaimed lead or their own.
    Another facilitator's lead is answered as if it did not exist. (`filter_leads(visible_to=)`: the same
    rule for lists.)"""
    if coordinator:
        return True
    return lead.assignee_id is None or (facilitator_id is not None and lead.assignee_id == facilitator_id)


async def add_note(*, session: AsyncSession, lead_id: int, facilitator: Facilitator, note: str) -> bool:
    """A facilitator's note on a lead they may see (`may_see`); False when there is none."""
    lead = await get_lead(session=session, lead_id=lead_id)
    if lead is None or not may_see(lead, facilitator_id=facilitator.id):
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
    if result.rowcount == 1:
        await add_lead_event(session=session, lead_id=lead_id, actor="system", action="notified")


async def held_lead_for_sender(*, session: AsyncSession, sender_id: str) -> tuple[Lead, Facilitator] | None:
    """The entity's lead a facilitator is holding, with that facilitator (for the relay)."""
    lead = await open_lead_for_sender(session=session, sender_id=sender_id)
    if lead is None or lead.status not in HELD or lead.assignee_id is None:
        return None
    facilitator = await session.get(Facilitator, lead.assignee_id)
    return (lead, facilitator) if facilitator is not None else None


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
