"""Sending well: 429 storms, 5xx, Telegram down for a while, a crash after commit, handler errors,
and one update raced by two workers sharing the database."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import select

from bot.engine import UserMessage
from bot.store.models import Outbox
from bot.telegram.channel import TelegramChannel
from bot.telegram.sender import ChatPacer, Sender
from tests.auxil import updates as U
from tests.auxil.runtime import make_runtime
from tests.auxil.telegram_bot import bot_settings, channel, running_bot, settle, wait_sends

CHAT = U.DEFAULT_USER_ID


async def test_a_429_and_5xx_storm_still_delivers_every_reply_in_order(fake, sqlite_url) -> None:
    settings = bot_settings(sqlite_url, fake, rate_limit=True, max_send_retries=8)
    async with running_bot(settings, fake) as app:
        channel(app).sender.pacer = ChatPacer(burst=3, per_second=20)  # keep the test short
        channel(app).sender.backoff_base = 0.02
        fake.fault_rate(0.4, statuses=(429, 500, 502), retry_after=0, seed=3)
        users = [4001, 4002, 4003, 4004]
        since = len(fake.calls)
        for user in users:
            await fake.push_update(U.make_command("start", user_id=user))
            await fake.push_update(U.make_command("privacy", user_id=user))
        await wait_sends(fake, 2 * len(users), since=since, timeout=15)
        fake.fault_rate(0)
        await settle(fake)
        refused = [c for c in fake.calls[since:] if c.status in (429, 500, 502)]
        assert len(refused) >= 3
        for user in users:
            texts = [c.text for c in fake.calls[since:] if c.ok and c.method == "sendMessage" and c.chat_id == user]
            assert len(texts) == 2 and texts[0].startswith("Hola!") and texts[1].startswith("🔒"), texts
        counters = channel(app).counters
        assert counters["send_retries"] >= len(refused) and counters["replies_undelivered"] == 0


async def test_retry_after_is_waited_for_in_that_chat_only(fake, polling_bot) -> None:
    fake.fail_next("sendMessage", status=429, retry_after=1)
    since = len(fake.calls)
    start = time.monotonic()
    await fake.push_update(U.make_command("help", user_id=5001))
    await asyncio.sleep(0.05)
    await fake.push_update(U.make_command("help", user_id=5002))
    calls = await wait_sends(fake, 2, since=since)
    first = {c.chat_id: c.time - start for c in calls}
    assert first[5002] < 0.8  # the other chat did not wait for 5001's flood control
    assert first[5001] >= 1.0


async def test_telegram_down_for_a_while_then_the_deliverer_delivers(fake, sqlite_url, caplog) -> None:
    async with running_bot(bot_settings(sqlite_url, fake, max_send_retries=1), fake) as app:
        ch = channel(app)
        deliverer = app.bot_data.notifier
        await deliverer.stop()  # its rounds are run by hand below
        ch.sender.backoff_base = 0.01
        fake.fail_next("sendMessage", status=500, count=2)  # both attempts of the turn fail
        since = len(fake.calls)
        with caplog.at_level(logging.INFO):
            await fake.push_update(U.make_command("privacy", update_id=900))
            await fake.wait_for(lambda c: c.method == "sendMessage", 2, since=since)
            await settle(fake, quiet=0.2)
        assert ch.counters["replies_delayed"] == 1
        assert "update 900" in caplog.text and "Guardem" not in caplog.text  # id logged, never the text
        async with ch.runtime.sessionmaker() as session:
            row = await session.scalar(select(Outbox).where(Outbox.kind == "reply"))
            assert row.status == "pending" and row.payload["done"] == 0
            row.next_attempt_at = row.created_at  # due now
            await session.commit()
        assert await deliverer.run_once() == 1
        texts = [c.text for c in fake.calls[since:] if c.ok and c.method == "sendMessage"]
        assert len(texts) == 1 and texts[0].startswith("🔒")
        assert await deliverer.run_once() == 0


async def test_a_crash_between_commit_and_send_loses_no_reply(fake, polling_bot, monkeypatch) -> None:
    app = polling_bot
    ch = channel(app)
    deliverer = app.bot_data.notifier
    await deliverer.stop()  # its round is run by hand below
    real = TelegramChannel.deliver_claimed

    async def crash(self, row_id, payload, *, attempts):  # the process "dies" right after commit
        return False

    monkeypatch.setattr(TelegramChannel, "deliver_claimed", crash)
    since = len(fake.calls)
    await fake.push_update(U.make_command("start"))
    await fake.wait_updates_consumed()
    await settle(fake, quiet=0.2)
    assert not [c for c in fake.calls[since:] if c.method == "sendMessage"]
    monkeypatch.setattr(TelegramChannel, "deliver_claimed", real)
    async with ch.runtime.sessionmaker() as session:
        row = await session.scalar(select(Outbox).where(Outbox.kind == "reply"))
        row.next_attempt_at = row.created_at
        row.locked_until = row.created_at  # the dead worker's claim has lapsed
        await session.commit()
    assert await deliverer.run_once() == 1
    (greeting,) = [c for c in fake.calls[since:] if c.ok and c.method == "sendMessage"]
    assert greeting.text.startswith("Hola!") and greeting.params["reply_markup"]["inline_keyboard"]


async def test_a_handler_error_is_logged_without_texts_and_the_user_is_told(fake, polling_bot, monkeypatch,
                                                                            caplog) -> None:
    app = polling_bot
    ch = channel(app)
    await fake.push_update(U.make_command("language"))
    await wait_sends(fake, 1, since=0)
    await settle(fake, quiet=0.1)

    async def broken(message, **kw):
        raise RuntimeError("engine broke")

    monkeypatch.setattr(ch.runtime.engine, "handle", broken)
    since = len(fake.calls)
    with caplog.at_level(logging.ERROR):
        await fake.push_update(U.make_message("El meu secret: 600123123", language_code="es"))
        (sorry,) = await wait_sends(fake, 1, since=since)
    assert sorry.text.startswith("Ui, alguna cosa")  # the conversation's language (ca), not the hint
    assert "engine broke" in caplog.text and "600123123" not in caplog.text
    assert any(r.exc_info for r in caplog.records if r.name == "bot.telegram.handlers")


async def test_two_workers_racing_on_one_update_handle_it_once(fake, database_url) -> None:
    rt1 = await make_runtime(database_url)
    rt2 = await make_runtime(database_url)
    try:
        async with running_bot(bot_settings(database_url, fake), fake, runtime=rt1) as app:
            bot = app.bot
            one = channel(app)
            two = TelegramChannel(rt2, bot, Sender(max_retries=2, pace=False))
            since = len(fake.calls)
            message = UserMessage(sender_id="tg:6001", text="/privacy", channel="telegram")
            await asyncio.gather(*(ch.turn(update_id=4242, chat_id=6001, message=message)
                                   for ch in (one, two, one, two)))
            await settle(fake, quiet=0.1)
            assert len([c for c in fake.calls[since:] if c.method == "sendMessage"]) == 1
            assert one.counters["duplicate_updates"] + two.counters["duplicate_updates"] == 3
    finally:
        await rt1.close()
        await rt2.close()


async def test_the_chat_pacer_allows_a_burst_then_spaces_messages() -> None:
    pacer = ChatPacer(burst=3, per_second=10)
    start = time.monotonic()
    for _ in range(3):
        await pacer.wait(1)
    burst = time.monotonic() - start
    for _ in range(3):
        await pacer.wait(1)
    await pacer.wait(2)  # another chat has its own bucket
    assert burst < 0.05 and time.monotonic() - start >= 0.28


async def test_a_reply_to_someone_who_blocked_the_bot_is_given_up_at_once(fake, polling_bot) -> None:
    """Permanent failures stop at the first attempt, under the one retry policy (which never gives up on
    the others: delivery.max_attempts is 0)."""
    ch = channel(polling_bot)
    fake.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked by the user")
    await fake.push_update(U.make_command("privacy", update_id=901))
    await fake.wait_for(lambda c: c.method == "sendMessage" and c.status == 403)
    for _ in range(100):
        async with ch.runtime.sessionmaker() as session:
            row = await session.scalar(select(Outbox).where(Outbox.kind == "reply"))
        if row is not None and row.status != "pending":
            break
        await asyncio.sleep(0.02)
    assert row.status == "failed" and row.attempts == 1 and "forbidden" in row.last_error
    assert ch.counters["replies_undelivered"] == 1 and ch.counters["replies_delayed"] == 0
