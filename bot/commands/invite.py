"""aliat invite --role facilitator|trainer|coordinator: a one-time link that registers whoever opens it."""

from __future__ import annotations

import argparse
import asyncio

from bot.app.runtime import open_database
from bot.config import load_settings
from bot.store import invites

NAME = "invite"
HELP = "make a one-time invite link: the person opens it in Telegram and is registered in that role"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--role", required=True, choices=invites.ROLES, help="what they will be")
    parser.add_argument("--name", help="the name to register them under (default: their Telegram name)")
    parser.add_argument("--hours", type=float, default=invites.HOURS,
                        help=f"how long the link works (default {invites.HOURS})")


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    db, sessionmaker = await open_database(settings)
    try:
        async with sessionmaker() as session, session.begin():
            token = await invites.create_invite(session=session, role=args.role, name=args.name, hours=args.hours)
    finally:
        await db.dispose()
    url = invites.link(token, settings.telegram.bot_username)
    if url:
        print(url)
    else:
        print(f"/start {invites.start_parameter(token)}")
        print("(set telegram.bot_username in config.yml to get a t.me link; meanwhile the person sends the"
              " line above to the bot in a private chat)")
    print(f"one use, for {args.hours:g} hours; role: {args.role}")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.hours <= 0:
        print("aliat invite: --hours must be more than 0")
        return 2
    return asyncio.run(_run(args))
