"""With the Telegram channel's handlers too: workshop updates stop before the conversation sees them."""

from __future__ import annotations

from bot.store import workshops as store
from tests.auxil import updates as U
from tests.auxil.workshop_bot import TRAINER_ID

GROUP = U.DEFAULT_GROUP_ID


async def test_workshop_beside_the_conversation(fake, bots):
    runtime = await bots.runtime()
    async with runtime.sessionmaker() as session:
        await store.add_trainer(session=session, telegram_user_id=TRAINER_ID, name="Formadora")
        await session.commit()
    app = await bots.start(bots.settings(), runtime)  # the workshop registered with the other channels
    since = len(fake.calls)
    # In private, /workshop is the trainer's rehearsal, not a turn of the conversation.
    await fake.push_update(U.make_command("workshop", user_id=TRAINER_ID))
    sent = await fake.wait_for("sendMessage", since=since)
    assert sent[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "ws:p:scenarios:ca"
    # In a group, /workshop@bot reaches the workshop, and a press on its buttons too.
    since = len(fake.calls)
    await fake.push_update(U.make_command("workshop", addressed=True, chat_id=GROUP, user_id=TRAINER_ID))
    choice = (await fake.wait_for("sendMessage", since=since))[0]
    await fake.push_update(U.make_callback("ws:p:scenarios:ca", chat_id=GROUP, user_id=TRAINER_ID,
                                           message_id=choice.result["message_id"]))
    await fake.wait_for("sendPoll", since=since)
    # The conversation still answers a normal private message.
    since = len(fake.calls)
    await fake.push_update(U.make_message("/start", user_id=4242, entities=[
        {"type": "bot_command", "offset": 0, "length": 6}]))
    await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == 4242, since=since,
                        timeout=10)
    # By now the conversation would have answered the trainer's /workshop, had it seen it.
    assert len(fake.sent_messages(TRAINER_ID)) == 1
    await app.bot_data.workshop.close()


async def test_the_results_go_through_the_outbox_with_the_channel(fake, bots):
    """Beside the channel, the chart and the summary are outbox rows: they survive a restart or an outage."""
    from sqlalchemy import select

    from bot.store.models import Outbox
    from bot.workshop.session import Programme, initial_state

    runtime = await bots.runtime()
    app = await bots.start(bots.settings(), runtime)
    service = app.bot_data.workshop
    async with runtime.sessionmaker() as session:
        workshop = await store.create_workshop(
            session=session, chat_id=GROUP, trainer_user_id=TRAINER_ID, programme="factors", language="ca",
            state=initial_state(Programme.FACTORS, service.texts.knowledge))
        await session.commit()
    since = len(fake.calls)
    fake.fail_next("sendPhoto", status=500, count=1)  # retried: the row keeps it
    assert await service.finish(workshop.id)
    photo = (await fake.wait_for(lambda c: c.ok and c.method == "sendPhoto", since=since, timeout=15))[0]
    summary = (await fake.wait_for(lambda c: c.ok and "t.me/" in (c.text or ""), since=since))[0]
    assert photo.chat_id == GROUP and photo.params.get("caption")
    assert summary.params["reply_markup"]["inline_keyboard"][0][0]["url"].endswith("?start=ws")
    async with runtime.sessionmaker() as session:
        row = await session.scalar(select(Outbox).where(Outbox.dedup_key.startswith("workshop-results:")))
    assert row is not None and len(row.payload["messages"]) == 2
    await service.close()
