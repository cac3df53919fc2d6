"""aliat coordinators add|list|remove: who sees and reports everything on the staff dashboard."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.commands.roster import Roster
from bot.store import staff

NAME = "coordinators"
HELP = "register, list or remove the programme's coordinators (the dashboard's full view and reports)"


async def _remove(session: AsyncSession, telegram_user_id: int) -> str | None:
    if not await staff.remove_coordinator(session=session, telegram_user_id=telegram_user_id):
        return None
    return f"coordinator {telegram_user_id} removed"


ROSTER = Roster(
    noun="coordinator", command=NAME, options=("language",),
    help_add="register a coordinator (or update one)",
    help_remove="remove a coordinator; their dashboard sessions end at once",
    add=staff.add_coordinator, remove=_remove,
    rows=lambda session: staff.list_coordinators(session=session),
    columns=lambda row: (row.name, row.language))
configure = ROSTER.configure
run = ROSTER.run
