"""`make bench` section `telegram_tail`: the reply's tail on a workshop-like load, against a bare bot.

Forty people each answering every four seconds or so (a room in a workshop going through the journey),
the Alia't bot then the bare python-telegram-bot bot (bench/bare_bot.py, on the Alia't bot's HTTP
client, so that only the logic differs), back to back, in pairs; each turn's first reply timed from the
update being handed to the fake Bot API to the first message arriving. The verdict: the Alia't bot's
p99 against the bare bot's of the same pair (median pair), both keeping to the same budget of Telegram's
(the bare bot on the Alia't bot's limiter, without priorities: bench/bare_bot.py), since at this load some
seconds hold Telegram's 30 calls and replies must wait. One more pair without any limiter shows what each
bot's own work adds to the tail. Every stage of the Alia't bot's replies is stamped (bench/trace.py):
`stages_ms` says where the slowest first replies spent their time, and how many calls waited for the
budget. The Alia't bot's own engine turns (whole turn, commit included, timed inside its process) are
given beside it, to tell the engine's share of the tail from the rest (delivery, the event loop's other
work).

`BENCH_PROFILE=file` writes a cProfile of the Alia't bot's process (bench/bot_proc.py).
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.engine_bench import percentile
from bench.telegram_bench import (
    TEMPLATES,
    BenchFake,
    Chats,
    Outcome,
    bot_process,
    journey,
    templates,
    warm_up,
)
from fake_telegram.bot_api import SEND_METHODS, max_in_window

USERS = 40
THINK = (3.0, 5.0)  # seconds between a reply and the next answer


async def _run(kind: str, users: int, seconds: float, seed: int, *, rate_limit: bool = True) -> dict[str, Any]:
    scripts = await templates()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmpdir:
        async with BenchFake() as fake, bot_process(fake, kind, Path(tmpdir), rate_limit=rate_limit, trace=True) as bot:
            chats = Chats()
            await warm_up(fake, chats)
            outcome = Outcome()
            until = time.monotonic() + seconds

            async def user(index: int) -> None:
                await asyncio.sleep(rng.uniform(0, THINK[1]))
                while time.monotonic() < until:
                    chat = chats.new()
                    await journey(fake, chat, scripts[chat % TEMPLATES], outcome, lambda: rng.uniform(*THINK),
                                  until=until)

            since = len(fake.calls)
            await asyncio.gather(*(user(i) for i in range(users)))
            sent = [c.time for c in fake.calls[since:] if c.ok and c.method in SEND_METHODS]
            limited = [c.time for c in fake.calls[since:] if c.ok and c.params.get("chat_id") is not None]
    first = outcome.first_reply()
    out: dict[str, Any] = {"turns": len(first), "lost": outcome.lost,
                           "p50_ms": percentile(first, .5) * 1000, "p99_ms": percentile(first, .99) * 1000,
                           "max_ms": max(first, default=float("nan")) * 1000,
                           # what Telegram's 30 a second is about: every call that carries a chat
                           "calls_per_s": len(limited) / seconds, "max_calls_in_1s": max_in_window(limited, 1.0),
                           "messages_per_s": len(sent) / seconds}
    if bot.stats.get("stamps"):
        from bench.trace import breakdown

        measured = [(chat, pushed, first) for chat, (pushed, first, _last, _any) in zip(outcome.chats, outcome.turns,
                                                                                        strict=True)]
        out["stages_ms"] = breakdown(bot.stats["stamps"], measured)
        out["counters"] = bot.stats.get("counters", {})
    if bot.stats.get("turns"):
        engine = [d for _sender, _start, d in bot.stats["turns"]]
        out["engine_p50_ms"] = percentile(engine, .5) * 1000
        out["engine_p99_ms"] = percentile(engine, .99) * 1000
    return out


async def tail(quick: bool = False) -> dict[str, Any]:
    seconds, pairs = (25.0, 1) if quick else (45.0, 3)
    runs = [{kind: await _run(kind, USERS, seconds, seed=i) for kind in ("aliat", "bare-aiohttp")}
            for i in range(pairs)]
    ratios = [p["aliat"]["p99_ms"] / p["bare-aiohttp"]["p99_ms"] for p in runs]
    chosen = runs[sorted(range(pairs), key=lambda i: ratios[i])[(pairs - 1) // 2]]
    a, b = chosen["aliat"], chosen["bare-aiohttp"]
    ratio = a["p99_ms"] / b["p99_ms"]
    # The same load with neither bot keeping to Telegram's budget: what each bot's own work adds.
    free = {kind: await _run(kind, USERS, seconds, seed=pairs, rate_limit=False) for kind in ("aliat", "bare-aiohttp")}
    fa, fb = free["aliat"], free["bare-aiohttp"]
    lost = sum(r["lost"] for p in [*runs, free] for r in p.values())
    waits = a.get("stages_ms", {}).get("limiter", {})
    slow = a.get("stages_ms", {}).get("slowest_2pct", {})
    return {"aliat": a, "bare": b, "ratio": ratio, "pair_ratios": ratios, "runs": runs, "unlimited": free, "rows": [
        ("Alia't first reply p50/p99 (40 users, a turn every ~4 s)", f"{a['p50_ms']:.0f}/{a['p99_ms']:.0f} ms", "-",
         f"{a['turns']} turns; its engine turns p50/p99 {a.get('engine_p50_ms', float('nan')):.1f}/"
         f"{a.get('engine_p99_ms', float('nan')):.1f} ms"),
        ("bare bot (aiohttp) first reply p50/p99, the same budget", f"{b['p50_ms']:.0f}/{b['p99_ms']:.0f} ms", "-",
         f"{b['turns']} turns"),
        ("calls with a chat a second: mean / most in one second", f"{a['calls_per_s']:.1f} / {a['max_calls_in_1s']}",
         "<= 30", f"bare {b['calls_per_s']:.1f} / {b['max_calls_in_1s']}"),
        ("Alia't calls that waited for the budget", f"{waits.get('waited', 0)}/{waits.get('calls', 0)}", "-",
         f"mean wait {waits.get('mean_wait_ms', 0):.0f} ms; the slowest 2% of first replies: "
         f"{slow.get('limiter', float('nan')):.0f} of {slow.get('total', float('nan')):.0f} ms waiting for it"),
        ("reply p99, Alia't / bare, the same budget (median pair)", f"{ratio:.2f}x", "<= 3x",
         ("ok" if ratio <= 3 and not lost else "MISSED") + f"; pairs {[round(r, 2) for r in ratios]}"),
        ("without a budget (no limiter in either): p50/p99 Alia't, bare",
         f"{fa['p50_ms']:.0f}/{fa['p99_ms']:.0f}, {fb['p50_ms']:.0f}/{fb['p99_ms']:.0f} ms", "-",
         f"{fa['p99_ms'] / fb['p99_ms']:.2f}x; most calls in one second {fa['max_calls_in_1s']}, "
         f"{fb['max_calls_in_1s']}"),
    ]}


SECTIONS = {"telegram_tail": tail}
