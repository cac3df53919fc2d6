"""The notifier's Transport on Telegram: lead cards, their edits, relays and copies, through the channel's
Sender (per-chat pacing, 429 waits, the one error classification), so the notifier knows nothing of
python-telegram-bot."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters

from bot.shared.addresses import telegram_chat_id
from bot.store.outbox import DeliveryError
from bot.telegram.sender import Sender, not_modified, refused_request

Buttons = list[list[tuple[str, str]]]


class TelegramTransport:
    """Sends through the application's Bot (so its rate limiter applies) and Sender."""

    def __init__(self, bot: Bot, sender: Sender) -> None:
        self.bot = bot
        self.sender = sender

    @staticmethod
    def _markup(buttons: Buttons | None) -> InlineKeyboardMarkup | None:
        if not buttons:
            return None
        return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in buttons])

    @staticmethod
    def _chat(address: str) -> int:
        chat_id = telegram_chat_id(address)
        if chat_id is None:  # no facilitator chat set and nobody registered yet: kept until there is
            raise DeliveryError(f"not a Telegram address: {address[:40]}")
        return chat_id

    async def send(self, address: str, text: str, buttons: Buttons | None = None) -> int | None:
        chat_id = self._chat(address)
        message = await self.sender.call(chat_id, lambda: self.bot.send_message(
            chat_id=chat_id, text=text, reply_markup=self._markup(buttons)), what="sendMessage")
        return message.message_id

    async def edit(self, address: str, message_id: int, text: str, buttons: Buttons | None = None) -> None:
        chat_id = telegram_chat_id(address)
        if chat_id is None:
            return
        try:
            await self.sender.call(chat_id, lambda: self.bot.edit_message_text(
                chat_id=chat_id, message_id=message_id, text=text, reply_markup=self._markup(buttons)),
                what="editMessageText", paced=False)
        except DeliveryError as exc:
            if not not_modified(exc):
                raise

    async def copy(self, address: str, from_chat_id: int, message_id: int, *, reply_to: int | None = None) -> bool:
        chat_id = telegram_chat_id(address)
        if chat_id is None:
            return False
        reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
        try:
            await self.sender.call(chat_id, lambda: self.bot.copy_message(
                chat_id=chat_id, from_chat_id=from_chat_id, message_id=message_id, reply_parameters=reply),
                what="copyMessage")
        except DeliveryError as exc:
            if refused_request(exc):  # deleted by the entity, or a kind Telegram does not copy
                return False
            raise
        return True
