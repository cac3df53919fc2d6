"""Telegram updates already handled: a redelivered update (a restart, a second worker) is seen and skipped.

A channel records the update in the transaction of what it did with it (bot/telegram/channel.py), so the
record and the effects commit or roll back together; a second worker recording the same update fails with
IntegrityError and rolls back. Core statements on the caller's connection, built once: no ORM unit of work.
"""

from __future__ import annotations

from sqlalchemy import bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.store.models import ProcessedUpdate

_HANDLED = select(ProcessedUpdate.update_id).where(ProcessedUpdate.bot_id == bindparam("bot_id"),
                                                    ProcessedUpdate.update_id == bindparam("update_id"))
_PROCESSED = insert(ProcessedUpdate)


async def handled_before(connection: AsyncConnection, *, bot_id: int, update_id: int) -> bool:
    """Whether this bot recorded this update already."""
    return (await connection.execute(_HANDLED, {"bot_id": bot_id, "update_id": update_id})).first() is not None


async def record_handled(connection: AsyncConnection, *, bot_id: int, update_id: int) -> None:
    """Record the update as handled, in the caller's transaction; IntegrityError when another worker did."""
    await connection.execute(_PROCESSED, {"bot_id": bot_id, "update_id": update_id})
