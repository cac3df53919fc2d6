"""Delivers the outbox: lead cards and reminders to facilitators, messages between them and entities.

Inside `aliat run` (from the Application's post_init)::

    app.bot_data.notifier = start_notifier(app, runtime)      # post_init
    await app.bot_data.notifier.stop()                        # post_shutdown

Alone: `aliat notifier` (Telegram) or `aliat notifier --console` (prints instead of sending).
"""

from __future__ import annotations

from bot.notifier.notifier import Notifier, wake
from bot.notifier.senders import ConsoleSender, Deliverer, DeliveryError, TelegramSender, telegram_chat_id

__all__ = ["ConsoleSender", "Deliverer", "DeliveryError", "Notifier", "TelegramSender", "start_notifier",
           "telegram_chat_id", "wake"]


def start_notifier(app_or_bot, runtime) -> Notifier:
    """Start delivering in the background with the application's Bot; returns the Notifier (stop() it)."""
    bot = getattr(app_or_bot, "bot", app_or_bot)
    notifier = Notifier.from_runtime(runtime, TelegramSender(bot))
    notifier.start()
    return notifier
