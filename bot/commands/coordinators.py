"""aliat coordinators add|list|remove: who sees and reports everything on the staff dashboard."""

from __future__ import annotations

from bot.commands.roster import Roster
from bot.store import staff

NAME = "coordinators"
HELP = "register, list or remove the programme's coordinators (the dashboard's full view and reports)"


ROSTER = Roster(
    noun="coordinator", command=NAME, options=("language",),
    help_add="register a coordinator (or update one)",
    help_remove="remove a coordinator; their dashboard sessions end at once",
    add=staff.add_coordinator, remove=staff.remove_coordinator,
    rows=staff.list_coordinators,
    columns=lambda row: (row.name, row.language))
configure = ROSTER.configure
run = ROSTER.run
