"""What the engine needs of the place conversations are kept, and nothing more.

bot/store/conversations.py's ConversationStore is one (the runtime wires it in, bot/app/runtime.py); the
engine imports no store module, nor the database library (pyproject.toml's contracts), so a turn's rules
can be read, and tested, without the database's layout. A store raises ConcurrentTurn when another worker
saved the conversation first; the engine runs the turn again.

A turn's writes go through one unit of work the store opens (`turn`): the tracker, whatever the turn's
built-in steps erase, and what the channel writes beside them (`InTransaction`: its replies, the update
marked as handled) commit together or not at all. The engine only ever commits it; what else it is (a
database session, for ConversationStore) is the store's and the channel's business.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol, TypeVar

from bot.engine.messages import BotMessage
from bot.engine.tracker import Tracker
from bot.shared.concurrency import ConcurrentTurn

__all__ = ["ConcurrentTurn", "ConversationStorePort", "InTransaction", "SkipIf", "UnitOfWork", "Work"]


class UnitOfWork(Protocol):
    """One turn's transaction: the engine commits it once the turn is saved (a store rolls it back on error)."""

    async def commit(self) -> None: ...


Work = TypeVar("Work", bound=UnitOfWork)

# What a channel writes in the turn's unit of work, after the tracker (its replies, the update handled).
InTransaction = Callable[[Work, Tracker, list[BotMessage]], Awaitable[None]]
# Asked first in the turn's unit of work: True drops the message (an update already handled).
SkipIf = Callable[[Work], Awaitable[bool]]


class ConversationStorePort(Protocol[Work]):
    def turn(self, sender_id: str) -> AbstractAsyncContextManager[Work]:
        """A unit of work for one turn, holding the conversation's lock (where the database has one) until
        commit; rolled back, and ConcurrentTurn raised, if another worker wrote meanwhile."""
        ...

    async def load(self, session: Work, sender_id: str) -> Tracker | None:
        """The conversation's tracker (paused or not included), or None for a new sender."""
        ...

    async def save(self, session: Work, tracker: Tracker, *, channel: str) -> None:
        """Write the tracker without committing; ConcurrentTurn if its version is no longer the latest."""
        ...

    async def peek(self, sender_id: str) -> Tracker | None:
        """The stored tracker, read outside a turn."""
        ...

    async def forget(self, session: Work, sender_id: str) -> None:
        """Erase everything kept about this sender, in the turn's unit of work."""
        ...
