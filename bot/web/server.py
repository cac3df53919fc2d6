"""The project's HTTP listeners (aiohttp.web): the operations endpoints, and the staff dashboard when on.

    app = create_app(runtime, telegram_seen=...)   # /healthz, /readyz, /metrics (ops.metrics), dashboard
    runner = await start(app, host, port)          # ... await runner.cleanup()

Inside `aliat run` they are started by `start_with_bot` (from the Telegram Application's post_init), in
polling and in webhook mode, as two listeners: /healthz, /readyz and /metrics on `ops.host:ops.port`, for
this machine or the monitoring network only, and the dashboard on `web.host:web.port`, the one a proxy
publishes (with a bare /healthz of its own). In webhook mode the webhook's own port keeps its `/healthz`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Mapping
from typing import Any

from aiohttp import web

from bot.app.runtime import Runtime
from bot.web.health import Readiness

log = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)


def create_app(runtime: Runtime, *, telegram_seen: Callable[[], float | None] | None = None,
               counters: Mapping[str, int] | None = None, ops: bool = True,
               dashboard: bool | None = None) -> web.Application:
    """/healthz; with `ops`, /readyz and (when `ops.metrics`) /metrics; the dashboard when `dashboard`
    (default: `web.enabled`).

    `telegram_seen` gives the time (monotonic) Telegram was last heard from: without it /readyz does
    not check Telegram (a process that does not talk to it). `counters` are the Telegram channel's."""
    settings = runtime.settings
    app = web.Application()
    app[RUNTIME] = runtime

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app.router.add_get("/healthz", healthz)
    if ops:
        _add_ops(app, runtime, telegram_seen, counters)
    if settings.web.enabled if dashboard is None else dashboard:
        try:
            from bot.web.dashboard import setup
        except ModuleNotFoundError as exc:
            if exc.name != "bot.web.dashboard":
                raise
            log.warning("web.enabled is set but this build has no dashboard (bot/web/dashboard)")
        else:
            setup(app, runtime)
    return app


def _add_ops(app: web.Application, runtime: Runtime, telegram_seen: Callable[[], float | None] | None,
             counters: Mapping[str, int] | None) -> None:
    readiness = Readiness(runtime, telegram_seen=telegram_seen)

    async def readyz(_request: web.Request) -> web.Response:
        ready, body = await readiness.check()
        return web.json_response(body, status=200 if ready else 503)

    app.router.add_get("/readyz", readyz)
    if runtime.settings.ops.metrics:
        from bot.web.metrics import Metrics  # prometheus-client only when metrics are on

        metrics = Metrics(runtime, counters=counters, readiness=readiness)
        app.router.add_get("/metrics", metrics.handle)

        async def stop_metrics(_app: web.Application) -> None:
            metrics.close()

        app.on_cleanup.append(stop_metrics)


async def start(app: web.Application, host: str, port: int, *, name: str = "web server") -> web.AppRunner:
    """Listen on host:port; the caller owns the runner (`await runner.cleanup()`)."""
    runner = web.AppRunner(app, access_log=None)  # no access log: URLs may carry one-time tokens
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except BaseException:
        await runner.cleanup()
        raise
    log.info("%s on %s:%s", name, host, port)
    return runner


class Listeners:
    """The listeners `aliat run` started; `cleanup()` stops them all."""

    def __init__(self) -> None:
        self.runners: list[web.AppRunner] = []

    async def cleanup(self) -> None:
        while self.runners:
            await self.runners.pop().cleanup()


async def start_with_bot(runtime: Runtime, application: Any) -> Listeners | None:
    """Inside `aliat run`: the operations listener when health or metrics are on, the dashboard's when
    `web.enabled`.

    `application` is the Telegram Application: its bot_data (bot/telegram/context.py) holds the channel (whose
    counters /metrics reads) and the time Telegram was last heard from, which the poller and the webhook set."""
    settings = runtime.settings
    listeners = Listeners()
    try:
        if settings.ops.enabled or settings.ops.metrics:
            bot_data = application.bot_data
            channel = bot_data.channel
            ops_app = create_app(runtime, telegram_seen=lambda: bot_data.telegram_seen,
                                 counters=channel.counters if channel is not None else None, dashboard=False)
            if settings.webhook_url:
                ops_app.cleanup_ctx.append(_webhook_heartbeat(application, settings.ops.telegram_seen_seconds))
            listeners.runners.append(await start(ops_app, settings.ops.host, settings.ops.port,
                                                 name="ops endpoints (/healthz, /readyz, /metrics)"))
        if settings.web.enabled:
            listeners.runners.append(await start(create_app(runtime, ops=False, dashboard=True), settings.web.host,
                                                 settings.web.port, name="dashboard"))
    except BaseException:
        await listeners.cleanup()
        raise
    return listeners if listeners.runners else None


def _webhook_heartbeat(application: Any, limit: float) -> Callable[[web.Application], AsyncIterator[None]]:
    """In webhook mode Telegram calls only when there is an update, and a quiet night is no fault: ask
    it (getWebhookInfo) a few times per `ops.telegram_seen_seconds` instead."""
    interval = max(1.0, min(60.0, limit / 3))

    async def beat() -> None:
        while True:
            try:
                await application.bot.get_webhook_info()
                application.bot_data.telegram_seen = time.monotonic()
            except Exception as exc:
                log.warning("getWebhookInfo failed (%s)", type(exc).__name__)
            await asyncio.sleep(interval)

    async def context(_app: web.Application) -> AsyncIterator[None]:
        task = asyncio.get_running_loop().create_task(beat(), name="aliat-webhook-heartbeat")
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context
