"""The facilitators' and coordinators' side on Telegram: lead card buttons, lead commands, replies to
entities (handlers.py), and staff's /dashboard, invite links and /whoami (staff.py).

What they do to leads is channel-neutral, in bot/leads; this package routes Telegram's updates to it.
"""

from __future__ import annotations

from bot.app.runtime import Runtime
from bot.facilitators import handlers, staff
from bot.telegram.context import TelegramApp


def register(app: TelegramApp, runtime: Runtime | None = None, *, group: int = -1) -> None:
    """The facilitators' lead handlers, then staff's commands, in `group` (before the conversation's)."""
    handlers.register(app, runtime, group=group)
    staff.register(app, runtime, group=group)


__all__ = ["register"]
