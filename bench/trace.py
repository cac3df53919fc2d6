"""Stages of a reply's way through the Alia't bot, stamped per chat (bench/bot_proc.py with BENCH_TRACE=1).

Stamps (name, chat, time.monotonic()) at: the turn's handler entered and left (`turn_in`/`turn_out`), the
engine's turn (`engine_in`/`engine_out`), a reply's delivery started (`deliver`), a private chat's pacer
entered and left (`pacer_in`/`pacer_out`), the rate limiter entered (`limit_in`) and the HTTP call made
and answered (`http_in`/`http_out`). `breakdown` reads them against the users' own times: for each turn,
how long the first reply spent in each stage, so a tail can be told apart (waiting for the budget, the
engine, the event loop, the delivery chain).
"""

from __future__ import annotations

import functools
import time
from typing import Any

STAGES = ("receive", "before_engine", "engine", "after_engine", "to_delivery", "before_send", "chat_pacer",
          "before_limiter", "limiter", "http")
# What `instrument` patches: (module, class, method, the parameters its wrapper passes by name or position).
# A refactor that renames or reshapes one of them fails `check` (and tests/telegram/test_bench_trace.py), instead
# of leaving the tail bench without its stamps (issue 29: it happened once, unnoticed).
PATCHED = (
    ("bot.telegram.channel", "TelegramChannel", "turn", ("chat_id",)),
    ("bot.engine.engine", "Engine", "handle", ("message",)),
    ("bot.telegram.channel", "TelegramChannel", "_send_payload", ("progress",)),
    ("bot.telegram.sender", "ChatPacer", "wait", ("chat_id",)),
    ("bot.telegram.limiter", "PriorityRateLimiter", "process_request",
     ("callback", "args", "kwargs", "endpoint", "data", "rate_limit_args")),
)


def check() -> None:
    """Each method `instrument` patches exists, is a coroutine function and takes the parameters its wrapper
    gives, in that order; else an error naming it."""
    import importlib
    import inspect

    for module, cls, method, params in PATCHED:
        target = getattr(getattr(importlib.import_module(module), cls, None), method, None)
        where = f"bench/trace.py patches {module}.{cls}.{method}"
        if target is None or not inspect.iscoroutinefunction(inspect.unwrap(target)):
            raise RuntimeError(f"{where}, which is no longer an async method")
        names = [p for p in inspect.signature(target).parameters if p != "self"]
        if [n for n in names if n in params] != list(params):
            raise RuntimeError(f"{where}({', '.join(params)}); it now takes ({', '.join(names)})")


def instrument(stamps: list[tuple[str, int, float]]) -> None:
    """Wrap the bot's stages to append stamps (patches classes: for the bench's bot process only)."""
    from bot.engine.engine import Engine
    from bot.telegram.channel import TelegramChannel
    from bot.telegram.limiter import PriorityRateLimiter
    from bot.telegram.sender import ChatPacer

    check()

    def stamp(name: str, chat: Any) -> None:
        try:
            stamps.append((name, int(chat), time.monotonic()))
        except (TypeError, ValueError):
            pass

    turn = TelegramChannel.turn

    @functools.wraps(turn)
    async def traced_turn(self: Any, *, chat_id: int, **kwargs: Any) -> None:
        stamp("turn_in", chat_id)
        try:
            return await turn(self, chat_id=chat_id, **kwargs)
        finally:
            stamp("turn_out", chat_id)

    handle = Engine.handle

    @functools.wraps(handle)
    async def traced_handle(self: Any, message: Any, *args: Any, **kwargs: Any) -> Any:
        chat = str(message.sender_id).rpartition(":")[2]
        stamp("engine_in", chat)
        try:
            return await handle(self, message, *args, **kwargs)
        finally:
            stamp("engine_out", chat)

    send_payload = TelegramChannel._send_payload

    @functools.wraps(send_payload)
    async def traced_send_payload(self: Any, progress: Any) -> None:  # a Reply (bot/store/outbox.py)
        stamp("deliver", progress.chat_id)
        return await send_payload(self, progress)

    wait = ChatPacer.wait

    @functools.wraps(wait)
    async def traced_wait(self: Any, chat_id: int) -> None:
        stamp("pacer_in", chat_id)
        try:
            return await wait(self, chat_id)
        finally:
            stamp("pacer_out", chat_id)

    process = PriorityRateLimiter.process_request

    @functools.wraps(process)
    async def traced_process(self: Any, callback: Any, args: Any, kwargs: Any, endpoint: str,
                             data: dict[str, Any], rate_limit_args: Any) -> Any:
        chat = data.get("chat_id")
        if chat is None:
            return await process(self, callback, args, kwargs, endpoint, data, rate_limit_args)
        stamp("limit_in", chat)

        async def call(*a: Any, **k: Any) -> Any:
            stamp("http_in", chat)
            try:
                return await callback(*a, **k)
            finally:
                stamp("http_out", chat)
        return await process(self, call, args, kwargs, endpoint, data, rate_limit_args)

    TelegramChannel.turn = traced_turn  # type: ignore[method-assign]
    Engine.handle = traced_handle  # type: ignore[method-assign]
    TelegramChannel._send_payload = traced_send_payload  # type: ignore[method-assign]
    ChatPacer.wait = traced_wait  # type: ignore[method-assign]
    PriorityRateLimiter.process_request = traced_process  # type: ignore[method-assign]


def _first(events: list[tuple[str, float]], name: str, after: float, before: float) -> float | None:
    return next((t for n, t in events if n == name and after <= t <= before), None)


POINTS = ("pushed", "turn_in", "engine_in", "engine_out", "turn_out", "deliver", "pacer_in", "pacer_out",
          "limit_in", "http_in", "first")
# the stage a reply is in from each point to the next one met
STAGE_FROM = {"pushed": "receive", "turn_in": "before_engine", "engine_in": "engine", "engine_out": "after_engine",
              "turn_out": "to_delivery", "deliver": "before_send", "pacer_in": "chat_pacer",
              "pacer_out": "before_limiter", "limit_in": "limiter", "http_in": "http"}


def per_turn(stamps: list[list[Any]], turns: list[tuple[int, float, float]]) -> list[dict[str, float]]:
    """For each (chat, pushed, first reply) of the users, the seconds its first reply spent in each stage
    (a stage not met, as the pacer of a chat with tokens left, counts 0)."""
    by_chat: dict[int, list[tuple[str, float]]] = {}
    for name, chat, at in stamps:
        by_chat.setdefault(int(chat), []).append((str(name), float(at)))
    out: list[dict[str, float]] = []
    for chat, pushed, first in turns:
        events = by_chat.get(chat, [])
        seen = [("pushed", pushed)]
        for name in POINTS[1:-1]:
            at = _first(events, name, seen[-1][1], first)
            if at is not None:
                seen.append((name, at))
        seen.append(("first", first))
        stage = dict.fromkeys(STAGES, 0.0)
        for (a, at_a), (_b, at_b) in zip(seen, seen[1:], strict=False):
            stage[STAGE_FROM[a]] += at_b - at_a
        stage["total"] = first - pushed
        out.append(stage)
    return out


def breakdown(stamps: list[list[Any]], turns: list[tuple[int, float, float]], *, top: float = 0.02) -> dict[str, Any]:
    """Mean milliseconds per stage over all turns and over the slowest `top` of them."""
    rows = per_turn(stamps, turns)
    if not rows:
        return {}
    slow = sorted(rows, key=lambda r: r["total"])[-max(1, int(len(rows) * top)):]

    def mean(sample: list[dict[str, float]]) -> dict[str, float]:
        return {k: round(sum(r[k] for r in sample) / len(sample) * 1000, 2) for k in (*STAGES, "total")}
    return {"all": mean(rows), f"slowest_{int(top * 100)}pct": mean(slow), "slow_turns": len(slow),
            "limiter": waits(stamps, "limit_in", "http_in"), "chat_pacer": waits(stamps, "pacer_in", "pacer_out")}


def waits(stamps: list[list[Any]], enter: str, leave: str, *, over: float = 0.001) -> dict[str, float]:
    """Of every call through a stage (not only first replies): how many, how many waited more than `over`
    seconds, and their mean and longest wait in milliseconds."""
    pending: dict[int, float] = {}
    durations: list[float] = []
    for name, chat, at in sorted(stamps, key=lambda s: s[2]):
        if name == enter:
            pending[int(chat)] = float(at)
        elif name == leave and int(chat) in pending:
            durations.append(float(at) - pending.pop(int(chat)))
    waited = [d for d in durations if d > over]
    return {"calls": len(durations), "waited": len(waited),
            "mean_wait_ms": round(sum(waited) / len(waited) * 1000, 2) if waited else 0.0,
            "max_wait_ms": round(max(waited) * 1000, 2) if waited else 0.0}
