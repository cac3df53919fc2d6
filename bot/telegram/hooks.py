"""Extension points for other Telegram features (workshops in groups, facilitator buttons).

The conversation owns private chats and the `q<seq>:` buttons. Other features register here, before
the application starts, the group commands and the callback prefixes they handle::

    hooks = channel_hooks(app)
    hooks.group_command("workshop", start_workshop)   # /workshop or /workshop@thisbot in a group
    hooks.callback("w", on_vote)                       # buttons whose data is "w:<...>", in any chat

A callback hook must answer its query (`await update.callback_query.answer(...)`) first thing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from telegram import Update
from telegram.ext import Application, ContextTypes

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass
class ChannelHooks:
    group_commands: dict[str, Callback] = field(default_factory=dict)
    callbacks: dict[str, Callback] = field(default_factory=dict)

    def group_command(self, name: str, callback: Callback) -> None:
        self.group_commands[name.lstrip("/").lower()] = callback

    def callback(self, prefix: str, callback: Callback) -> None:
        if prefix.startswith("q") and prefix[1:].isdigit() or ":" in prefix:
            raise ValueError(f"callback prefix {prefix!r} is taken by the conversation or malformed")
        self.callbacks[prefix] = callback


def channel_hooks(app: Application) -> ChannelHooks:
    return app.bot_data.setdefault("hooks", ChannelHooks())
