"""aliat db upgrade: apply the migrations."""

from __future__ import annotations

import argparse
import asyncio
import sys

from bot.config import load_settings
from bot.runtime import open_database

NAME = "db"
HELP = "database maintenance: upgrade (apply migrations), purge (delete what is past retention)"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="apply all migrations")
    purge = sub.add_parser("purge", help="delete conversations idle longer than retention.conversation_days")
    purge.add_argument("--days", type=int, help="override retention.conversation_days")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()

    async def _upgrade() -> None:
        db, _ = await open_database(settings, upgrade=True)
        await db.dispose()

    async def _purge(days: int) -> int:
        from bot.store.db import checkpoint
        from bot.store.privacy import purge_expired

        db, sessionmaker = await open_database(settings, upgrade=True)
        try:
            async with sessionmaker() as session:
                purged = await purge_expired(session=session, older_than_days=days)
                await session.commit()
            await checkpoint(db)  # SQLite: no copy of the purged rows stays in the -wal file
            return purged
        finally:
            await db.dispose()

    if args.db_command == "upgrade":
        asyncio.run(_upgrade())
        print("database is up to date")
    elif args.db_command == "purge":
        days = args.days or settings.retention.conversation_days
        if days < 1:
            print("aliat db purge: --days must be at least 1", file=sys.stderr)
            return 2
        purged = asyncio.run(_purge(days))
        print(f"purged {purged} conversation(s) idle for more than {days} days")
    return 0
