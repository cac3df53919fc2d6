"""Engine and sessions. Nothing is created at import time: callers own the engine's lifetime."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Result, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session

from bot.store.sqlite_inline import inline_creator

log = logging.getLogger(__name__)


def changed(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE, DELETE or INSERT wrote. `AsyncSession.execute` is typed as returning a
    Result whatever the statement; for these it is a CursorResult, the one that has the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} has no row count: not an UPDATE, DELETE or INSERT")
    return result.rowcount


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _json_dumps(value: object) -> str:
    # Conversation states and reply payloads are written every turn: orjson is several times faster
    # than the json module. Non-string keys become strings, as json.dumps makes them.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


JSON_CODEC = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}

# A database error names its statement, never the values written (a contact's name, a message's text): its
# text goes to the logs and to the outbox's last_error (docs/operations.md, "Logs"; issue 27).
PRIVATE = {"hide_parameters": True}

POOL_SIZE, POOL_OVERFLOW = 20, 0  # PostgreSQL connections per process: at most 20 (as before), all kept
SQLITE_BUSY_TIMEOUT = 15.0  # seconds a statement waits for another connection's write lock
# secure_delete: deleted rows are overwritten with zeros, not left in free pages (erasure, see below).
SQLITE_PRAGMAS = ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=0",
                  "PRAGMA foreign_keys=ON", "PRAGMA secure_delete=ON"]


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and foreign keys, and its folder is created.

    SQLite runs on the event loop's thread (bot/store/sqlite_inline.py), not in aiosqlite's helper
    threads: its statements cost less than the hops to a thread and back.
    """
    if is_sqlite(url):
        database = make_url(url).database or ":memory:"
        if database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        return create_async_engine(url, echo=echo, async_creator=inline_creator(
            database, busy_timeout=SQLITE_BUSY_TIMEOUT, pragmas=SQLITE_PRAGMAS), **JSON_CODEC, **PRIVATE)
    # No pre-ping: it cost a round trip on every checkout (two a turn; with the BEGIN and COMMIT, a third of a
    # turn's waits on PostgreSQL, bench telegram_tail). A connection found dead instead fails its statement,
    # SQLAlchemy then drops every older pooled connection, and the turn runs again on a new one
    # (bot/store/conversations.py); the deliverer's and the marks' loops try again by themselves.
    # All 20 kept open. With 10 kept and 10 more allowed at a peak, a busy worker kept opening and closing the
    # ten above (a turn holds its connection while it waits for the CPU): a new backend each time, and every
    # statement prepared again on it. Bench scale, 80 users: two workers opened 29-30 connections each in a
    # run and spent 4.9 ms CPU a turn, one worker 19 and 4.3-4.6 ms; all kept: 19 each, 4.37 against 4.34 ms.
    # The most a worker holds is unchanged (20), so a turn whose action opens a second session waits as before.
    return create_async_engine(url, echo=echo, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, **JSON_CODEC,
                               **PRIVATE)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on `engine`; on SQLite, a commit that erased personal data (`mark_erased`) is followed by a
    WAL checkpoint that empties the -wal file, where older copies of the erased rows would stay."""
    if engine.dialect.name != "sqlite":
        return async_sessionmaker(engine, expire_on_commit=False)
    session_class = type("ErasingSession", (Session,), {})
    pending: set[asyncio.Task[None]] = set()

    @event.listens_for(session_class, "after_commit")
    def _after_commit(session: Session) -> None:
        if session.info.pop(ERASED, False):
            task = asyncio.get_running_loop().create_task(checkpoint(engine), name="aliat-erasure-checkpoint")
            pending.add(task)
            task.add_done_callback(pending.discard)

    @event.listens_for(session_class, "after_rollback")
    def _after_rollback(session: Session) -> None:
        session.info.pop(ERASED, None)

    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=session_class)


ERASED = "aliat_erased"


def mark_erased(session: AsyncSession) -> None:
    """This transaction erases personal data: checkpoint the SQLite WAL once it has committed."""
    session.info[ERASED] = True


async def checkpoint(engine: AsyncEngine) -> None:
    """SQLite: copy the WAL into the database file and truncate it to nothing (with secure_delete on, the
    erased rows are then gone from both files). PostgreSQL: nothing here; VACUUM and the retention of
    backups complete an erasure there (README, Reliability)."""
    if engine.dialect.name != "sqlite":
        return
    try:
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception:  # busy or closing: the next erasure or the hourly maintenance checkpoints again
        log.warning("WAL checkpoint after an erasure failed", exc_info=True)
