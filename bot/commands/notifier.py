"""aliat notifier: deliver the outbox on its own (Telegram, or the terminal with --console)."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from bot.app.runtime import build_runtime, configure_logging
from bot.config import ConfigError, load_settings
from bot.notifier import ConsoleSender, Notifier

NAME = "notifier"
HELP = "deliver lead cards, reminders and relayed messages from the outbox (runs until stopped; replies are left to aliat run)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--console", action="store_true", help="print deliveries instead of using Telegram")
    parser.add_argument("--once", action="store_true", help="deliver what is due now, then stop")


async def _main(args: argparse.Namespace) -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = load_settings()
    configure_logging(settings)
    if not args.console and not settings.telegram_token:
        raise ConfigError("TELEGRAM_BOT_TOKEN: needed to deliver through Telegram (or use --console)")
    runtime = await build_runtime(settings)
    bot = None
    try:
        if args.console:
            sender = ConsoleSender(sys.stdout)
        else:
            from telegram import Bot

            kwargs: dict = {"base_url": settings.telegram_api_base_url} if settings.telegram_api_base_url else {}
            if settings.telegram.http_client == "aiohttp":  # as `aliat run` does
                from bot.telegram.http import AiohttpRequest

                kwargs["request"] = AiohttpRequest(8)
            bot = Bot(settings.telegram_token, **kwargs)
            await bot.initialize()
            from bot.telegram.deliver import TelegramTransport
            from bot.telegram.sender import Sender

            sender = TelegramTransport(bot, Sender(max_retries=settings.telegram.max_send_retries,
                                                   pace=settings.telegram.rate_limit))
        notifier = Notifier.from_runtime(runtime, sender)
        if args.once:
            await notifier.schedule_reminders()
            while await notifier.run_once():
                pass
        else:
            await notifier.run_forever()
    finally:
        if bot is not None:
            await bot.shutdown()
        await runtime.close()
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_main(args))
