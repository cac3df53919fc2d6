"""aliat chat: a conversation in the terminal."""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.app.runtime import build_runtime, configure_logging
from bot.config import load_settings
from bot.console import chat
from bot.text.languages import SUPPORTED_LANGUAGES

NAME = "chat"
HELP = "talk to the assistant in the terminal (reads stdin line by line when piped)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=SUPPORTED_LANGUAGES, help="conversation language")
    parser.add_argument("--user", default="local", help="terminal user id (same id resumes the conversation)")
    parser.add_argument("--json", action="store_true",
                        help="one JSON line per bot message and the slots after each turn; a line "
                             '{"payload": P} presses a button')


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    configure_logging(settings)
    logging.getLogger().setLevel(logging.WARNING)  # the terminal is for the conversation

    async def _main() -> int:
        runtime = await build_runtime(settings)
        try:
            return await chat(runtime, user=args.user, language=args.lang, json_mode=args.json)
        finally:
            await runtime.close()

    return asyncio.run(_main())
