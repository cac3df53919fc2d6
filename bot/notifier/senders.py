"""Where the notifier's messages go: a channel-neutral Transport (Telegram's is bot/telegram/deliver.py,
which alone knows python-telegram-bot), or the terminal."""

from __future__ import annotations

import itertools
import sys
from typing import Protocol, TextIO

from bot.store.outbox import DeliveryError

Buttons = list[list[tuple[str, str]]]
__all__ = ["Buttons", "ConsoleSender", "DeliveryError", "Transport"]


class Transport(Protocol):
    """Where the notifier's rows go (Telegram, a terminal); raises DeliveryError when a message did not go
    (`permanent` when it never will)."""

    async def send(self, address: str, text: str, buttons: Buttons | None = None) -> int | None:
        """Deliver; return the message id (to edit it later) when the channel has one."""

    async def edit(self, address: str, message_id: int, text: str, buttons: Buttons | None = None) -> None:
        """Change a message already delivered (a card whose status changed)."""

    async def copy(self, address: str, from_chat_id: int, message_id: int, *, reply_to: int | None = None) -> bool:
        """Pass on a copy of a message a user sent the bot; False when it no longer exists."""


class ConsoleSender:
    """Prints what would be sent (for `aliat notifier --console` and trying things without Telegram)."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self._ids = itertools.count(1)

    async def send(self, address: str, text: str, buttons: Buttons | None = None) -> int | None:
        message_id = next(self._ids)
        self.out.write(f"\n→ {address} (#{message_id})\n{text}\n")
        for row in buttons or []:
            self.out.write("  " + "  ".join(f"[{title}]" for title, _ in row) + "\n")
        self.out.flush()
        return message_id

    async def edit(self, address: str, message_id: int, text: str, buttons: Buttons | None = None) -> None:
        self.out.write(f"\n✎ {address} (#{message_id})\n{text}\n")
        self.out.flush()

    async def copy(self, address: str, from_chat_id: int, message_id: int, *, reply_to: int | None = None) -> bool:
        self.out.write(f"\n→ {address} (#{next(self._ids)}): a copy of message {message_id} of chat {from_chat_id}\n")
        self.out.flush()
        return True
