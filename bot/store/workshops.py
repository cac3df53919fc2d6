"""Trainers, workshops and their votes. Votes are kept under a pseudonym valid for one workshop.

A participant's pseudonym is an HMAC of (workshop id, Telegram user id) keyed with a random salt kept
in the workshop's state while it runs; the salt is deleted when the workshop ends, so afterwards no
vote can be linked back to a person. Nothing here commits: callers own their transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.db import changed
from bot.store.models import Trainer, Workshop, WorkshopVote

RUNNING = "running"
ENDED = "ended"


# ---------------------------------------------------------------------- trainers
async def add_trainer(*, session: AsyncSession, telegram_user_id: int, name: str) -> Trainer:
    """Register a trainer, or rename one already registered."""
    trainer = await session.scalar(select(Trainer).where(Trainer.telegram_user_id == telegram_user_id))
    if trainer is None:
        trainer = Trainer(telegram_user_id=telegram_user_id, name=name)
        session.add(trainer)
    else:
        trainer.name = name
    await session.flush()
    return trainer


async def remove_trainer(*, session: AsyncSession, telegram_user_id: int) -> bool:
    result = await session.execute(delete(Trainer).where(Trainer.telegram_user_id == telegram_user_id))
    return bool(changed(result))


async def list_trainers(*, session: AsyncSession) -> list[Trainer]:
    return list((await session.scalars(select(Trainer).order_by(Trainer.name, Trainer.id))).all())


async def is_trainer(*, session: AsyncSession, telegram_user_id: int) -> bool:
    found = await session.scalar(select(Trainer.id).where(Trainer.telegram_user_id == telegram_user_id))
    return found is not None


# ---------------------------------------------------------------------- pseudonyms
def new_salt() -> str:
    return secrets.token_hex(32)


def pseudonym(*, salt: str, workshop_id: int, user_id: int) -> str:
    """The participant's name in this workshop's votes; meaningless once the salt is gone."""
    digest = hmac.new(bytes.fromhex(salt), f"{workshop_id}:{user_id}".encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


# ---------------------------------------------------------------------- workshops
async def create_workshop(*, session: AsyncSession, chat_id: int, trainer_user_id: int, programme: str,
                          language: str, state: dict[str, Any]) -> Workshop:
    workshop = Workshop(chat_id=chat_id, trainer_user_id=trainer_user_id, programme=programme,
                        status=RUNNING, language=language, state={**state, "salt": new_salt()})
    session.add(workshop)
    await session.flush()
    return workshop


async def get_workshop(*, session: AsyncSession, workshop_id: int, for_update: bool = False) -> Workshop | None:
    query = select(Workshop).where(Workshop.id == workshop_id)
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def running_workshop(*, session: AsyncSession, chat_id: int, for_update: bool = False) -> Workshop | None:
    """The workshop running in this chat, if any (the newest, should there ever be two)."""
    query = (select(Workshop).where(Workshop.chat_id == chat_id, Workshop.status == RUNNING)
             .order_by(Workshop.id.desc()).limit(1))
    if for_update:
        query = query.with_for_update()
    return await session.scalar(query)


async def workshop_for_poll(*, session: AsyncSession, poll_id: str) -> tuple[Workshop, str] | None:
    """The running workshop that sent this quiz poll, and the item it asks."""
    for workshop in (await session.scalars(select(Workshop).where(Workshop.status == RUNNING))).all():
        item_id = (workshop.state or {}).get("polls", {}).get(poll_id)
        if item_id:
            return workshop, item_id
    return None


def update_state(workshop: Workshop, **changes: Any) -> None:
    """Replace the JSON state with a new dict, so SQLAlchemy sees the change."""
    workshop.state = {**(workshop.state or {}), **changes}


async def end_workshop(*, session: AsyncSession, workshop: Workshop, now: datetime | None = None) -> None:
    """Mark it ended and drop the salt: from here on the pseudonyms link to nobody."""
    workshop.status = ENDED
    workshop.ended_at = now or datetime.now(UTC)
    workshop.state = {k: v for k, v in (workshop.state or {}).items() if k != "salt"}
    await session.flush()


async def end_abandoned_workshops(*, session: AsyncSession, started_before: datetime) -> int:
    """End the workshops still running that started before `started_before` (a trainer who never
    pressed End): their salt goes, as at a normal end, so their votes link to nobody from then on."""
    stale = (await session.scalars(select(Workshop).where(
        Workshop.status == RUNNING, Workshop.created_at < started_before))).all()
    for workshop in stale:
        await end_workshop(session=session, workshop=workshop)
    return len(stale)


# ---------------------------------------------------------------------- votes
def _insert(session: AsyncSession) -> postgresql.Insert | sqlite.Insert:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(WorkshopVote)


async def record_answer(*, session: AsyncSession, workshop_id: int, item_id: str, participant: str,
                        value: str) -> bool:
    """A quiz answer: the first one of a participant counts; returns whether this one did."""
    statement = _insert(session).values(workshop_id=workshop_id, item_id=item_id, participant=participant,
                                        value=value).on_conflict_do_nothing(
        index_elements=["workshop_id", "item_id", "participant"])
    result = await session.execute(statement)
    return bool(changed(result))


async def record_rating(*, session: AsyncSession, workshop_id: int, item_id: str, participant: str,
                        value: str) -> None:
    """A 1-4 rating: one per participant and factor; a new press replaces the old one."""
    statement = _insert(session).values(workshop_id=workshop_id, item_id=item_id, participant=participant,
                                        value=value)
    statement = statement.on_conflict_do_update(index_elements=["workshop_id", "item_id", "participant"],
                                                set_={"value": statement.excluded.value})
    await session.execute(statement)


async def item_tally(*, session: AsyncSession, workshop_id: int, item_id: str) -> dict[str, int]:
    rows = await session.execute(
        select(WorkshopVote.value, func.count()).where(WorkshopVote.workshop_id == workshop_id,
                                                        WorkshopVote.item_id == item_id)
        .group_by(WorkshopVote.value))
    return {value: count for value, count in rows.all()}


async def workshop_tallies(*, session: AsyncSession, workshop_id: int) -> dict[str, dict[str, int]]:
    rows = await session.execute(
        select(WorkshopVote.item_id, WorkshopVote.value, func.count()).where(WorkshopVote.workshop_id == workshop_id)
        .group_by(WorkshopVote.item_id, WorkshopVote.value))
    tallies: dict[str, dict[str, int]] = {}
    for item_id, value, count in rows.all():
        tallies.setdefault(item_id, {})[value] = count
    return tallies


async def participant_count(*, session: AsyncSession, workshop_id: int) -> int:
    return int(await session.scalar(select(func.count(func.distinct(WorkshopVote.participant)))
                                    .where(WorkshopVote.workshop_id == workshop_id)) or 0)


@dataclass(frozen=True)
class WorkshopRow:
    workshop: Workshop
    participants: int
    votes: int


async def list_workshops(*, session: AsyncSession, limit: int = 100) -> list[WorkshopRow]:
    """The newest workshops first, each with how many took part and how many votes it got."""
    workshops = (await session.scalars(select(Workshop).order_by(Workshop.id.desc()).limit(limit))).all()
    rows = []
    for workshop in workshops:
        votes = int(await session.scalar(select(func.count()).select_from(WorkshopVote)
                                         .where(WorkshopVote.workshop_id == workshop.id)) or 0)
        rows.append(WorkshopRow(workshop, await participant_count(session=session, workshop_id=workshop.id), votes))
    return rows


async def purge_workshops(*, session: AsyncSession, older_than_days: int, now: datetime | None = None) -> int:
    """Delete workshops (with their votes) started longer ago than the retention period.

    Meant for the scheduler (retention.workshop_days); a workshop left running that long goes too.
    """
    cutoff = (now or datetime.now(UTC)) - timedelta(days=older_than_days)
    old = select(Workshop.id).where(Workshop.created_at < cutoff)
    unsynced = {"synchronize_session": False}  # plain SQL deletes; callers reload what they need
    await session.execute(delete(WorkshopVote).where(WorkshopVote.workshop_id.in_(old)), execution_options=unsynced)
    result = await session.execute(delete(Workshop).where(Workshop.created_at < cutoff), execution_options=unsynced)
    return changed(result)
