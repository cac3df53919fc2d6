"""The facilitators' side on Telegram: lead cards with buttons, commands, replies to entities.

`from bot.facilitators import register_facilitator_handlers` (loaded on first use, so that the
notifier can use the cards without importing the Telegram handlers).
"""

from __future__ import annotations

from typing import Any

__all__ = ["LeadDesk", "register_facilitator_handlers"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from bot.facilitators import handlers

        return getattr(handlers, name)
    raise AttributeError(name)
