"""aliat trainers: who may run workshops (add, list, remove)."""

from __future__ import annotations

import argparse
import asyncio

from bot.config import load_settings
from bot.export_safe import strip_controls, terminal_safe
from bot.runtime import database
from bot.store import workshops as store

NAME = "trainers"
HELP = "trainers who may run workshops in Telegram groups: add, list, remove"


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="trainers_command", required=True)
    add = sub.add_parser("add", help="register a trainer (or rename one)")
    add.add_argument("telegram_user_id", type=int, metavar="TELEGRAM_USER_ID")
    add.add_argument("--name", required=True, help="how the trainer is shown in `aliat trainers list`")
    sub.add_parser("list", help="list the trainers")
    remove = sub.add_parser("remove", help="remove a trainer")
    remove.add_argument("telegram_user_id", type=int, metavar="TELEGRAM_USER_ID")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    async with database(settings) as sessionmaker, sessionmaker() as session:
        if args.trainers_command == "add":
            name = strip_controls(args.name, keep="").strip()
            if not name:
                print("aliat trainers add: --name must not be empty")
                return 2
            await store.add_trainer(session=session, telegram_user_id=args.telegram_user_id, name=name)
            await session.commit()
            print(f"trainer {args.telegram_user_id} ({name}) can now run workshops")
        elif args.trainers_command == "remove":
            removed = await store.remove_trainer(session=session, telegram_user_id=args.telegram_user_id)
            await session.commit()
            if not removed:
                print(f"no trainer with Telegram user id {args.telegram_user_id}")
                return 1
            print(f"trainer {args.telegram_user_id} removed")
        else:
            trainers = await store.list_trainers(session=session)
            if not trainers:
                print("no trainers yet: aliat trainers add TELEGRAM_USER_ID --name NAME")
            for trainer in trainers:
                print(terminal_safe(f"{trainer.telegram_user_id}\t{trainer.name}"))
    return 0
