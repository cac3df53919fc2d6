"""A PTB Application with only the workshop handlers, running against the fake Bot API (tests)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application

from bot.app.runtime import Runtime
from bot.store import workshops as store
from bot.telegram.context import CONTEXT_TYPES
from bot.telegram.sender import Sender
from bot.workshop import register as register_workshop
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import make_runtime

TRAINER_ID = 7001


@dataclass
class WorkshopBot:
    fake: FakeBotApi
    app: Application
    runtime: Runtime

    async def send(self, update: dict[str, Any]) -> None:
        await self.fake.push_update(update)

    def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat as they are now (edits applied), oldest first."""
        found = [m for (c, _), m in self.fake.messages.items() if c == chat_id and m.get("from", {}).get("id") == self.fake.bot_id]
        return sorted(found, key=lambda m: m["message_id"])

    def keyboard_data(self, message: dict[str, Any]) -> list[str]:
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        return [b.get("callback_data", "") for row in rows for b in row]

    def latest_with_button(self, chat_id: int, prefix: str) -> dict[str, Any]:
        found = self.find_latest_with_button(chat_id, prefix)
        assert found, f"no message with a {prefix!r} button"
        return found

    def find_latest_with_button(self, chat_id: int, prefix: str) -> dict[str, Any] | None:
        """The newest message with such a button, or None (e.g. between an edit and the next message)."""
        found = [m for m in self.messages(chat_id) if any(d.startswith(prefix) for d in self.keyboard_data(m))]
        return found[-1] if found else None

    def answers_since(self, since: int) -> list[str]:
        """Texts of answerCallbackQuery calls from call index `since` on."""
        return [c.params.get("text") or "" for c in self.fake.calls[since:] if c.method == "answerCallbackQuery"]


async def eventually(check: Callable[[], Any], timeout: float = 5.0) -> Any:
    """Poll `check` (sync or async) until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def workshop_bot(database_url: str, *, tally_interval: float = 0.2) -> AsyncIterator[WorkshopBot]:
    runtime = await make_runtime(database_url)
    async with runtime.sessionmaker() as session:
        await store.add_trainer(session=session, telegram_user_id=TRAINER_ID, name="Formadora")
        await session.commit()
    try:
        async with FakeBotApi(username=U.BOT_USERNAME) as fake:
            app = (Application.builder().token(fake.token).base_url(fake.base_url)
                   .base_file_url(fake.base_file_url).context_types(CONTEXT_TYPES).build())
            register_workshop(app, runtime, tally_interval=tally_interval,
                                       sender=Sender(max_retries=4, pace=False))
            await app.initialize()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            await app.start()
            try:
                yield WorkshopBot(fake, app, runtime)
            finally:
                await app.bot_data.workshop.close()
                await app.updater.stop()
                await app.stop()
                await app.shutdown()
    finally:
        await runtime.close()
