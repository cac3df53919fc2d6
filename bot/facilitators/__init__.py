"""The facilitators' side on Telegram: lead card buttons, lead commands, replies to entities.

What they do to leads is channel-neutral, in bot/leads; this package routes Telegram's updates to it.
"""

from bot.facilitators.handlers import register_facilitator_handlers

__all__ = ["register_facilitator_handlers"]
