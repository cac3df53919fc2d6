"""Each action's writes once per turn: a key for (turn, action) claimed in the writes' own transaction.

In-process actions (and those on a rasa-sdk action server) commit their own transaction before the turn
commits. A crash between the two commits, or a second worker handling the same update, ran them again: a
second relay to the facilitator, a funnel step counted twice. The engine derives a key from the turn (the
conversation's stored version, the message, the action's place in the turn) and passes it in the tracker
(`latest_message.metadata.effect_key`); the action claims `<key>:<action>` here with its writes and keeps
their result. A run that finds the key claimed writes nothing and reads that result instead. Keys are purged with the
processed updates (bot/app/maintenance.py).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.clock import now_utc
from bot.store.db import changed
from bot.store.models import ActionEffect


async def claim(*, session: AsyncSession, key: str, action: str) -> dict[str, Any] | None:
    """Claim `key` in the caller's transaction: None when this run is the first (go on and write), else the
    result the first run kept. On PostgreSQL a concurrent claim of the same key waits for the first
    transaction and then reads what it kept."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ActionEffect).values(effect_key=key[:128], action=action[:64], result={},
                                            created_at=now_utc()).on_conflict_do_nothing()
    if changed(await session.execute(statement)) == 1:
        return None
    return dict(await session.scalar(select(ActionEffect.result).where(ActionEffect.effect_key == key[:128])) or {})


async def keep(*, session: AsyncSession, key: str, result: dict[str, Any]) -> None:
    """What the first run wrote (ids), for a second run of the same turn to read."""
    await session.execute(update(ActionEffect).where(ActionEffect.effect_key == key[:128]).values(result=result))
