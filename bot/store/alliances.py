"""Alliances as the programme counts them: one per pair of partners, each with one of the programme's aims.

When a lead is closed with "alliance formed", `record()` writes an `alliance` row: the lead's entity and its
partner (another lead of the programme, or an entity outside it, by name), and the aim (one of
`programme.alliance_target`'s four). Chosen on the dashboard before closing (kept in the lead's dossier as
`alliance_aim` and `alliance_partner`); otherwise the aim is the interview's objective mapped by
`programme.objective_aims`. Two leads that name each other are one alliance: the pair's key is unique.
The row outlives erasure (its links become NULL), so the count against the target stays as reported.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.clock import now_utc
from bot.store.db import changed
from bot.store.models import Alliance, Entity, Facilitator, Lead

UNCLAIMED = ("new", "notified")  # bot.store.leads' (which imports this module)
HELD = ("claimed", "contacted")
AIMS = ("innovation", "public_contracting", "integral_attention", "efficiency")
MAX_PARTNER = 200

# objective (knowledge/objectives.yml) -> aim; set at start-up from programme.objective_aims (bot.app.runtime)
_objective_aims: dict[str, str] = {a: a for a in AIMS}


def set_objective_aims(mapping: dict[str, str]) -> None:
    global _objective_aims
    _objective_aims = {k: v for k, v in mapping.items() if v in AIMS}


def aim_of(objective: Any) -> str | None:
    """The programme's aim an objective (or an aim) counts towards; None when it has none."""
    if objective in AIMS:
        return str(objective)
    return _objective_aims.get(str(objective)) if objective else None


def fold(name: str) -> str:
    """An outside partner's name as compared: no accents, case or repeated spaces."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())[:80]


async def set_alliance(*, session: AsyncSession, lead_id: int, facilitator: Facilitator | None, aim: str,
                       partner_lead_id: int | None = None, partner_name: str | None = None) -> bool:
    """Before closing: the alliance's aim and partner on a lead this person may close (a facilitator:
    unclaimed, or held by them; a coordinator, `facilitator` None: any open lead). False otherwise."""
    if aim not in AIMS:
        return False
    query = select(Lead.dossier).where(Lead.id == lead_id, Lead.status.in_((*UNCLAIMED, *HELD)))
    if facilitator is not None:
        query = query.where(or_(Lead.status.in_(UNCLAIMED),
                                Lead.status.in_(HELD) & (Lead.assignee_id == facilitator.id)))
    dossier = await session.scalar(query)
    if dossier is None:
        return False
    partner: dict[str, Any] = {}
    if partner_lead_id and partner_lead_id != lead_id:
        partner = {"lead_id": int(partner_lead_id)}
    elif partner_name and partner_name.strip():
        partner = {"name": " ".join(partner_name.split())[:MAX_PARTNER]}
    result = await session.execute(update(Lead).where(Lead.id == lead_id).values(
        dossier={**dossier, "alliance_aim": aim, "alliance_partner": partner}))
    return changed(result) == 1


# kept for the callers of the first version
async def set_alliance_aim(*, session: AsyncSession, lead_id: int, facilitator: Facilitator, aim: str) -> bool:
    return await set_alliance(session=session, lead_id=lead_id, facilitator=facilitator, aim=aim)


def _side(entity_id: int | None, lead_id: int) -> str:
    return f"e{entity_id}" if entity_id is not None else f"L{lead_id}"


async def record(*, session: AsyncSession, lead_id: int, when: datetime | None = None) -> Alliance | None:
    """The lead was closed with an alliance formed: its alliance, once per pair (the existing one when the
    partner already recorded it). In the closing's transaction."""
    lead = await session.get(Lead, lead_id)
    if lead is None:
        return None
    dossier = lead.dossier or {}
    aim = aim_of(dossier.get("alliance_aim")) or aim_of((dossier.get("answers") or {}).get("objective")) or ""
    partner = dossier.get("alliance_partner") or {}
    partner_lead = await session.get(Lead, int(partner["lead_id"])) if partner.get("lead_id") else None
    partner_name = None
    me = _side(lead.entity_id, lead.id)
    if partner_lead is not None:
        other = _side(partner_lead.entity_id, partner_lead.id)
    elif partner.get("name"):
        partner_name = str(partner["name"])[:MAX_PARTNER]
        other = "x:" + fold(partner_name)
    else:
        other = ""  # partner not said: this lead's alliance alone
    pair = "|".join(sorted([me, other])) if other else f"L{lead.id}"  # partner not said: this lead's own
    await session.execute(delete(Alliance).where(Alliance.lead_id == lead_id, Alliance.pair != pair))
    existing = await session.scalar(select(Alliance).where(Alliance.pair == pair))
    if existing is not None:
        return existing
    row = Alliance(pair=pair[:96], aim=aim, lead_id=lead.id, entity_id=lead.entity_id,
                   partner_lead_id=partner_lead.id if partner_lead else None,
                   partner_entity_id=partner_lead.entity_id if partner_lead else None,
                   partner_name=partner_name, formed_at=when or now_utc())
    session.add(row)
    await session.flush()
    return row


async def undo(*, session: AsyncSession, lead_id: int) -> int:
    """A lead closed as an alliance is reopened: the alliance it recorded is no longer counted."""
    result = await session.execute(delete(Alliance).where(Alliance.lead_id == lead_id))
    return changed(result)


@dataclass
class AllianceRow:
    id: int
    aim: str
    formed_at: datetime | None
    lead_id: int | None
    entity: str | None
    territory: str | None
    partner_lead_id: int | None
    partner: str | None  # the partner's name: an entity of the programme, or outside it
    outside: bool


async def list_alliances(*, session: AsyncSession) -> list[AllianceRow]:
    """Every alliance counted, newest first, with the names still kept (an erased entity has none)."""
    me, them = Entity.__table__.alias("me"), Entity.__table__.alias("them")
    query = (select(Alliance, me.c.name, me.c.territory, them.c.name)
             .outerjoin(me, Alliance.entity_id == me.c.id)
             .outerjoin(them, Alliance.partner_entity_id == them.c.id)
             .order_by(Alliance.formed_at.desc(), Alliance.id.desc()))
    rows = []
    for alliance, name, territory, partner in await session.execute(query):
        rows.append(AllianceRow(id=alliance.id, aim=alliance.aim, formed_at=alliance.formed_at,
                                lead_id=alliance.lead_id, entity=name, territory=territory,
                                partner_lead_id=alliance.partner_lead_id,
                                partner=partner or alliance.partner_name, outside=alliance.partner_name is not None))
    return rows


async def formed_by_aim(*, session: AsyncSession, since: datetime | None = None,
                        until: datetime | None = None) -> dict[str, int]:
    query = select(Alliance.aim, func.count()).group_by(Alliance.aim)
    if since is not None:
        query = query.where(Alliance.formed_at >= since)
    if until is not None:
        query = query.where(Alliance.formed_at < until)
    return {aim: int(n) for aim, n in await session.execute(query)}
