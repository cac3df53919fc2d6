"""Telegram updates already handled: a redelivered update (a restart, a second worker) is seen and skipped.

A channel claims the update in the transaction of what it does with it (bot/telegram/channel.py), so the
record and the effects commit or roll back together. The claim is one statement, `INSERT … ON CONFLICT DO
NOTHING RETURNING`: a row comes back when this transaction recorded the update, none when it was recorded
before (or by another worker, which this statement waits for when its transaction is still open). It was a
look-up and, later in the turn, an insert: a round trip more per update. Core statements on the caller's
connection, built once per database kind: no ORM unit of work.

SQLite is the exception: a write there takes the database's one write lock until the transaction ends, and a
turn's actions write on their own connection (the exactly-once block, actions/effects.py) while the turn
waits for them, so a claim written at the start of the turn locked them out ("database is locked", the
handoff lost). There the claim is the look-up, and `record` inserts at the end of the turn, in the same
transaction; on PostgreSQL `record` does nothing (the claim recorded it already).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.models import ProcessedUpdate

_HANDLED = select(ProcessedUpdate.update_id).where(ProcessedUpdate.bot_id == bindparam("bot_id"),
                                                    ProcessedUpdate.update_id == bindparam("update_id"))
_PROCESSED = insert(ProcessedUpdate)


def _writes_late(connection: AsyncConnection) -> bool:
    """Whether the claim must not write (SQLite: one write lock for the whole database)."""
    return connection.dialect.name == "sqlite"


@cache
def _claim(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING RETURNING for PostgreSQL or SQLite (both say it the same way)."""
    from sqlalchemy.dialects import postgresql, sqlite

    statement = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(ProcessedUpdate)
    return (statement.values(bot_id=bindparam("bot_id"), update_id=bindparam("update_id"))
            .on_conflict_do_nothing(index_elements=[ProcessedUpdate.bot_id, ProcessedUpdate.update_id])
            .returning(ProcessedUpdate.update_id))


async def claim(connection: AsyncConnection, *, bot_id: int, update_id: int) -> bool:
    """Record the update as handled, in the caller's transaction: True when this transaction recorded it,
    False when it had been handled (committed) already. On SQLite only looked up: `record` writes it."""
    if _writes_late(connection):
        return (await connection.execute(_HANDLED, {"bot_id": bot_id, "update_id": update_id})).first() is None
    result = await connection.execute(_claim(connection.dialect.name), {"bot_id": bot_id, "update_id": update_id})
    return result.first() is not None



async def record(connection: AsyncConnection, *, bot_id: int, update_id: int) -> None:
    """Write the claim where `claim` only looked it up (SQLite), late in the turn's transaction: a second
    worker recording the same update fails with IntegrityError and rolls back. Nothing on PostgreSQL."""
    if _writes_late(connection):
        await connection.execute(_PROCESSED, {"bot_id": bot_id, "update_id": update_id})
