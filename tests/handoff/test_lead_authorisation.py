"""One rule for who may see a lead, on every channel; no alliance from a forged "formed" (issue 27, items 9, 13).

Before: on Telegram `/lead N` showed, and `/note N` wrote on, another facilitator's claimed lead (the
dashboard answered 404); and "formed" pressed (or forged) on an unclaimed lead closed it as an alliance.
"""

from __future__ import annotations

from sqlalchemy import func, select

from bot.leads import LeadDesk
from bot.shared.callbacks import CardAction
from bot.store import funnel
from bot.store import leads as store
from bot.store.models import Alliance, FunnelJourney, Lead, LeadEvent
from tests.auxil.runtime import ask_for_a_facilitator


async def _two_facilitators_and_a_lead(runtime):
    await ask_for_a_facilitator(runtime, "tg:5401", "Coop Reservada")
    async with runtime.sessionmaker() as s, s.begin():
        laia = await store.add_facilitator(session=s, telegram_user_id=7301, name="Laia")
        pau = await store.add_facilitator(session=s, telegram_user_id=7302, name="Pau")
    return laia, pau


async def test_another_facilitators_lead_is_not_there_for_lead_and_note(runtime) -> None:
    laia, pau = await _two_facilitators_and_a_lead(runtime)
    desk = LeadDesk(runtime)
    assert "Coop Reservada" in await desk.details(pau, 1)  # unclaimed: anyone may read it
    changed, _ = await desk.change(laia, 1, CardAction.CLAIM)
    assert changed
    assert "Coop Reservada" in await desk.details(laia, 1)
    assert await desk.details(pau, 1) == desk.r.text("utter_fac_not_found", desk.lang(pau))
    assert await desk.note(pau, 1, "l'he trucat jo") == desk.r.text("utter_fac_not_found", desk.lang(pau),
                                                                   {"lead_id": 1})
    assert "Coop Reservada" not in await desk.leads(pau)
    async with runtime.sessionmaker() as s:
        notes = await s.scalar(select(func.count()).select_from(LeadEvent).where(LeadEvent.action == "note"))
    assert notes == 0
    assert await desk.note(laia, 1, "trucada feta") == desk.r.text("utter_fac_note_saved", desk.lang(laia),
                                                                    {"lead_id": 1})  # their own: noted


async def test_formed_on_an_unclaimed_lead_is_refused(runtime) -> None:
    laia, _ = await _two_facilitators_and_a_lead(runtime)
    desk = LeadDesk(runtime)
    changed, text = await desk.change(laia, 1, CardAction.FORMED)
    assert not changed and text == desk.r.text("utter_fac_not_yours", desk.lang(laia))
    async with runtime.sessionmaker() as s:
        lead = await s.scalar(select(Lead))
        formed = await s.scalar(select(func.count()).select_from(Alliance))  # no alliance counted
        formed += await s.scalar(select(func.count()).select_from(FunnelJourney)
                                 .where(FunnelJourney.stage == len(funnel.STEPS) - 1))
    assert lead.status != "closed" and lead.outcome is None and not formed
    changed, _ = await desk.change(laia, 1, CardAction.DROPPED)  # dropping an unclaimed lead stays possible
    assert changed
