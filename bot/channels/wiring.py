"""The Telegram Application put together: every channel's handlers registered in one place, and what runs
beside them (the outbox's deliverer, maintenance, the web server) started in post_init.

`build_application(settings)` opens the runtime (content, database with migrations, engine) in post_init and
closes it in post_shutdown; tests may pass a runtime they own. `bot.telegram.app.serve` runs it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections import Counter
from collections.abc import Callable

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot import facilitators, workshop
from bot.app.runtime import Runtime, build_runtime
from bot.config import Settings
from bot.shared.logs import remember_update_id
from bot.store import send_budget
from bot.telegram import handlers as conversation
from bot.telegram.app import set_command_menu
from bot.telegram.channel import TelegramChannel
from bot.telegram.context import CONTEXT_TYPES, TelegramApp
from bot.telegram.http import AiohttpRequest
from bot.telegram.limiter import SHARED_BURST, SHARED_FIRST_RESERVE, SHARED_INTERVAL, PriorityRateLimiter
from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.sender import Sender
from bot.text import textmodel

os.environ.setdefault("PTB_TIMEDELTA", "true")
log = logging.getLogger(__name__)

Register = Callable[[TelegramApp, Runtime | None], None]
# Every channel on Telegram, each with its `register(app, runtime)`: the facilitators' and the workshop's
# handlers sit in group -1 and stop what they handle, so the conversation (group 0) never sees it.
CHANNELS: tuple[Register, ...] = (conversation.register, facilitators.register, workshop.register)


def register_channels(app: TelegramApp, runtime: Runtime | None = None) -> None:
    """Every handler of the bot, in one place. Without a runtime, each uses the channel's (post_init)."""
    for register in CHANNELS:
        register(app, runtime)
    app.add_handler(TypeHandler(Update, remember_update_id), group=-1000)  # log lines carry the update id


def build_application(settings: Settings, runtime: Runtime | None = None, *,
                      counters: Counter[str] | None = None) -> TelegramApp:
    """The Application with its handlers; the runtime is opened in post_init unless one is given."""
    owns_runtime = runtime is None
    sender = Sender(max_retries=settings.telegram.max_send_retries, pace=settings.telegram.rate_limit,
                    counters=counters)

    async def post_init(app: TelegramApp) -> None:
        rt = runtime if runtime is not None else await build_runtime(settings)
        # actions, the understanding models and the motivation model, before anyone types
        await asyncio.to_thread(lambda: (rt.actions.preload(), rt.engine.warm()))
        log.info("language models ready (%s read from %s, %s trained)", textmodel.STATS["loaded"],
                 textmodel.models_dir(), textmodel.STATS["trained"])
        channel = TelegramChannel(rt, app.bot, sender)
        if isinstance(limiter := app.bot.rate_limiter, PriorityRateLimiter) and send_budget.shared(rt.db):
            # several workers may share this database: Telegram's budgets are kept in it (docs/scaling.md)
            limiter.share(send_budget.SendBudget(rt.db, overall_interval=SHARED_INTERVAL, overall_burst=SHARED_BURST,
                                                   first_reserve=SHARED_FIRST_RESERVE))
            sender.pacer = None
        app.bot_data.channel = channel
        if isinstance(app.update_processor, PerChatUpdateProcessor):
            app.update_processor.on_flood = channel.flood_notice
        await set_command_menu(channel)
        # The outbox's one deliverer: lead cards, relays and reminders, and the replies left pending (its
        # first round, at start-up, sends those a crashed or stopped process left behind).
        from bot.notifier import Notifier
        from bot.telegram.deliver import TelegramTransport

        notifier = Notifier.from_runtime(rt, TelegramTransport(app.bot, sender))
        channel.deliver_replies_with(notifier)
        notifier.start()
        app.bot_data.notifier = notifier
        from bot.app.maintenance import start_maintenance

        app.bot_data.maintenance = start_maintenance(rt)
        from bot.web import start_with_bot  # /healthz, /readyz, /metrics, dashboard: when configured

        app.bot_data.web = await start_with_bot(rt, app)

    async def before_shutdown(app: TelegramApp) -> None:
        """Stop what writes and sends, then drain the replies while the HTTP client is still open (at most
        telegram.drain_seconds): serve() calls this before app.shutdown() closes the client."""
        channel = app.bot_data.channel
        if channel is None or app.bot_data.drained:
            return
        app.bot_data.drained = True
        from bot.app.maintenance import stop_maintenance

        await stop_maintenance(app.bot_data.maintenance)
        if (web_runner := app.bot_data.web) is not None:
            await web_runner.cleanup()
        if (notifier := app.bot_data.notifier) is not None:
            await notifier.stop()
        await channel.drain(timeout=settings.telegram.drain_seconds)

    async def post_shutdown(app: TelegramApp) -> None:
        channel = app.bot_data.channel
        if channel is None:
            return
        await before_shutdown(app)  # (when the application was run without serve())
        if owns_runtime:
            await channel.runtime.close()

    builder: ApplicationBuilder = (
        Application.builder()
        .token(settings.telegram_token)
        .context_types(CONTEXT_TYPES)
        .concurrent_updates(PerChatUpdateProcessor(256, flood_per_minute=settings.telegram.flood_max_per_minute,
                                                   counters=sender.counters))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    if settings.telegram.http_client == "aiohttp":  # bot/telegram/http.py says why
        builder = builder.request(AiohttpRequest(64)).get_updates_request(AiohttpRequest(1))
    else:
        builder = builder.connection_pool_size(64)
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url
        builder = builder.base_url(base).base_file_url(_file_url(base))
    if settings.telegram.rate_limit:
        # Retries happen in Sender, per chat; the limiter keeps the overall and group rates, with the
        # first message of every answer ahead of the rest (bot/telegram/limiter.py). Small buckets (three
        # at once then 27 a second overall, one every 60/19 s per group): with PTB's default buckets of 30
        # and 20 a burst after a quiet spell doubled the rate in a sliding window (bench: 44 in 1 s).
        builder = builder.rate_limiter(PriorityRateLimiter())
    # No PTB Updater: it confirms updates to Telegram before they are handled, so a crash would lose
    # them. Our poller (and webhook) acknowledge an update only after its turn has committed.
    builder = builder.updater(None)
    app = builder.build()
    app.bot_data.before_shutdown = before_shutdown
    register_channels(app, runtime)
    return app


def _file_url(base_url: str) -> str:
    """http://host/bot -> http://host/file/bot (the Bot API's own layout)."""
    head, sep, tail = base_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}" if sep else base_url
