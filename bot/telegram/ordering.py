"""Updates of one chat in arrival order, different chats concurrently; a flood is cut before it queues."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.shared.keyed_locks import KeyedLocks
from bot.telegram.flood import FloodGuard, flood_key

log = logging.getLogger(__name__)

FloodHook = Callable[[Update], Awaitable[None]]


def chat_key(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """PTB starts one task per update, in arrival order; each task takes its chat's FIFO lock before
    anything else can suspend it, so a chat's updates run one after another in the order they came.

    Before that, the flood guard (bot/telegram/flood.py): an update over its sender's limit never
    reaches a handler, so a flood neither queues behind its chat's lock nor holds the poller's batch.
    `on_flood` (set by the channel) answers the first update over the limit.

    Across processes the engine's advisory lock (PostgreSQL) serialises a conversation and the
    processed_update table keeps each update handled once.
    """

    def __init__(self, max_concurrent_updates: int = 64, *, flood_per_minute: int = 0,
                 counters: Counter[str] | None = None) -> None:
        super().__init__(max_concurrent_updates)
        self._locks = KeyedLocks()
        self.flood = FloodGuard(flood_per_minute)
        self.counters: Counter[str] = counters if counters is not None else Counter()
        self.on_flood: FloodHook | None = None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        sender = flood_key(update)
        verdict = self.flood.admit(sender) if sender is not None else "ok"
        if verdict != "ok":
            coroutine.close()  # type: ignore[attr-defined]  # never started: nothing to undo
            self.counters["updates_dropped_flood"] += 1
            log.info("update %s dropped: over the flood limit", getattr(update, "update_id", None))
            if verdict == "warn" and self.on_flood is not None and isinstance(update, Update):
                try:
                    await self.on_flood(update)
                except Exception:  # the notice is a courtesy; the database may be down
                    log.warning("flood notice for update %s not queued", update.update_id, exc_info=True)
            return
        if key is None:
            await coroutine
            return
        async with self._locks.hold(key):
            await coroutine

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""
