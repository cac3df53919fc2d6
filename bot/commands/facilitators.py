"""aliat facilitators add|list|remove: who may claim leads."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.roster import Roster
from bot.store import facilitators as facilitator_store
from bot.store import leads as store

NAME = "facilitators"
HELP = "register, list or remove the facilitators who receive and claim leads"


async def _remove(*, session: AsyncSession, telegram_user_id: int) -> str | None:
    found, released = await store.remove_facilitator(session=session, telegram_user_id=telegram_user_id)
    if not found:
        return None
    return f"facilitator {telegram_user_id} removed; leads released: {released or 'none'}"


ROSTER = Roster(
    noun="facilitator", command=NAME, options=("territory", "language"),
    help_add="register a facilitator (or update one)",
    help_remove="deactivate a facilitator; the leads they hold go back to be claimed",
    add=facilitator_store.add_facilitator, remove=_remove,
    rows=facilitator_store.list_facilitators,
    columns=lambda row: (row.name, row.territory, row.language))
configure = ROSTER.configure
run = ROSTER.run
