"""Database faults: a locked SQLite file delays a turn without losing it; a failing database tells the
user to try again and leaves nothing half-written."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from bot.engine import UserMessage
from tests.auxil import updates as U
from tests.auxil.runtime import PG_URL, make_runtime, reset_postgres
from tests.auxil.tcp_proxy import TcpProxy
from tests.auxil.telegram_bot import wait_sends


async def test_locked_sqlite_delays_the_turn_and_loses_nothing(fake, bots, tmp_path) -> None:
    path = tmp_path / "locked.db"
    url = f"sqlite+aiosqlite:///{path}"
    runtime = await bots.runtime(url)
    app = await bots.start(bots.settings(url), runtime)
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
    await bots.stop(app)
    tracker = await runtime.engine.peek("tg:6101")
    assert tracker is not None and tracker.version == 1


async def test_database_down_tells_the_user_and_writes_nothing(fake, bots, monkeypatch) -> None:
    runtime = await bots.runtime()
    await bots.start(bots.settings(), runtime)
    since = len(fake.calls)
    await fake.push_update(U.make_command("start", user_id=6102, language_code="en"))
    await wait_sends(fake, 1, since=since)
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


@pytest.mark.skipif(not PG_URL, reason="ALIAT_TEST_DATABASE_URL not set (PostgreSQL)")
async def test_postgresql_connections_dropped_and_restored() -> None:
    """Connections cut and the server unreachable for a while: turns fail cleanly, then the bot recovers."""
    url = make_url(PG_URL)
    await reset_postgres(PG_URL)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    runtime = await make_runtime(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    engine = runtime.engine
    try:
        await engine.handle(UserMessage(sender_id="pg:1", text="/start"))
        await engine.handle(UserMessage(sender_id="pg:1", text="/help"))
        proxy.cut()  # every pooled connection dies
        proxy.accepting = False  # and the database is unreachable for a moment
        with pytest.raises((DBAPIError, OSError, ConnectionError)):
            await engine.handle(UserMessage(sender_id="pg:1", text="/help"))
        assert (await _version_direct("pg:1")) == 2  # the failed turn wrote nothing
        proxy.accepting = True  # the database is back
        for _ in range(3):
            await engine.handle(UserMessage(sender_id="pg:1", text="/help"))
        assert (await _version_direct("pg:1")) == 5
        proxy.cut()  # dropped again while idle: the pool notices (pre-ping) and reconnects
        await engine.handle(UserMessage(sender_id="pg:1", text="/privacy"))
        assert (await _version_direct("pg:1")) == 6
    finally:
        await runtime.close()
        await proxy.stop()


async def _version_direct(sender_id: str) -> int:
    other = await make_runtime(PG_URL)
    try:
        return (await other.engine.peek(sender_id)).version
    finally:
        await other.close()
