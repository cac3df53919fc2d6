"""The Telegram channel (python-telegram-bot): see app.py to build and run it, handlers.py for updates."""

from bot.telegram.app import build_application, serve

__all__ = ["build_application", "serve"]
