"""One asyncio.Lock per key (a sender, a chat), forgotten when no task holds or waits for it.

The tasks using a key are counted here rather than read from the lock's private `_waiters`, which
asyncio may change: a lock is dropped only when its count falls to zero, so a task that has just
taken it from the dict always finds the one the others queue on.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class _Entry:
    __slots__ = ("lock", "users")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.users = 0  # tasks holding or waiting for the lock


class KeyedLocks:
    def __init__(self) -> None:
        self._entries: dict[Hashable, _Entry] = {}

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        """Run the block alone among the tasks that hold the same key, in the order they came."""
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        entry.users += 1
        try:
            async with entry.lock:
                yield
        finally:
            entry.users -= 1
            if entry.users == 0:
                self._entries.pop(key, None)

    def __len__(self) -> int:
        """Keys in use (held or waited for)."""
        return len(self._entries)
