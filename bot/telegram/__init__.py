"""The Telegram channel (python-telegram-bot): see app.py to build and run it, handlers.py for updates."""

from bot.telegram.app import build_application, serve
from bot.telegram.hooks import ChannelHooks, channel_hooks

__all__ = ["ChannelHooks", "build_application", "channel_hooks", "serve"]
