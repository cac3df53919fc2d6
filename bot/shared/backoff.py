"""Waiting before trying again: one exponential backoff for every retry of the bot.

`base` seconds after the first failure, doubled after each next one, never more than `cap`; with `jitter`
(0-1), each wait is drawn between (1 - jitter) and (1 + jitter) times that, so that many callers failing
together do not all come back at the same moment. Used by the outbox's retry policy
(bot/store/outbox.py), the Bot API calls (bot/telegram/sender.py), the polling loop (bot/telegram/app.py),
the "sent" marks of replies (bot/telegram/channel.py), the wait for the database at start
(bot/app/startup.py), SQLite's busy waits (bot/store/sqlite_inline.py) and the action server's calls
(bot/engine/actions_client.py).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    base: float
    cap: float
    jitter: float = 0.0

    def delay(self, failures: int, *, rng: Callable[[], float] = random.random) -> float:
        """Seconds to wait after `failures` failures in a row (1: the first)."""
        wait = min(self.cap, self.base * 2.0 ** min(max(failures - 1, 0), 64))  # a row retried for years: no overflow
        if self.jitter:
            wait *= 1 - self.jitter + 2 * self.jitter * rng()
        return wait
