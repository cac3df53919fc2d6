"""A round-robin reverse proxy on 127.0.0.1: the load balancer in front of several webhook workers, in the
tests and the benches. Each request goes to the next worker in turn, with no regard for its chat (the
worst case: one chat's consecutive updates land on different workers); the worker's answer is passed
back as it is, so Telegram's rule (a chat's next update only after the previous one was answered) holds
through it. In production this is Caddy or nginx (docs/scaling.md).

    python -m fake_telegram.balancer PORT UPSTREAM_URL [UPSTREAM_URL ...]

run alone, so that a bench can count its CPU apart from the workers'.
"""

from __future__ import annotations

import asyncio
import itertools
import signal
import sys

import aiohttp
from aiohttp import web

_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding"}


class RoundRobin:
    def __init__(self, upstreams: list[str], *, port: int = 0) -> None:
        self.upstreams = [u.rstrip("/") for u in upstreams]
        self.port = port
        self.counts = [0] * len(upstreams)
        self._turn = itertools.cycle(range(len(upstreams)))
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> RoundRobin:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0),
                                              timeout=aiohttp.ClientTimeout(total=60))
        app = web.Application(client_max_size=1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> RoundRobin:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        index = next(self._turn)
        self.counts[index] += 1
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP}
        try:
            async with self._session.request(request.method, self.upstreams[index] + request.path_qs,
                                             data=await request.read(), headers=headers) as upstream:
                body = await upstream.read()
                return web.Response(status=upstream.status, body=body,
                                    content_type=upstream.content_type if body else None)
        except (aiohttp.ClientError, TimeoutError):
            return web.Response(status=502)


async def _main(port: int, upstreams: list[str]) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with RoundRobin(upstreams, port=port):
        print("ready", flush=True)
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(_main(int(sys.argv[1]), sys.argv[2:]))
