"""A whole workshop in a group through the fake Bot API, with 30 participants on their phones."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import func, select, text

from bot.store import workshops as store
from bot.store.models import Base, Lead, Workshop
from tests.auxil import updates as U
from tests.auxil.workshop_bot import TRAINER_ID, WorkshopBot, eventually, workshop_bot

GROUP = U.DEFAULT_GROUP_ID
PEOPLE = [880000 + i for i in range(1, 31)]  # 30 participants
NAMES = [f"Zoraida{i}" for i in range(30)]   # first names Telegram sends with every update
OUTSIDER = PEOPLE[0]


def command(cmd: str, user_id: int, name: str = "Ana", args: str = "") -> dict:
    update = U.make_command(cmd, args, addressed=True, chat_id=GROUP, user_id=user_id)
    update["message"]["from"]["first_name"] = name
    return update


def press(data: str, user_id: int, message_id: int, name: str = "Ana") -> dict:
    update = U.make_callback(data, chat_id=GROUP, user_id=user_id, message_id=message_id)
    update["callback_query"]["from"]["first_name"] = name
    return update


def vote(poll_id: str, index: int, option: int) -> dict:
    update = U.make_poll_answer(poll_id, PEOPLE[index], [option])
    update["poll_answer"]["user"]["first_name"] = NAMES[index]
    return update


async def running(bot: WorkshopBot) -> Workshop | None:
    async with bot.runtime.sessionmaker() as session:
        return await store.running_workshop(session=session, chat_id=GROUP)


async def tally(bot: WorkshopBot, workshop_id: int, item: str) -> dict[str, int]:
    async with bot.runtime.sessionmaker() as session:
        return await store.item_tally(session=session, workshop_id=workshop_id, item_id=item)


def latest_poll(bot: WorkshopBot) -> tuple[str, dict]:
    poll_id, entry = list(bot.fake.polls.items())[-1]
    return poll_id, entry


async def next_screen(bot: WorkshopBot, workshop_id: int, step: int) -> dict:
    """The trainer presses Next on `step`; returns the new control message."""
    control = bot.latest_with_button(GROUP, "ws:n:")
    await bot.send(press(f"ws:n:{workshop_id}:{step}", TRAINER_ID, control["message_id"]))
    return await eventually(lambda: (m := bot.find_latest_with_button(GROUP, "ws:n:")) is not None
                            and m["message_id"] != control["message_id"] and m)


async def test_workshop_with_thirty_participants(database_url):
    async with workshop_bot(database_url) as bot:
        fake = bot.fake

        # Somebody who is not a trainer cannot start one.
        await bot.send(command("workshop", OUTSIDER))
        refusal = await fake.wait_for("sendMessage")
        assert "Només una persona formadora" in refusal[-1].text
        assert await running(bot) is None

        # The trainer gets the programme choice; an outsider pressing it changes nothing.
        await bot.send(command("workshop", TRAINER_ID))
        choice = await eventually(lambda: [m for m in bot.messages(GROUP) if bot.keyboard_data(m)])
        assert bot.keyboard_data(choice[-1]) == ["ws:p:scenarios:ca", "ws:p:factors:ca", "ws:p:both:ca"]
        since = len(fake.calls)
        await bot.send(press("ws:p:both:ca", OUTSIDER, choice[-1]["message_id"]))
        await fake.wait_for("answerCallbackQuery", since=since)
        assert "Només la persona formadora" in bot.answers_since(since)[0]
        assert await running(bot) is None and not fake.polls

        await bot.send(press("ws:p:both:ca", TRAINER_ID, choice[-1]["message_id"]))
        await fake.wait_for("sendPoll")
        workshop = await eventually(lambda: running(bot))
        control = await eventually(lambda: [m for m in bot.messages(GROUP) if any(
            d.startswith("ws:n:") for d in bot.keyboard_data(m))])
        poll_id, entry = latest_poll(bot)
        poll = entry["poll"]
        assert poll["type"] == "quiz" and not poll["is_anonymous"]
        assert [o["text"] for o in poll["options"]] == ["Reactiva", "Proactiva", "Mixta"]
        # the cases come shuffled: the quiz's right option is the first case's own answer
        first_answer = workshop.state["items"][0]["answer"]
        assert poll["correct_option_ids"] == [["reactive", "proactive", "mixed"].index(first_answer)]
        assert poll["question"].startswith("Cas 1/16.")

        # 30 answers: 18 reactive, 8 proactive, 4 mixed; five people try to answer again.
        since = len(fake.calls)
        start = fake.calls[-1].time
        for i in range(30):
            await bot.send(vote(poll_id, i, 0 if i < 18 else 1 if i < 26 else 2))
        for i in range(5):
            await bot.send(vote(poll_id, i, 2))
        first_item = workshop.state["items"][0]["id"]
        await eventually(lambda: "respostes: 30" in fake.messages[(GROUP, control[-1]["message_id"])]["text"])
        await eventually(lambda: "respostes: 30" in fake.messages[(GROUP, control[-1]["message_id"])]["text"])
        shown = fake.messages[(GROUP, control[-1]["message_id"])]["text"]
        assert "Reactiva ▇" in shown and shown.split("Reactiva")[1].split("\n")[0].endswith(" 18")
        assert shown.split("Proactiva")[1].split("\n")[0].endswith(" 8")
        assert shown.split("Mixta")[1].split("\n")[0].endswith(" 4")
        assert await tally(bot, workshop.id, first_item) == {"reactive": 18, "proactive": 8, "mixed": 4}
        # Tally edits are throttled (interval 0.2 s in this test): never one per vote.
        edits = [c for c in fake.calls[since:] if c.method == "editMessageText" and c.ok]
        duration = edits[-1].time - start
        assert len(edits) <= duration / 0.2 + 2, (len(edits), duration)

        # Only the trainer can advance; a late or repeated Next is harmless.
        since = len(fake.calls)
        polls_before = len(fake.polls)
        await bot.send(press(f"ws:n:{workshop.id}:0", OUTSIDER, control[-1]["message_id"]))
        await fake.wait_for("answerCallbackQuery", since=since)
        assert "Només la persona formadora" in bot.answers_since(since)[0]
        assert len(fake.polls) == polls_before
        assert (await running(bot)).state["step"] == 0

        await next_screen(bot, workshop.id, 0)
        closed = fake.messages[(GROUP, control[-1]["message_id"])]
        assert "Ronda tancada" in closed["text"] and not closed.get("reply_markup")
        assert entry["poll"]["is_closed"]  # the first quiz was stopped
        since = len(fake.calls)
        await bot.send(press(f"ws:n:{workshop.id}:0", TRAINER_ID, control[-1]["message_id"]))
        await fake.wait_for("answerCallbackQuery", since=since)
        assert "Ja hem passat" in bot.answers_since(since)[0]
        assert len(fake.polls) == polls_before + 1

        # Second case: 10 right, 20 wrong.
        poll_id, _ = latest_poll(bot)
        for i in range(30):
            await bot.send(vote(poll_id, i, 0 if i < 10 else 2))
        second_item = workshop.state["items"][1]["id"]
        await eventually(lambda: tally(bot, workshop.id, second_item))
        await eventually(lambda: _sum(bot, workshop.id, second_item, 30))

        # On through the remaining cases to the first success-factor card.
        for step in range(1, 16):
            await next_screen(bot, workshop.id, step)
        # the card may follow the new control message by a moment on a busy machine
        card = await eventually(lambda: bot.find_latest_with_button(GROUP, "ws:r:"))
        assert "Factor d'èxit 1/5" in card["text"] and "Objectiu clar" in card["text"]
        assert len(bot.keyboard_data(card)) == 4

        # Everyone rates their own entity; ten change their minds.
        factor_item = (await running(bot)).state["items"][16]["id"]
        since = len(fake.calls)
        for i in range(30):
            await bot.send(press(f"ws:r:{workshop.id}:16:{i % 4 + 1}", PEOPLE[i], card["message_id"], NAMES[i]))
        for i in range(10):
            await bot.send(press(f"ws:r:{workshop.id}:16:4", PEOPLE[i], card["message_id"], NAMES[i]))
        await fake.wait_for("answerCallbackQuery", count=40, since=since)
        assert all(t.startswith("Anotat:") for t in bot.answers_since(since))
        expected = {"1": 5, "2": 5, "3": 5, "4": 15}
        assert await eventually(lambda: _equals(bot, workshop.id, factor_item, expected))
        factor_control = bot.latest_with_button(GROUP, "ws:n:")
        await eventually(lambda: "valoracions: 30" in fake.messages[(GROUP, factor_control["message_id"])]["text"])

        # Only the trainer ends it; the chart arrives as a real PNG, with a summary and the deep link.
        since = len(fake.calls)
        await bot.send(command("workshop_end", OUTSIDER))
        await fake.wait_for("sendMessage", since=since)
        assert "Només la persona formadora" in fake.calls[-1].text
        assert (await running(bot)) is not None

        await bot.send(command("workshop_end", TRAINER_ID))
        photo = (await fake.wait_for("sendPhoto", since=since, timeout=15))[0]
        summary = (await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and "t.me" in (c.text or ""),
                                       since=since, timeout=10))[0]
        data = photo.params["photo"]
        assert isinstance(data, bytes) and data.startswith(b"\x89PNG\r\n\x1a\n")
        image = Image.open(io.BytesIO(data))
        image.load()
        assert image.width >= 600 and image.height >= 400
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50  # bars, text and labels, not a blank picture
        assert any(v == data for v in fake.files.values())
        assert "Persones participants: 30" in summary.text
        assert "Casos: " in summary.text and "Factors d'èxit" in summary.text
        assert "https://t.me/aliat_test_bot?start=ws" in summary.text
        assert await running(bot) is None

        await _nothing_personal(bot)


async def _sum(bot: WorkshopBot, workshop_id: int, item: str, total: int) -> bool:
    return sum((await tally(bot, workshop_id, item)).values()) == total


async def _equals(bot: WorkshopBot, workshop_id: int, item: str, expected: dict[str, int]) -> bool:
    return await tally(bot, workshop_id, item) == expected


async def _nothing_personal(bot: WorkshopBot) -> None:
    """No participant id or name anywhere in the database; no salt left; no lead made."""
    async with bot.runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Lead)) == 0
        workshop = (await session.scalars(select(Workshop))).one()
        assert workshop.status == "ended" and "salt" not in workshop.state
        dump: list[str] = []
        for table in Base.metadata.sorted_tables:
            if table.name == "trainer":
                continue  # staff registered on purpose
            rows = await session.execute(text(f'SELECT * FROM "{table.name}"'))
            dump.extend(str(value) for row in rows.all() for value in row)
        votes = await session.scalar(text("SELECT COUNT(*) FROM workshop_vote"))
    assert votes == 30 + 30 + 30  # two cases and one factor, one vote per participant each
    blob = "\n".join(dump)
    for person, name in zip(PEOPLE, NAMES, strict=True):
        assert str(person) not in blob
        assert name not in blob


async def test_trainer_rehearses_in_private_and_next_on_the_last_card_shows_results(database_url):
    async with workshop_bot(database_url) as bot:
        fake, me = bot.fake, TRAINER_ID

        def cb(data: str, **kw) -> dict:
            return U.make_callback(data, language_code="en", **kw)

        await bot.send(U.make_command("workshop", "en", user_id=me, language_code="ca"))
        choice = await eventually(lambda: [m for m in bot.messages(me) if bot.keyboard_data(m)])
        assert bot.keyboard_data(choice[-1]) == ["ws:p:scenarios:en", "ws:p:factors:en", "ws:p:both:en"]
        await bot.send(cb("ws:p:factors:en", user_id=me, message_id=choice[-1]["message_id"]))
        card = await eventually(lambda: [m for m in bot.messages(me) if "ws:r:" in "".join(bot.keyboard_data(m))])
        assert "Success factor 1/5" in card[-1]["text"]
        workshop_id = int(bot.keyboard_data(card[-1])[0].split(":")[2])
        await bot.send(cb(f"ws:r:{workshop_id}:0:3", user_id=me, message_id=card[-1]["message_id"]))
        await fake.wait_for(lambda c: c.method == "answerCallbackQuery" and "Noted: 3" in (c.params.get("text") or ""))
        for step in range(4):
            control = bot.latest_with_button(me, "ws:n:")
            await bot.send(cb(f"ws:n:{workshop_id}:{step}", user_id=me, message_id=control["message_id"]))
            await eventually(lambda c=control: (m := bot.find_latest_with_button(me, "ws:n:")) is not None
                             and m["message_id"] != c["message_id"])
        # A rating on a card that has gone is refused politely.
        since = len(fake.calls)
        await bot.send(cb(f"ws:r:{workshop_id}:0:4", user_id=me, message_id=card[-1]["message_id"]))
        await fake.wait_for("answerCallbackQuery", since=since)
        assert "This card is closed" in bot.answers_since(since)[0]
        last = bot.latest_with_button(me, "ws:n:")
        assert [b["text"] for row in last["reply_markup"]["inline_keyboard"] for b in row][0] == "See results 📊"
        await bot.send(cb(f"ws:n:{workshop_id}:4", user_id=me, message_id=last["message_id"]))
        await fake.wait_for("sendPhoto", timeout=15)
        summary = (await fake.wait_for(lambda c: c.ok and "t.me/" in (c.text or ""), timeout=10))[0]
        assert "Participants: 1." in summary.text and "“Clear objective” (3.0 out of 4)" in summary.text
        assert summary.params["reply_markup"]["inline_keyboard"][0][0]["url"] == "https://t.me/aliat_test_bot?start=ws"
        # Ended: Next and End answer that it is over; /workshop_end finds nothing running.
        since = len(fake.calls)
        await bot.send(cb(f"ws:e:{workshop_id}", user_id=me, message_id=last["message_id"]))
        await fake.wait_for("answerCallbackQuery", since=since)
        assert "already ended" in bot.answers_since(since)[0]
        await bot.send(U.make_command("workshop_end", user_id=me, language_code="en"))
        await fake.wait_for(lambda c: c.ok and "no workshop running" in (c.text or ""), since=since)
