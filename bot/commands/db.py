"""aliat db upgrade: apply the migrations."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import load_settings
from bot.runtime import open_database

NAME = "db"
HELP = "database maintenance: upgrade (apply migrations)"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="apply all migrations")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def _upgrade() -> None:
        db, _ = await open_database(settings, upgrade=True)
        await db.dispose()

    if args.db_command == "upgrade":
        asyncio.run(_upgrade())
        print("database is up to date")
    return 0
