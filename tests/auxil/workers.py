"""`aliat run` processes in webhook mode on one PostgreSQL database, as a deployment with several workers
behind a load balancer runs them: started, waited for, stopped (SIGTERM) with their exit checked."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.paths import ROOT
from tests.auxil.telegram_bot import WEBHOOK_SECRET, free_port


class Workers:
    """`count` workers listening on ports of their own; Telegram is told the webhook is `public_url` (the
    balancer in front of them), or each worker's own address when there is none."""

    def __init__(self, fake: FakeBotApi, database_url: str, count: int, log_dir: Path, *,
                 public_url: str | None = None, rate_limit: bool = False, env: dict[str, str] | None = None) -> None:
        self.fake = fake
        self.extra_env = dict(env or {})
        self.logs = [log_dir / f"worker-{i}.log" for i in range(count)]
        self.database_url = database_url
        self.ports = [free_port() for _ in range(count)]
        self.public_url = public_url
        self.rate_limit = rate_limit
        self.procs: list[asyncio.subprocess.Process] = []

    @property
    def urls(self) -> list[str]:
        return [f"http://127.0.0.1:{port}" for port in self.ports]

    def _env(self, port: int) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ALIAT_"))}
        env.update({"TELEGRAM_BOT_TOKEN": self.fake.token, "TELEGRAM_API_BASE_URL": self.fake.base_url,
                    "ALIAT_DATABASE_URL": self.database_url,
                    "ALIAT_WEBHOOK_URL": f"{self.public_url or f'http://127.0.0.1:{port}'}/tg",
                    "ALIAT_WEBHOOK_SECRET": WEBHOOK_SECRET, "ALIAT_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
                    "ALIAT_TELEGRAM__WEBHOOK_PORT": str(port), "ALIAT_TELEGRAM__WEBHOOK_PATH": "tg",
                    "ALIAT_TELEGRAM__RATE_LIMIT": "true" if self.rate_limit else "false",
                    "ALIAT_TELEGRAM__FLOOD_MAX_PER_MINUTE": "0", "PTB_TIMEDELTA": "true", **self.extra_env})
        return env

    async def start(self) -> Workers:
        for port, log in zip(self.ports, self.logs, strict=True):  # one by one: the first runs the migrations
            with open(log, "w") as fh:
                proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT,
                                                            env=self._env(port), stdout=fh, stderr=fh)
            self.procs.append(proc)
            await self._wait_healthy(port, proc, log)
        return self

    async def _wait_healthy(self, port: int, proc: asyncio.subprocess.Process, log: Path) -> None:
        async with aiohttp.ClientSession() as http:
            for _ in range(600):
                if proc.returncode is not None:
                    raise AssertionError(log.read_text()[-2000:])
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                        if resp.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.1)
        raise AssertionError(f"worker on port {port} did not start")

    async def stop(self) -> list[str]:
        """SIGTERM each; returns the stderr of any that did not exit cleanly."""
        for proc in self.procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        failed = []
        for proc, log in zip(self.procs, self.logs, strict=True):
            try:
                await asyncio.wait_for(proc.wait(), 30)
            except TimeoutError:
                proc.kill()
                await proc.wait()
            if proc.returncode != 0:
                failed.append(log.read_text()[-2000:])
        return failed
