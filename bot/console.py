"""The terminal channel: `aliat chat`. Buttons are numbered; a number or a label picks one."""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.engine import BotMessage, UserMessage
from bot.engine.nlu import normalize
from bot.numbers import parse_int
from bot.runtime import Runtime


def render(messages: list[BotMessage], out: TextIO) -> list[tuple[str, str]]:
    """Print replies; return the buttons of the last message that had any."""
    buttons: list[tuple[str, str]] = []
    for message in messages:
        if message.text:
            out.write(f"\n{message.text}\n")
        if message.image:
            out.write(f"[image: {message.image}]\n")
        if message.custom and message.custom.get("console"):
            out.write(f"{message.custom['console']}\n")
        if message.buttons:
            buttons = list(message.buttons)
            for i, (title, _payload) in enumerate(buttons, 1):
                out.write(f"  {i}. {title}\n")
    out.flush()
    return buttons


def to_message(line: str, buttons: list[tuple[str, str]], seq: int, sender_id: str,
               language: str | None) -> UserMessage:
    """A typed number or a button's label becomes that button's payload; anything else is text."""
    stripped = line.strip()
    if buttons:
        position = parse_int(stripped)
        if position is not None and 1 <= position <= len(buttons):
            payload = buttons[position - 1][1]
            return UserMessage(sender_id=sender_id, payload=payload, button_seq=seq, channel="console",
                               language_hint=language, kind="payload")
        labels = [i for i, (title, _) in enumerate(buttons) if normalize(title) == normalize(stripped)]
        if len(labels) == 1 and stripped:
            return UserMessage(sender_id=sender_id, payload=buttons[labels[0]][1], button_seq=seq,
                               channel="console", language_hint=language, kind="payload")
    return UserMessage(sender_id=sender_id, text=line.rstrip("\n"), channel="console", language_hint=language)


async def chat(runtime: Runtime, *, user: str, language: str | None, stdin: TextIO = sys.stdin,
               stdout: TextIO = sys.stdout) -> int:
    sender_id = f"console:{user}"
    engine = runtime.engine
    interactive = stdin.isatty()
    buttons: list[tuple[str, str]] = []
    seq = 0
    tracker = await engine.peek(sender_id)
    if tracker is not None and tracker.active_form:
        # Resume: repeat the pending question.
        replies = await engine.handle(UserMessage(sender_id=sender_id, payload="/resume_form", channel="console"))
        buttons, seq = render(replies, stdout) or buttons, _seq(replies, seq)
    greeted = tracker is None
    if greeted:
        replies = await engine.handle(UserMessage(sender_id=sender_id, text="/start", channel="console",
                                                  language_hint=language))
        buttons, seq = render(replies, stdout), _seq(replies, seq)
    if language and tracker is not None and tracker.language != language:
        await engine.handle(UserMessage(sender_id=sender_id, payload=f'/set_language{{"language":"{language}"}}',
                                        channel="console"))
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
        replies = await engine.handle(to_message(line, buttons, seq, sender_id, language))
        new_buttons = render(replies, stdout)
        if any(r.buttons for r in replies):
            buttons = new_buttons
        seq = _seq(replies, seq)
    return 0


def _seq(replies: list[BotMessage], current: int) -> int:
    return max([current] + [r.seq for r in replies])
