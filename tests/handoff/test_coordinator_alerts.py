"""The notifier delivers what coordinators and facilitators are owed: a stale lead escalated to every active
coordinator (each in their language), a follow-up day's reminder to the lead's facilitator."""

from __future__ import annotations

from datetime import timedelta

from bot.leads import CardAction, LeadDesk
from bot.notifier import Notifier
from bot.store import lead_admin, staff
from bot.store import leads as store
from tests.auxil.runtime import ask_for_a_facilitator


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def send(self, address, text, buttons=None):
        self.sent.append((address, text))
        return len(self.sent)

    async def edit(self, address, message_id, text, buttons=None):
        return None


async def test_escalations_reach_the_coordinators_and_follow_ups_the_facilitator(runtime) -> None:
    await ask_for_a_facilitator(runtime, "tg:811", "Coop Nord")
    await ask_for_a_facilitator(runtime, "tg:812", "Coop Mar")
    async with runtime.sessionmaker() as session, session.begin():
        laia = await store.add_facilitator(session=session, telegram_user_id=7401, name="Laia", language="es")
        await staff.add_coordinator(session=session, telegram_user_id=7501, name="Núria", language="ca")
        await staff.add_coordinator(session=session, telegram_user_id=7502, name="Anna", language="en")
        await staff.add_coordinator(session=session, telegram_user_id=7503, name="Joan")
        await staff.remove_coordinator(session=session, telegram_user_id=7503)  # no longer told
    assert (await LeadDesk(runtime).change(laia, 2, CardAction.CLAIM))[0]
    recorder = Recorder()
    notifier = Notifier(settings=runtime.settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker,
                        sender=recorder)
    await notifier.run_once(limit=50)  # the cards and the claim's messages first
    recorder.sent.clear()

    async with runtime.sessionmaker() as session, session.begin():
        later = store.now_utc() + timedelta(days=8)
        assert sorted(await lead_admin.escalate_stale(session=session, unclaimed_hours=72, no_contact_days=7,
                                                      now=later)) == [1, 2]
        assert await lead_admin.set_follow_up(session=session, lead_id=2, when=store.now_utc(), actor="facilitator:7401")
        assert await lead_admin.due_follow_ups(session=session) == [2]
    await notifier.run_once(limit=50)
    told = {address: [t for a, t in recorder.sent if a == address] for address, _ in recorder.sent}
    assert set(told) == {"telegram:7501", "telegram:7502", "telegram:7401"}
    assert any("Lead #1 · Coop Nord" in t and "ningú no l'ha agafat" in t for t in told["telegram:7501"])
    assert any("Lead #2 · Coop Mar" in t and "Laia has had it" in t for t in told["telegram:7502"])
    assert told["telegram:7401"] == ["📅 Lead #2 · Coop Mar: hoy es el día de seguimiento que apuntaste."]
