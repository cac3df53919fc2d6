"""Engine and sessions. Nothing is created at import time: callers own the engine's lifetime."""

from __future__ import annotations

from pathlib import Path

import orjson
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.store.sqlite_inline import inline_creator


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def _json_dumps(value: object) -> str:
    # Conversation states and reply payloads are written every turn: orjson is several times faster
    # than the json module. Non-string keys become strings, as json.dumps makes them.
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


JSON_CODEC = {"json_serializer": _json_dumps, "json_deserializer": orjson.loads}

SQLITE_BUSY_TIMEOUT = 15.0  # seconds a statement waits for another connection's write lock
SQLITE_PRAGMAS = ["PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL", "PRAGMA busy_timeout=0",
                  "PRAGMA foreign_keys=ON"]


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
            database, busy_timeout=SQLITE_BUSY_TIMEOUT, pragmas=SQLITE_PRAGMAS), **JSON_CODEC)
    return create_async_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10, **JSON_CODEC)


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
