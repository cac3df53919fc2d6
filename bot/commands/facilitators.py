"""aliat facilitators add|list|remove: who may claim leads."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import load_settings
from bot.export_safe import strip_controls, terminal_safe
from bot.languages import SUPPORTED_LANGUAGES
from bot.runtime import open_database
from bot.store import facilitators as facilitator_store
from bot.store import leads as store

NAME = "facilitators"
HELP = "register, list or remove the facilitators who receive and claim leads"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="fac_command", required=True)
    add = sub.add_parser("add", help="register a facilitator (or update one)")
    add.add_argument("telegram_user_id", type=int)
    add.add_argument("--name", required=True)
    add.add_argument("--territory")
    add.add_argument("--lang", choices=SUPPORTED_LANGUAGES)
    sub.add_parser("list", help="list active facilitators")
    remove = sub.add_parser("remove", help="deactivate a facilitator; the leads they hold go back to be claimed")
    remove.add_argument("telegram_user_id", type=int)


async def _run(args: argparse.Namespace) -> int:
    db, sessionmaker = await open_database(load_settings())
    try:
        async with sessionmaker() as session, session.begin():
            if args.fac_command == "add":
                row = await facilitator_store.add_facilitator(session=session, telegram_user_id=args.telegram_user_id,
                                                  name=strip_controls(args.name, keep=""),
                                                  territory=args.territory and strip_controls(args.territory, keep=""),
                                                  language=args.lang)
                print(f"facilitator {row.telegram_user_id} ({row.name}) registered")
            elif args.fac_command == "list":
                for row in await facilitator_store.list_facilitators(session=session):
                    print(terminal_safe(f"{row.telegram_user_id}\t{row.name}\t{row.territory or '-'}\t"
                                        f"{row.language or '-'}"))
            else:
                found, released = await store.remove_facilitator(session=session,
                                                                 telegram_user_id=args.telegram_user_id)
                if not found:
                    print(f"no active facilitator {args.telegram_user_id}")
                    return 1
                print(f"facilitator {args.telegram_user_id} removed; leads released: {released or 'none'}")
    finally:
        await db.dispose()
    return 0


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))
