"""The staff rosters' commands (`aliat coordinators|facilitators|trainers add|list|remove`), written once.

Each roster differs only in its store functions, its extra options and its sentences; the parsing, the
transaction, the clean-up of names typed with control characters and the exit codes (0 done, 1 nobody to
remove, 2 a bad argument) are the same.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.app.runtime import database
from bot.config import load_settings
from bot.store.models import Facilitator
from bot.text.export_safe import strip_controls, terminal_safe
from bot.text.languages import SUPPORTED_LANGUAGES

NAME_LENGTH = Facilitator.__table__.c.name.type.length  # every roster's name column (StaffMember.name)

# (session=, telegram_user_id=) -> False/None when there was nobody to remove; True, or the line to say
Remove = Callable[..., Awaitable[bool | str | None]]


@dataclass(frozen=True)
class Roster:
    noun: str  # "coordinator": in the help and the messages
    command: str  # "coordinators": `aliat <command> ...`
    help_add: str
    help_remove: str
    add: Callable[..., Awaitable[Any]]  # store function: (session=, telegram_user_id=, name=, **options)
    remove: Remove
    rows: Callable[..., Awaitable[Sequence[Any]]]  # (session=) -> the active ones
    columns: Callable[[Any], Sequence[str | None]]  # after the user id, for `list`
    options: tuple[str, ...] = ()  # of "territory", "language"
    added: str = "{noun} {id} ({name}) registered"
    missing: str = "no active {noun} {id}"
    removed: str = "{noun} {id} removed"

    def configure(self, parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="roster_command", required=True)
        add = sub.add_parser("add", help=self.help_add)
        add.add_argument("telegram_user_id", type=int, metavar="TELEGRAM_USER_ID")
        add.add_argument("--name", required=True, help=f"how the {self.noun} is shown in `aliat {self.command} list`")
        if "territory" in self.options:
            add.add_argument("--territory")
        if "language" in self.options:
            add.add_argument("--lang", choices=SUPPORTED_LANGUAGES)
        sub.add_parser("list", help=f"list the active {self.command}")
        remove = sub.add_parser("remove", help=self.help_remove)
        remove.add_argument("telegram_user_id", type=int, metavar="TELEGRAM_USER_ID")

    def run(self, args: argparse.Namespace) -> int:
        return asyncio.run(self._run(args))

    async def _run(self, args: argparse.Namespace) -> int:
        options: dict[str, Any] = {}
        if args.roster_command == "add":
            name = strip_controls(args.name, keep="").strip()
            if not name:
                print(f"aliat {self.command} add: --name must not be empty")
                return 2
            if len(name) > NAME_LENGTH:  # the column's size: refused here, not a database error (issue 27)
                print(f"aliat {self.command} add: --name must be at most {NAME_LENGTH} characters "
                      f"(it has {len(name)})")
                return 2
            if "territory" in self.options:
                options["territory"] = args.territory and (strip_controls(args.territory, keep="").strip() or None)
            if "language" in self.options:
                options["language"] = args.lang
        async with database(load_settings()) as sessionmaker, sessionmaker() as session, session.begin():
            if args.roster_command == "add":
                await self.add(session=session, telegram_user_id=args.telegram_user_id, name=name, **options)
                print(terminal_safe(self.added.format(noun=self.noun, id=args.telegram_user_id, name=name)))
            elif args.roster_command == "remove":
                said = await self.remove(session=session, telegram_user_id=args.telegram_user_id)
                if not said:
                    print(self.missing.format(noun=self.noun, id=args.telegram_user_id))
                    return 1
                print(said if isinstance(said, str) else self.removed.format(noun=self.noun, id=args.telegram_user_id))
            else:
                rows = await self.rows(session=session)
                if not rows:
                    print(f"no {self.command} yet: aliat {self.command} add TELEGRAM_USER_ID --name NAME")
                for row in rows:
                    cells = [str(row.telegram_user_id), *(cell or "-" for cell in self.columns(row))]
                    print(terminal_safe("\t".join(cells)))
        return 0
