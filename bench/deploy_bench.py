"""Deployment figures (issue 28): how soon a newcomer's first typed text is answered, and how soon a
restarted `aliat run` is ready, with the language models built ahead (`aliat models`, run by make install
and the image) and, for comparison, without them (trained at the first need, as before).

- first_answer: a fresh `git clone` of this checkout (its committed code), `python -m bot models` in it (what
  `make install` adds after pip; this venv stands in for the clone's), then `aliat chat --json`: the time
  from typing a first free-text sentence after /start to its answer.
- restart_ready: `aliat run` against a fake Bot API with the ops endpoints on: from the process's start to
  /healthz 200 and /readyz 200, the database already migrated (a restart).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.engine_bench import ROOT, _free_port

FREE_TEXT = "som una associacio petita i ens han retallat la subvencio, no sabem si podrem continuar\n"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIAT_", "TELEGRAM_"))}
    return {**env, **extra}


def _first_answer(cwd: Path, env: dict[str, str], user: str, reading: float = 0.0) -> tuple[float, float]:
    """(seconds from typing the first free text to its answer, seconds from the command's start to it);
    `reading`: seconds between the greeting and the typed text (a person reads it first)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "chat", "--json", "--lang", "ca", "--user", user],
                            cwd=cwd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, bufsize=1)
    assert proc.stdin is not None and proc.stdout is not None

    def until_turn_ends() -> None:
        for line in proc.stdout:
            if line.startswith('{"slots"'):
                return
        raise RuntimeError("aliat chat stopped")

    try:
        proc.stdin.write("/start\n")
        until_turn_ends()  # the greeting
        time.sleep(reading)
        typed = time.perf_counter()
        proc.stdin.write(FREE_TEXT)
        until_turn_ends()
        answered = time.perf_counter()
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)
    return answered - typed, answered - started


def first_answer(quick: bool = False) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "clone"
        subprocess.run(["git", "clone", "--quiet", "--local", str(ROOT), str(clone)], check=True)
        env = _env(ALIAT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/first.db")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "models"], cwd=clone, env=env, check=True,
                       capture_output=True)
        build_s = time.perf_counter() - started
        runs = 1 if quick else 3
        read_first = [_first_answer(clone, env, f"reader{i}", reading=2.0) for i in range(runs)]
        at_once = [_first_answer(clone, env, f"typist{i}") for i in range(runs)]
        shutil.rmtree(clone / "data" / "models")  # as a fresh clone was before: trained at the first text
        without = _first_answer(clone, env, "untrained", reading=2.0)
    typed = sorted(t for t, _ in read_first)[runs // 2]
    rushed = sorted(t for t, _ in at_once)[runs // 2]
    whole = sorted(w for _, w in at_once)[runs // 2]
    return {"models_build_s": build_s, "after_reading_2s": read_first, "at_once": at_once, "without_models": without,
            "rows": [("first free-text answer after make install (typed 2 s after the greeting)", f"{typed:.2f} s",
                      "<= 1 s", "ok" if typed <= 1 else "MISSED"),
                     ("  the same, typed the moment the greeting is shown", f"{rushed:.2f} s", "-", "info"),
                     ("  start of aliat chat to that answer", f"{whole:.2f} s", "-", "info"),
                     ("  the same without models built (before)", f"{without[0]:.1f} s", "-", "info"),
                     ("aliat models in a fresh clone (make install's step)", f"{build_s:.1f} s", "-", "info")]}


async def _until(url: str, status: int, deadline: float) -> float:
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() < deadline:
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
                    if response.status == status:
                        return time.perf_counter()
            except (OSError, aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.02)
    raise TimeoutError(url)


async def _start_to_ready(env: dict[str, str], port: int) -> tuple[float, float]:
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)
    try:
        health = await _until(f"http://127.0.0.1:{port}/healthz", 200, started + 300)
        ready = await _until(f"http://127.0.0.1:{port}/readyz", 200, started + 300)
    finally:
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 60)
    return health - started, ready - started


async def restart_ready(quick: bool = False) -> dict:
    from fake_telegram.bot_api import FakeBotApi

    port = _free_port()
    async with FakeBotApi() as fake:
        with tempfile.TemporaryDirectory() as tmp:
            env = _env(TELEGRAM_BOT_TOKEN=fake.token, TELEGRAM_API_BASE_URL=fake.base_url,
                       ALIAT_DATABASE_URL=f"sqlite+aiosqlite:///{tmp}/restart.db",
                       ALIAT_TELEGRAM__POLLING_TIMEOUT_SECONDS="1", ALIAT_OPS__ENABLED="true",
                       ALIAT_OPS__PORT=str(port))
            subprocess.run([sys.executable, "-m", "bot", "models"], cwd=ROOT, env=env, check=True,
                           capture_output=True)
            first = await _start_to_ready(env, port)  # creates and migrates the database
            runs = [await _start_to_ready(env, port) for _ in range(2 if quick else 5)]
            untrained = await _start_to_ready({**env, "ALIAT_PATHS__MODELS": f"{tmp}/no-models"}, port)
    health = sorted(h for h, _ in runs)[len(runs) // 2]
    ready = sorted(r for _, r in runs)[len(runs) // 2]
    return {"first_start": first, "restarts": runs, "without_models": untrained,
            "rows": [("aliat run restart to /healthz 200", f"{health:.2f} s", "<= 3 s",
                      "ok" if health <= 3 else "MISSED"),
                     ("  restart to /readyz 200", f"{ready:.2f} s", "-", "info"),
                     ("  the same without models built (before)", f"{untrained[0]:.1f} s", "-", "info")]}


SECTIONS = {"first_answer": first_answer, "restart_ready": restart_ready}
