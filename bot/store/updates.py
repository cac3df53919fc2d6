"""Telegram updates already handled: a redelivered update (a restart, a second worker) is seen and skipped.

A channel claims the update in the transaction of what it does with it (bot/telegram/channel.py), so the
record and the effects commit or roll back together. The claim is one statement, `INSERT … ON CONFLICT DO
NOTHING RETURNING`: a row comes back when this transaction recorded the update, none when it was recorded
before (or by another worker, which this statement waits for when its transaction is still open). It was a
look-up and, later in the turn, an insert: a round trip more per update.

On SQLite it stays a look-up first and the insert at the end (`claims_first` says which): SQLite takes
its one write lock at a transaction's first write and holds it to the commit, and an in-process action
writes on a connection of its own during the turn: claimed first, the action would wait for the lock the
turn holds. Core statements on the caller's connection, built once per database kind: no ORM unit of work.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.models import ProcessedUpdate


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
    False when it had been handled (committed) already."""
    result = await connection.execute(_claim(connection.dialect.name), {"bot_id": bot_id, "update_id": update_id})
    return result.first() is not None



def claims_first(connection: AsyncConnection) -> bool:
    """Whether the update is claimed at the start of its transaction (PostgreSQL), or looked up then and
    recorded at the end (SQLite: see the module's docstring)."""
    return connection.dialect.name == "postgresql"


_HANDLED = select(ProcessedUpdate.update_id).where(ProcessedUpdate.bot_id == bindparam("bot_id"),
                                                    ProcessedUpdate.update_id == bindparam("update_id"))
_PROCESSED = insert(ProcessedUpdate)


async def handled_before(connection: AsyncConnection, *, bot_id: int, update_id: int) -> bool:
    """Whether this bot recorded this update already (SQLite's look-up)."""
    return (await connection.execute(_HANDLED, {"bot_id": bot_id, "update_id": update_id})).first() is not None


async def record_handled(connection: AsyncConnection, *, bot_id: int, update_id: int) -> None:
    """Record the update as handled, in the caller's transaction (SQLite, at its end); IntegrityError when
    another process did meanwhile."""
    await connection.execute(_PROCESSED, {"bot_id": bot_id, "update_id": update_id})
