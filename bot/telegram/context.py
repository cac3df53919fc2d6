"""What the Telegram Application keeps for its handlers: python-telegram-bot's `bot_data`, typed.

`build_application` (bot/channels) passes `CONTEXT_TYPES` to the builder, so `context.bot_data` (and
`app.bot_data`) is a `BotData` and a handler reads `context.bot_data.channel`, not a string key a typo turns
into a KeyError at run time. Every channel's handlers (the conversation's, the facilitators', the workshop's)
take a `Context` and read the same attributes; `channel_of` gives them the channel once it is open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

if TYPE_CHECKING:  # the notifier and the web server are imported when they start (cold start)
    from aiohttp.web import AppRunner

    from bot.notifier import Notifier
    from bot.telegram.channel import TelegramChannel


class Closable(Protocol):
    async def close(self) -> None: ...


@dataclass(eq=False)
class BotData:
    """Everything is None until post_init opens it (python-telegram-bot builds this with no arguments)."""

    channel: TelegramChannel | None = None
    notifier: Notifier | None = None
    maintenance: asyncio.Task[None] | None = None
    web: AppRunner | None = None  # None too when no web endpoint is configured
    # the workshop's service (bot/workshop/service.py), set when its handlers are registered; typed by what
    # is asked of it here, so that bot/telegram does not import the workshop built on it
    workshop: Closable | None = None
    telegram_seen: float | None = None  # time.monotonic() of Telegram's last word, for /readyz (bot/web)
    drained: bool = False
    # serve() calls it before app.shutdown() closes the HTTP client (bot/telegram/app.py)
    before_shutdown: Callable[[Application], Awaitable[None]] | None = None


CONTEXT_TYPES = ContextTypes(bot_data=BotData)
Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
TelegramApp = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, Any]


def channel_of(context: Context) -> TelegramChannel:
    """The Telegram channel (the runtime, `once`, `queue`, the Sender): open from post_init on."""
    if (channel := context.bot_data.channel) is None:
        raise RuntimeError("the Telegram channel opens in post_init, before the first update")
    return channel
