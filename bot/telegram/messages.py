"""Putting a turn's reply on Telegram: its messages (an image as a photo, the text in pieces, the keyboard on
the last), the edit of the button pressed, each call with its rate-limiter priority; what went is recorded
in the Reply, for a retry to send only the rest. TelegramChannel (bot/telegram/channel.py) has these."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Any

from telegram import Bot, Message, ReplyParameters

from bot.app.runtime import Runtime
from bot.engine import BotMessage
from bot.shared.chart_files import wait_for_chart
from bot.store.outbox import Reply
from bot.telegram import markup as render
from bot.telegram.limiter import FIRST, LAST, NEXT
from bot.telegram.sender import Sender

log = logging.getLogger(__name__)


class ReplySending:
    """The sending half of TelegramChannel."""

    runtime: Runtime
    bot: Bot
    sender: Sender
    counters: Counter[str]

    async def _send_payload(self, progress: Reply) -> None:
        """The first message, the edit of the pressed button, then the other messages; `progress` records
        what went, for a later retry. With the rate limiter on, the first message of an answer goes
        ahead of everything else waiting, and the edit (cosmetic) after."""
        chat_id = int(progress.chat_id)
        messages = progress.messages
        if progress.done == 0 and messages:
            await self.send(chat_id, BotMessage.from_dict(messages[0]), priority=FIRST, reply_to=progress.reply_to)
            progress.done = 1
        if progress.edit and not progress.edit_done:
            await self._edit_pressed(chat_id, progress.edit)
            progress.edit_done = True
        while progress.done < len(messages):
            await self.send(chat_id, BotMessage.from_dict(messages[progress.done]))
            progress.done += 1

    def _limit(self, priority: int) -> dict[str, Any]:
        """The rate limiter's priority for a call (only when there is a rate limiter)."""
        return {"rate_limit_args": priority} if getattr(self.bot, "rate_limiter", None) is not None else {}

    async def _edit_pressed(self, chat_id: int, edit: dict[str, Any]) -> None:
        message_id = int(edit["message_id"])
        limit = self._limit(LAST)
        if edit.get("text"):
            await self.sender.quietly(chat_id, lambda: self.bot.edit_message_text(
                edit["text"], chat_id=chat_id, message_id=message_id, parse_mode=render.PARSE_MODE,
                reply_markup=None, **limit), what="editMessageText")
        else:
            await self.sender.quietly(chat_id, lambda: self.bot.edit_message_reply_markup(
                chat_id=chat_id, message_id=message_id, reply_markup=None, **limit), what="editMessageReplyMarkup")

    async def send(self, chat_id: int, message: BotMessage, *, priority: int = NEXT,
                   reply_to: int | None = None) -> list[Message]:
        """One BotMessage: its image as a photo, then its text in pieces, the keyboard on the last one.
        `priority` (FIRST for the start of an answer) is for the first call; the others are NEXT.
        `reply_to`: the first call answers that message (a refusal in a group says to whom it speaks)."""
        sent: list[Message] = []
        limit = self._limit(priority)  # the first call's; the next ones are NEXT
        if reply_to is not None:
            limit = {**limit, "reply_parameters": ReplyParameters(reply_to, allow_sending_without_reply=True)}
        custom = message.custom or {}
        inline = custom.get("inline")
        text = message.text
        if message.image:
            photo = await self._image_path(message.image)
            if photo is None:
                self.counters["image_missing"] += 1
                log.error("image for response %s not found; sent without it", message.response)
            else:
                data = photo.read_bytes()
                # `caption`: a short text without buttons goes on the picture (a workshop's results chart).
                caption = {}
                if custom.get("caption") and len(text) <= render.MAX_CAPTION and not message.buttons and not inline:
                    caption, text = {"caption": render.escape(text), "parse_mode": render.PARSE_MODE}, ""
                sent.append(await self.sender.call(chat_id, lambda limit=limit, caption=caption: self.bot.send_photo(
                    chat_id, data, **caption, **limit), what="sendPhoto"))
                limit = self._limit(NEXT)
        for html, markup in render.text_messages(text, message.buttons, message.seq, inline=inline):
            sent.append(await self.sender.call(chat_id, lambda html=html, markup=markup, limit=limit: self.bot.send_message(
                chat_id, html, parse_mode=render.PARSE_MODE, reply_markup=markup, **limit), what="sendMessage"))
            limit = self._limit(NEXT)
        return sent

    async def _image_path(self, image: str) -> Path | None:
        path = Path(image)
        if not path.is_absolute():
            path = self.runtime.settings.base_dir / path
        return path if await wait_for_chart(path) else None
