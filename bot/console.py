"""The terminal channel: `aliat chat`, Telegram's twin. Buttons are numbered; a number or a label picks one,
except on a question: there a typed number is the answer itself, read as on Telegram (a count picks its
band, a scale takes the value, a number outside the options is refused with the range).

`--json` is for tests and content editors: one JSON line per bot message, `{"text", "buttons", "image",
"slot"}`, then `{"slots": {...}}` closing each turn; a stdin line `{"payload": P}` presses a button.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, TextIO

import orjson

from bot.app.runtime import Runtime
from bot.engine import BotMessage, UserMessage
from bot.engine.nlu import normalize
from bot.text.numbers import parse_int


@dataclass
class Keyboard:
    """The buttons on screen (those of the latest message that had any) and whether they ask a question."""

    buttons: list[tuple[str, str]] = field(default_factory=list)
    asks_slot: str | None = None
    seq: int = 0

    def update(self, replies: list[BotMessage]) -> None:
        with_buttons = [r for r in replies if r.buttons]
        if with_buttons:
            self.buttons = list(with_buttons[-1].buttons)
            self.asks_slot = with_buttons[-1].slot
        self.seq = max([self.seq] + [r.seq for r in replies])


def typed_button(line: str, keyboard: Keyboard) -> str | None:
    """The payload a typed line presses: a button's number (not on a question, where the number is the
    answer) or its label; None when the line is text."""
    stripped = line.strip()
    if not stripped or not keyboard.buttons:
        return None
    number = parse_int(stripped, max_digits=3)
    if number is not None:
        if keyboard.asks_slot is None and 1 <= number <= len(keyboard.buttons):
            return keyboard.buttons[number - 1][1]
        return None
    labels = [payload for title, payload in keyboard.buttons if normalize(title) == normalize(stripped)]
    return labels[0] if len(labels) == 1 and normalize(stripped) else None


def render(messages: list[BotMessage], out: TextIO) -> None:
    for message in messages:
        if message.text:
            out.write(f"\n{message.text}\n")
        if message.image:
            out.write(f"[image: {message.image}]\n")
        if message.custom and message.custom.get("console"):
            out.write(f"{message.custom['console']}\n")
        for i, (title, _payload) in enumerate(message.buttons, 1):
            out.write(f"  {i}. {title}\n")
    out.flush()


def render_json(messages: list[BotMessage], slots: dict[str, Any], out: TextIO) -> None:
    for message in messages:
        row = {"text": message.text, "buttons": [{"title": t, "payload": p} for t, p in message.buttons],
               "image": message.image, "slot": message.slot}
        out.write(orjson.dumps(row).decode() + "\n")
    out.write(orjson.dumps({"slots": slots}, default=str).decode() + "\n")
    out.flush()


def to_message(line: str, keyboard: Keyboard, sender_id: str, language: str | None, *,
               json_mode: bool = False) -> UserMessage:
    """A stdin line as the user's message: a pressed button or typed text."""
    payload = _json_payload(line) if json_mode else typed_button(line, keyboard)
    if payload is not None:
        return UserMessage(sender_id=sender_id, payload=payload, button_seq=keyboard.seq, channel="console",
                           language_hint=language, kind="payload")
    return UserMessage(sender_id=sender_id, text=line.rstrip("\n"), channel="console", language_hint=language)


def _json_payload(line: str) -> str | None:
    stripped = line.strip()
    if not stripped.startswith("{"):
        return None
    try:
        data = orjson.loads(stripped)
    except orjson.JSONDecodeError:
        return None
    payload = data.get("payload") if isinstance(data, dict) else None
    return payload if isinstance(payload, str) else None


async def chat(runtime: Runtime, *, user: str, language: str | None, stdin: TextIO = sys.stdin,
               stdout: TextIO = sys.stdout, json_mode: bool = False) -> int:
    sender_id = f"console:{user}"
    engine = runtime.engine
    interactive = stdin.isatty() and not json_mode
    keyboard = Keyboard()

    async def turn(message: UserMessage) -> None:
        replies = await engine.handle(message)
        if json_mode:
            tracker = await engine.peek(sender_id)
            render_json(replies, dict(tracker.slots) if tracker else {}, stdout)
        else:
            render(replies, stdout)
        keyboard.update(replies)

    tracker = await engine.peek(sender_id)
    if tracker is not None and tracker.active_form:
        # Resume: repeat the pending question.
        await turn(UserMessage(sender_id=sender_id, payload="/resume_form", channel="console"))
    greeted = tracker is None
    if greeted:
        await turn(UserMessage(sender_id=sender_id, text="/start", channel="console", language_hint=language))
    if language and tracker is not None and tracker.language != language:
        await engine.handle(UserMessage(sender_id=sender_id, payload=f'/set_language{{"language":"{language}"}}',
                                        channel="console"))
    # The actions and the models load while the person reads the greeting, so the first text they type waits
    # for neither (started after it: the greeting does not wait either). A daemon thread: a piped `/start`
    # exits without waiting for it.
    threading.Thread(target=lambda: (runtime.actions.preload(), engine.warm()), name="aliat-warm",
                     daemon=True).start()
    loop = asyncio.get_running_loop()
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await loop.run_in_executor(None, stdin.readline)
        if not line:
            break
        if line.strip() in ("/quit", "/exit"):
            break
        if greeted and line.strip() == "/start":  # the greeting and menu are already on the screen
            greeted = False
            continue
        greeted = False
        await turn(to_message(line, keyboard, sender_id, language, json_mode=json_mode))
    return 0
