"""Scripts for the Telegram benches: whole journeys played once on the engine, with what the bot sends.

The journey of each simulated user is decided beforehand (bench/journeys.py's simulated coordinator,
on an in-process engine with its own database), so that the live bot and the bare bot receive the same
updates, and the driver knows how many messages each turn must bring (the live bot's engine, given the
same messages, answers the same). Each turn records the user's action and the sends it brings, rendered
the way bot/telegram/channel.py renders them, which is also what the bare bot sends.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.engine_bench import settings_for
from bench.journeys import TEXT_ANSWERS, is_menu
from bot.app.runtime import build_runtime
from bot.engine import BotMessage, UserMessage
from bot.shared import callbacks
from bot.telegram import markup as render

LANGUAGE = "ca"


@dataclass
class Turn:
    kind: str  # "text" or "press"
    text: str | None = None  # the user's text (kind text)
    data: str | None = None  # callback data of the pressed button (kind press)
    sends: list[dict[str, Any]] = field(default_factory=list)  # {"text", "markup"} or {"photo"}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text, "data": self.data, "sends": self.sends}


def render_sends(replies: list[BotMessage], base_dir: Path) -> list[dict[str, Any]]:
    """The Bot API sends a turn's replies become (as TelegramChannel.send does it)."""
    sends: list[dict[str, Any]] = []
    for message in replies:
        if message.image:
            path = Path(message.image)
            path = path if path.is_absolute() else base_dir / path
            if path.is_file():
                sends.append({"photo": str(path)})
        for html, markup in render.text_messages(message.text, message.buttons, message.seq):
            sends.append({"text": html, "markup": markup.to_dict() if markup is not None else None})
    return sends


def _press_for(replies: list[BotMessage], payload_choice: str | None, rng: random.Random) -> str | None:
    """Callback data of a button on the last keyboard (a given payload, or a random option)."""
    with_buttons = [r for r in replies if r.buttons]
    if not with_buttons:
        return None
    last = with_buttons[-1]
    options = [p for _, p in last.buttons if (p == payload_choice if payload_choice else not p.startswith("/"))]
    if not options:
        return None
    return render.callback_data(last.seq, rng.choice(options))


async def build_scripts(users: int, seed: int = 7, max_turns: int = 60) -> list[list[Turn]]:
    """`users` whole journeys: /start, Explore, then answers until the menu comes back."""
    rng = random.Random(seed)
    scripts: list[list[Turn]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(f"sqlite+aiosqlite:///{tmp}/script.db")
        runtime = await build_runtime(settings)
        try:
            for n in range(users):
                sender = f"tg:{n}"
                turns: list[Turn] = []

                async def play(turn: Turn, message: UserMessage, sender: str = sender,
                               turns: list[Turn] = turns) -> list[BotMessage]:
                    replies = await runtime.engine.handle(message, channel="telegram")
                    turn.sends = render_sends(replies, settings.base_dir)
                    turns.append(turn)
                    return replies

                replies = await play(Turn("text", text="/start"), UserMessage(
                    sender_id=sender, text="/start", channel="telegram", language_hint=LANGUAGE))
                data = _press_for(replies, "/explore", rng)
                if data is not None:
                    pressed = callbacks.parse_question(data)
                    assert pressed is not None
                    replies = await play(Turn("press", data=data), UserMessage(
                        sender_id=sender, payload=pressed.payload, button_seq=pressed.seq, channel="telegram",
                        kind="payload", language_hint=LANGUAGE))
                for _ in range(max_turns):
                    if is_menu(replies) and len(turns) > 2:
                        break
                    data = _press_for(replies, None, rng)
                    if data is not None:
                        pressed = callbacks.parse_question(data)
                        assert pressed is not None
                        replies = await play(Turn("press", data=data), UserMessage(
                            sender_id=sender, payload=pressed.payload, button_seq=pressed.seq,
                            channel="telegram", kind="payload", language_hint=LANGUAGE))
                    else:
                        text = rng.choice(TEXT_ANSWERS)
                        replies = await play(Turn("text", text=text), UserMessage(
                            sender_id=sender, text=text, channel="telegram", language_hint=LANGUAGE))
                scripts.append(turns)
        finally:
            await runtime.close()
    return scripts
