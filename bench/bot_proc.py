"""The Alia't Telegram bot as its own process, for the Telegram benches (its CPU is then its own).

    python -m bench.bot_proc STATS_JSON

Settings come from config.yml and the environment like `aliat run` (TELEGRAM_BOT_TOKEN,
TELEGRAM_API_BASE_URL, ALIAT_DATABASE_URL, ALIAT_TELEGRAM__RATE_LIMIT...). The engine's turns are timed
(the whole turn, commit included) and written with the channel's counters to STATS_JSON on SIGTERM.

`BENCH_TRACE=1` also stamps each stage of a reply's way (bench/trace.py), per chat, on the system's
monotonic clock (the bench's own): where a slow first reply spent its time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import time
from collections import Counter

os.environ.setdefault("PTB_TIMEDELTA", "true")

from bot.app.runtime import build_runtime
from bot.channels import build_application, serve
from bot.config import load_settings


async def main(stats_path: str) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    stamps: list[tuple[str, int, float]] = []
    if os.environ.get("BENCH_TRACE"):
        from bench.trace import instrument

        instrument(stamps)
    settings = load_settings()
    runtime = await build_runtime(settings)
    sql: Counter[str] = Counter()
    if os.environ.get("BENCH_SQL_COUNT"):  # every statement and transaction sent, by its first words
        from sqlalchemy import event

        def statement(_conn, _cursor, text, *_args) -> None:  # type: ignore[no-untyped-def]
            sql[" ".join(text.split()[:4])[:80]] += 1

        def transaction(word: str):  # type: ignore[no-untyped-def]
            def count(conn) -> None:  # type: ignore[no-untyped-def]  # autocommit sends no BEGIN/COMMIT
                autocommit = conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT"
                sql[f"({word}: autocommit, not sent)" if autocommit else word] += 1
            return count

        event.listen(runtime.db.sync_engine, "before_cursor_execute", statement)
        for word in ("BEGIN", "COMMIT", "ROLLBACK"):
            event.listen(runtime.db.sync_engine, word.lower(), transaction(word))
        event.listen(runtime.db.sync_engine, "connect", lambda *_: sql.update(["(new connection)"]))
        if runtime.db.dialect.name == "postgresql":  # statements prepared (a round trip each, per connection)
            import asyncpg

            prepare = asyncpg.Connection.prepare

            async def counted(self, query, *args, **kwargs):  # type: ignore[no-untyped-def]
                sql["(prepared) " + " ".join(query.split()[:4])[:60]] += 1
                return await prepare(self, query, *args, **kwargs)

            asyncpg.Connection.prepare = counted  # type: ignore[method-assign]
    engine = runtime.engine
    original = engine.handle
    turns: list[tuple[str, float, float]] = []  # (sender, start on the system's monotonic clock, duration)

    async def timed(message, *args, **kwargs):
        start = time.monotonic()
        try:
            return await original(message, *args, **kwargs)
        finally:
            turns.append((message.sender_id, start, time.monotonic() - start))

    engine.handle = timed  # type: ignore[method-assign]
    counters: Counter[str] = Counter()
    app = build_application(settings, runtime, counters=counters)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve(app, settings, stop)
    finally:
        await runtime.close()
        with open(stats_path, "w") as fh:
            json.dump({"turns": turns, "counters": dict(counters), "stamps": stamps, "sql": dict(sql)}, fh)
        if os.environ.get("BENCH_SQL_COUNT"):
            with open(f"{os.environ['BENCH_SQL_COUNT']}.{os.getpid()}", "w") as fh:
                json.dump({"turns": len(turns), "sql": dict(sql.most_common())}, fh, indent=1)


if __name__ == "__main__":
    if os.environ.get("BENCH_PROFILE"):  # a cProfile of the bot's main thread, for looking into a miss
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        try:
            asyncio.run(main(sys.argv[1]))
        finally:
            profiler.disable()
            profiler.dump_stats(os.environ["BENCH_PROFILE"])
    else:
        asyncio.run(main(sys.argv[1]))
