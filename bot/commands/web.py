"""aliat web: the staff dashboard alone (`aliat run` also starts it when web.enabled is set)."""

from __future__ import annotations

import argparse
import asyncio
import signal
from dataclasses import replace

from bot.app.runtime import build_runtime, configure_logging
from bot.config import load_settings

NAME = "web"
HELP = "serve the staff dashboard on web.host:web.port (login links come from /dashboard in Telegram)"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="override web.host")
    parser.add_argument("--port", type=int, help="override web.port")


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    web = replace(settings.web, enabled=True, host=args.host or settings.web.host,
                  port=args.port or settings.web.port)
    settings = replace(settings, web=web)
    configure_logging(settings)

    async def _main() -> int:
        from bot.web.server import create_app, start

        runtime = await build_runtime(settings)
        runner = await start(create_app(runtime, ops=False), web.host, web.port, name="dashboard")
        print(f"dashboard on http://{web.host}:{web.port}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()
            await runtime.close()
        return 0

    return asyncio.run(_main())
