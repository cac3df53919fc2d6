"""A simulated coordinator who answers whatever the assistant asks, like a person with buttons would."""

from __future__ import annotations

import random
import time

from bot.engine import BotMessage, Engine, UserMessage

TEXT_ANSWERS = [
    "Associació Exemple del Barri",
    "Treballem amb joves i famílies del barri",
    "Ens han retallat la subvenció i volem buscar socis per sobreviure",
    "Tenim una idea nova que no podem fer sols",
    "Anna, coordinadora",
]


def pick(replies: list[BotMessage], rng: random.Random) -> tuple[str | None, str | None, int]:
    """(text, payload, seq) for the next user message."""
    seq = max([0] + [r.seq for r in replies])
    with_buttons = [r for r in replies if r.buttons]
    if with_buttons:
        options = [p for _, p in with_buttons[-1].buttons if not p.startswith("/")]
        if options:
            return None, rng.choice(options), seq
    return rng.choice(TEXT_ANSWERS), None, seq


def is_menu(replies: list[BotMessage]) -> bool:
    return any(p == "/explore" for r in replies for _, p in r.buttons)


async def run_journey(engine: Engine, sender_id: str, rng: random.Random, latencies: list[float],
                      max_turns: int = 60) -> int:
    """One whole journey from /start; returns the number of turns; appends each turn's latency."""
    turns = 0

    async def send(**kw) -> list[BotMessage]:
        nonlocal turns
        start = time.perf_counter()
        replies = await engine.handle(UserMessage(sender_id=sender_id, channel="bench", **kw))
        latencies.append(time.perf_counter() - start)
        turns += 1
        return replies

    await send(text="/start")
    replies = await send(payload="/explore")
    for _ in range(max_turns):
        if is_menu(replies) and turns > 2:
            break
        text, payload, seq = pick(replies, rng)
        if payload is not None:
            replies = await send(payload=payload, button_seq=seq)
        else:
            replies = await send(text=text)
    return turns
