"""Who reads a lead on Telegram, per path and per role, through the real Application and the fake Bot API:
the card's Details button, `/lead N` (in private and in a group) and `/leads`. A facilitator reads an unclaimed
lead and their own; another facilitator, once it is claimed, is answered as if it did not exist; a trainer
only and an unknown user are refused and get nothing of it, anywhere.
"""

from __future__ import annotations

import pytest

from bot.leads import LeadDesk
from bot.store import leads as store
from bot.store import workshops
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import ask_for_a_facilitator, make_runtime
from tests.auxil.telegram_bot import bot_settings, running_bot, settle

LAIA, PAU, TRAINER, STRANGER = 7001, 7002, 8001, 4242
GROUP = -100777
ENTITY_NAME = "Cooperativa Reservada"


@pytest.fixture
async def bot(sqlite_url):
    """(fake, runtime): the bot polling the fake Bot API; Laia and Pau facilitators, a trainer, one lead."""
    async with FakeBotApi() as fake:
        settings = bot_settings(sqlite_url, fake)
        runtime = await make_runtime(sqlite_url)
        runtime.settings = settings
        async with runtime.sessionmaker() as s, s.begin():
            await store.add_facilitator(session=s, telegram_user_id=LAIA, name="Laia")
            await store.add_facilitator(session=s, telegram_user_id=PAU, name="Pau")
            await workshops.add_trainer(session=s, telegram_user_id=TRAINER, name="Jana")
        await ask_for_a_facilitator(runtime, "tg:5401", ENTITY_NAME)
        try:
            async with running_bot(settings, fake, runtime):
                for person in (LAIA, PAU):  # the lead's card (no facilitators' chat set: each in private)
                    await fake.wait_for(lambda c, person=person: c.ok and c.method == "sendMessage"
                                        and c.chat_id == person and ENTITY_NAME in (c.text or ""))
                await settle(fake)
                yield fake, runtime
        finally:
            await runtime.close()


async def _ask(fake, update: dict, user_id: int) -> list[str]:
    """Everything the bot said to that person, or in the group, in answer to `update`: messages and alerts."""
    since = len(fake.calls)
    await fake.push_update(update)
    await fake.wait_updates_consumed()
    await settle(fake)
    said = []
    for call in fake.calls[since:]:
        if call.method == "answerCallbackQuery":
            said.append(call.params.get("text") or "")
        elif call.method == "sendMessage" and call.chat_id in (user_id, GROUP):
            said.append(call.text or "")
    return said


def _paths(user_id: int) -> dict[str, dict]:
    return {
        "Details button": U.make_callback("lead:1:details", chat_id=GROUP, user_id=user_id),
        "/lead in private": U.make_command("lead", "1", user_id=user_id),
        "/lead in the group": U.make_command("lead", "1", user_id=user_id, chat_id=GROUP, chat_type="supergroup"),
        "/leads": U.make_command("leads", user_id=user_id),
    }


async def _claim_by_laia(runtime) -> None:
    async with runtime.sessionmaker() as s, s.begin():
        laia = await store.get_facilitator(session=s, telegram_user_id=LAIA)
        assert (await store.claim_lead(session=s, lead_id=1, facilitator=laia)).ok


@pytest.mark.parametrize("path", list(_paths(0)))
async def test_a_facilitator_reads_an_unclaimed_lead_and_their_own(bot, path) -> None:
    fake, runtime = bot
    said = await _ask(fake, _paths(PAU)[path], PAU)
    assert any(ENTITY_NAME in text for text in said), said  # unclaimed: any facilitator may read it
    await _claim_by_laia(runtime)
    said = await _ask(fake, _paths(LAIA)[path], LAIA)
    assert any(ENTITY_NAME in text for text in said), said


@pytest.mark.parametrize("path", list(_paths(0)))
async def test_another_facilitators_lead_is_not_there(bot, path) -> None:
    fake, runtime = bot
    await _claim_by_laia(runtime)
    said = await _ask(fake, _paths(PAU)[path], PAU)
    assert said and not any(ENTITY_NAME in text or "Marta" in text for text in said), said
    if path != "/leads":
        not_found = LeadDesk(runtime).r.text("utter_fac_not_found", "ca")
        assert any(not_found in text for text in said), said


@pytest.mark.parametrize("who", [TRAINER, STRANGER], ids=["trainer only", "unknown user"])
@pytest.mark.parametrize("path", list(_paths(0)))
async def test_a_trainer_or_a_stranger_reads_no_lead(bot, path, who) -> None:
    fake, runtime = bot
    refusal = LeadDesk(runtime).r.text("utter_fac_not_facilitator", "ca")
    said = await _ask(fake, _paths(who)[path], who)  # the lead unclaimed: what the old rule let anyone read
    assert said and all(text == refusal for text in said if text), said
    assert not any(ENTITY_NAME in text or "Marta" in text for text in said)
    assert not any(ENTITY_NAME in (c.text or "") for c in fake.calls if c.chat_id == who)


async def test_the_desk_refuses_when_nobody_is_named(runtime) -> None:
    """LeadDesk.details and .leads given no facilitator (a caller that found none) refuse, where they used to
    fail on `None.id`."""
    await ask_for_a_facilitator(runtime, "tg:5401", ENTITY_NAME)
    desk = LeadDesk(runtime)
    refusal = desk.r.text("utter_fac_not_facilitator", desk.lang(None))
    assert await desk.details(None, 1) == refusal
    assert await desk.leads(None) == refusal
