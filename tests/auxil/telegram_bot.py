"""Running the real Telegram Application against the fake Bot API, in-process, for tests."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from telegram.ext import Application

from bot.app.runtime import Runtime
from bot.channels import build_application, serve
from bot.config import Settings
from bot.telegram.channel import TelegramChannel
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import Call, FakeBotApi
from tests.auxil.runtime import make_runtime, settings_for_tests

WEBHOOK_SECRET = "s3cret-token_for-tests"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_settings(database_url: str, fake: FakeBotApi, *, webhook: bool = False, rate_limit: bool = False,
                 max_send_retries: int = 5) -> Settings:
    settings = settings_for_tests(database_url, telegram_token=fake.token, telegram_api_base_url=fake.base_url)
    telegram = replace(settings.telegram, rate_limit=rate_limit, polling_timeout_seconds=1,
                       max_send_retries=max_send_retries)
    if webhook:
        port = free_port()
        telegram = replace(telegram, webhook_listen="127.0.0.1", webhook_port=port, webhook_path="tg-hook")
        settings = replace(settings, webhook_url=f"http://127.0.0.1:{port}/tg-hook", webhook_secret=WEBHOOK_SECRET)
    return replace(settings, telegram=telegram)


class Bots:
    """Starts the real Application (polling, or webhook per its settings) against a fake Bot API and stops
    it, as `aliat run` does: the `bots` fixture. `start` returns once post_init has run (the channel, the
    notifier and the web server are in `app.bot_data`); after `stop` they are still there to read (the
    counters, the runtime). `close` stops what still runs, then closes the runtimes made by `runtime`."""

    def __init__(self, fake: FakeBotApi, database_url: str | None = None) -> None:
        self.fake = fake
        self.database_url = database_url
        self._running: dict[int, tuple[Application, Settings, Runtime | None, asyncio.Event, asyncio.Task[None]]] = {}
        self._runtimes: list[Runtime] = []

    def settings(self, database_url: str | None = None, **options: Any) -> Settings:
        """`bot_settings` for this fake and database (webhook=, rate_limit=, max_send_retries=)."""
        database_url = database_url or self.database_url
        assert database_url is not None, "no database given"
        return bot_settings(database_url, self.fake, **options)

    async def runtime(self, database_url: str | None = None) -> Runtime:
        """A runtime of the test's own, to give to `start` and to read after `stop`; closed after the bots."""
        database_url = database_url or self.database_url
        assert database_url is not None, "no database given"
        runtime = await make_runtime(database_url)
        self._runtimes.append(runtime)
        return runtime

    async def start(self, settings: Settings | None = None, runtime: Runtime | None = None,
                    **options: Any) -> Application:
        """A running bot with `settings` (else `self.settings(**options)`), on `runtime` when given (the
        test closes it), else on one the Application opens and closes itself."""
        settings = settings or self.settings(**options)
        app = build_application(settings, runtime)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(app, settings, stop))
        self._running[id(app)] = (app, settings, runtime, stop, task)
        since = len(self.fake.calls)
        # serve() calls these once post_init is done; the fake records a call when it has answered it
        waiting = "setWebhook" if settings.webhook_url else "deleteWebhook"
        await self.fake.wait_for(lambda c: c.method == waiting or task.done(), timeout=30,  # a busy machine
                                 since=since)
        if task.done():
            self._running.pop(id(app))
            task.result()
        return app

    async def stop(self, app: Application) -> None:
        """What SIGTERM does in `aliat run`: stop, drain the replies, shut down."""
        _app, _settings, _runtime, stop, task = self._running.pop(id(app))
        stop.set()
        await asyncio.wait_for(task, 15)

    async def restart(self, app: Application) -> Application:
        """Stop `app`, then start a new Application with its settings and runtime."""
        _app, settings, runtime, _stop, _task = self._running[id(app)]
        await self.stop(app)
        return await self.start(settings, runtime)

    async def close(self) -> None:
        try:
            for app, *_ in list(self._running.values()):
                await self.stop(app)
        finally:
            for runtime in self._runtimes:
                await runtime.close()


@contextlib.asynccontextmanager
async def running_bot(settings: Settings, fake: FakeBotApi, runtime: Runtime | None = None) -> AsyncIterator[Application]:
    """Start the bot (polling or webhook per settings); stop it on exit."""
    bots = Bots(fake)
    try:
        yield await bots.start(settings, runtime)
    finally:
        await bots.close()


def channel(app: Application) -> TelegramChannel:
    return app.bot_data.channel


def keyboard_message(fake: FakeBotApi, chat_id: int) -> dict[str, Any]:
    """The latest message in the chat that still has an inline keyboard."""
    found = [m for (c, _mid), m in fake.messages.items() if c == chat_id and m.get("reply_markup")
             and m.get("from", {}).get("id") == fake.bot_id]
    assert found, "no message with a keyboard"
    return max(found, key=lambda m: m["message_id"])


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for row in message["reply_markup"]["inline_keyboard"] for b in row]


def press(fake: FakeBotApi, message: dict[str, Any], title_or_index: str | int, *,
          user_id: int | None = None, **kw: Any) -> dict[str, Any]:
    """A callback_query update for a button of a message the bot sent."""
    options = buttons(message)
    if isinstance(title_or_index, int):
        button = options[title_or_index]
    else:
        button = next(b for b in options if title_or_index in b["text"])
    chat_id = message["chat"]["id"]
    return U.make_callback(button["callback_data"], chat_id=chat_id, user_id=user_id or chat_id,
                           message_id=message["message_id"], message_text=message.get("text", ""),
                           reply_markup=message["reply_markup"], **kw)


async def wait_sends(fake: FakeBotApi, count: int, *, since: int, timeout: float = 8.0) -> list[Call]:
    """Wait for `count` successful sendMessage/sendPhoto calls after index `since`."""
    return await fake.wait_for(lambda c: c.ok and c.method in ("sendMessage", "sendPhoto"), count,
                               timeout=timeout, since=since)


async def settle(fake: FakeBotApi, quiet: float = 0.3, timeout: float = 8.0) -> None:
    """Wait until the bot has made no call except getUpdates for `quiet` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        n = len([c for c in fake.calls if c.method != "getUpdates"])
        await asyncio.sleep(quiet)
        if n == len([c for c in fake.calls if c.method != "getUpdates"]):
            return
    raise TimeoutError("the bot kept calling")


TEST_FORM = """
# A small form for Telegram tests, next to the real content (copied for the test).
commands:
  tgtest: tg_test
rules:
  - intent: tg_test
    steps: [tg_test_form]
forms:
  tg_test_form:
    slots:
      - name: tg_name
        type: text
      - name: tg_colour
        type: choice
      - name: tg_phone
        type: phone
    on_complete: [utter_tg_done]
responses:
  utter_ask_tg_name:
    text: {ca: "Nom?", es: "¿Nombre?", en: "Name?"}
  utter_ask_tg_colour:
    text: {ca: "Color?", es: "¿Color?", en: "Colour?"}
    buttons:
      - {payload: green, title: {ca: "Verd", es: "Verde", en: "Green"}}
      - {payload: blue, title: {ca: "Blau", es: "Azul", en: "Blue"}}
  utter_ask_tg_phone:
    text: {ca: "Telèfon?", es: "¿Teléfono?", en: "Phone?"}
  utter_tg_done:
    text: {ca: "Fet, {tg_name}: {tg_colour} {tg_phone}", es: "Hecho, {tg_name}", en: "Done, {tg_name}"}
"""


def dialogues_with_test_form(tmp_path, settings: Settings) -> Settings:
    """A copy of the real dialogues/ plus TEST_FORM, so the tests do not depend on the journey's wording."""
    import shutil

    target = tmp_path / "dialogues"
    shutil.copytree(settings.dialogues_dir, target)
    (target / "zz_telegram_test.yml").write_text(TEST_FORM, encoding="utf-8")
    paths = replace(settings.paths, dialogues=str(target), knowledge=str(settings.knowledge_dir))
    return replace(settings, paths=paths)


async def deliver_until(notifier: Any, done: Any, tries: int = 100) -> None:
    """Run the notifier's delivery pass until `done()` says what was waited for has gone out."""
    for _ in range(tries):
        await notifier.run_once()
        if done():
            return
        await asyncio.sleep(0.05)
