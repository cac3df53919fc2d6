"""Where a message goes, written in one place: a conversation's sender id ("tg:123", its key in the
store) and an outbox row's address ("telegram:123", where the notifier delivers); both read back by
`telegram_chat_id`."""

from __future__ import annotations

import re

_TELEGRAM = re.compile(r"^(?:telegram|tg)?[:_]?(-?\d{1,20})$")


def telegram_sender_id(chat_id: int) -> str:
    """The sender id of a private Telegram chat's conversation."""
    return f"tg:{chat_id}"


def telegram_address(chat_id: int | str) -> str:
    """An outbox row's address for a Telegram chat (a facilitator, the facilitators' group)."""
    return f"telegram:{chat_id}"


def telegram_chat_id(address: str | int | None) -> int | None:
    """The Telegram chat of an address: "telegram:123", "tg:123" or "123"; None for other channels."""
    if address is None:
        return None
    match = _TELEGRAM.match(str(address).strip())
    return int(match.group(1)) if match else None
