"""Where the notifier's messages go: Telegram (python-telegram-bot's Bot), or a terminal."""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Iterator
from typing import Protocol, TextIO

from bot.addresses import telegram_chat_id

Buttons = list[list[tuple[str, str]]]
__all__ = ["Buttons", "ConsoleSender", "Deliverer", "DeliveryError", "TelegramSender", "telegram_chat_id"]


class DeliveryError(Exception):
    """A message could not be delivered now; `retry_after` (seconds) when the other side said so."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Deliverer(Protocol):
    """Where the notifier's rows go (Telegram, a terminal). Not `bot.telegram.sender.Sender`, which paces
    and retries the conversation's replies per chat."""

    async def send(self, address: str, text: str, buttons: Buttons | None = None) -> int | None:
        """Deliver; return the message id (to edit it later) when the channel has one."""

    async def edit(self, address: str, message_id: int, text: str, buttons: Buttons | None = None) -> None:
        """Change a message already delivered (a card whose status changed)."""

    async def copy(self, address: str, from_chat_id: int, message_id: int, *, reply_to: int | None = None) -> bool:
        """Pass on a copy of a message a user sent the bot; False when it no longer exists."""


class TelegramSender:
    """Sends through a python-telegram-bot `Bot` (the application's, so its rate limiter applies)."""

    def __init__(self, bot) -> None:
        self.bot = bot

    @staticmethod
    def _markup(buttons: Buttons | None):
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup

        if not buttons:
            return None
        return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in buttons])

    async def send(self, address: str, text: str, buttons: Buttons | None = None) -> int | None:
        chat_id = telegram_chat_id(address)
        if chat_id is None:
            raise DeliveryError(f"not a Telegram address: {address[:40]}")
        with _delivery_errors():
            message = await self.bot.send_message(chat_id=chat_id, text=text, reply_markup=self._markup(buttons))
        return message.message_id

    async def edit(self, address: str, message_id: int, text: str, buttons: Buttons | None = None) -> None:
        from telegram.error import BadRequest

        chat_id = telegram_chat_id(address)
        if chat_id is None:
            return
        try:
            with _delivery_errors():
                await self.bot.edit_message_text(chat_id=chat_id, message_id=message_id, text=text,
                                                 reply_markup=self._markup(buttons))
        except DeliveryError as exc:
            if isinstance(exc.__cause__, BadRequest) and "not modified" in str(exc.__cause__).lower():
                return
            raise

    async def copy(self, address: str, from_chat_id: int, message_id: int, *, reply_to: int | None = None) -> bool:
        from telegram import ReplyParameters
        from telegram.error import BadRequest

        chat_id = telegram_chat_id(address)
        if chat_id is None:
            return False
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        try:
            with _delivery_errors():
                await self.bot.copy_message(chat_id=chat_id, from_chat_id=from_chat_id, message_id=message_id,
                                            reply_parameters=reply)
        except DeliveryError as exc:
            if isinstance(exc.__cause__, BadRequest):  # deleted by the entity, or a kind Telegram does not copy
                return False
            raise
        return True


@contextlib.contextmanager
def _delivery_errors() -> Iterator[None]:
    """python-telegram-bot's errors as DeliveryError, with Telegram's wait for flood control."""
    from telegram.error import RetryAfter, TelegramError

    try:
        yield
    except RetryAfter as exc:
        delay = exc.retry_after
        raise DeliveryError("flood control", retry_after=getattr(delay, "total_seconds", lambda: delay)()) from exc
    except TelegramError as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


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
