"""Where a message goes: the addresses in outbox rows and sender ids ("tg:123", "telegram:123")."""

from __future__ import annotations

import re

_TELEGRAM = re.compile(r"^(?:telegram|tg)?[:_]?(-?\d{1,20})$")


def telegram_chat_id(address: str | int | None) -> int | None:
    """The Telegram chat of an address: "telegram:123", "tg:123" or "123"; None for other channels."""
    if address is None:
        return None
    match = _TELEGRAM.match(str(address).strip())
    return int(match.group(1)) if match else None
