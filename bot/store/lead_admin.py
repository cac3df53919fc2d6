"""What coordinators do to any lead: reassign, release, reopen and close (with a reason), and the stale
leads escalated to them once.

Same rules as bot/store/leads.py: keyword-only arguments, a session, conditional UPDATEs, flush but never
commit (the caller owns the transaction, so the change, its history and its outbox rows go together).
Every change is in the lead's history with the coordinator as its actor and the reason as its note.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store import alliances, funnel
from bot.store.clock import aware, now_utc
from bot.store.conversations import lock_conversation, set_conversation_paused
from bot.store.db import changed
from bot.store.lead_queries import get_lead
from bot.store.lead_rules import HELD, OPEN, OUTCOMES, UNCLAIMED, LeadResult, LeadStatus
from bot.store.leads import _count_step, _refused, _sender_of, add_lead_event, after_close
from bot.store.models import Coordinator, Entity, Facilitator, Lead, LeadEvent
from bot.store.outbox import (
    CoordinatorAlert,
    EntityMessage,
    FollowUpReminder,
    LeadRefresh,
    LeadReminder,
    add_outbox,
)

# Why a lead is closed without an alliance (labels: dialogues/web.yml utter_web_reason_<code>)
CLOSE_REASONS = ("not_ready", "no_partner", "no_reply", "not_eligible", "duplicate", "other")
MAX_REASON_TEXT = 500


def coordinator_actor(coordinator: Coordinator) -> str:
    return f"coordinator:{coordinator.telegram_user_id}"


def reason_note(reason: str | None, text: str | None) -> str | None:
    """The history's note for a reason: its code in brackets, then the words (shown with the code's label)."""
    text = " ".join((text or "").split())[:MAX_REASON_TEXT]
    code = reason if reason in CLOSE_REASONS else None
    if code is None:
        return text or None
    return f"[{code}] {text}".strip()


def split_reason(note: str | None) -> tuple[str | None, str]:
    """(reason code, words) of a note written by `reason_note`."""
    if note and note.startswith("[") and "]" in note:
        code, _, rest = note[1:].partition("]")
        if code in CLOSE_REASONS:
            return code, rest.strip()
    return None, note or ""


async def reassign(*, session: AsyncSession, lead_id: int, to: Facilitator, coordinator: Coordinator,
                   note: str | None = None, notice: dict[str, Any] | None = None) -> LeadResult:
    """Give an open lead to `to` (claimed by them if nobody had it; a contacted lead stays contacted)."""
    if not to.active:
        return LeadResult(ok=False, lead=await get_lead(session=session, lead_id=lead_id), reason="inactive")
    sender_id = await _sender_of(session, lead_id)
    await lock_conversation(session=session, sender_id=sender_id)
    lead = await get_lead(session=session, lead_id=lead_id)
    if lead is None or lead.status not in OPEN:
        return await _refused(session, lead_id, "closed")
    if lead.assignee_id == to.id:
        return LeadResult(ok=False, lead=lead, reason="same", holder=to)
    was_unclaimed = lead.status in UNCLAIMED
    now = now_utc()
    values: dict[str, Any] = {"assignee_id": to.id, "updated_at": now, "reminded_at": None}
    if was_unclaimed:
        values.update(status=LeadStatus.CLAIMED, claimed_at=now)
    result = await session.execute(update(Lead).where(Lead.id == lead_id, Lead.status == lead.status,
                                                      Lead.assignee_id.is_(None) if lead.assignee_id is None
                                                      else Lead.assignee_id == lead.assignee_id).values(**values))
    if changed(result) != 1:
        return await _refused(session, lead_id, "taken")
    await add_lead_event(session=session, lead_id=lead_id, actor=coordinator_actor(coordinator),
                         action="reassigned", note=" ".join(filter(None, [f"→ {to.name}", note])))
    if was_unclaimed:
        await _count_step(session, lead_id, "claimed", now)
        await set_conversation_paused(session=session, sender_id=sender_id, paused=True)
        if notice is not None and sender_id:
            await add_outbox(session=session, payload=EntityMessage.from_dict({"to": sender_id, **notice}))
    await add_outbox(session=session, payload=LeadRefresh(lead_id=lead_id))
    return LeadResult(ok=True, lead=await get_lead(session=session, lead_id=lead_id), holder=to)


async def release(*, session: AsyncSession, lead_id: int, coordinator: Coordinator,
                  note: str | None = None) -> LeadResult:
    """Take a held lead back from its facilitator: to be claimed again; the assistant answers the entity."""
    sender_id = await _sender_of(session, lead_id)
    await lock_conversation(session=session, sender_id=sender_id)
    now = now_utc()
    result = await session.execute(update(Lead).where(Lead.id == lead_id, Lead.status.in_(HELD)).values(
        status=LeadStatus.NOTIFIED, assignee_id=None, claimed_at=None, updated_at=now, reminded_at=now))
    if changed(result) != 1:
        return await _refused(session, lead_id, "not_held")
    await add_lead_event(session=session, lead_id=lead_id, actor=coordinator_actor(coordinator), action="released",
                         note=note)
    await set_conversation_paused(session=session, sender_id=sender_id, paused=False)
    await add_outbox(session=session, payload=LeadReminder(lead_id=lead_id, why="released"))
    await add_outbox(session=session, payload=LeadRefresh(lead_id=lead_id))
    return LeadResult(ok=True, lead=await get_lead(session=session, lead_id=lead_id))


async def close(*, session: AsyncSession, lead_id: int, coordinator: Coordinator, outcome: str,
                reason: str | None = None, text: str | None = None,
                notice: dict[str, Any] | None = None) -> LeadResult:
    """Close any open lead with an outcome and a reason (from CLOSE_REASONS, and words)."""
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {OUTCOMES}")
    sender_id = await _sender_of(session, lead_id)
    await lock_conversation(session=session, sender_id=sender_id)
    now = now_utc()
    result = await session.execute(update(Lead).where(Lead.id == lead_id, Lead.status.in_(OPEN)).values(
        status=LeadStatus.CLOSED, outcome=outcome, closed_at=now, updated_at=now))
    if changed(result) != 1:
        return await _refused(session, lead_id, "closed")
    await add_lead_event(session=session, lead_id=lead_id, actor=coordinator_actor(coordinator),
                         action=f"closed:{outcome}", note=reason_note(reason, text))
    await after_close(session, lead_id=lead_id, sender_id=sender_id, outcome=outcome, notice=notice, when=now)
    await add_outbox(session=session, payload=LeadRefresh(lead_id=lead_id))
    return LeadResult(ok=True, lead=await get_lead(session=session, lead_id=lead_id))


async def reopen(*, session: AsyncSession, lead_id: int, coordinator: Coordinator,
                 note: str | None = None) -> LeadResult:
    """A closed lead open again: back with its facilitator if it had one (claimed, or contacted if it was),
    else waiting to be claimed. An alliance it had formed no longer counts."""
    sender_id = await _sender_of(session, lead_id)
    await lock_conversation(session=session, sender_id=sender_id)
    lead = await get_lead(session=session, lead_id=lead_id)
    if lead is None or lead.status != LeadStatus.CLOSED:
        return await _refused(session, lead_id, "not_closed") if lead is None else \
            LeadResult(ok=False, lead=lead, reason="not_closed")
    holder = await session.get(Facilitator, lead.assignee_id) if lead.assignee_id else None
    if holder is not None and not holder.active:
        holder = None
    if holder is None:
        status, step = LeadStatus.NOTIFIED, "lead"
    elif lead.contacted_at is not None:
        status, step = LeadStatus.CONTACTED, "contacted"
    else:
        status, step = LeadStatus.CLAIMED, "claimed"
    formed = lead.outcome == "alliance_formed"
    now = now_utc()
    result = await session.execute(update(Lead).where(Lead.id == lead_id, Lead.status == LeadStatus.CLOSED).values(
        status=status, outcome=None, closed_at=None, updated_at=now, reminded_at=now,
        assignee_id=holder.id if holder else None, claimed_at=lead.claimed_at if holder else None))
    if changed(result) != 1:
        return LeadResult(ok=False, lead=lead, reason="not_closed")
    await add_lead_event(session=session, lead_id=lead_id, actor=coordinator_actor(coordinator), action="reopened",
                         note=note)
    if formed:
        await alliances.undo(session=session, lead_id=lead_id)
        conversation_id = await session.scalar(select(Entity.conversation_id).where(Entity.id == lead.entity_id)) \
            if lead.entity_id else None
        await funnel.step_back(session=session, conversation_id=conversation_id, step=step)
    if holder is not None:
        await set_conversation_paused(session=session, sender_id=sender_id, paused=True)
    else:
        await add_outbox(session=session, payload=LeadReminder(lead_id=lead_id, why="reopened"))
    await add_outbox(session=session, payload=LeadRefresh(lead_id=lead_id))
    return LeadResult(ok=True, lead=await get_lead(session=session, lead_id=lead_id), holder=holder)


# ------------------------------------------------------------------ escalation
async def escalate_stale(*, session: AsyncSession, unclaimed_hours: float, no_contact_days: float,
                         now: datetime | None = None) -> list[int]:
    """Leads waiting too long (unclaimed past `unclaimed_hours`, claimed without contact past
    `no_contact_days`) are escalated to the coordinators, once each: an "escalated" event and one
    outbox row. Returns the leads escalated now."""
    now = now or now_utc()
    done = select(LeadEvent.lead_id).where(LeadEvent.action == "escalated")
    rows = await session.execute(select(Lead.id, Lead.status, Lead.created_at, Lead.claimed_at)
                                 .where(Lead.status.in_((*UNCLAIMED, LeadStatus.CLAIMED)), Lead.id.not_in(done)))
    escalated = []
    for lead_id, status, created_at, claimed_at in rows:
        if status in UNCLAIMED:
            since, limit, why = aware(created_at), timedelta(hours=unclaimed_hours), "unclaimed"
        else:
            since, limit, why = aware(claimed_at), timedelta(days=no_contact_days), "no_contact"
        if since is None or now - since < limit:
            continue
        await add_lead_event(session=session, lead_id=lead_id, actor="system", action="escalated", note=why)
        await add_outbox(session=session, payload=CoordinatorAlert(lead_id=lead_id, why=why),
                         dedup_key=f"coordinator_alert:{lead_id}")
        escalated.append(lead_id)
    await session.flush()
    return escalated


async def escalated_open(*, session: AsyncSession) -> list[tuple[int, str, datetime | None]]:
    """Open leads escalated to the coordinators: (lead, why, when), oldest first, for the overview."""
    rows = await session.execute(
        select(LeadEvent.lead_id, LeadEvent.note, LeadEvent.created_at).join(Lead, Lead.id == LeadEvent.lead_id)
        .where(LeadEvent.action == "escalated", Lead.status.in_(OPEN)).order_by(LeadEvent.created_at))
    return [(lead_id, why or "", when) for lead_id, why, when in rows]


# ------------------------------------------------------------------ follow-up dates
async def set_follow_up(*, session: AsyncSession, lead_id: int, when: datetime | None, actor: str) -> bool:
    """The day to remind the lead's facilitator (None: no reminder); only on an open lead."""
    result = await session.execute(update(Lead).where(Lead.id == lead_id, Lead.status.in_(OPEN))
                                   .values(follow_up_at=when))
    if changed(result) != 1:
        return False
    await add_lead_event(session=session, lead_id=lead_id, actor=actor, action="follow_up",
                         note=when.date().isoformat() if when else None)
    return True


async def due_follow_ups(*, session: AsyncSession, now: datetime | None = None) -> list[int]:
    """Open leads whose follow-up day has come: their facilitator is reminded once (the date is cleared)."""
    now = now or now_utc()
    due = list(await session.scalars(select(Lead.id).where(Lead.status.in_(HELD), Lead.follow_up_at.is_not(None),
                                                           Lead.follow_up_at <= now)))
    for lead_id in due:
        await session.execute(update(Lead).where(Lead.id == lead_id).values(follow_up_at=None))
        await add_lead_event(session=session, lead_id=lead_id, actor="system", action="follow_up_due")
        await add_outbox(session=session, payload=FollowUpReminder(lead_id=lead_id))
    await session.flush()
    return due
