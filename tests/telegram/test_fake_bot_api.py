"""The fake Bot API behaves like Telegram for the real python-telegram-bot (no test reaches Telegram)."""

from __future__ import annotations

import json
import struct
import zlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllGroupChats,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import Application, CommandHandler, ContextTypes, MessageHandler, filters

from tests.auxil import updates as U
from tests.auxil.fake_bot_api import Call, FakeBotApi


def tiny_png(width: int = 2, height: int = 3) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url) as b:
        yield b


def build_app(fake: FakeBotApi, **kw) -> Application:
    builder = Application.builder().token(fake.token).base_url(fake.base_url).base_file_url(fake.base_file_url)
    if kw.get("no_updater"):
        builder = builder.updater(None)
    return builder.build()


# --------------------------------------------------------------------------- plain Bot calls


async def test_get_me_and_urls(fake: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name) == (999, "aliat_test_bot", "Alia't")
    assert bot.base_url == f"http://127.0.0.1:{fake.port}/bot{fake.token}"
    assert fake.calls_to("getMe")[0].ok


async def test_send_message_with_keyboard_edit_and_answer(fake: FakeBotApi, bot: Bot) -> None:
    kb = InlineKeyboardMarkup([[InlineKeyboardButton("Sí", callback_data="yes"), InlineKeyboardButton("Web", url="https://aliat.example")]])
    m1 = await bot.send_message(1001, "Hola!", reply_markup=kb)
    m2 = await bot.send_message(1001, "<b>Segon</b> &amp; prou", parse_mode="HTML")
    other = await bot.send_message(-1001234, "Grup")
    assert (m1.message_id, m2.message_id, other.message_id) == (1, 2, 1)
    assert m1.reply_markup == kb and m1.from_user.id == 999 and m1.chat.type == "private"
    assert other.chat.type == "supergroup"
    assert m2.text == "Segon & prou"  # rendered like Telegram
    assert [c.text for c in fake.sent_messages(1001)] == ["Hola!", "<b>Segon</b> &amp; prou"]
    assert fake.sent_texts() == ["Hola!", "<b>Segon</b> &amp; prou", "Grup"]
    assert fake.sent_messages(1001)[0].params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"

    edited = await bot.edit_message_text("Editat", chat_id=1001, message_id=m1.message_id, reply_markup=kb)
    assert edited.text == "Editat" and edited.reply_markup == kb
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text("Editat", chat_id=1001, message_id=m1.message_id, reply_markup=kb)
    edited = await bot.edit_message_reply_markup(chat_id=1001, message_id=m1.message_id, reply_markup=None)
    assert edited.reply_markup is None
    assert await bot.answer_callback_query("cbq1", text="Fet")
    assert fake.calls_to("answerCallbackQuery")[0].params == {"callback_query_id": "cbq1", "text": "Fet"}
    assert await bot.delete_message(1001, m2.message_id)


async def test_send_photo_keeps_png_bytes(fake: FakeBotApi, bot: Bot) -> None:
    png = tiny_png(2, 3)
    msg = await bot.send_photo(1001, png, caption="Gràfic")
    assert msg.caption == "Gràfic"
    assert (msg.photo[-1].width, msg.photo[-1].height) == (2, 3)
    call = fake.sent_messages()[0]
    assert call.method == "sendPhoto"
    assert call.params["photo"].startswith(b"\x89PNG\r\n\x1a\n") and call.params["photo"] == png
    doc = await bot.send_document(1001, b"%PDF-1.4 ...", filename="a.pdf")
    assert doc.document is not None
    file = await bot.get_file(doc.document.file_id)
    assert await file.download_as_bytearray() == bytearray(b"%PDF-1.4 ...")


async def test_send_poll_and_stop_it(fake: FakeBotApi, bot: Bot) -> None:
    msg = await bot.send_poll(-1001234, "Quan ens veiem?", ["Dilluns", "Dimarts"], is_anonymous=False)
    assert msg.poll is not None and [o.text for o in msg.poll.options] == ["Dilluns", "Dimarts"]
    assert fake.polls[msg.poll.id]["message_id"] == msg.message_id
    assert not msg.poll.is_anonymous
    stopped = await bot.stop_poll(-1001234, msg.message_id)
    assert stopped.is_closed and stopped.id == msg.poll.id


async def test_commands_per_language_and_scope(fake: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "Comença")], language_code="ca")
    await bot.set_my_commands([BotCommand("start", "Empieza")], language_code="es")
    await bot.set_my_commands([BotCommand("start", "Start")])
    await bot.set_my_commands([BotCommand("help", "Ajuda")], scope=BotCommandScopeAllGroupChats(), language_code="ca")
    assert [c.description for c in await bot.get_my_commands(language_code="ca")] == ["Comença"]
    assert [c.description for c in await bot.get_my_commands(language_code="es")] == ["Empieza"]
    assert [c.description for c in await bot.get_my_commands()] == ["Start"]
    assert fake.get_commands({"type": "all_group_chats"}, "ca") == [{"command": "help", "description": "Ajuda"}]
    assert await bot.delete_my_commands(language_code="es")
    assert await bot.get_my_commands(language_code="es") == ()
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Bad-Command", "x")])


async def test_misc_methods(fake: FakeBotApi, bot: Bot) -> None:
    await fake.push_update(U.make_message("hola", user_id=1001))
    assert await bot.send_chat_action(1001, "typing")
    chat = await bot.get_chat(1001)
    assert chat.first_name == "Ana"
    fake.set_chat_member(-100555, 1001, "administrator")
    member = await bot.get_chat_member(-100555, 1001)
    assert member.status == "administrator"
    assert (await bot.get_chat_member(-100555, 7)).status == "member"
    assert await bot.set_chat_menu_button()
    assert await bot.do_api_request("someFutureMethod", api_kwargs={"x": 1}) is True
    assert fake.calls_to("someFutureMethod")[0].params == {"x": 1}
    assert await bot.close()
    assert await bot.log_out()


# --------------------------------------------------------------------------- Telegram-like errors


async def test_too_long_texts_and_bad_buttons(fake: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(1, "x" * 4096)
    with pytest.raises(BadRequest, match="too long"):
        await bot.send_message(1, "x" * 4097)
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_photo(1, tiny_png(), caption="y" * 1025)
    ok_data = "é" * 32  # 64 bytes
    await bot.send_message(1, "ok", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data=ok_data)]]))
    with pytest.raises(BadRequest, match="(?i)button_data_invalid"):
        await bot.send_message(1, "no", reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="a" + ok_data)]]))
    with pytest.raises(BadRequest, match="(?i)can't parse entities"):
        await bot.send_message(1, "a <b>b", parse_mode="HTML")
    with pytest.raises(BadRequest, match="reserved"):
        await bot.send_message(1, "Fet.", parse_mode="MarkdownV2")
    refused = [c for c in fake.calls if not c.ok]
    assert [c.status for c in refused] == [400] * 5
    assert refused[0].description == "Bad Request: message is too long"
    assert len(fake.sent_messages()) == 2


async def test_raw_http_bodies(fake: FakeBotApi) -> None:
    url = f"{fake.base_url}{fake.token}"
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{url}/SENDMESSAGE", json={"chat_id": 5, "text": "json"}) as r:
            body = await r.json()
            assert r.status == 200 and body["result"]["text"] == "json"
        async with s.get(f"{url}/sendMessage", params={"chat_id": "5", "text": "123"}) as r:
            assert (await r.json())["result"]["text"] == "123"
        async with s.post(f"{url}/sendMessage", data={"text": "no chat"}) as r:
            assert r.status == 400
            assert (await r.json())["description"] == "Bad Request: chat_id is empty"
        async with s.post(f"{url}/sendMessage", json={"chat_id": 5, "text": ""}) as r:
            assert (await r.json())["description"] == "Bad Request: message text is empty"
    assert [c.method for c in fake.calls] == ["sendMessage"] * 4
    assert fake.calls[1].params == {"chat_id": 5, "text": "123"}


async def test_edit_unknown_message_strict(bot: Bot) -> None:
    async with FakeBotApi(strict_messages=True) as strict:
        async with Bot(strict.token, base_url=strict.base_url) as b:
            with pytest.raises(BadRequest, match="(?i)message to edit not found"):
                await b.edit_message_text("x", chat_id=1, message_id=77)


# --------------------------------------------------------------------------- fault injection


async def test_429_raises_retry_after(fake: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    # Without PTB_TIMEDELTA, PTB 22 warns (PTBDeprecationWarning) when building RetryAfter.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    fake.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryAfter) as info:
        await bot.send_message(1, "hola")
    assert info.value.retry_after.total_seconds() == 7
    await bot.send_message(1, "hola")  # only the next one fails
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]
    assert fake.calls_to("sendMessage")[0].description == "Too Many Requests: retry after 7"


async def test_raw_429_body_is_telegrams(fake: FakeBotApi) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=3)
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{fake.base_url}{fake.token}/sendMessage", json={"chat_id": 1, "text": "x"}) as r:
            assert r.status == 429
            assert await r.json() == {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            }


async def test_5xx_blocked_and_dropped(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next("sendMessage", status=500, count=2)
    fake.fail_next("sendPhoto", status=502)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(1, "x")
    with pytest.raises(NetworkError):
        await bot.send_photo(1, tiny_png())
    await bot.send_message(1, "delivered")
    fake.block(42)
    with pytest.raises(Forbidden, match="blocked"):
        await bot.send_message(42, "x")
    fake.drop_connections(1.0)
    with pytest.raises(NetworkError):
        await bot.send_message(1, "lost")
    fake.drop_connections(0)
    assert [(c.method, c.status) for c in fake.calls if c.method != "getMe"] == [
        ("sendMessage", 500),
        ("sendMessage", 500),
        ("sendPhoto", 502),
        ("sendMessage", 200),
        ("sendMessage", 403),
        ("sendMessage", 0),
    ]
    assert fake.sent_texts() == ["delivered"]


async def test_fault_rate_is_seeded(fake: FakeBotApi, bot: Bot) -> None:
    fake.fault_rate(rate=0.5, statuses=(500,), seed=3)
    outcomes = []
    for i in range(20):
        try:
            await bot.send_message(1, f"m{i}")
            outcomes.append(True)
        except NetworkError:
            outcomes.append(False)
    assert 0 < outcomes.count(False) < 20
    assert await bot.get_me()  # not a send: never refused
    fake.fault_rate(0)
    assert len(fake.sent_messages()) == outcomes.count(True)
    async with FakeBotApi() as again, Bot(again.token, base_url=again.base_url) as b2:
        again.fault_rate(rate=0.5, statuses=(500,), seed=3)
        outcomes2 = []
        for i in range(20):
            try:
                await b2.send_message(1, f"m{i}")
                outcomes2.append(True)
            except NetworkError:
                outcomes2.append(False)
    assert outcomes2 == outcomes


# --------------------------------------------------------------------------- rate accounting


def test_rate_stats_windows() -> None:
    fake = FakeBotApi()

    def send(t: float, chat: int, method: str = "sendMessage", status: int = 200) -> None:
        fake.calls.append(Call(method, {"chat_id": chat}, t, status))

    for t in (0.0, 0.1, 0.2, 0.95):
        send(t, 1)
    send(0.5, 2)
    send(0.6, 2, status=429)  # refused: not counted
    send(0.7, 2, method="editMessageText")  # edits are not sends
    for t in (10.0, 30.0, 69.0, 70.5):
        send(t, -100)
    stats = fake.rate_stats()
    assert stats.total == 9
    assert stats.max_per_second == 5  # 0.0 .. 0.95, both chats
    assert stats.max_per_second_per_chat == 4
    assert stats.per_chat == {1: 4, 2: 1, -100: 1}
    assert stats.max_per_minute_per_group == 3  # 10, 30, 69 (70.5 - 10 >= 60)


async def test_rate_stats_live(fake: FakeBotApi, bot: Bot) -> None:
    for _ in range(3):
        await bot.send_message(1, "a")
    await bot.send_message(-100, "g")
    await bot.send_poll(-100, "q?", ["a", "b"])
    stats = fake.rate_stats()
    assert (stats.total, stats.max_per_second, stats.max_per_minute_per_group) == (5, 5, 2)


# --------------------------------------------------------------------------- Application: polling


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(f"eco: {update.effective_message.text}")


async def test_application_polling(fake: FakeBotApi) -> None:
    app = build_app(fake)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CommandHandler("start", echo))
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await fake.push_update(U.make_message("hola", user_id=1001))
        await fake.push_update(U.make_command("start", chat_id=-1001234567890, addressed=True))
        calls = await fake.wait_for("sendMessage", count=2)
        assert sorted(c.text for c in calls) == ["eco: /start@aliat_test_bot", "eco: hola"]
        await fake.wait_updates_consumed()
        assert fake.calls_to("deleteWebhook")  # PTB bootstraps polling with deleteWebhook
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_get_updates_offset_limit_and_webhook_conflict(fake: FakeBotApi, bot: Bot) -> None:
    for i in range(3):
        await fake.push_update(U.make_message(f"m{i}"))
    await fake.push_raw_update({**U.make_message("dup"), "update_id": 3})
    got = await bot.get_updates(limit=2)
    assert [u.update_id for u in got] == [1, 2]
    got = await bot.get_updates(offset=3, timeout=0)
    assert [u.update_id for u in got] == [3, 3]
    assert await bot.get_updates(offset=4, timeout=0) == ()
    assert not fake.pending_updates
    await bot.set_webhook("http://127.0.0.1:1/hook", secret_token="abc")
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:1/hook"
    with pytest.raises(Conflict):
        await bot.get_updates()
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


# --------------------------------------------------------------------------- Application: webhook


async def test_webhook_delivery_with_secret(fake: FakeBotApi) -> None:
    """The fake POSTs pushed updates to the webhook; a receiver like PTB's checks the secret."""
    app = build_app(fake, no_updater=True)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    await app.initialize()
    await app.start()

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != "s3cret":
            return web.Response(status=403)
        await app.update_queue.put(Update.de_json(json.loads(await request.read()), app.bot))
        return web.Response()

    hook = web.Application()
    hook.router.add_post("/tg", receive)
    runner = web.AppRunner(hook, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await app.bot.set_webhook(f"http://127.0.0.1:{port}/tg", secret_token="s3cret")
        assert await fake.push_update(U.make_message("via webhook")) == 200
        assert (await fake.wait_for("sendMessage"))[0].text == "eco: via webhook"
        assert await fake.post_to_webhook(U.make_message("intrús"), secret="wrong") == 403
        assert fake.webhook_deliveries[0][1] == 200
    finally:
        await app.stop()
        await app.shutdown()
        await runner.cleanup()


# --------------------------------------------------------------------------- update builders


def test_update_builders_deserialise() -> None:
    bot = Bot("123:x")
    built = [
        U.make_message("hola"),
        U.make_message("hola", chat_id=-100777, reply_to=3),
        U.make_command("start", "abc"),
        U.make_callback("yes", message_id=5, message_text="Vols?"),
        U.make_sticker(),
        U.make_photo(caption="foto"),
        U.make_voice(),
        U.make_video(),
        U.make_document(),
        U.make_location(),
        U.make_contact("+34600111222"),
        U.make_edited_message("nou"),
        U.make_channel_post(),
        U.make_poll_answer("p1", 1001, [1]),
        U.make_my_chat_member(new_status="kicked", chat_id=1001, old_status="member"),
    ]
    for i, data in enumerate(built, start=1):
        update = Update.de_json({**data, "update_id": i}, bot)
        assert update is not None and update.update_id == i
    cmd = Update.de_json({**U.make_command("info", addressed=True, chat_id=-100), "update_id": 1}, bot)
    assert cmd.message.text == "/info@aliat_test_bot"
    assert cmd.message.parse_entities() == {cmd.message.entities[0]: "/info@aliat_test_bot"}
    assert cmd.message.chat.type == "supergroup"
    cb = Update.de_json({**U.make_callback("yes", chat_id=5, user_id=5, message_id=9), "update_id": 1}, bot)
    assert cb.callback_query.message.message_id == 9 and cb.callback_query.from_user.language_code == "ca"
    contact = U.make_contact("+34600", user_id=77)["message"]
    assert contact["contact"]["user_id"] == contact["from"]["id"] == 77
