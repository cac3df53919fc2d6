"""What the Telegram Application keeps for its handlers: python-telegram-bot's `bot_data`, typed.

`build_application` passes `CONTEXT_TYPES` to the builder, so `context.bot_data` (and `app.bot_data`) is a
`BotData` and a handler reads `context.bot_data.channel`, not a string key a typo turns into a KeyError at
run time. The facilitators', the workshop's and the dashboard's handlers share the Application and read the
same attributes; they sit beside bot/telegram (it registers them), so they do not import this module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

if TYPE_CHECKING:  # the notifier, the workshop and the web server are imported when they start (cold start)
    from aiohttp.web import AppRunner

    from bot.notifier import Notifier
    from bot.telegram.channel import TelegramChannel
    from bot.workshop.handlers import WorkshopService


@dataclass(eq=False)
class BotData:
    """Everything is None until post_init opens it (python-telegram-bot builds this with no arguments)."""

    channel: TelegramChannel | None = None
    notifier: Notifier | None = None
    maintenance: asyncio.Task[None] | None = None
    web: AppRunner | None = None  # None too when no web endpoint is configured
    workshop: WorkshopService | None = None  # set when the workshop's handlers are registered
    telegram_seen: float | None = None  # time.monotonic() of Telegram's last word, for /readyz (bot/web)
    drained: bool = False
    # serve() calls it before app.shutdown() closes the HTTP client (bot/telegram/app.py)
    before_shutdown: Callable[[Application], Awaitable[None]] | None = None


CONTEXT_TYPES = ContextTypes(bot_data=BotData)
Context = CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], BotData]
TelegramApp = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, Any]
