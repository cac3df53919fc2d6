"""aliat coordinators add|list|remove: who sees and reports everything on the staff dashboard."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import load_settings
from bot.export_safe import strip_controls, terminal_safe
from bot.languages import SUPPORTED_LANGUAGES
from bot.runtime import open_database
from bot.store import staff

NAME = "coordinators"
HELP = "register, list or remove the programme's coordinators (the dashboard's full view and reports)"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="coord_command", required=True)
    add = sub.add_parser("add", help="register a coordinator (or update one)")
    add.add_argument("telegram_user_id", type=int)
    add.add_argument("--name", required=True)
    add.add_argument("--lang", choices=SUPPORTED_LANGUAGES)
    sub.add_parser("list", help="list active coordinators")
    remove = sub.add_parser("remove", help="remove a coordinator; their dashboard sessions end at once")
    remove.add_argument("telegram_user_id", type=int)


async def _run(args: argparse.Namespace) -> int:
    db, sessionmaker = await open_database(load_settings())
    try:
        async with sessionmaker() as session, session.begin():
            if args.coord_command == "add":
                row = await staff.add_coordinator(session=session, telegram_user_id=args.telegram_user_id,
                                                  name=strip_controls(args.name, keep=""), language=args.lang)
                print(terminal_safe(f"coordinator {row.telegram_user_id} ({row.name}) registered"))
            elif args.coord_command == "list":
                for row in await staff.list_coordinators(session=session):
                    print(terminal_safe(f"{row.telegram_user_id}\t{row.name}\t{row.language or '-'}"))
            elif not await staff.remove_coordinator(session=session, telegram_user_id=args.telegram_user_id):
                print(f"no active coordinator {args.telegram_user_id}")
                return 1
            else:
                print(f"coordinator {args.telegram_user_id} removed")
    finally:
        await db.dispose()
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
