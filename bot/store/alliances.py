"""The aim an alliance formed with, chosen when its lead is closed (it may differ from the objective the
entity gave in the interview). Kept in the lead's dossier as `alliance_aim`; the funnel's
"alliance formed" count and the alliances' list read it before the interview's objective."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.leads import HELD, UNCLAIMED
from bot.store.models import Facilitator, Lead


async def set_alliance_aim(*, session: AsyncSession, lead_id: int, facilitator: Facilitator, aim: str) -> bool:
    """Record the aim on a lead this facilitator may close (unclaimed, or held by them); False otherwise."""
    mayclose = or_(Lead.status.in_(UNCLAIMED), Lead.status.in_(HELD) & (Lead.assignee_id == facilitator.id))
    dossier = await session.scalar(select(Lead.dossier).where(Lead.id == lead_id, mayclose))
    if dossier is None:
        return False
    result = await session.execute(update(Lead).where(Lead.id == lead_id, mayclose)
                                   .values(dossier={**dossier, "alliance_aim": aim[:32]}))
    return result.rowcount == 1
