"""`make bench` section telegram_flood: one chat floods, the others must not notice (issue 13).

The bot runs in its own process with the rate limiter on (bench/telegram_bench.py's layout). Entities
play whole journeys in private chats; a few seconds in, a stranger sends 500 `/workshop` in a group and
another 500 `/leads` in private, as fast as the fake Bot API takes them. Measured: the first reply of every
entity turn sent while the floods are read, and what the flood guard did with the floods.
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
    warm_up,
)
from tests.auxil import updates as U

FLOOD_GROUP = -100_424_242
FLOODER = 424_242


async def flood_isolation(quick: bool = False) -> dict[str, Any]:
    flood, entities, window = (200, 20, 12.0) if quick else (500, 40, 20.0)
    scripts = await templates()
    rng = random.Random(13)
    with tempfile.TemporaryDirectory() as tmpdir:
        async with BenchFake() as fake, bot_process(fake, "aliat", Path(tmpdir), rate_limit=True) as bot:
            chats = Chats()
            await warm_up(fake, chats, journeys=2)
            outcome = Outcome()
            start = time.monotonic()
            flood_from = start + 3.0
            until = start + window
            flood_pushed = 0.0

            async def entity(index: int) -> None:
                await asyncio.sleep(index * 3.0 / entities)
                while time.monotonic() < until:
                    chat = chats.new()
                    await journey(fake, chat, scripts[chat % TEMPLATES], outcome, lambda: rng.uniform(1.0, 4.0),
                                  until=until)

            async def floods() -> None:
                nonlocal flood_pushed
                await asyncio.sleep(max(0.0, flood_from - time.monotonic()))
                for _ in range(flood):
                    await fake.push_update(U.make_command("workshop", addressed=True, chat_id=FLOOD_GROUP,
                                                          user_id=FLOODER))
                    await fake.push_update(U.make_command("leads", user_id=FLOODER + 1))
                flood_pushed = time.monotonic()

            await asyncio.gather(*(entity(i) for i in range(entities)), floods())
            await asyncio.sleep(2.0)
        counters = bot.stats.get("counters", {})
    during = [first - pushed for pushed, first, _last, _any in outcome.turns if flood_from <= pushed <= until]
    first = _dist(during)
    dropped = counters.get("updates_dropped_flood", 0)
    out = {"flood_updates": 2 * flood, "entities": entities, "window_s": window,
           "flood_push_s": flood_pushed - flood_from, "turns_during_flood": len(during), "lost": outcome.lost,
           "first_reply_during_flood": first, "dropped_by_flood_guard": dropped, "counters": counters}
    out["rows"] = [
        (f"others' first reply p50/p99 while two chats flood 2x{flood} updates",
         f"{first['p50_ms']:.0f}/{first['p99_ms']:.0f} ms", "p99 < 1 s", "ok" if first["p99_ms"] < 1000 else "MISSED"),
        ("flood updates dropped by the guard / lost replies", f"{dropped}/{outcome.lost}", "-/0",
         "ok" if outcome.lost == 0 else "MISSED"),
    ]
    return out


SECTIONS = {"telegram_flood": flood_isolation}
