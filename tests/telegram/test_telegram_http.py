"""The aiohttp client the bot gives python-telegram-bot (bot/telegram/http.py), against the fake Bot API:
the same bodies PTB's own client sends, the errors PTB expects, and both clients behind the real bot."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.config import ConfigError, load_settings
from bot.telegram.http import AiohttpRequest
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import ROOT
from tests.auxil.telegram_bot import bot_settings, running_bot, wait_sends

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x03" + b"\x00" * 40


def bot_for(fake: FakeBotApi, **timeouts: float) -> Bot:
    return Bot(fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url,
               request=AiohttpRequest(4, **timeouts), get_updates_request=AiohttpRequest(1))


async def test_text_keyboard_and_photo_arrive_as_sent(fake) -> None:
    async with bot_for(fake) as bot:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton("Sí, és clar", callback_data="q1:yes")]])
        message = await bot.send_message(42, "Això és <b>l'aliança</b> & més", parse_mode="HTML",
                                         reply_markup=markup)
        photo = await bot.send_photo(42, PNG, caption="Gràfic")
    sent, uploaded = fake.calls_to("sendMessage")[-1], fake.calls_to("sendPhoto")[-1]
    assert sent.params["text"] == "Això és <b>l'aliança</b> & més" and sent.params["parse_mode"] == "HTML"
    assert sent.params["reply_markup"]["inline_keyboard"][0][0] == {"text": "Sí, és clar", "callback_data": "q1:yes"}
    assert message.message_id == sent.result["message_id"] and message.text == "Això és l'aliança & més"
    assert list(uploaded.files.values()) == [PNG] and uploaded.params["caption"] == "Gràfic"
    assert photo.photo  # the fake answered with the stored photo, parsed by PTB


async def test_telegram_refusals_become_ptb_errors(fake) -> None:
    async with bot_for(fake) as bot:
        fake.fail_next("sendMessage", status=429, retry_after=7)
        with pytest.raises(RetryAfter) as slow_down:
            await bot.send_message(42, "hola")
        assert slow_down.value.retry_after.total_seconds() == 7
        with pytest.raises(BadRequest):
            await bot.send_message(42, "")  # an empty text is refused by Telegram
        assert fake.calls_to("sendMessage")[-1].status == 400
        fake.drop_connections(1.0, methods=["sendMessage"])
        with pytest.raises(NetworkError) as dropped:
            await bot.send_message(42, "hola")
        assert "aiohttp" in str(dropped.value)
        fake.drop_connections(0)
        assert (await bot.send_message(42, "ara sí")).text == "ara sí"  # the pool recovers


@contextlib.asynccontextmanager
async def tiny_server(handler) -> AsyncIterator[int]:
    """An aiohttp server on 127.0.0.1 answering every POST with `handler`; yields its port."""
    app = web.Application()
    app.router.add_post("/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    finally:
        await runner.cleanup()


async def test_a_silent_server_gives_timed_out_not_a_hang() -> None:
    async def slow(_request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.json_response({"ok": True, "result": True})

    async with tiny_server(slow) as port:
        request = AiohttpRequest(2, read_timeout=0.3)
        await request.initialize()
        try:
            started = asyncio.get_running_loop().time()
            with pytest.raises(TimedOut):
                await request.post(f"http://127.0.0.1:{port}/bot1:x/getMe")
            assert asyncio.get_running_loop().time() - started < 2
        finally:
            await request.shutdown()


async def test_a_proxy_in_the_environment_is_used(monkeypatch) -> None:
    seen: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        seen.append(str(request.url))  # a proxy is asked for the whole address
        return web.json_response({"ok": True, "result": True})

    async with tiny_server(proxy) as port:
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        request = AiohttpRequest(2)
        await request.initialize()
        try:
            assert await request.post("http://bot-api.invalid/bot1:x/logOut") is True
        finally:
            await request.shutdown()
    assert seen == ["http://bot-api.invalid/bot1:x/logOut"]


async def test_a_request_before_initialize_is_refused() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/x", "POST")


@pytest.mark.parametrize("client", ["aiohttp", "httpx"])
async def test_the_bot_answers_on_either_client(fake, sqlite_url, client) -> None:
    settings = bot_settings(sqlite_url, fake)
    settings = replace(settings, telegram=replace(settings.telegram, http_client=client))
    async with running_bot(settings, fake) as app:
        assert isinstance(app.bot.request, AiohttpRequest) == (client == "aiohttp")
        since = len(fake.calls)
        await fake.push_update(U.make_command("start"))
        (greet,) = await wait_sends(fake, 1, since=since)
    assert "Alia't" in greet.text and greet.params["reply_markup"]["inline_keyboard"]


def test_an_unknown_client_stops_start_up_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="telegram.http_client"):
        load_settings(ROOT / "config.yml", env={"ALIAT_TELEGRAM__HTTP_CLIENT": "curl"})
