"""One message being handled: the tracker it changes and the replies it collects."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.engine.messages import BotMessage, UserMessage
from bot.engine.tracker import Tracker


@dataclass
class Turn:
    tracker: Tracker
    message: UserMessage
    out: list[BotMessage] = field(default_factory=list)
    depth: int = 0
    # /forget: erase what is kept about the sender in this turn's unit of work (the store's, bot/engine/ports.py)
    erase_sender: Callable[[], Awaitable[None]] | None = None
    actions_run: int = 0  # actions run so far in this turn: part of each one's effect key

    def effect_key(self) -> str:
        """The same for a re-run of this turn (after a crash before it committed, a second worker given the
        same update, a turn re-run because another process saved the conversation meanwhile), different for
        any other turn: the channel's update id, or else the conversation's stored version and the message;
        and the action's place in the turn (actions/effects.py makes each action's writes happen once)."""
        message = self.message
        update = message.metadata.get("update_id")  # a channel's update: the same however often it is handled
        parts = (message.sender_id, "update", update, self.actions_run) if update is not None else (
            message.sender_id, self.tracker.version, message.text, message.payload, message.button_seq,
            message.kind, message.metadata.get("message_id"), self.actions_run)
        said = "\x1f".join(str(part) for part in parts)
        return hashlib.sha256(said.encode("utf-8", "surrogatepass")).hexdigest()[:40]
