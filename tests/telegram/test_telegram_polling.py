"""The real Application in polling mode against the fake Bot API: a conversation, buttons, every kind
of update, duplicates, long replies, groups."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.engine import BotMessage
from bot.store.models import Outbox, ProcessedUpdate
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.telegram_bot import (
    bot_settings,
    buttons,
    channel,
    dialogues_with_test_form,
    keyboard_message,
    press,
    running_bot,
    settle,
    wait_sends,
)

CHAT = U.DEFAULT_USER_ID
MENU = ["start", "help", "language", "facilitator", "privacy", "forget", "restart"]


@pytest.fixture
async def app(fake, sqlite_url, tmp_path):
    settings = dialogues_with_test_form(tmp_path, bot_settings(sqlite_url, fake))
    async with running_bot(settings, fake) as application:
        yield application


async def send(fake: FakeBotApi, update: dict, replies: int) -> list:
    since = len(fake.calls)
    await fake.push_update(update)
    return await wait_sends(fake, replies, since=since)


async def test_start_greets_with_the_main_menu_keyboard(fake, app) -> None:
    (greet,) = await send(fake, U.make_command("start"), 1)  # the greeting carries the menu: one message
    assert greet.params["chat_id"] == CHAT and "Alia't" in greet.text
    assert greet.params["parse_mode"] == "HTML"
    keyboard = greet.params["reply_markup"]["inline_keyboard"]
    datas = [row[0]["callback_data"] for row in keyboard]
    assert "q0:/explore" in datas and all(len(d.encode()) <= 64 for d in datas)
    assert keyboard[0][0]["text"].startswith("🤝 Explorar")  # Catalan, from language_code
    for lang in ("", "ca", "es", "en"):
        commands = fake.get_commands({"type": "all_private_chats"}, lang)
        assert [c["command"] for c in commands] == MENU, lang
    assert fake.get_commands({"type": "all_private_chats"}, "es")[0]["description"] == "Empezar / menú principal"
    assert fake.get_commands({"type": "all_private_chats"}, "")[0]["description"] == "Començar / menú principal"


async def test_form_buttons_edit_the_pressed_message_and_stale_presses_are_closed(fake, app) -> None:
    await send(fake, U.make_command("tgtest"), 1)
    (colour,) = await send(fake, U.make_message("Fundació <b>Prova</b> & *Amics*_"), 1)
    assert colour.text.endswith("Color?")
    question = keyboard_message(fake, CHAT)
    assert [b["callback_data"] for b in buttons(question)] == ["q2:green", "q2:blue", "q2:/back"]

    since = len(fake.calls)
    stale_press = press(fake, question, "Blau")  # built now, pressed later on the old keyboard
    await fake.push_update(press(fake, question, "Verd"))
    (phone,) = await wait_sends(fake, 1, since=since)
    assert phone.text.endswith("Telèfon?")
    answered = fake.calls_to("answerCallbackQuery", ok_only=True)
    assert answered and fake.calls.index(answered[-1]) < fake.calls.index(phone)  # answered first
    # the pressed question is edited right after the answer's first message
    edit = (await fake.wait_for("editMessageText", since=since))[-1]
    assert fake.calls.index(edit) > fake.calls.index(phone)
    assert edit.params["message_id"] == question["message_id"] and "reply_markup" not in edit.params
    assert fake.messages[(CHAT, question["message_id"])]["text"].endswith("✅ Verd")
    assert "reply_markup" not in fake.messages[(CHAT, question["message_id"])]

    since = len(fake.calls)
    await fake.push_update(stale_press)
    closed, again = await wait_sends(fake, 2, since=since)
    assert "ja està tancada" in closed.text and again.text.endswith("Telèfon?")
    tracker = await channel(app).runtime.engine.peek(f"tg:{CHAT}")
    assert tracker.slots["tg_colour"] == "green"  # the stale press changed nothing

    # A shared contact of one's own fills the phone question; the name comes back escaped.
    (done,) = await send(fake, U.make_contact("+34 600 111 222"), 1)
    shown = fake.messages[(CHAT, done.result["message_id"])]["text"]
    assert shown == "Fet, Fundació <b>Prova</b> & *Amics*_: green +34600111222"
    assert "&lt;b&gt;" in done.text and "&amp;" in done.text


async def test_language_switch_is_remembered(fake, app) -> None:
    await send(fake, U.make_command("start"), 1)
    (ask,) = await send(fake, U.make_command("language"), 1)
    question = keyboard_message(fake, CHAT)
    (changed,) = await send(fake, press(fake, question, "Castellano"), 1)
    assert changed.text == "Perfecto, hablaremos en castellano."
    (help_text,) = await send(fake, U.make_command("help"), 1)
    assert help_text.text.startswith("Puedo hacerte")
    # A user whose Telegram speaks German gets the default language at first contact.
    (first,) = await send(fake, U.make_command("start", user_id=2002, language_code="de"), 1)
    assert first.params["chat_id"] == 2002 and first.text.startswith("Hola! Sóc")
    (first_en,) = await send(fake, U.make_command("start", user_id=2003, language_code="en-GB"), 1)
    assert first_en.text.startswith("Hi! I'm")


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "video", "document", "location", "contact"])
async def test_each_non_text_update_gets_a_short_answer(fake, app, kind) -> None:
    builder = getattr(U, f"make_{kind}")
    (answer,) = await send(fake, builder(), 1)
    expected = channel(app).text(f"utter_non_text_{kind}", "ca")
    assert expected and answer.text == expected.replace("&", "&amp;")


async def test_edited_messages_channel_posts_and_others_are_ignored(fake, app) -> None:
    since = len(fake.calls)
    await fake.push_update(U.make_edited_message())
    await fake.push_update(U.make_channel_post())
    await fake.push_update(U.make_my_chat_member())
    await fake.push_update(U.make_message("Hola", chat_id=U.DEFAULT_GROUP_ID))  # plain group chatter
    await fake.push_update(U.make_command("start", chat_id=U.DEFAULT_GROUP_ID))  # maybe for another bot
    await fake.push_update(U.make_command("help"))
    await wait_sends(fake, 1, since=since)
    await settle(fake)
    sent = [c for c in fake.calls[since:] if c.method != "getUpdates"]
    assert [(c.method, c.params.get("chat_id")) for c in sent] == [("sendMessage", CHAT)]
    assert channel(app).counters["handler_errors"] == 0


async def test_group_commands_addressed_to_the_bot_point_to_the_private_chat(fake, app) -> None:
    (note,) = await send(fake, U.make_command("start", addressed=True, chat_id=U.DEFAULT_GROUP_ID), 1)
    assert note.params["chat_id"] == U.DEFAULT_GROUP_ID and "en privat" in note.text
    since = len(fake.calls)
    other = U.make_message("/start@other_bot", chat_id=U.DEFAULT_GROUP_ID,
                           entities=[{"type": "bot_command", "offset": 0, "length": 16}])
    await fake.push_update(other)
    await settle(fake)
    assert not [c for c in fake.calls[since:] if c.method == "sendMessage"]


async def test_a_duplicated_update_is_handled_once(fake, app) -> None:
    update = U.make_command("help", update_id=500)
    since = len(fake.calls)
    await fake.push_raw_update(update)
    await wait_sends(fake, 1, since=since)
    await fake.wait_updates_consumed()
    await fake.push_raw_update(dict(update))  # Telegram redelivers it (e.g. after a restart)
    await fake.push_raw_update(U.make_command("privacy", update_id=501))
    await wait_sends(fake, 2, since=since)
    await settle(fake)
    texts = [c.text for c in fake.calls[since:] if c.method == "sendMessage"]
    assert len(texts) == 2 and texts[1].startswith("🔒")
    assert channel(app).counters["duplicate_updates"] == 1
    rt = channel(app).runtime
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 2
        statuses = list(await session.scalars(select(Outbox.status).where(Outbox.kind == "reply")))
    assert statuses == ["sent", "sent"]


async def test_one_chat_in_order_while_chats_run_concurrently(fake, app) -> None:
    since = len(fake.calls)
    users = [3001, 3002, 3003]
    for i in range(4):
        for user in users:
            await fake.push_update(U.make_command(["help", "privacy"][i % 2], user_id=user))
    await wait_sends(fake, 12, since=since)
    for user in users:
        texts = [c.text for c in fake.calls[since:] if c.method == "sendMessage" and c.chat_id == user]
        assert [t.startswith("🔒") for t in texts] == [False, True, False, True]


async def test_an_over_long_reply_is_split(fake, app) -> None:
    words = " ".join(f"paraula{i} <&>" for i in range(1200))  # ~ 14 000 characters
    since = len(fake.calls)
    await channel(app).send(CHAT, BotMessage(text=words, buttons=[("D'acord", "/menu")], seq=1))
    calls = await wait_sends(fake, 3, since=since)
    shown = [fake.messages[(CHAT, c.result["message_id"])]["text"] for c in calls]
    assert len(calls) >= 3 and all(len(t) <= 4096 for t in shown)
    assert " ".join(shown) == words
    assert [("reply_markup" in c.params) for c in calls] == [False] * (len(calls) - 1) + [True]


async def test_the_log_gives_a_groups_id_when_the_bot_is_added_to_it(fake, app, caplog) -> None:
    """Telegram's apps do not show a group's id; the operator needs it for ALIAT_FACILITATOR_CHAT_ID."""
    import logging

    caplog.set_level(logging.INFO, "bot.telegram.handlers")
    since = len(fake.calls)
    await fake.push_update(U.make_my_chat_member(chat_id=-1002000000042))
    await fake.push_update(U.make_my_chat_member(chat_id=-1002000000042, old_status="member", new_status="left"))
    await fake.push_update(U.make_command("help"))
    await wait_sends(fake, 1, since=since)
    await settle(fake)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.handlers"]
    assert "added to group chat -1002000000042 (its id for ALIAT_FACILITATOR_CHAT_ID)" in lines
    assert "removed from group chat -1002000000042" in lines
    assert not [c for c in fake.calls[since:] if c.method == "sendMessage" and c.params.get("chat_id") < 0]
