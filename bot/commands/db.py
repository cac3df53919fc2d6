"""aliat db upgrade|purge|backup|restore: the database's upkeep."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.app.runtime import open_database
from bot.config import Settings, load_settings

NAME = "db"
HELP = ("database maintenance: upgrade (apply migrations), purge (delete what is past retention), "
        "backup FILE, restore FILE")


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="db_command", required=True)
    sub.add_parser("upgrade", help="apply all migrations")
    purge = sub.add_parser("purge", help="delete conversations idle longer than retention.conversation_days")
    purge.add_argument("--days", type=int, help="override retention.conversation_days")
    backup = sub.add_parser("backup", help="copy the database to FILE (safe while the bot runs)")
    backup.add_argument("file", type=Path)
    restore = sub.add_parser("restore", help="replace the database with FILE's contents (stop the bot first)")
    restore.add_argument("file", type=Path)


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

    if args.db_command in ("backup", "restore"):
        return _backup_or_restore(args.db_command, args.file, settings)
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


def _backup_or_restore(command: str, file: Path, settings: Settings) -> int:
    from bot.store.backup import BackupError, backup, restore

    url = settings.resolved_database_url()
    try:
        if command == "backup":
            backup(url, file)
            print(f"database backed up to {file} ({file.stat().st_size} bytes)")
            return 0
        restore(url, file)
    except BackupError as exc:
        print(f"aliat db {command}: {exc}", file=sys.stderr)
        return 1

    async def _upgrade() -> None:  # a backup from an older release comes up to date
        db, _ = await open_database(settings, upgrade=True)
        await db.dispose()

    asyncio.run(_upgrade())
    print(f"database restored from {file}")
    return 0
