"""The conversation engine: tracker, understanding, rules and forms, actions, rendering."""

from bot.engine.engine import Engine
from bot.engine.messages import BotMessage, UserMessage
from bot.engine.tracker import Tracker

__all__ = ["BotMessage", "Engine", "Tracker", "UserMessage"]
