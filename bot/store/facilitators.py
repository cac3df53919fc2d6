"""Facilitators: the people who take leads (registered with `aliat facilitators add`). Removing one
releases the leads they held, so it lives with the leads (`bot.store.leads.remove_facilitator`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.clock import now_utc
from bot.store.models import Facilitator


async def add_facilitator(*, session: AsyncSession, telegram_user_id: int, name: str, territory: str | None = None,
                          language: str | None = None) -> Facilitator:
    """Register (or re-activate and update) a facilitator."""
    row = await session.scalar(select(Facilitator).where(Facilitator.telegram_user_id == telegram_user_id))
    if row is None:
        row = Facilitator(telegram_user_id=telegram_user_id, name=name, territory=territory, language=language,
                          active=True, created_at=now_utc())
        session.add(row)
    else:
        row.name, row.territory, row.language, row.active = name, territory, language, True
    await session.flush()
    return row


async def get_facilitator(*, session: AsyncSession, telegram_user_id: int) -> Facilitator | None:
    """The active facilitator with this Telegram user id, or None (anyone else may not act on leads)."""
    return await session.scalar(select(Facilitator).where(Facilitator.telegram_user_id == telegram_user_id,
                                                          Facilitator.active.is_(True)))


async def list_facilitators(*, session: AsyncSession, include_inactive: bool = False) -> list[Facilitator]:
    query = select(Facilitator).order_by(Facilitator.id)
    if not include_inactive:
        query = query.where(Facilitator.active.is_(True))
    return list(await session.scalars(query))
