"""Webhook mode: the real Application behind our aiohttp endpoint, fed by the fake Bot API."""

from __future__ import annotations

import pytest

from tests.auxil import updates as U
from tests.auxil.telegram_bot import (
    WEBHOOK_SECRET,
    bot_settings,
    channel,
    keyboard_message,
    press,
    running_bot,
    settle,
    wait_sends,
)

CHAT = U.DEFAULT_USER_ID


@pytest.fixture
async def app(fake, sqlite_url):
    async with running_bot(bot_settings(sqlite_url, fake, webhook=True), fake) as application:
        yield application


async def test_webhook_is_set_with_the_secret_and_holds_a_conversation(fake, app) -> None:
    (call,) = fake.calls_to("setWebhook", ok_only=True)
    assert call.params["url"].endswith("/tg-hook") and call.params["secret_token"] == WEBHOOK_SECRET
    assert "callback_query" in call.params["allowed_updates"]
    assert not fake.calls_to("getUpdates")

    since = len(fake.calls)
    assert await fake.push_update(U.make_command("start", language_code="es")) == 200
    (greet,) = await wait_sends(fake, 1, since=since)
    assert greet.text.startswith("¡Hola!") and greet.params["reply_markup"]["inline_keyboard"]
    since = len(fake.calls)
    assert await fake.push_update(press(fake, keyboard_message(fake, CHAT), "Idioma")) == 200
    (ask,) = await wait_sends(fake, 1, since=since)
    assert ask.text == "¿En qué idioma quieres hablar?"
    assert fake.calls_to("answerCallbackQuery", ok_only=True)
    since = len(fake.calls)
    await fake.push_update(press(fake, keyboard_message(fake, CHAT), "English"))
    (changed,) = await wait_sends(fake, 1, since=since)
    assert changed.text == "Great, we'll talk in English."


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", WEBHOOK_SECRET + "x"])
async def test_a_wrong_or_missing_secret_gets_403_and_nothing_happens(fake, app, secret) -> None:
    since = len(fake.calls)
    assert await fake.post_to_webhook(U.make_command("start"), secret=secret) == 403
    await settle(fake, quiet=0.2)
    assert not [c for c in fake.calls[since:] if c.method == "sendMessage"]
    assert await fake.post_to_webhook(U.make_command("help"), secret=WEBHOOK_SECRET) == 200
    await wait_sends(fake, 1, since=since)


async def test_a_redelivered_webhook_update_is_handled_once(fake, app) -> None:
    update = U.make_command("privacy", update_id=77)
    since = len(fake.calls)
    for _ in range(3):
        assert await fake.push_raw_update(dict(update)) == 200
    await wait_sends(fake, 1, since=since)
    await settle(fake)
    assert len([c for c in fake.calls[since:] if c.method == "sendMessage"]) == 1
    assert channel(app).counters["duplicate_updates"] == 2


# Issue 13, item 10: a body that is not an update Telegram would send is a 400, never a 500 with a traceback.
DEEP = "[" * 100_000 + "]" * 100_000
ODD_BODIES = ['"text"', "[1, 2]", "42", "null", "true", "{}", '{"update_id": "x"}', '{"update_id": -1}',
              '{"update_id": 1, "message": "hola"}', '{"update_id": 1, "message": {"chat": 5}}',
              '{"update_id": 1, "callback_query": []}', '{"a": ' * 5000 + "1" + "}" * 5000, DEEP,
              "\xff\xfe not utf-8", "{not json"]


@pytest.mark.parametrize("body", ODD_BODIES, ids=range(len(ODD_BODIES)))
async def test_an_odd_webhook_body_gets_400(fake, app, body, caplog) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.post(fake.webhook_url, data=body.encode("utf-8", "surrogateescape"),
                                headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET,
                                         "Content-Type": "application/json"}) as response:
            assert response.status == 400
    assert "Traceback" not in caplog.text and not [r for r in caplog.records if r.exc_info]
    since = len(fake.calls)
    assert await fake.post_to_webhook(U.make_command("help"), secret=WEBHOOK_SECRET) == 200
    await wait_sends(fake, 1, since=since)
