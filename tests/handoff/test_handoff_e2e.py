"""The whole handoff through the fake Bot API: entity, consent, lead card, a stranger refused, two
facilitators racing, the entity told, messages passed both ways, the lead closed."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import select

from bot.notifier import Notifier
from bot.store import leads as store
from bot.store.models import Lead
from bot.telegram.deliver import TelegramTransport
from bot.telegram.sender import Sender
from tests.auxil.updates import make_callback, make_command, make_document, make_message, make_photo

GROUP = -100777
ENTITY = 1001


async def test_handoff_end_to_end(fake, bots) -> None:
    runtime = await bots.runtime()
    s = runtime.settings
    settings = replace(s, telegram_token=fake.token, telegram_api_base_url=fake.base_url,
                       # the entity answers faster than anyone types: no flood guard
                       telegram=replace(s.telegram, rate_limit=False, polling_timeout_seconds=1,
                                        flood_max_per_minute=0),
                       handoff=replace(s.handoff, facilitator_chat_id=str(GROUP)))
    runtime.settings = settings
    async with runtime.sessionmaker() as session, session.begin():
        await store.add_facilitator(session=session, telegram_user_id=7001, name="Laia")
        await store.add_facilitator(session=session, telegram_user_id=7002, name="Pau")
    app = await bots.start(settings, runtime)
    notifier = Notifier(settings=settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker,
                        sender=TelegramTransport(app.bot, Sender(max_retries=2, pace=False)))

    async def say(update, expect: str, chat: int = ENTITY) -> None:
        since = len(fake.calls)
        await fake.push_update(update)
        await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == chat
                            and expect in (c.text or ""), since=since)

    await say(make_command("start"), "Alia't")
    await say(make_command("facilitator"), "Hi estàs d'acord")
    await say(make_message("sí"), "entitat")
    await say(make_message("Coop Sud"), "Com et dius")
    await say(make_message("Marta"), "càrrec")
    await say(make_command("skip"), "voluntàries")
    await say(make_message("uns 12"), "pressupost")
    await say(make_command("skip"), "contacti")
    await say(make_message("1"), "Coop Sud")

    # The card reaches the facilitators' chat.
    await notifier.run_once()  # (or the bot's own notifier got there first)
    card = (await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == GROUP
                                and "Lead #1" in (c.text or "")))[0]
    card_id = card.result["message_id"]

    async def press(user: int, data: str) -> str:
        since = len(fake.calls)
        await fake.push_update(make_callback(data, chat_id=GROUP, user_id=user, message_id=card_id))
        answer = await fake.wait_for("answerCallbackQuery", since=since)
        return answer[0].params.get("text") or ""

    # A stranger is refused and nothing changes.
    assert "facilitadors registrats" in await press(4242, "lead:1:claim")
    assert "no és vàlid" in await press(7001, "lead:1:hack")
    # (the bot's own notifier may be the one that delivered the card: wait for its bookkeeping)
    for _ in range(100):
        async with runtime.sessionmaker() as session:
            status = (await store.get_lead(session=session, lead_id=1)).status
        if status == "notified":
            break
        await asyncio.sleep(0.05)
    assert status == "notified"

    # Two facilitators press Claim at once: one wins, the other is told who has it.
    since = len(fake.calls)
    await asyncio.gather(
        fake.push_update(make_callback("lead:1:claim", chat_id=GROUP, user_id=7001, message_id=card_id)),
        fake.push_update(make_callback("lead:1:claim", chat_id=GROUP, user_id=7002, message_id=card_id)))
    answers = await fake.wait_for("answerCallbackQuery", count=2, since=since)
    texts = sorted(a.params.get("text") or "" for a in answers)
    assert sum("és teu" in t for t in texts) == 1 and sum("Ja l'ha agafat" in t for t in texts) == 1
    async with runtime.sessionmaker() as session:
        lead = await session.scalar(select(Lead))
        winner = await session.get(store.Facilitator, lead.assignee_id)
    assert lead.status == "claimed"
    # The card is edited by the notifier (the lead_refresh row written with the claim), not the handler.
    await notifier.run_once()  # (or the bot's own notifier, woken by the claim)
    await fake.wait_for(lambda c: c.ok and c.method == "editMessageText" and c.chat_id == GROUP
                        and winner.name in (c.params.get("text") or ""))

    # The entity is told, with the facilitator's name.
    await notifier.run_once()
    assert any(f"{winner.name}, facilitador" in t for t in fake.sent_texts(ENTITY))

    # What the entity writes goes to the facilitator; the assistant stays quiet.
    since = len(fake.calls)
    await fake.push_update(make_message("Podem parlar dijous?"))
    await fake.wait_updates_consumed()
    for _ in range(50):
        if await notifier.run_once():
            break
        await asyncio.sleep(0.05)
    relayed = await fake.wait_for(lambda c: c.ok and c.method == "sendMessage"
                                  and c.chat_id == winner.telegram_user_id
                                  and "Podem parlar dijous?" in (c.text or ""), since=since)
    assert not [c for c in fake.sent_messages(ENTITY) if fake.calls.index(c) >= since]

    # A file the entity sends reaches the facilitator as a copy, under a header to reply to.
    async def relay_of(update, *, gone: bool = False) -> list:
        """The calls to the facilitator's chat once the header and what follows it are there."""
        mark = len(fake.calls)
        await fake.push_update(update)
        if gone:  # deleted by the entity before it could be copied (the fake forgets it)
            fake.messages.pop((ENTITY, update["message"]["message_id"]))
        await fake.wait_updates_consumed()
        for _ in range(100):
            await notifier.run_once()  # (or the bot's own notifier)
            calls = [c for c in fake.calls[mark:] if c.chat_id == winner.telegram_user_id]
            if len([c for c in calls if c.ok]) >= 2:
                return calls
            await asyncio.sleep(0.05)
        raise AssertionError(f"not relayed: {calls}")

    header, copied = await relay_of(make_document("estatuts.pdf", caption="Els estatuts", message_id=501))
    assert "Coop Sud" in header.text and "👇" in header.text
    assert copied.method == "copyMessage" and copied.params["from_chat_id"] == ENTITY
    assert copied.params["message_id"] == 501
    assert copied.params["reply_parameters"]["message_id"] == header.result["message_id"]
    copy = fake.messages[(winner.telegram_user_id, copied.result["message_id"])]
    assert copy["document"]["file_name"] == "estatuts.pdf" and copy["caption"] == "Els estatuts"
    # One Telegram no longer has becomes a line saying so, once.
    header, refused, told = await relay_of(make_photo(message_id=502), gone=True)
    assert "👇" in header.text and refused.method == "copyMessage" and refused.status == 400
    assert "no s'ha pogut reenviar" in told.text
    assert not [c for c in fake.sent_messages(ENTITY) if fake.calls.index(c) >= since]

    # The facilitator replies to the passed message; it reaches the entity.
    await fake.push_update(make_message("Sí, a les 10", user_id=winner.telegram_user_id,
                                        reply_to={**relayed[0].result, "from": fake.bot_user}))
    await fake.wait_for(lambda c: c.ok and c.method == "sendMessage"
                        and c.chat_id == winner.telegram_user_id and "✓" in (c.text or ""))
    await notifier.run_once()  # or the application's own notifier, woken by the reply, sends it
    await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == ENTITY
                        and f"{winner.name}: Sí, a les 10" in (c.text or ""), since=since)

    # And a photo in reply reaches the entity as a copy under the facilitator's name.
    mark = len(fake.calls)
    await fake.push_update(make_photo(caption="El calendari", user_id=winner.telegram_user_id,
                                      message_id=901, reply_to={**relayed[0].result, "from": fake.bot_user}))
    await fake.wait_for(lambda c: c.ok and c.method == "sendMessage"
                        and c.chat_id == winner.telegram_user_id and "✓" in (c.text or ""), since=mark)
    for _ in range(100):
        await notifier.run_once()
        to_entity = [c for c in fake.calls[mark:] if c.ok and c.chat_id == ENTITY]
        if len(to_entity) >= 2:
            break
        await asyncio.sleep(0.05)
    said, copied = to_entity[:2]
    assert f"{winner.name}: El calendari" in said.text
    assert copied.method == "copyMessage" and copied.params["from_chat_id"] == winner.telegram_user_id
    assert copied.params["message_id"] == 901 and "photo" in fake.messages[(ENTITY, copied.result["message_id"])]

    # Closing hands the entity back to the assistant.
    assert "tancat" in await press(winner.telegram_user_id, "lead:1:formed")
    await notifier.run_once()  # (or the bot's own notifier, woken by the close)
    await fake.wait_for(lambda c: c.ok and c.chat_id == ENTITY and "ha tancat el vostre cas" in (c.text or ""))
    assert (await runtime.engine.peek(f"tg:{ENTITY}")).paused is False
    async with runtime.sessionmaker() as session:
        assert (await store.get_lead(session=session, lead_id=1)).outcome == "alliance_formed"
