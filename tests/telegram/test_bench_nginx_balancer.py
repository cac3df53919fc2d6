"""The `scale` bench's nginx balancer (bench/nginx_balancer.py) spreads requests round robin over the
workers with no regard for chat, and passes each worker's answer back as it is, like the Python proxy
it stands in for (fake_telegram/balancer.py). Runs only where nginx is installed (Debian: nginx-light)."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys

import aiohttp
import pytest
from aiohttp import web

from bench import nginx_balancer

pytestmark = pytest.mark.skipif(nginx_balancer.available() is None, reason="nginx not installed")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _upstream(name: str, seen: list[tuple[str, bytes]]) -> web.AppRunner:
    async def answer(request: web.Request) -> web.Response:
        seen.append((name, await request.read()))
        return web.Response(status=200 if name == "a" else 201, body=f"from {name}".encode())

    app = web.Application()
    app.router.add_post("/tg", answer)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    return runner


async def test_bench_nginx_balancer_goes_round_robin_and_passes_answers_back() -> None:
    seen: list[tuple[str, bytes]] = []
    runners, urls = [], []
    for name in ("a", "b"):
        runner = await _upstream(name, seen)
        port = _port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        urls.append(f"http://127.0.0.1:{port}")
    port = _port()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.nginx_balancer", str(port), *urls,
                                                stdout=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        assert (await asyncio.wait_for(proc.stdout.readline(), 20)).strip() == b"ready"
        answers = []
        async with aiohttp.ClientSession() as http:
            for i in range(4):
                async with http.post(f"http://127.0.0.1:{port}/tg", data=f"update {i}".encode()) as resp:
                    answers.append((resp.status, await resp.text()))
        assert [name for name, _body in seen] in (["a", "b", "a", "b"], ["b", "a", "b", "a"])
        assert [body for _name, body in seen] == [f"update {i}".encode() for i in range(4)]
        assert answers == [(200 if name == "a" else 201, f"from {name}") for name, _body in seen]
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(proc.wait(), 10) == 0  # nginx stopped with it
        for runner in runners:
            await runner.cleanup()
