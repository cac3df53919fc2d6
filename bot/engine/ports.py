"""What the engine needs of the place conversations are kept, and nothing more.

bot/store/conversations.py's ConversationStore is one (the runtime wires it in, bot/app/runtime.py); the
engine imports no store module (pyproject.toml's contracts), so a turn's rules can be read, and tested,
without the database's layout. A store raises ConcurrentTurn when another worker saved the conversation
first; the engine runs the turn again.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.tracker import Tracker
from bot.shared.concurrency import ConcurrentTurn

__all__ = ["ConcurrentTurn", "ConversationStorePort"]


class ConversationStorePort(Protocol):
    def turn(self, sender_id: str) -> AbstractAsyncContextManager[AsyncSession]:
        """A session for one turn, holding the conversation's lock (where the database has one) until
        commit; rolled back, and ConcurrentTurn raised, if another worker wrote meanwhile."""
        ...

    async def load(self, session: AsyncSession, sender_id: str) -> Tracker | None:
        """The conversation's tracker (paused or not included), or None for a new sender."""
        ...

    async def save(self, session: AsyncSession, tracker: Tracker, *, channel: str) -> None:
        """Write the tracker without committing; ConcurrentTurn if its version is no longer the latest."""
        ...

    async def peek(self, sender_id: str) -> Tracker | None:
        """The stored tracker, read outside a turn."""
        ...

    async def forget(self, session: AsyncSession, sender_id: str) -> None:
        """Erase everything kept about this sender, in the turn's transaction."""
        ...
