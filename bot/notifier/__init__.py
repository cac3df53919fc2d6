"""Delivers the outbox: one deliverer (`OutboxDeliverer`) with a handler per kind; the notifier registers
lead cards and reminders to facilitators and messages between them and entities, the Telegram channel
its conversation replies.

Inside `aliat run` (from the Application's post_init, bot/channels/wiring.py)::

    notifier = Notifier.from_runtime(runtime, TelegramTransport(app.bot, sender))
    channel.deliver_replies_with(notifier)
    notifier.start()                                              # post_init
    await notifier.stop()                                         # post_shutdown

Alone: `aliat notifier` (Telegram) or `aliat notifier --console` (prints instead of sending); either way
the conversation's replies are left to the bot.
"""

from __future__ import annotations

from bot.notifier.deliverer import OutboxDeliverer
from bot.notifier.notifier import Notifier
from bot.notifier.senders import ConsoleSender, DeliveryError, Transport

__all__ = ["ConsoleSender", "DeliveryError", "Notifier", "OutboxDeliverer", "Transport"]
