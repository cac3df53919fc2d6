"""Running the python-telegram-bot Application: polling by default, webhook when ALIAT_WEBHOOK_URL is set.

`serve(app)` runs an Application built by `bot.channels.build_application` until `stop` is set (or
SIGINT/SIGTERM from `aliat run`); the command menu is set from post_init.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import os
import time

import orjson
from aiohttp import web
from telegram import BotCommand, BotCommandScopeAllPrivateChats, Update
from telegram.ext import Application

from bot.config import Settings
from bot.shared.backoff import Backoff
from bot.telegram.channel import TelegramChannel
from bot.telegram.context import TelegramApp
from bot.telegram.sender import telegram_failure

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
