"""Telegram updates already handled: a redelivered update (a restart, a second worker) is seen and skipped.

A channel claims the update in the transaction of what it does with it (bot/telegram/channel.py), so the
record and the effects commit or roll back together. The claim is one statement, `INSERT … ON CONFLICT DO
NOTHING RETURNING`: a row comes back when this transaction recorded the update, none when it was recorded
before (or by another worker, which this statement waits for when its transaction is still open). It was a
look-up and, later in the turn, an insert: a round trip more per update. Core statements on the caller's
connection, built once per database kind: no ORM unit of work.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import bindparam
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

