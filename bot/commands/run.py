"""aliat run: the assistant on Telegram (polling, or a webhook when ALIAT_WEBHOOK_URL is set)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import re
import signal
import sys

from bot.app.runtime import configure_logging
from bot.config import load_settings

NAME = "run"
HELP = "run the Telegram bot (needs TELEGRAM_BOT_TOKEN; webhook mode when ALIAT_WEBHOOK_URL is set)"


def configure(parser: argparse.ArgumentParser) -> None:
    """No options: everything comes from config.yml and the environment."""


def _refuse(message: str) -> int:
    print(f"aliat run: {message}", file=sys.stderr)
    return 2


def run(args: argparse.Namespace) -> int:
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = load_settings()
    if not settings.telegram_token.strip():
        return _refuse("TELEGRAM_BOT_TOKEN is not set. Create a bot with @BotFather on Telegram and "
                       "export its token: TELEGRAM_BOT_TOKEN=123456:ABC... aliat run")
    if settings.webhook_url and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", settings.webhook_secret):
        return _refuse("ALIAT_WEBHOOK_SECRET must be set in webhook mode: 16 to 256 characters among "
                       "A-Z a-z 0-9 _ - (for example: openssl rand -hex 32)")
    configure_logging(settings)
    from bot.channels import build_application, serve  # PTB only when it is needed

    async def _main() -> int:
        from bot.app.startup import DatabaseUnavailable, wait_for_database

        try:
            await wait_for_database(settings)
        except DatabaseUnavailable as exc:
            logging.getLogger("bot.app.startup").error("%s", exc)
            return 1
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await serve(build_application(settings), settings, stop)
        return 0

    return asyncio.run(_main())
