"""`aliat run` with its database down: one clear line (JSON when configured) and exit code 1, or, with
`database_wait_seconds`, one line per try while it waits; never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.auxil.runtime import ROOT
from tests.auxil.telegram_bot import free_port


def _run(**extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ALIAT_"))}
    env.update({"TELEGRAM_BOT_TOKEN": "123456:ABC-def", "TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot",
                "ALIAT_LOGGING__FORMAT": "json", **extra})
    return subprocess.run([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)


def test_a_database_down_at_start_is_one_json_line_and_exit_1() -> None:
    port = free_port()  # nothing listens there
    done = _run(ALIAT_DATABASE_URL=f"postgresql+asyncpg://aliat:s3cret@127.0.0.1:{port}/aliat")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr[-3000:]
    entry = json.loads(lines[0])
    assert entry["level"] == "ERROR" and "exception" not in entry
    assert f"database not reachable at postgresql+asyncpg://aliat:***@127.0.0.1:{port}/aliat" in entry["message"]
    assert "ConnectionRefusedError" in entry["message"] and "database_wait_seconds" in entry["message"]
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_waiting_for_the_database_says_so_once_per_try_then_gives_up() -> None:
    port = free_port()
    done = _run(ALIAT_DATABASE_URL=f"postgresql+asyncpg://aliat@127.0.0.1:{port}/aliat",
                ALIAT_DATABASE_WAIT_SECONDS="2.5")
    assert done.returncode == 1
    entries = [json.loads(line) for line in done.stderr.splitlines()]
    *waiting, last = entries
    assert waiting and all(e["level"] == "WARNING" for e in waiting)  # a line per try (how many: the clock's)
    assert all("not reachable yet" in e["message"] and f"try {n}" in e["message"] for n, e in enumerate(waiting, 1))
    assert last["level"] == "ERROR" and "after waiting 2.5 s" in last["message"]
    assert "Traceback" not in done.stderr
