"""aliat trainers: who may run workshops (add, list, remove)."""

from __future__ import annotations

from bot.commands.roster import Roster
from bot.store import workshops as store

NAME = "trainers"
HELP = "trainers who may run workshops in Telegram groups: add, list, remove"


ROSTER = Roster(
    noun="trainer", command=NAME,
    help_add="register a trainer (or rename one)", help_remove="remove a trainer",
    add=store.add_trainer, remove=store.remove_trainer,
    rows=store.list_trainers,
    columns=lambda row: (row.name,),
    added="{noun} {id} ({name}) can now run workshops",
    missing="no {noun} with Telegram user id {id}")
configure = ROSTER.configure
run = ROSTER.run
