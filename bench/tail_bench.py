"""`make bench` section `telegram_tail`: the reply's tail on a workshop-like load, against a bare bot.

Forty people each answering every four seconds or so (a room in a workshop going through the journey),
the Alia't bot then the bare python-telegram-bot bot (bench/bare_bot.py, on the Alia't bot's HTTP
client, so that only the logic differs), back to back, in pairs; each turn's first reply timed from the
update being handed to the fake Bot API to the first message arriving. The verdict: the Alia't bot's
p99 against the bare bot's of the same pair (median pair). The Alia't bot's own engine turns (whole
turn, commit included, timed inside its process) are given beside it, to tell the engine's share of
the tail from the rest (delivery, the event loop's other work).

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

USERS = 40
THINK = (3.0, 5.0)  # seconds between a reply and the next answer


async def _run(kind: str, users: int, seconds: float, seed: int) -> dict[str, Any]:
    scripts = await templates()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmpdir:
        async with BenchFake() as fake, bot_process(fake, kind, Path(tmpdir), rate_limit=True) as bot:
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

            await asyncio.gather(*(user(i) for i in range(users)))
    first = outcome.first_reply()
    out: dict[str, Any] = {"turns": len(first), "lost": outcome.lost,
                           "p50_ms": percentile(first, .5) * 1000, "p99_ms": percentile(first, .99) * 1000,
                           "max_ms": max(first, default=float("nan")) * 1000}
    if bot.stats.get("turns"):
        engine = [d for _sender, _start, d in bot.stats["turns"]]
        out["engine_p50_ms"] = percentile(engine, .5) * 1000
        out["engine_p99_ms"] = percentile(engine, .99) * 1000
    return out


async def tail(quick: bool = False) -> dict[str, Any]:
    seconds, pairs = (25.0, 1) if quick else (60.0, 3)
    runs = [{kind: await _run(kind, USERS, seconds, seed=i) for kind in ("aliat", "bare-aiohttp")}
            for i in range(pairs)]
    ratios = [p["aliat"]["p99_ms"] / p["bare-aiohttp"]["p99_ms"] for p in runs]
    chosen = runs[sorted(range(pairs), key=lambda i: ratios[i])[(pairs - 1) // 2]]
    a, b = chosen["aliat"], chosen["bare-aiohttp"]
    ratio = a["p99_ms"] / b["p99_ms"]
    lost = sum(r["lost"] for p in runs for r in p.values())
    return {"aliat": a, "bare": b, "ratio": ratio, "pair_ratios": ratios, "runs": runs, "rows": [
        ("Alia't first reply p50/p99 (40 users, a turn every ~4 s)", f"{a['p50_ms']:.0f}/{a['p99_ms']:.0f} ms", "-",
         f"{a['turns']} turns; its engine turns p50/p99 {a.get('engine_p50_ms', float('nan')):.1f}/"
         f"{a.get('engine_p99_ms', float('nan')):.1f} ms"),
        ("bare bot (aiohttp) first reply p50/p99", f"{b['p50_ms']:.0f}/{b['p99_ms']:.0f} ms", "-", f"{b['turns']} turns"),
        ("reply p99, Alia't / bare (median pair)", f"{ratio:.2f}x", "<= 3x",
         ("ok" if ratio <= 3 and not lost else "MISSED") + f"; pairs {[round(r, 2) for r in ratios]}"),
    ]}


SECTIONS = {"telegram_tail": tail}
