"""The channels put together: `build_application` registers every channel's handlers (the conversation,
the facilitators', the workshop's) in one place, bot/channels/wiring.py; `serve` runs it (bot/telegram/app.py).
"""

from bot.channels.wiring import build_application, register_channels
from bot.telegram.app import serve

__all__ = ["build_application", "register_channels", "serve"]
