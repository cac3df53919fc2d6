"""The project's one HTTP server (aiohttp): `create_app` builds it, `start` serves it.

On this branch it holds only the staff dashboard; the health and metrics endpoints of issue 19 are
added here by the same interface.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


def create_app(runtime: Runtime, *, telegram_seen=None) -> web.Application:  # noqa: ANN001
    """The web application: the dashboard when `web.enabled` is set."""
    app = web.Application(client_max_size=256 * 1024)
    if runtime.settings.web.enabled:
        from bot.web.dashboard import setup

        setup(app, runtime)
    return app


async def start(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve `app` on host:port until the returned runner is cleaned up."""
    runner = web.AppRunner(app, access_log=None)  # access logs would carry the login tokens in URLs
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("web server on http://%s:%s", host, port)
    return runner
