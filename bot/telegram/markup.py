"""BotMessages to Telegram: HTML-escaped text split at 4096 characters, inline keyboards, callback data."""

from __future__ import annotations

import html
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.shared import callbacks
from bot.text.textsplit import split_text as split_text

log = logging.getLogger(__name__)

PARSE_MODE = "HTML"
MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted on the text as shown (after parsing); bot/text/textsplit.py
MAX_CAPTION = MessageLimit.CAPTION_LENGTH  # 1024
# Conversation buttons: "q<question seq>:<payload>" (bot/shared/callbacks.py has every kind of button data).
CALLBACK_PATTERN = callbacks.PATTERN[callbacks.Prefix.QUESTION]
# The conversation's codec under the names the renderer's callers (and tests) know.
Pressed = callbacks.Pressed
callback_data = callbacks.question
parse_callback = callbacks.parse_question


def escape(text: str) -> str:
    """Text from YAML and users is shown as written: nothing in it is markup."""
    return html.escape(text, quote=False)


def keyboard(buttons: list[tuple[str, str]] | list[list[str]], seq: int) -> InlineKeyboardMarkup | None:
    """One button per row: titles are often long, and phones are narrow."""
    rows = []
    for title, payload in buttons:
        data = callback_data(seq, payload)
        if data is None:  # `aliat check` prevents this; never send a keyboard Telegram would refuse
            log.error("button payload too long for callback data (%s bytes); button left out",
                      len(payload.encode("utf-8")))
            continue
        rows.append([InlineKeyboardButton(title, callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None


def button_title(markup: InlineKeyboardMarkup | None, data: str) -> str | None:
    """The title of the button carrying `data` on a keyboard, if it is there."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


def chosen_text(original_html: str, title: str | None) -> str | None:
    """The pressed message with the choice written under it (None: too long, keep the text)."""
    if not title:
        return None
    text = f"{original_html}\n\n✅ <b>{escape(title)}</b>" if original_html else f"✅ <b>{escape(title)}</b>"
    return text if len(html.unescape(re.sub(r"<[^>]+>", "", text))) <= MAX_TEXT else None


def text_messages(text: str, buttons: list, seq: int, *,
                  inline: list | None = None) -> list[tuple[str, InlineKeyboardMarkup | None]]:
    """The Telegram messages one reply's text becomes: split pieces, escaped, the keyboard on the last.
    `inline`: rows of (title, callback data or an https:// link) of another feature's buttons (workshops),
    sent as they are."""
    markup = keyboard(buttons, seq) if buttons else None
    if inline:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t, url=d) if d.startswith("https://")
                                        else InlineKeyboardButton(t, callback_data=d) for t, d in row]
                                       for row in inline])
    pieces = split_text(text)
    if not pieces and markup is not None:
        pieces = ["👇"]  # a keyboard needs a message to sit under
    return [(escape(piece), markup if i == len(pieces) - 1 else None) for i, piece in enumerate(pieces)]
