"""The one retry policy of every message delivered (`delivery:` in config.yml), whoever sent it: the outbox's
deliverer, or the Telegram channel's fast path for a turn's replies (bot/store/outbox.py: `record_failure`).
"""

from __future__ import annotations

from typing import Protocol

from bot.shared.backoff import Backoff


class DeliveryError(Exception):
    """A message that did not go through. `permanent` when trying again cannot help (the bot was blocked,
    Telegram refused the request): the row is given up at once. `retry_after` (seconds) when the other
    side said how long to wait."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class RetrySettings(Protocol):
    """`delivery:` in config.yml: the policy of every message delivered."""

    retry_base_seconds: float
    retry_max_seconds: float
    max_attempts: int


def retry_policy(policy: RetrySettings, attempts: int, *, permanent: bool = False,
                 retry_after: float | None = None) -> tuple[bool, float]:
    """After `attempts` failed attempts: (give up?, seconds before the next one). Exponential backoff from
    `retry_base_seconds` up to `retry_max_seconds`, Telegram's own wait when it gave one; `max_attempts`
    0 never gives up, and a permanent failure gives up at once."""
    delay = retry_after or Backoff(policy.retry_base_seconds, policy.retry_max_seconds).delay(attempts)
    give_up = permanent or (bool(policy.max_attempts) and attempts >= policy.max_attempts)
    return give_up, float(delay)
