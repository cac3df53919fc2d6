"""`aliat run` configured from the environment only (as in the container): the web server answers
/healthz, /readyz and /metrics in polling mode, and logs are one JSON object a line, with the update
id and without message texts."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from tests.auxil import updates as U
from tests.auxil.ops import get, samples, value
from tests.auxil.runtime import ROOT
from tests.auxil.telegram_bot import free_port, wait_sends


async def _until_up(url: str, timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            await get(url)
            return
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)


async def _until_counted(url: str, name: str, timeout: float = 10.0, **labels: str) -> dict:
    """Scrape until the sample is there (the duplicate's turn runs after getUpdates hands it over)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        found = samples((await get(url))[1])
        if value(found, name, **labels) or loop.time() > deadline:
            return found
        await asyncio.sleep(0.1)


async def test_aliat_run_serves_health_and_metrics_and_logs_json(fake, tmp_path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ALIAT_"))}
    env.update({
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "ALIAT_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'ops.db'}",
        "ALIAT_TELEGRAM__POLLING_TIMEOUT_SECONDS": "1",
        "ALIAT_OPS__ENABLED": "true",
        "ALIAT_OPS__METRICS": "true",
        "ALIAT_OPS__PORT": str(port),
        "ALIAT_LOGGING__FORMAT": "json",
    })
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        await fake.wait_for("deleteWebhook", timeout=20)
        await _until_up(f"{base}/healthz")
        assert await get(f"{base}/healthz") == (200, {"status": "ok"})
        since = len(fake.calls)
        start = U.make_command("start", language_code="en", update_id=9001)
        await fake.push_update(start)
        (greet,) = await wait_sends(fake, 1, since=since, timeout=10)
        assert greet.text.startswith("Hi! I'm")
        await fake.wait_updates_consumed()  # the poller waits in its next getUpdates
        await fake.push_raw_update(start)  # Telegram sends it again: skipped, and logged with its id
        found = await _until_counted(f"{base}/metrics", "aliat_turns_total", channel="telegram", outcome="skipped")
        assert value(found, "aliat_turns_total", channel="telegram", outcome="ok") == 1
        status, body = await get(f"{base}/readyz")
        assert status == 200 and body["checks"]["telegram"]["ok"], body
        assert value(found, "aliat_replies_sent_total") == 1
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        _out, err = await asyncio.wait_for(proc.communicate(), 20)
    assert proc.returncode == 0, err.decode()[-2000:]
    lines = [json.loads(line) for line in err.decode().splitlines() if line.strip()]  # each one JSON
    assert lines and all({"time", "level", "logger", "message"} <= set(entry) for entry in lines)
    assert any(entry.get("update_id") == 9001 and "already handled" in entry["message"] for entry in lines)
    assert any("ops endpoints (/healthz, /readyz, /metrics) on 127.0.0.1" in entry["message"] for entry in lines)
    assert any(entry["message"].startswith("language models ready (") for entry in lines)  # read before anyone types
    assert b"Hi! I'm" not in err and b"/start" not in err  # no message text in the logs
