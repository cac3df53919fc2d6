"""Building and running the python-telegram-bot Application: polling by default, webhook when
ALIAT_WEBHOOK_URL is set.

`build_application(settings)` opens the runtime (content, database with migrations, engine) in
post_init and closes it in post_shutdown; tests may pass a runtime they own. `serve(app)` runs it until
`stop` is set (or SIGINT/SIGTERM from `aliat run`).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import time
from collections import Counter

import orjson
from aiohttp import web
from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import Application, ApplicationBuilder, TypeHandler

from bot.app.runtime import Runtime, build_runtime
from bot.config import Settings
from bot.shared.backoff import Backoff
from bot.shared.logs import remember_update_id
from bot.store import send_budget
from bot.telegram.channel import TelegramChannel
from bot.telegram.context import CONTEXT_TYPES, TelegramApp
from bot.telegram.handlers import register_handlers
from bot.telegram.http import AiohttpRequest
from bot.telegram.limiter import SHARED_BURST, SHARED_INTERVAL, PriorityRateLimiter
from bot.telegram.ordering import PerChatUpdateProcessor
from bot.telegram.sender import Sender, telegram_failure
from bot.text import textmodel

os.environ.setdefault("PTB_TIMEDELTA", "true")
log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# At most this long a webhook answer waits for the update's replies to go (a chat waiting out a 429): past it
# the replies still go, and only that chat's order across workers is at risk.
WEBHOOK_SETTLE_SECONDS = 20.0
PIPELINE_POLL = 0.05  # seconds between getUpdates while updates are being handled (they are not confirmed yet)
POLL_BACKOFF = Backoff(0.5, 30.0)  # getUpdates failing (5xx, network): tried again after 0.5, 1, 2... s, at most 30
# The command menu; the descriptions are responses telegram_command_<name> in dialogues/telegram.yml.
MENU_COMMANDS = ("start", "help", "language", "facilitator", "privacy", "forget", "restart")


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
            limiter.share(send_budget.SendBudget(rt.db, overall_interval=SHARED_INTERVAL, overall_burst=SHARED_BURST))
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
    register_handlers(app)
    app.add_handler(TypeHandler(Update, remember_update_id), group=-1000)  # log lines carry the update id
    from bot.workshop import register_workshop_handlers

    register_workshop_handlers(app, runtime)
    from bot.web.dashboard.telegram import register_dashboard_handler

    register_dashboard_handler(app, runtime)
    return app


def _file_url(base_url: str) -> str:
    """http://host/bot -> http://host/file/bot (the Bot API's own layout)."""
    head, sep, tail = base_url.rstrip("/").rpartition("/")
    return f"{head}/file/{tail}" if sep else base_url


async def set_command_menu(channel: TelegramChannel) -> None:
    """The command menu in every language, and in the default language for everyone else."""
    settings = channel.runtime.settings
    bot = channel.bot
    scope = BotCommandScopeAllPrivateChats()

    def commands(language: str) -> list[BotCommand]:
        return [BotCommand(name, channel.text(f"telegram_command_{name}", language)[:256] or name)
                for name in MENU_COMMANDS]

    for language in (None, *settings.languages):
        await channel.sender.quietly(0, lambda language=language: bot.set_my_commands(
            commands(language or settings.default_language), scope=scope, language_code=language),
            what="setMyCommands")


# ---------------------------------------------------------------------- running
async def serve(app: TelegramApp, settings: Settings, stop: asyncio.Event) -> None:
    """Run like Application.run_polling/run_webhook do (post_init ... post_shutdown) until `stop` is set."""
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        if settings.webhook_url:
            await _serve_webhook(app, settings, stop)
        else:
            await _serve_polling(app, settings, stop)
    finally:
        # Replies are drained before app.shutdown(): it closes the HTTP client they are sent with.
        if (before_shutdown := app.bot_data.before_shutdown) is not None:
            await before_shutdown(app)
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def handle_updates(app: Application, updates: list[Update]) -> None:
    """Process a batch: one chat's updates in order, chats concurrently; returns when all are handled."""
    await asyncio.gather(*(app.update_processor.process_update(u, app.process_update(u)) for u in updates))


async def _serve_polling(app: Application, settings: Settings, stop: asyncio.Event) -> None:
    """getUpdates, each update handled as soon as it arrives, the offset past committed updates only.

    Updates are not handled batch by batch: a batch waiting for its slowest update (a chat that floods,
    an action server taking its time) would hold back every other chat. Each update runs in its own task
    (its chat's updates in order, bot/telegram/ordering.py) and the poller asks for more at once. The
    offset given to Telegram confirms only the updates below the oldest one still being handled, so
    updates after it come again with the next answer (and are skipped here) and after a crash come again
    (and processed_update skips those already done). Telegram answers with at most 100 updates from the
    offset: with a hundred under way at once, newer ones wait for the oldest to finish (the flood guard
    keeps that far off: what it drops is done at once).
    """
    await app.bot.delete_webhook(drop_pending_updates=False)
    await app.start()
    log.info("polling for updates (bot %s)", app.bot.id)
    in_flight: dict[int, asyncio.Task[None]] = {}
    handled: set[int] = set()  # handled, not confirmed yet (an update before them is still in flight)
    next_id: int | None = None  # the offset once nothing is in flight: after the last update dispatched
    failures = 0  # getUpdates failed in a row
    loop = asyncio.get_running_loop()
    last_poll = 0.0
    fresh = 0  # updates the last answer brought that were not under way already
    stopping = asyncio.create_task(stop.wait())
    try:
        while not stop.is_set():
            if in_flight and not fresh:
                # Telegram answers at once while updates are unconfirmed (re-sending those under way): when
                # the last answer brought nothing new, ask again after PIPELINE_POLL, or as soon as all of
                # them are done (then a long poll as usual). After new updates, ask at once: more may wait.
                remaining = last_poll + PIPELINE_POLL - loop.time()
                if remaining > 0:
                    await asyncio.wait(list(in_flight.values()), timeout=remaining)
                if stop.is_set():
                    break
            last_poll = loop.time()
            offset = min(in_flight) if in_flight else next_id
            if offset is not None:
                handled.difference_update([uid for uid in handled if uid < offset])
            fetch = asyncio.create_task(app.bot.get_updates(
                offset=offset, timeout=0 if in_flight else settings.telegram.polling_timeout_seconds,
                allowed_updates=Update.ALL_TYPES))
            done, _ = await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if fetch not in done:
                fetch.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await fetch
                break
            try:
                updates = list(fetch.result())
            except Exception as exc:
                failure = telegram_failure(exc, "getUpdates")
                if failure is None or failure.permanent:  # a wrong token: nothing to wait for
                    raise
                if failure.retry_after is not None:
                    await asyncio.sleep(failure.retry_after)
                    continue
                failures += 1
                wait = POLL_BACKOFF.delay(failures)
                log.warning("getUpdates failed (%s); retrying in %.1fs", type(exc).__name__, wait)
                await asyncio.sleep(wait)
                continue
            failures = 0
            app.bot_data.telegram_seen = time.monotonic()  # /readyz (bot/web)
            fresh = 0
            for update in updates:
                uid = update.update_id
                if uid in in_flight or uid in handled:
                    continue  # this process has it already (a redelivery otherwise: processed_update skips it)
                next_id = max(next_id or 0, uid + 1)
                fresh += 1
                task = asyncio.create_task(app.update_processor.process_update(update, app.process_update(update)),
                                           name=f"aliat-update-{uid}")
                in_flight[uid] = task
                task.add_done_callback(lambda _t, uid=uid: (in_flight.pop(uid, None), handled.add(uid)))
            if fresh:
                await asyncio.sleep(0)  # updates the flood guard drops are done at once: the offset moves on
    finally:
        stopping.cancel()
        if in_flight:  # let the updates under way commit (their replies are drained afterwards)
            await asyncio.gather(*in_flight.values(), return_exceptions=True)
        await app.stop()


async def _serve_webhook(app: Application, settings: Settings, stop: asyncio.Event) -> None:
    t = settings.telegram
    runner = web.AppRunner(webhook_app(app, settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, t.webhook_listen, t.webhook_port)
    await app.start()
    try:
        await site.start()
        await app.bot.set_webhook(settings.webhook_url, secret_token=settings.webhook_secret,
                                  allowed_updates=Update.ALL_TYPES, drop_pending_updates=False)
        log.info("webhook listening on %s:%s/%s", t.webhook_listen, t.webhook_port, t.webhook_path.strip("/"))
        await stop.wait()
    finally:
        # The webhook stays set: other workers behind the proxy may still be serving it.
        await runner.cleanup()
        await app.stop()


def update_from_body(body: bytes, app: Application) -> Update | None:
    """The Update a webhook body holds, or None for anything Telegram would not send: not JSON, not an
    object, no integer update_id, a field of the wrong type, nesting deeper than orjson's 1024 levels."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    update_id = data.get("update_id") if isinstance(data, dict) else None
    if type(update_id) is not int or not 0 <= update_id < 2 ** 53:
        return None
    if any(not isinstance(value, dict) for key, value in data.items() if key != "update_id"):
        return None  # every kind of update (message, callback_query...) is an object
    try:
        return Update.de_json(data, app.bot)
    except Exception as exc:  # a malformed object deep inside: python-telegram-bot's own error types vary
        log.warning("webhook body not an update (%s)", type(exc).__name__)
        return None


def webhook_app(app: Application, settings: Settings) -> web.Application:
    """An aiohttp app taking Telegram's POSTs: secret checked in constant time, update queued."""
    expected = settings.webhook_secret.encode()
    path = "/" + settings.telegram.webhook_path.strip("/")

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not expected or not hmac.compare_digest(given, expected):
            return web.Response(status=403)
        update = update_from_body(await request.read(), app)
        if update is None:
            return web.Response(status=400)
        app.bot_data.telegram_seen = time.monotonic()  # /readyz (bot/web)
        # Answered only once the update is handled: if this worker dies, Telegram sends it again.
        await handle_updates(app, [update])
        # ...and once its replies have gone. Telegram sends a chat's next update only after this answer,
        # so whichever worker the load balancer gives it to, its replies come after these: a chat's order
        # holds across workers (docs/scaling.md).
        if (channel := app.bot_data.channel) is not None and update.effective_chat is not None:
            await channel.settled(update.effective_chat.id, timeout=WEBHOOK_SETTLE_SECONDS)
        return web.Response(status=200)

    async def health(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app = web.Application(client_max_size=1024 * 1024)
    web_app.router.add_post(path, receive)
    web_app.router.add_get("/healthz", health)
    return web_app
