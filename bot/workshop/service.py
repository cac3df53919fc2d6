"""The workshop's machinery per Application: its runtime and texts, presenting an item (a quiz poll or a
factor card) with its tally, throttled tally edits, ending with the results chart and summary. The handlers
(handlers.py) call it; group messages are sent after the handler returns (`later`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
import uuid
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Poll
from telegram.constants import ParseMode

from bot.app.runtime import Runtime
from bot.engine import BotMessage
from bot.shared import callbacks
from bot.shared.chart_files import chart_dir
from bot.store import workshops as store
from bot.store.models import Workshop
from bot.telegram.context import TelegramApp
from bot.workshop.results import load_results, report
from bot.workshop.session import RATINGS, SCENARIO, answer_options, item_kind
from bot.workshop.texts import WorkshopTexts

log = logging.getLogger(__name__)

DEEP_LINK_PAYLOAD = "ws"
DEFAULT_TALLY_INTERVAL = 3.0  # seconds between tally edits of one workshop (Telegram: ~20 messages/min per group)

Act = callbacks.WorkshopAct
callback = callbacks.workshop


@dataclass
class _Tally:
    """Throttling of one workshop's tally edits: at most one per interval, the last one always made."""

    last: float = 0.0
    dirty: bool = False
    task: asyncio.Task[None] | None = None


@dataclass
class WorkshopService:
    """Per-application workshop machinery: runtime access, texts, tally throttling, known polls."""

    app: TelegramApp
    given_runtime: Runtime | None = None
    tally_interval: float = DEFAULT_TALLY_INTERVAL
    _texts: WorkshopTexts | None = None
    _tallies: dict[int, _Tally] = field(default_factory=dict)
    _polls: dict[str, tuple[int, str]] = field(default_factory=dict)
    _later: dict[int, asyncio.Task[None]] = field(default_factory=dict)
    given_sender: Any = None  # bot/telegram/sender.py's Sender, for the workshop alone (tests)

    @property
    def runtime(self) -> Runtime:
        # The Telegram channel opens its runtime in post_init, after handlers are registered.
        if self.given_runtime is not None:
            return self.given_runtime
        if (channel := self.app.bot_data.channel) is None:
            raise RuntimeError("the workshop has no runtime: none given, and the Telegram channel is not open")
        return channel.runtime

    @property
    def texts(self) -> WorkshopTexts:
        if self._texts is None:
            s = self.runtime.settings
            self._texts = WorkshopTexts(self.runtime.domain, s.languages, s.default_language)
        return self._texts

    @property
    def sender(self) -> Any:
        """The Telegram channel's Sender (pacing, 429 waits, Telegram's errors as DeliveryError), or the one
        given to the workshop alone."""
        channel = self.app.bot_data.channel
        return channel.sender if channel is not None else self.given_sender

    def session(self):
        return self.runtime.sessionmaker()

    def later(self, workshop_id: int, work: Awaitable[Any]) -> None:
        """Run a workshop's group messages after the handler returns, one after another per workshop: a group
        takes a message every 3 s, and a handler that waited for them would hold back every other chat."""
        previous = self._later.get(workshop_id)

        async def chain() -> None:
            if previous is not None:
                with contextlib.suppress(Exception):
                    await previous
            try:
                await work
            except Exception:
                log.error("workshop %s: sending to the group failed", workshop_id, exc_info=True)

        task = self.app.create_task(chain(), name=f"workshop-later-{workshop_id}")
        self._later[workshop_id] = task
        task.add_done_callback(lambda t: self._later.get(workshop_id) is t and self._later.pop(workshop_id))

    # ------------------------------------------------------------------ presenting
    async def present(self, workshop: Workshop) -> None:
        """Show the item at the workshop's step: a quiz poll or a factor card, then the tally with Next/End."""
        bot = self.app.bot
        state, lang, chat_id = workshop.state, workshop.language, workshop.chat_id
        items, step = state["items"], state["step"]
        item = items[step]["id"]
        poll_message = None
        if item_kind(item) == SCENARIO:
            options = answer_options(self.texts.knowledge)
            question, explanation = self.texts.scenario_poll(items, step, lang)
            # Sent here, not through the outbox: the poll's and the control message's ids are stored.
            sent = await self.sender.call(chat_id, lambda: bot.send_poll(
                chat_id, question, [self.texts.option_label(o, lang) for o in options], is_anonymous=False,
                type=Poll.QUIZ, correct_option_ids=[options.index(items[step]["answer"])], explanation=explanation),
                what="sendPoll")
            self._polls[sent.poll.id] = (workshop.id, item)
            poll_message = sent.message_id
            poll_id: str | None = sent.poll.id
        else:
            poll_id = None
            buttons = [InlineKeyboardButton(
                self.texts.t("workshop_rating_button", lang, value=v, label=self.texts.rating_label(v, lang)),
                callback_data=callback(Act.RATE, workshop.id, step, v)) for v in RATINGS]
            await self.sender.call(chat_id, lambda: bot.send_message(
                chat_id, self.texts.factor_card(items, step, lang), parse_mode=ParseMode.HTML,
                reply_markup=InlineKeyboardMarkup([buttons[:2], buttons[2:]])), what="sendMessage")
        control = await self.sender.call(chat_id, lambda: bot.send_message(
            chat_id, self.texts.tally(items, step, {}, lang), reply_markup=self.control_keyboard(workshop)),
            what="sendMessage")
        async with self.session() as session:
            current = await store.get_workshop(session=session, workshop_id=workshop.id, for_update=True)
            if current is None:
                return
            polls = dict(current.state.get("polls", {}))
            if poll_id:
                polls[poll_id] = item
            store.update_state(current, polls=polls, control=control.message_id, poll_message=poll_message)
            await session.commit()

    def control_keyboard(self, workshop: Workshop) -> InlineKeyboardMarkup:
        lang, step = workshop.language, workshop.state["step"]
        last = step >= len(workshop.state["items"]) - 1
        return InlineKeyboardMarkup([[
            InlineKeyboardButton(self.texts.t("workshop_button_results" if last else "workshop_button_next", lang),
                                 callback_data=callback(Act.NEXT, workshop.id, step)),
            InlineKeyboardButton(self.texts.t("workshop_button_end", lang), callback_data=callback(Act.END, workshop.id)),
        ]])

    async def close_round(self, workshop_id: int, chat_id: int, state: dict[str, Any], language: str) -> None:
        """Final tally without buttons, and the quiz closed, for the item that was on screen."""
        self._forget_tally(workshop_id)
        items, step = state.get("items") or [], state.get("step", 0)
        if not items or state.get("control") is None:
            return
        async with self.session() as session:
            counts = await store.item_tally(session=session, workshop_id=workshop_id, item_id=items[step]["id"])
        await self.sender.quietly(chat_id, lambda: self.app.bot.edit_message_text(
            self.texts.tally(items, step, counts, language, closed=True), chat_id, state["control"]),
            what="editMessageText")
        if state.get("poll_message"):
            await self.sender.quietly(chat_id, lambda: self.app.bot.stop_poll(chat_id, state["poll_message"]),
                                      what="stopPoll")

    async def finish(self, workshop_id: int) -> bool:
        """End the workshop (the salt goes), then post the chart, the summary and the deep link."""
        async with self.session() as session:
            workshop = await store.get_workshop(session=session, workshop_id=workshop_id, for_update=True)
            if workshop is None or workshop.status != store.RUNNING:
                return False
            state = dict(workshop.state)
            await store.end_workshop(session=session, workshop=workshop)
            await session.commit()
        await self.close_round(workshop.id, workshop.chat_id, state, workshop.language)
        async with self.session() as session:
            results = await load_results(session=session, workshop=workshop, texts=self.texts)
        png, summary = await asyncio.to_thread(report, results, self.texts)
        bot, lang, chat_id = self.app.bot, workshop.language, workshop.chat_id
        caption = self.texts.t("workshop_results_caption", lang)
        link = f"https://t.me/{bot.username}?start={DEEP_LINK_PAYLOAD}"
        text, button = f"{summary}\n\n{self.texts.t('workshop_invite', lang, link=link)}", \
            self.texts.t("workshop_invite_button", lang)
        channel = self.app.bot_data.channel
        if channel is not None:
            # Through the outbox: the results reach the group even if Telegram is away for a while or the
            # bot restarts meanwhile. The chart goes as a file of the charts folder (purged after a day).
            path = await asyncio.to_thread(_save_chart, png, workshop.id)
            await channel.queue(chat_id, [
                BotMessage(text=caption, image=str(path), custom={"caption": True}),
                BotMessage(text=text, custom={"inline": [[(button, link)]]})], key=f"workshop-results:{workshop.id}")
        else:
            await self.sender.call(chat_id, lambda: bot.send_photo(chat_id, png, caption=caption), what="sendPhoto")
            await self.sender.call(chat_id, lambda: bot.send_message(chat_id, text, reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton(button, url=link)]])), what="sendMessage")
        self._polls = {k: v for k, v in self._polls.items() if v[0] != workshop.id}
        log.info("workshop %s ended with %s participant(s)", workshop.id, results.participants)
        return True

    # ------------------------------------------------------------------ live tally
    def tally_changed(self, workshop_id: int) -> None:
        """A vote arrived: edit the tally now, or once the interval has passed (one pending edit at most)."""
        tally = self._tallies.setdefault(workshop_id, _Tally())
        tally.dirty = True
        if tally.task is None or tally.task.done():
            tally.task = self.app.create_task(self._edit_tally(workshop_id, tally), name=f"workshop-tally-{workshop_id}")

    def _forget_tally(self, workshop_id: int) -> None:
        tally = self._tallies.pop(workshop_id, None)
        if tally is not None and tally.task is not None and not tally.task.done():
            tally.task.cancel()

    async def _edit_tally(self, workshop_id: int, tally: _Tally) -> None:
        while tally.dirty:
            wait = tally.last + self.tally_interval - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            tally.dirty = False
            tally.last = time.monotonic()
            async with self.session() as session:
                workshop = await store.get_workshop(session=session, workshop_id=workshop_id)
                if workshop is None or workshop.status != store.RUNNING or workshop.state.get("control") is None:
                    return
                items, step = workshop.state["items"], workshop.state["step"]
                counts = await store.item_tally(session=session, workshop_id=workshop_id, item_id=items[step]["id"])
            text = self.texts.tally(items, step, counts, workshop.language)
            await self.sender.quietly(workshop.chat_id, lambda w=workshop, t=text: self.app.bot.edit_message_text(
                t, w.chat_id, w.state["control"], reply_markup=self.control_keyboard(w)), what="editMessageText")

    async def close(self) -> None:
        """Cancel pending tally edits (tests, shutdown)."""
        for workshop_id in list(self._tallies):
            self._forget_tally(workshop_id)


def _save_chart(png: bytes, workshop_id: int) -> Path:
    """The results chart as a file for the outbox, renamed into place once whole (the sender waits for it)."""
    folder = chart_dir()
    path = folder / f"workshop-{workshop_id}-{uuid.uuid4().hex}.png"
    partial = path.with_suffix(".part")
    partial.write_bytes(png)
    os.replace(partial, path)
    return path
