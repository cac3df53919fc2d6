"""The flood guard: one person sending too much in one chat is told once to wait, and the rest is dropped.

A token bucket per (chat, user): `per_minute` updates a minute, at most a third of them at once (a person
typing or tapping fast sends a few in a row, never dozens; and a flood let through in one go would cost
every other chat a burst of database writes). Beyond it an
update is not handled at all (no engine turn, no database write): it is counted, logged by update id, and
the first one over the limit gets a short "too many messages" answer. In a workshop group each participant
has a bucket of their own, so two hundred people rating one card are not a flood.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from telegram import Update

FORGET_AFTER = 300.0  # seconds: a quiet key's bucket is full again, forgetting it changes nothing
MAX_KEYS = 10_000


@dataclass
class _Bucket:
    tokens: float
    last: float
    warned: bool = False


def flood_key(update: object) -> tuple[int, int] | None:
    """(chat, user) of an update; None for updates nobody types (polls, member changes...)."""
    if not isinstance(update, Update):
        return None
    user = update.effective_user
    chat = update.effective_chat
    if user is None and chat is None:
        return None
    return (chat.id if chat is not None else 0, user.id if user is not None else 0)


class FloodGuard:
    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.burst = max(1, per_minute // 3)
        self._buckets: dict[tuple[int, int], _Bucket] = {}

    def admit(self, key: tuple[int, int], now: float | None = None) -> str:
        """"ok" (handle it), "warn" (the first one over the limit: answer once) or "drop"."""
        if self.per_minute <= 0:
            return "ok"
        now = time.monotonic() if now is None else now
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= MAX_KEYS:
                self._forget(now)
            bucket = self._buckets[key] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.last) * self.per_minute / 60)
        bucket.last = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            if bucket.tokens >= 1:
                bucket.warned = False  # back under the limit: the next flood is told again
            return "ok"
        if bucket.warned:
            return "drop"
        bucket.warned = True
        return "warn"

    def _forget(self, now: float) -> None:
        for key in [k for k, b in self._buckets.items() if now - b.last > FORGET_AFTER]:
            del self._buckets[key]
