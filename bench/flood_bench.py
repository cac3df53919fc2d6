"""`make bench` section telegram_flood: one chat floods, the others must not notice (issue 13).

The bot runs in its own process with the rate limiter on (bench/telegram_bench.py's layout). Entities
play whole journeys in private chats, as in the burst section; a few seconds in, a stranger sends 500
`/workshop` in a group and another 500 `/leads` in private, as fast as the fake Bot API takes them. The same
run without the floods comes first, on a fresh bot, so that the figure can be read against this machine's
load of the moment. Measured: the first reply (the callback answer or the first message, as in the burst
section) and the first message of every entity turn sent while the floods are read, and what the flood
guard did with them.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.telegram_bench import (
    TEMPLATES,
    BenchFake,
    Chats,
    Outcome,
    _dist,
    bot_process,
    journey,
    templates,
)
from fake_telegram import updates as U

FLOOD_GROUP = -100_424_242
FLOODER = 424_242
FLOOD_LIMIT = 30  # config.yml's default


async def _run(flood: int, entities: int, window: float) -> dict[str, Any]:
    scripts = await templates()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmpdir:
        async with BenchFake() as fake, bot_process(fake, "aliat", Path(tmpdir), rate_limit=True,
                                                    flood_limit=FLOOD_LIMIT) as bot:
            chats = Chats()  # no scripted warm-up (its users answer instantly: a flood); measured from 8 s on
            outcome = Outcome()
            start = time.monotonic()
            flood_from, until = start + 8.0, start + window

            async def entity(index: int) -> None:
                await asyncio.sleep(index * 6.0 / entities)
                while time.monotonic() < until:
                    chat = chats.new()
                    await journey(fake, chat, scripts[chat % TEMPLATES], outcome, lambda: rng.uniform(3.0, 10.0),
                                  until=until)

            async def floods() -> None:
                await asyncio.sleep(max(0.0, flood_from - time.monotonic()))
                for _ in range(flood):
                    await fake.push_update(U.make_command("workshop", addressed=True, chat_id=FLOOD_GROUP,
                                                          user_id=FLOODER))
                    await fake.push_update(U.make_command("leads", user_id=FLOODER + 1))

            await asyncio.gather(*(entity(i) for i in range(entities)), floods())
            await asyncio.sleep(2.0)
        counters = bot.stats.get("counters", {})
    during = [t for t in outcome.turns if flood_from <= t[0] <= until]
    return {"flood_updates": 2 * flood, "turns": len(during), "lost": outcome.lost,
            "first_reply": _dist([a - p for p, _f, _l, a in during]),
            "first_message": _dist([f - p for p, f, _l, _a in during]),
            "dropped_by_flood_guard": counters.get("updates_dropped_flood", 0), "counters": counters}


async def flood_isolation(quick: bool = False) -> dict[str, Any]:
    flood, entities, window = (200, 30, 18.0) if quick else (500, 60, 28.0)
    calm = await _run(0, entities, window)
    flooded = await _run(flood, entities, window)
    out = {"entities": entities, "window_s": window, "without_flood": calm, "with_flood": flooded}

    def pair(run: dict[str, Any], key: str) -> str:
        return f"{run[key]['p50_ms']:.0f}/{run[key]['p99_ms']:.0f} ms"

    p99 = flooded["first_reply"]["p99_ms"]
    out["rows"] = [
        (f"others' first reply p50/p99 while two chats flood 2x{flood} updates", pair(flooded, "first_reply"),
         "p99 < 1 s", "ok" if p99 < 1000 else "MISSED"),
        ("the same run without the floods", pair(calm, "first_reply"), "-", "info"),
        ("others' first message p50/p99, with / without the floods",
         f"{pair(flooded, 'first_message')} / {pair(calm, 'first_message')}", "-", "info"),
        ("flood updates dropped by the guard / replies lost", f"{flooded['dropped_by_flood_guard']}/"
         f"{flooded['lost'] + calm['lost']}", "-/0", "ok" if flooded["lost"] + calm["lost"] == 0 else "MISSED"),
    ]
    return out


SECTIONS = {"telegram_flood": flood_isolation}
