"""SQLite on the event loop's own thread, behind SQLAlchemy's aiosqlite dialect.

aiosqlite runs every call (cursor, execute, fetch, close, commit...) in a helper thread and wakes the
event loop when it is done: about a dozen thread hops for one statement, each costing more CPU than the
statement itself (a turn's reads and writes on a small SQLite file take tens of microseconds). This
module gives SQLAlchemy an object with aiosqlite's interface whose calls run at once, in the loop's
thread; the `bench/` Telegram figures show the difference.

What a thread did for us is kept where it matters:
- Waiting for a lock held by another connection never blocks the loop: SQLite's own busy timeout is 0,
  and a statement refused with SQLITE_BUSY is retried here after an asyncio sleep, up to
  `busy_timeout` seconds in all (as `PRAGMA busy_timeout` would, without stopping the other turns of
  the process, one of which may be the one holding the lock).
- A stale snapshot (SQLITE_BUSY_SNAPSHOT: another connection wrote since this transaction read) is not
  retried; it is raised, as SQLite raises it, and the caller's turn is retried whole.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from bot.shared.backoff import Backoff

SQLITE_BUSY = 5
_PAUSES = Backoff(0.001, 0.05)  # 1, 2, 4... ms between tries, at most 50 ms


def _busy(error: sqlite3.OperationalError) -> bool:
    # The plain SQLITE_BUSY code only: SQLITE_BUSY_SNAPSHOT (517) and SQLITE_LOCKED are not waited out.
    return getattr(error, "sqlite_errorcode", None) == SQLITE_BUSY


async def _patiently(call: Callable[[], Any], busy_timeout: float) -> Any:
    deadline: float | None = None
    tries = 0
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _busy(error):
                raise
            now = time.monotonic()
            if deadline is None:
                deadline = now + busy_timeout
            if now >= deadline:
                raise
            tries += 1
            await asyncio.sleep(min(_PAUSES.delay(tries), deadline - now))


class InlineCursor:
    """aiosqlite.Cursor's interface over a sqlite3.Cursor, with nothing handed to a thread."""

    __slots__ = ("_cursor", "_busy_timeout")

    def __init__(self, cursor: sqlite3.Cursor, busy_timeout: float) -> None:
        self._cursor = cursor
        self._busy_timeout = busy_timeout

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        cursor = self._cursor
        if parameters is None:
            await _patiently(lambda: cursor.execute(sql), self._busy_timeout)
        else:
            await _patiently(lambda: cursor.execute(sql, parameters), self._busy_timeout)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        rows = list(parameters)  # a retry must see the same rows
        cursor = self._cursor
        await _patiently(lambda: cursor.executemany(sql, rows), self._busy_timeout)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _ImmediateQueue:
    """SQLAlchemy sets the isolation level by putting (future, function) on aiosqlite's queue."""

    __slots__ = ()

    def put_nowait(self, item: tuple[asyncio.Future[Any] | None, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is not None:
                future.set_exception(error)
            return
        if future is not None:
            future.set_result(result)


class InlineConnection:
    """aiosqlite.Connection's interface (the part SQLAlchemy's aiosqlite dialect uses)."""

    _tx = _ImmediateQueue()

    def __init__(self, conn: sqlite3.Connection, busy_timeout: float) -> None:
        self._conn: sqlite3.Connection | None = conn
        self._busy_timeout = busy_timeout

    @property
    def _connection(self) -> sqlite3.Connection | None:
        return self._conn

    def _live(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn

    @property
    def isolation_level(self) -> str | None:
        return self._live().isolation_level

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._live().cursor(), self._busy_timeout)

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._live().create_function(*args, **kwargs)

    async def commit(self) -> None:
        conn = self._live()
        await _patiently(conn.commit, self._busy_timeout)

    async def rollback(self) -> None:
        self._live().rollback()

    async def close(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()

    def stop(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            conn.close()


def _run(conn: sqlite3.Connection, sql: str) -> None:
    conn.execute(sql).close()


def inline_creator(database: str, *, busy_timeout: float, pragmas: list[str]) -> Callable[[], Any]:
    """The `async_creator` of create_async_engine: a new InlineConnection to `database`."""

    async def create() -> InlineConnection:
        conn = sqlite3.connect(database, timeout=0, check_same_thread=False)
        try:
            for pragma in pragmas:
                await _patiently(partial(_run, conn, pragma), busy_timeout)
        except BaseException:
            conn.close()
            raise
        return InlineConnection(conn, busy_timeout)

    return create
