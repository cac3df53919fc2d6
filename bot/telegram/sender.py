"""Calls to the Bot API with Telegram's limits kept: per-chat pacing, 429 and 5xx retries, counted failures.

The only module that knows python-telegram-bot's errors: they leave it as the outbox's DeliveryError
(`permanent`, `retry_after`), which the one retry policy (bot/store/outbox.py) reads, whoever sent.

The rate limiter (bot/telegram/limiter.py, when `telegram.rate_limit` is on) keeps the overall (30/s) and per-group (20/min)
rates; it never retries, so that a 429 is retried here, in the task of the chat that got it,
instead of pausing every chat of the bot.

These retries (`telegram.max_send_retries`, at once, in memory) are not the outbox's (`delivery:`, a row tried
again later, from the database): many calls have no row (a button's answer, an edit, a workshop's poll,
the bot's menu), and a 429 or a dropped connection in a turn's reply is waited out in its chat's task in
a second, where the row would wait for the deliverer's next round. What they cannot cure goes back to the
outbox as a DeliveryError. Both wait with the one backoff (bot/shared/backoff.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
)

from bot.shared.backoff import Backoff
from bot.store.outbox import DeliveryError

log = logging.getLogger(__name__)
T = TypeVar("T")

BACKOFF_BASE = 0.5
BACKOFF_MAX = 30.0
JITTER = 0.5  # a wait between half and one and a half times the backoff's


def telegram_failure(exc: BaseException, what: str = "call") -> DeliveryError | None:
    """A python-telegram-bot error as a DeliveryError (None: not one of Telegram's). Permanent: the request
    itself is refused (bad request, blocked by the user, removed from the group, a wrong token); a 429
    carries Telegram's wait; anything else (5xx, timeouts, dropped connections) may go later."""
    if isinstance(exc, RetryAfter):
        return DeliveryError(f"{what}: 429", retry_after=_seconds(exc.retry_after))
    if isinstance(exc, Forbidden):
        return DeliveryError(f"{what}: forbidden", permanent=True)
    if isinstance(exc, BadRequest | InvalidToken | ChatMigrated):
        return DeliveryError(f"{what}: {type(exc).__name__}", permanent=True)
    if isinstance(exc, TelegramError):
        return DeliveryError(f"{what}: {type(exc).__name__}")
    return None


def not_modified(exc: DeliveryError) -> bool:
    """An edit that changed nothing (the message already says that): nothing to retry or report."""
    return isinstance(exc.__cause__, BadRequest) and "not modified" in str(exc.__cause__).lower()


def refused_request(exc: DeliveryError) -> bool:
    """Telegram refused the request itself (a message to copy that was deleted, a kind it does not copy),
    as opposed to the chat refusing the bot."""
    return isinstance(exc.__cause__, BadRequest)


class ChatPacer:
    """A token bucket per private chat: a short burst, then about one message a second."""

    def __init__(self, *, burst: int = 3, per_second: float = 1.0) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: dict[int, tuple[float, float]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    async def wait(self, chat_id: int) -> None:
        lock = self._locks.setdefault(chat_id, asyncio.Lock())
        async with lock:
            now = time.monotonic()
            tokens, last = self._buckets.get(chat_id, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
            if tokens < 1:
                await asyncio.sleep((1 - tokens) / self.per_second)
                now = time.monotonic()
                tokens = 1.0
            self._buckets[chat_id] = (tokens - 1, now)
            if len(self._buckets) > 4096:  # forget chats that have been quiet
                self._forget(now)

    def _forget(self, now: float) -> None:
        for chat_id, (_tokens, last) in list(self._buckets.items()):
            if now - last > 60 and not self._locks[chat_id].locked():
                self._buckets.pop(chat_id, None)
                self._locks.pop(chat_id, None)


def _seconds(value: int | float | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class Sender:
    """Runs one Bot API call with retries; counts what happened in `counters`."""

    def __init__(self, *, max_retries: int, pace: bool = True, counters: Counter[str] | None = None,
                 backoff_base: float = BACKOFF_BASE) -> None:
        self.max_retries = max_retries
        self.pacer = ChatPacer() if pace else None
        self.counters: Counter[str] = counters if counters is not None else Counter()
        self.backoff_base = backoff_base

    async def call(self, chat_id: int, make_call: Callable[[], Awaitable[T]], *, what: str,
                   paced: bool = True) -> T:
        """`make_call()` builds a fresh request each attempt. Raises DeliveryError when it cannot go through."""
        attempt = 0
        while True:
            if paced and self.pacer is not None and chat_id > 0:
                await self.pacer.wait(chat_id)
            try:
                return await make_call()
            except TelegramError as exc:
                failure = telegram_failure(exc, what)
                assert failure is not None
                if failure.permanent:
                    self.counters["send_forbidden" if isinstance(exc, Forbidden) else "send_failed_permanent"] += 1
                    raise failure from exc
                if failure.retry_after is not None:
                    wait = failure.retry_after + 0.05
                    self.counters["telegram_429"] += 1
                    reason = "429"
                elif isinstance(exc, NetworkError):  # 5xx, timeouts, dropped connections
                    wait = Backoff(self.backoff_base, BACKOFF_MAX, jitter=JITTER).delay(attempt + 1)
                    self.counters["telegram_network_error"] += 1
                    reason = type(exc).__name__
                else:  # another of Telegram's errors: not one a retry right now would cure
                    self.counters["send_failed_transient"] += 1
                    raise failure from exc
            if attempt >= self.max_retries:
                self.counters["send_failed_transient"] += 1
                raise DeliveryError(f"{what}: gave up after {attempt + 1} attempts ({reason})",
                                    retry_after=wait if reason == "429" else None)
            attempt += 1
            self.counters["send_retries"] += 1
            log.info("%s to chat %s: %s, retry %s in %.1fs", what, chat_id, reason, attempt, wait)
            await asyncio.sleep(wait)

    async def quietly(self, chat_id: int, make_call: Callable[[], Awaitable[Any]], *, what: str,
                      paced: bool = False) -> Any:
        """For calls whose failure changes nothing for the user (an edit, a callback answer)."""
        try:
            return await self.call(chat_id, make_call, what=what, paced=paced)
        except DeliveryError as exc:
            if not not_modified(exc):
                log.warning("%s", exc)
            return None
