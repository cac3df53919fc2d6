"""Partner matching's storage: who opted in (match_profile) and the introductions between entities.

As in leads.py: keyword-only arguments, a session the caller owns (flush, never commit), and every change
of an introduction's state a conditional UPDATE, so a button pressed twice (or an update Telegram delivers
again) changes it once. Rows go with the entity (ON DELETE CASCADE): /forget and the retention purge erase
them with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Literal

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.clock import now_utc
from bot.store.db import changed
from bot.store.models import Assessment, Conversation, Entity, Introduction, MatchProfile, Outbox
from bot.store.outbox import MatchContacts, MatchIntro, MatchNotice, OutboxKind, add_outbox


class IntroStatus(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"      # both said yes: contacts exchanged
    MET = "met"
    FORMED = "alliance_formed"
    DECLINED = "declined"      # one said "not now": never proposed again
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


OPEN = (IntroStatus.PROPOSED, IntroStatus.ACCEPTED, IntroStatus.MET)
OUTCOMES = (IntroStatus.MET, IntroStatus.FORMED)  # what a facilitator records after the exchange
INTRO_KIND = OutboxKind.MATCH_INTRO  # the outbox kinds the notifier delivers (bot/notifier/introductions.py)
CONTACTS_KIND = OutboxKind.MATCH_CONTACTS
NOTICE_KIND = OutboxKind.MATCH_NOTICE


@dataclass
class ProfileRow:
    """A consenting entity as the scoring reads it (bot.matching.scoring.Profile is built from this)."""

    entity_id: int
    name: str
    field: str | None
    territory: str | None
    size_staff: str | None
    language: str
    offers: list[str]
    seeks: list[str]
    groups_served: list[str]
    objective: str | None
    motivation: str | None
    readiness: float | None
    fear_power: int | None


async def entity_id_for_sender(*, session: AsyncSession, sender_id: str) -> int | None:
    return await session.scalar(
        select(Entity.id).join(Conversation, Entity.conversation_id == Conversation.id)
        .where(Conversation.sender_id == sender_id).order_by(Entity.id.desc()).limit(1))


async def save_profile(*, session: AsyncSession, sender_id: str, consent_version: str, language: str,
                       offers: list[str], seeks: list[str], groups_served: list[str],
                       objective: str | None, motivation: str | None, readiness: float | None,
                       fear_power: int | None) -> int | None:
    """Record the opt-in and the partner profile of the sender's entity; its id (None: no entity yet)."""
    entity_id = await entity_id_for_sender(session=session, sender_id=sender_id)
    if entity_id is None:
        return None
    now = now_utc()
    values = {"consent_version": consent_version, "language": language, "offers": list(offers),
              "seeks": list(seeks), "groups_served": list(groups_served), "objective": objective,
              "motivation": motivation, "readiness": readiness, "fear_power": fear_power, "updated_at": now}
    profile = await session.get(MatchProfile, entity_id)
    if profile is None:
        session.add(MatchProfile(entity_id=entity_id, consent_at=now, **values))
    else:
        for key, value in values.items():
            setattr(profile, key, value)
        if profile.consent_version != consent_version:
            profile.consent_at = now
    await session.flush()
    return entity_id


async def withdraw(*, session: AsyncSession, sender_id: str) -> dict[str, int]:
    """Take the sender's entity out of matching: its profile, its pending introductions (and their messages
    not yet sent). Declined pairs stay declined; introductions already accepted keep their outcome."""
    counts = {"profiles": 0, "introductions": 0}
    entity_id = await entity_id_for_sender(session=session, sender_id=sender_id)
    if entity_id is None:
        return counts
    counts["profiles"] = changed(await session.execute(
        delete(MatchProfile).where(MatchProfile.entity_id == entity_id)))
    pending = (await session.scalars(select(Introduction.id).where(
        _involves(entity_id), Introduction.status == IntroStatus.PROPOSED))).all()
    if pending:
        await session.execute(delete(Outbox).where(
            Outbox.kind == INTRO_KIND, Outbox.status == "pending",
            or_(*[Outbox.dedup_key.like(f"{INTRO_KIND}:{i}:%") for i in pending])))
        counts["introductions"] = changed(await session.execute(
            delete(Introduction).where(Introduction.id.in_(pending))))
    await session.flush()
    return counts


async def profile_for_sender(*, session: AsyncSession, sender_id: str) -> MatchProfile | None:
    entity_id = await entity_id_for_sender(session=session, sender_id=sender_id)
    return None if entity_id is None else await session.get(MatchProfile, entity_id)


async def journey_of(*, session: AsyncSession, entity_id: int) -> dict[str, Any]:
    """What the scoring reads of the entity's latest journey: objective, motivation, readiness, fear of power."""
    row = await session.scalar(select(Assessment).where(Assessment.entity_id == entity_id)
                               .order_by(Assessment.id.desc()).limit(1))
    if row is None:
        return {}
    answers = row.answers or {}
    fear = answers.get("rel_conflicts_power")
    return {"objective": answers.get("objective") if isinstance(answers.get("objective"), str) else None,
            "motivation": row.motivation, "readiness": row.readiness_overall,
            "fear_power": fear if isinstance(fear, int) and not isinstance(fear, bool) else None}


async def load_profiles(*, session: AsyncSession, entity_ids: list[int] | None = None) -> list[ProfileRow]:
    """Every consenting entity (an erased entity has no profile: its row went with it), or those given."""
    query = (select(MatchProfile.entity_id, Entity.name, Entity.field, Entity.territory, Entity.size_staff,
                    MatchProfile.language, MatchProfile.offers, MatchProfile.seeks, MatchProfile.groups_served,
                    MatchProfile.objective, MatchProfile.motivation, MatchProfile.readiness, MatchProfile.fear_power)
             .join(Entity, Entity.id == MatchProfile.entity_id).order_by(MatchProfile.entity_id))
    if entity_ids is not None:
        query = query.where(MatchProfile.entity_id.in_(entity_ids))
    rows = (await session.execute(query)).all()
    return [ProfileRow(entity_id=r[0], name=r[1] or f"#{r[0]}", field=r[2], territory=r[3], size_staff=r[4],
                       language=r[5], offers=list(r[6] or []), seeks=list(r[7] or []),
                       groups_served=list(r[8] or []), objective=r[9], motivation=r[10], readiness=r[11],
                       fear_power=r[12]) for r in rows]


def _involves(entity_id: int) -> Any:
    return or_(Introduction.a_entity_id == entity_id, Introduction.b_entity_id == entity_id)


def _pair(a: int, b: int) -> Any:
    return or_(and_(Introduction.a_entity_id == a, Introduction.b_entity_id == b),
               and_(Introduction.a_entity_id == b, Introduction.b_entity_id == a))


async def blocked_pairs(*, session: AsyncSession) -> dict[frozenset[int], str]:
    """Pairs not to suggest: declined (never again) or with an introduction under way; {pair: status}."""
    rows = (await session.execute(select(Introduction.a_entity_id, Introduction.b_entity_id, Introduction.status)
                                  .where(Introduction.status.in_([IntroStatus.DECLINED, *OPEN, IntroStatus.FORMED]))
                                  )).all()
    return {frozenset((a, b)): status for a, b, status in rows}


@dataclass
class Proposal:
    ok: bool
    reason: str = ""
    intro: Introduction | None = None


async def propose(*, session: AsyncSession, a_entity_id: int, b_entity_id: int, proposed_by: int | None,
                  score: float | None, aim: str | None) -> Proposal:
    """A facilitator proposes that two consenting entities meet: one row, a message queued to each."""
    if a_entity_id == b_entity_id:
        return Proposal(False, "same")
    profiles = (await session.scalars(select(MatchProfile.entity_id).where(
        MatchProfile.entity_id.in_([a_entity_id, b_entity_id])))).all()
    if len(profiles) != 2:
        return Proposal(False, "not_consenting")
    existing = await session.scalar(select(Introduction.status).where(
        _pair(a_entity_id, b_entity_id), Introduction.status.in_([IntroStatus.DECLINED, *OPEN, IntroStatus.FORMED]))
        .limit(1))
    if existing is not None:
        return Proposal(False, "declined" if existing == IntroStatus.DECLINED else "exists")
    intro = Introduction(a_entity_id=a_entity_id, b_entity_id=b_entity_id, status=IntroStatus.PROPOSED,
                         score=score, aim=aim, proposed_by=proposed_by, proposed_at=now_utc())
    session.add(intro)
    await session.flush()
    for side in ("a", "b"):
        await add_outbox(session=session, payload=MatchIntro(intro_id=intro.id, side=side),
                         dedup_key=f"{INTRO_KIND}:{intro.id}:{side}")
    return Proposal(True, intro=intro)


@dataclass
class Answer:
    """What an entity's Accept / Not now did: `state` is accepted_waiting, exchanged (this answer completed
    the pair: contacts go out now, once), declined, or already (answered before / no longer open)."""

    state: str
    intro: Introduction | None = None


async def answer(*, session: AsyncSession, intro_id: int, sender_id: str, accept: bool) -> Answer:
    """One entity's answer to an introduction. Only the two entities of the pair may answer."""
    intro = await session.get(Introduction, intro_id)
    entity_id = await entity_id_for_sender(session=session, sender_id=sender_id)
    if intro is None or entity_id is None or entity_id not in (intro.a_entity_id, intro.b_entity_id):
        return Answer("not_found")
    side = "a" if entity_id == intro.a_entity_id else "b"
    column = Introduction.a_answer if side == "a" else Introduction.b_answer
    now = now_utc()
    if not accept:
        result = await session.execute(
            update(Introduction).where(Introduction.id == intro_id, Introduction.status == IntroStatus.PROPOSED,
                                       column.is_(None))
            .values({column: "declined", Introduction.status: IntroStatus.DECLINED, Introduction.closed_at: now}))
        if changed(result) != 1:
            return Answer("already", intro)
        await add_outbox(session=session, payload=MatchNotice(intro_id=intro_id, what="declined"),
                         dedup_key=f"{NOTICE_KIND}:{intro_id}:declined")
        return Answer("declined", intro)
    result = await session.execute(
        update(Introduction).where(Introduction.id == intro_id, Introduction.status == IntroStatus.PROPOSED,
                                   column.is_(None)).values({column: "accepted"}))
    if changed(result) != 1:
        return Answer("already", intro)
    # Both said yes? One conditional UPDATE decides, so the contacts are exchanged exactly once even when
    # the two answers arrive together.
    done = await session.execute(
        update(Introduction).where(Introduction.id == intro_id, Introduction.status == IntroStatus.PROPOSED,
                                   Introduction.a_answer == "accepted", Introduction.b_answer == "accepted")
        .values(status=IntroStatus.ACCEPTED, accepted_at=now))
    await session.refresh(intro)
    if changed(done) == 1:
        await add_outbox(session=session, payload=MatchContacts(intro_id=intro_id),
                         dedup_key=f"{CONTACTS_KIND}:{intro_id}")
        return Answer("exchanged", intro)
    return Answer("accepted_waiting", intro)


async def record_outcome(*, session: AsyncSession, intro_id: int, outcome: str) -> bool:
    """A facilitator records what came of an accepted introduction: met, then alliance formed."""
    allowed = {IntroStatus.MET: [IntroStatus.ACCEPTED], IntroStatus.FORMED: [IntroStatus.ACCEPTED, IntroStatus.MET]}
    if outcome not in allowed:
        return False
    values: dict[str, Any] = {"status": outcome}
    if outcome == IntroStatus.FORMED:
        values["closed_at"] = now_utc()
    result = await session.execute(update(Introduction).where(
        Introduction.id == intro_id, Introduction.status.in_(allowed[IntroStatus(outcome)])).values(**values))
    return changed(result) == 1


async def schedule_reminders(*, session: AsyncSession, reminder_days: float, expiry_days: float,
                             now: datetime | None = None) -> dict[str, int]:
    """Unanswered introductions: one reminder to whoever has not answered, then expiry (the facilitator is
    told). Conditional updates: two notifiers running this together remind and expire once."""
    now = now or now_utc()
    counts = {"reminded": 0, "expired": 0}
    stale = (await session.scalars(select(Introduction).where(
        Introduction.status == IntroStatus.PROPOSED, Introduction.proposed_at < now - timedelta(days=expiry_days)))).all()
    for intro in stale:
        result = await session.execute(update(Introduction).where(
            Introduction.id == intro.id, Introduction.status == IntroStatus.PROPOSED)
            .values(status=IntroStatus.EXPIRED, closed_at=now))
        if changed(result) == 1:
            counts["expired"] += 1
            await add_outbox(session=session, payload=MatchNotice(intro_id=intro.id, what="expired"),
                             dedup_key=f"{NOTICE_KIND}:{intro.id}:expired")
    due = (await session.scalars(select(Introduction).where(
        Introduction.status == IntroStatus.PROPOSED, Introduction.reminded_at.is_(None),
        Introduction.proposed_at < now - timedelta(days=reminder_days)))).all()
    for intro in due:
        result = await session.execute(update(Introduction).where(
            Introduction.id == intro.id, Introduction.reminded_at.is_(None)).values(reminded_at=now))
        if changed(result) != 1:
            continue
        counts["reminded"] += 1
        sides: tuple[tuple[Literal["a", "b"], str | None], ...] = (("a", intro.a_answer), ("b", intro.b_answer))
        for side, answered in sides:
            if answered is None:
                await add_outbox(session=session, payload=MatchIntro(intro_id=intro.id, side=side, reminder=True),
                                 dedup_key=f"{INTRO_KIND}:{intro.id}:{side}:reminder")
    await session.flush()
    return counts


@dataclass
class IntroView:
    intro: Introduction
    a: Entity | None
    b: Entity | None
    a_sender: str | None
    b_sender: str | None
    a_language: str | None
    b_language: str | None


async def view_intro(*, session: AsyncSession, intro_id: int) -> IntroView | None:
    intro = await session.get(Introduction, intro_id)
    if intro is None:
        return None
    out: dict[str, Any] = {}
    for side, entity_id in (("a", intro.a_entity_id), ("b", intro.b_entity_id)):
        row = (await session.execute(
            select(Entity, Conversation.sender_id, MatchProfile.language)
            .outerjoin(Conversation, Entity.conversation_id == Conversation.id)
            .outerjoin(MatchProfile, MatchProfile.entity_id == Entity.id)
            .where(Entity.id == entity_id))).first()
        out[side], out[f"{side}_sender"], out[f"{side}_language"] = (row[0], row[1], row[2]) if row else (None, None, None)
    return IntroView(intro=intro, **out)


async def list_introductions(*, session: AsyncSession, entity_id: int | None = None,
                             limit: int = 200) -> list[dict[str, Any]]:
    """Introductions, newest first, with both names (the Matches page, outcomes)."""
    a, b = Entity.__table__.alias("a"), Entity.__table__.alias("b")
    query = (select(Introduction, a.c.name, b.c.name).join(a, a.c.id == Introduction.a_entity_id)
             .join(b, b.c.id == Introduction.b_entity_id).order_by(Introduction.id.desc()).limit(limit))
    if entity_id is not None:
        query = query.where(_involves(entity_id))
    return [{"intro": i, "a_name": an, "b_name": bn} for i, an, bn in (await session.execute(query)).all()]


async def outcome_counts(*, session: AsyncSession) -> dict[str, int]:
    rows = (await session.execute(select(Introduction.status, func.count()).group_by(Introduction.status))).all()
    return {status: count for status, count in rows}
