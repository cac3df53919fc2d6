"""How the journey ends when the entity already has an open lead: no second contact offer, and who has it."""

from __future__ import annotations

from sqlalchemy import select

from bot.store import leads as store
from bot.store.models import Lead
from tests.auxil.runtime import Chat, ask_for_a_facilitator

# entity name, field, territory, staff, collaboration, why, then the cue buttons (the why text answers "new idea")
INTERVIEW = ["Coop Sud", "inserció laboral de joves", "1", "2", "2",
             "Tenim una idea nova de formació i ens cal un soci que en sàpiga", "1", "3", "3", "1", "1", "2"]


async def _journey(chat: Chat) -> list:
    await chat.send(payload="/explore")
    for answer in INTERVIEW + ["1"] + ["4", "4", "3", "3", "3"]:
        replies = await chat.send(answer)
    return replies


async def test_a_claimed_lead_is_named_instead_of_a_second_offer(runtime) -> None:
    chat = await ask_for_a_facilitator(runtime, "tg:1501")
    async with runtime.sessionmaker() as s, s.begin():
        fac = await store.add_facilitator(session=s, telegram_user_id=7150, name="Laia")
        lead = await s.scalar(select(Lead))
        assert (await store.claim_lead(session=s, lead_id=lead.id, facilitator=fac)).ok
    await chat.send("/bot")  # back to the assistant while Laia keeps the case
    replies = await _journey(chat)
    names = [r.response for r in replies]
    assert "utter_summary" in names
    assert "utter_summary_close_lead_claimed" in names
    assert not {"utter_summary_close_offer", "utter_summary_close", "utter_offer_handoff"} & set(names)
    closing = next(r for r in replies if r.response == "utter_summary_close_lead_claimed")
    assert "Laia" in closing.text
    assert "/human" not in [p for _, p in closing.buttons]
    assert [r.response for r in replies if r.buttons] == ["utter_summary_close_lead_claimed"]  # one menu


async def test_without_a_lead_a_qualified_entity_is_offered_a_facilitator(runtime) -> None:
    chat = Chat(runtime, "tg:1502")
    await chat.send("/start")
    replies = await _journey(chat)
    keyboards = [r.response for r in replies if r.buttons]
    assert keyboards == ["utter_summary_close_offer"]


async def test_the_summary_points_to_busco_soci_until_the_entity_has_opted_in(runtime) -> None:
    from bot.store import matching

    def steps(replies: list) -> str:
        return next(r.text for r in replies if r.response == "utter_summary_next_steps")

    chat = Chat(runtime, "tg:1503")
    await chat.send("/start")
    assert "/partner" in steps(await _journey(chat))  # an entity, not on the list yet
    async with runtime.sessionmaker() as s, s.begin():
        assert await matching.save_profile(
            session=s, sender_id="tg:1503", consent_version=runtime.settings.matching.consent_version,
            language="ca", offers=[], seeks=[], groups_served=[], objective=None, motivation=None, readiness=None,
            fear_power=None)
    assert "/partner" not in steps(await _journey(chat))  # on the list with the current wording
    async with runtime.sessionmaker() as s, s.begin():
        profile = await s.get(matching.MatchProfile, (await matching.entity_id_for_sender(session=s,
                                                                                           sender_id="tg:1503")))
        profile.consent_version = "an older wording"
    assert "/partner" in steps(await _journey(chat))  # asked again under the new wording
