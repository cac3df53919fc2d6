"""SQLite on the event loop's thread (bot/store/sqlite_inline.py): a lock held elsewhere is waited out
without stopping the loop, the wait has a limit, and a stale snapshot retries the turn."""

from __future__ import annotations

import asyncio
import sqlite3
import time

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import create_async_engine

from bot.store.conversations import ConcurrentTurn, ConversationStore
from bot.store.db import SQLITE_PRAGMAS, create_engine, make_sessionmaker
from bot.store.sqlite_inline import inline_creator


async def _table(engine) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("CREATE TABLE IF NOT EXISTS t (n INTEGER)"))


async def test_a_held_lock_is_waited_out_while_the_loop_goes_on(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/inline.db"
    holder, waiter = create_engine(url), create_engine(url)
    try:
        await _table(holder)
        ticks = 0
        stop = asyncio.Event()

        async def ticker() -> None:
            nonlocal ticks
            while not stop.is_set():
                ticks += 1
                await asyncio.sleep(0.005)

        async with holder.connect() as held:
            await held.execute(text("INSERT INTO t VALUES (1)"))  # holds the write lock, uncommitted
            ticking = asyncio.create_task(ticker())

            async def write() -> float:
                start = time.monotonic()
                async with waiter.begin() as conn:
                    await conn.execute(text("INSERT INTO t VALUES (2)"))
                return time.monotonic() - start

            writing = asyncio.create_task(write())
            await asyncio.sleep(0.2)
            assert not writing.done()  # still waiting for the lock...
            ticks_while_waiting = ticks
            await held.commit()  # ...which is released here
        waited = await asyncio.wait_for(writing, 5)
        stop.set()
        await ticking
        assert ticks_while_waiting >= 10, "the event loop was blocked while the write waited"
        assert 0.15 <= waited < 5
        async with holder.connect() as conn:
            assert sorted(await conn.scalars(text("SELECT n FROM t"))) == [1, 2]
    finally:
        await holder.dispose()
        await waiter.dispose()


async def test_the_wait_for_a_lock_has_a_limit(tmp_path) -> None:
    database = str(tmp_path / "inline.db")
    url = f"sqlite+aiosqlite:///{database}"
    holder = create_engine(url)
    impatient = create_async_engine(url, async_creator=inline_creator(database, busy_timeout=0.2,
                                                                      pragmas=SQLITE_PRAGMAS))
    try:
        await _table(holder)
        async with holder.connect() as held:
            await held.execute(text("INSERT INTO t VALUES (1)"))
            start = time.monotonic()
            with pytest.raises(OperationalError, match="locked"):
                async with impatient.begin() as conn:
                    await conn.execute(text("INSERT INTO t VALUES (2)"))
            assert 0.15 <= time.monotonic() - start < 2
            await held.rollback()
    finally:
        await holder.dispose()
        await impatient.dispose()


async def test_a_stale_snapshot_runs_the_turn_again(tmp_path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/inline.db")
    try:
        store = ConversationStore(make_sessionmaker(engine), dialect="sqlite")
        stale = sqlite3.OperationalError("database is locked")
        stale.sqlite_errorcode = 517  # SQLITE_BUSY_SNAPSHOT: another connection wrote since this one read
        with pytest.raises(ConcurrentTurn):
            async with store.turn("tg:1"):
                raise OperationalError("UPDATE conversation ...", {}, stale)
        other = sqlite3.OperationalError("disk I/O error")
        other.sqlite_errorcode = 10
        with pytest.raises(OperationalError):
            async with store.turn("tg:1"):
                raise OperationalError("UPDATE conversation ...", {}, other)
    finally:
        await engine.dispose()
