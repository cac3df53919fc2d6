"""One message being handled: the tracker it changes and the replies it collects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.engine.messages import BotMessage, UserMessage
from bot.engine.tracker import Tracker

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession


@dataclass
class Turn:
    tracker: Tracker
    message: UserMessage
    out: list[BotMessage] = field(default_factory=list)
    depth: int = 0
    session: AsyncSession | None = None
