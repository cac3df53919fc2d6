"""Engine sections: turn latency (SQLite, PostgreSQL), scale, cold start, action server mode."""

from __future__ import annotations

import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text

from bench.journeys import run_journey
from bot.app.runtime import build_runtime
from bot.config import ActionsSettings, load_settings

ROOT = Path(__file__).resolve().parent.parent
# The bench drops and recreates the public schema of this database: never the tests' (ALIAT_TEST_DATABASE_URL,
# CI's `test`), which a bench run beside a test run would wipe. Created when missing.
PG_URL = os.environ.get("ALIAT_BENCH_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/aliat_bench")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(value: float) -> str:
    return f"{value * 1000:.2f} ms"


def settings_for(url: str, **overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIAT_", "TELEGRAM_"))}
    return replace(load_settings(ROOT / "config.yml", env=env), database_url=url, **overrides)


async def _create_database(url: str) -> None:
    """CREATE DATABASE when the bench's database does not exist yet (through the server's `postgres` one)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.ext.asyncio import create_async_engine

    target = make_url(url)
    admin = create_async_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            exists = await conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                       {"name": target.database})
            if not exists:
                await conn.execute(text(f'CREATE DATABASE "{target.database}"'))
    finally:
        await admin.dispose()


async def _reset_pg() -> bool:
    from sqlalchemy.ext.asyncio import create_async_engine

    try:
        await _create_database(PG_URL)
        engine = create_async_engine(PG_URL)
        async with engine.begin() as conn:
            await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await conn.execute(text("CREATE SCHEMA public"))
        await engine.dispose()
        return True
    except Exception as exc:
        print(f"  PostgreSQL unavailable ({type(exc).__name__}); skipped")
        return False


async def _turns(url: str, min_turns: int, prefix: str = "u", statements: list[int] | None = None,
                 **overrides) -> list[float]:
    """Latencies of whole journeys' turns; `statements` gets each counted turn's SQL statements (a count that
    does not move with the machine's load)."""
    runtime = await build_runtime(settings_for(url, **overrides))
    rng = random.Random(7)
    latencies: list[float] = []
    if statements is not None:
        _count_statements(runtime, statements)
    try:
        # Warm-up journey (imports, caches), not counted.
        await run_journey(runtime.engine, f"{prefix}:warm", rng, [])
        user = 0
        while len(latencies) < min_turns:
            user += 1
            await run_journey(runtime.engine, f"{prefix}:{user}", rng, latencies)
    finally:
        await runtime.close()
    return latencies


def _count_statements(runtime, per_turn: list[int]) -> None:
    from sqlalchemy import event

    seen = [0]
    event.listen(runtime.db.sync_engine, "before_cursor_execute", lambda *_args: seen.__setitem__(0, seen[0] + 1))
    handle = runtime.engine.handle

    async def counted(*args, **kwargs):
        before = seen[0]
        try:
            return await handle(*args, **kwargs)
        finally:
            per_turn.append(seen[0] - before)

    runtime.engine.handle = counted


def _statement_rows(name: str, per_turn: list[int]) -> list[tuple[str, str, str, str]]:
    if not per_turn:
        return []
    return [(f"{name} SQL statements per turn: mean / heaviest turn",
             f"{sum(per_turn) / len(per_turn):.2f} / {max(per_turn)}", "-", "counted, not timed")]


async def engine_turn(quick: bool = False) -> dict:
    n = 1000 if quick else 5000
    out: dict = {"rows": []}
    counted: list[int] = []
    with tempfile.TemporaryDirectory() as tmp:
        lat = await _turns(f"sqlite+aiosqlite:///{tmp}/bench.db", n, statements=counted)
    p50, p99 = percentile(lat, 0.5), percentile(lat, 0.99)
    out["sqlite"] = {"turns": len(lat), "p50_ms": p50 * 1000, "p99_ms": p99 * 1000,
                     "statements_per_turn": sum(counted) / max(1, len(counted)), "statements_max": max(counted, default=0)}
    out["rows"] += [
        ("sqlite p50", ms(p50), "<= 2 ms", "ok" if p50 <= 0.002 else "MISSED"),
        ("sqlite p99", ms(p99), "<= 10 ms", "ok" if p99 <= 0.010 else "MISSED"),
        ("sqlite turns", str(len(lat)), ">= 5000", "ok" if len(lat) >= 5000 else "quick"),
        *_statement_rows("sqlite", counted),
    ]
    if await _reset_pg():
        counted = []
        lat = await _turns(PG_URL, n, statements=counted)
        p50, p99 = percentile(lat, 0.5), percentile(lat, 0.99)
        out["postgresql"] = {"turns": len(lat), "p50_ms": p50 * 1000, "p99_ms": p99 * 1000,
                             "statements_per_turn": sum(counted) / max(1, len(counted)),
                             "statements_max": max(counted, default=0)}
        out["rows"] += [("postgresql p50", ms(p50), "-", "info"),
                        ("postgresql p99", ms(p99), "<= 10 ms", "ok" if p99 <= 0.010 else "MISSED"),
                        *_statement_rows("postgresql", counted)]
    return out


async def scale(quick: bool = False) -> dict:
    """Latency with 10,000 stored conversations and 1,000 open leads against an empty database."""
    from bot.store.models import Conversation, Entity, Lead

    n = 600 if quick else 2000
    with tempfile.TemporaryDirectory() as tmp:
        empty = await _turns(f"sqlite+aiosqlite:///{tmp}/empty.db", n)
        url = f"sqlite+aiosqlite:///{tmp}/full.db"
        runtime = await build_runtime(settings_for(url))
        async with runtime.sessionmaker() as session:
            state = {"slots": {"entity_name": "x"}, "events": [{"event": "user", "text": "hola"}] * 20}
            session.add_all([Conversation(sender_id=f"old:{i}", channel="telegram", language="ca", state=state,
                                          version=3) for i in range(10_000)])
            await session.flush()
            entities = [Entity(name=f"Entitat {i}") for i in range(1000)]
            session.add_all(entities)
            await session.flush()
            session.add_all([Lead(entity_id=e.id, language="ca", status="notified", dossier={"x": 1})
                             for e in entities])
            await session.commit()
        await runtime.close()
        full = await _turns(url, n, prefix="f")
    ratio = percentile(full, 0.5) / percentile(empty, 0.5)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"empty_p50_ms": percentile(empty, 0.5) * 1000, "full_p50_ms": percentile(full, 0.5) * 1000,
            "ratio": ratio, "max_rss_mb": rss_mb,
            "rows": [("p50 full/empty", f"{ratio:.2f}x", "<= 1.2x", "ok" if ratio <= 1.2 else "MISSED"),
                     ("bench process max RSS", f"{rss_mb:.0f} MB", "< 200 MB", "ok" if rss_mb < 200 else "MISSED")]}


def cold_start(quick: bool = False) -> dict:
    runs = 3 if quick else 5
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIAT_", "TELEGRAM_"))}
        env["ALIAT_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp}/cold.db"
        aliat = str(Path(sys.executable).with_name("aliat"))
        for i in range(runs):
            start = time.perf_counter()
            result = subprocess.run([aliat, "chat", "--user", f"cold{i}"], input="/start\n", text=True,
                                    capture_output=True, cwd=ROOT, env=env, timeout=60)
            times.append(time.perf_counter() - start)
            assert "Alia't" in result.stdout, result.stderr[-500:]
    median = sorted(times)[len(times) // 2]
    return {"runs": times, "median_s": median,
            "rows": [("printf '/start' | aliat chat", f"{median:.2f} s", "<= 1.5 s",
                      "ok" if median <= 1.5 else "MISSED")]}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def action_server(quick: bool = False) -> dict:
    n = 300 if quick else 1000
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        with tempfile.TemporaryDirectory() as tmp:
            local = await _turns(f"sqlite+aiosqlite:///{tmp}/a.db", n)
            remote = await _turns(f"sqlite+aiosqlite:///{tmp}/b.db", n, actions=ActionsSettings(
                endpoint=f"http://127.0.0.1:{port}/webhook", timeout_seconds=10))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    extra = sum(remote) / len(remote) - sum(local) / len(local)
    return {"in_process_mean_ms": sum(local) / len(local) * 1000, "http_mean_ms": sum(remote) / len(remote) * 1000,
            "extra_per_turn_ms": extra * 1000,
            "rows": [("extra cost per turn over HTTP", ms(extra), "reported", "info"),
                     ("p50 in process / over HTTP", f"{ms(percentile(local, .5))} / {ms(percentile(remote, .5))}",
                      "-", "info")]}


SECTIONS = {"engine_turn": engine_turn, "volume": scale, "cold_start": cold_start, "action_server": action_server}
