"""aliat trainers: who may run workshops (add, list, remove)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.roster import Roster
from bot.store import workshops as store

NAME = "trainers"
HELP = "trainers who may run workshops in Telegram groups: add, list, remove"


async def _remove(session: AsyncSession, telegram_user_id: int) -> str | None:
    if not await store.remove_trainer(session=session, telegram_user_id=telegram_user_id):
        return None
    return f"trainer {telegram_user_id} removed"


ROSTER = Roster(
    noun="trainer", command=NAME,
    help_add="register a trainer (or rename one)", help_remove="remove a trainer",
    add=store.add_trainer, remove=_remove,
    rows=lambda session: store.list_trainers(session=session),
    columns=lambda row: (row.name,),
    added="{noun} {id} ({name}) can now run workshops",
    missing="no {noun} with Telegram user id {id}")
configure = ROSTER.configure
run = ROSTER.run
