"""Database faults: a locked SQLite file delays a turn without losing it; a failing database tells the
user to try again and leaves nothing half-written."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy.exc import OperationalError

from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import make_runtime
from tests.auxil.telegram_bot import bot_settings, running_bot, wait_sends


@pytest.fixture
async def fake():
    async with FakeBotApi() as server:
        yield server


async def test_locked_sqlite_delays_the_turn_and_loses_nothing(fake, tmp_path) -> None:
    path = tmp_path / "locked.db"
    url = f"sqlite+aiosqlite:///{path}"
    runtime = await make_runtime(url)
    try:
        async with running_bot(bot_settings(url, fake), fake, runtime):
            blocker = sqlite3.connect(path, timeout=1, isolation_level=None)
            blocker.execute("BEGIN EXCLUSIVE")
            since = len(fake.calls)
            await fake.push_update(U.make_command("help", user_id=6101, language_code="es"))
            await asyncio.sleep(1.5)  # the turn waits on SQLite's busy timeout meanwhile
            assert not [c for c in fake.calls[since:] if c.method == "sendMessage"]
            blocker.execute("ROLLBACK")
            blocker.close()
            (reply,) = await wait_sends(fake, 1, since=since, timeout=15)
            assert "Puedo hacerte" in reply.text
        tracker = await runtime.engine.peek("tg:6101")
        assert tracker is not None and tracker.version == 1
    finally:
        await runtime.close()


async def test_database_down_tells_the_user_and_writes_nothing(fake, sqlite_url, monkeypatch) -> None:
    runtime = await make_runtime(sqlite_url)
    try:
        async with running_bot(bot_settings(sqlite_url, fake), fake, runtime):
            since = len(fake.calls)
            await fake.push_update(U.make_command("start", user_id=6102, language_code="en"))
            await wait_sends(fake, 2, since=since)
            store = runtime.engine.store
            real_save = store.save

            async def failing_save(*args, **kwargs):
                raise OperationalError("UPDATE conversation", {}, Exception("database is unavailable"))

            monkeypatch.setattr(store, "save", failing_save)
            since = len(fake.calls)
            await fake.push_update(U.make_command("help", user_id=6102, language_code="en"))
            (reply,) = await wait_sends(fake, 1, since=since)
            assert "something went wrong" in reply.text and "nothing has been lost" in reply.text
            tracker = await runtime.engine.peek("tg:6102")
            assert tracker.version == 1  # the failed turn left no trace

            monkeypatch.setattr(store, "save", real_save)  # the database is back
            since = len(fake.calls)
            await fake.push_update(U.make_command("help", user_id=6102, language_code="en"))
            (reply,) = await wait_sends(fake, 1, since=since)
            assert reply.text.startswith("I can ask you")
            assert (await runtime.engine.peek("tg:6102")).version == 2
    finally:
        await runtime.close()
