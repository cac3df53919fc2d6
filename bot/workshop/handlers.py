"""Workshop mode in Telegram (python-telegram-bot 22): /workshop, /workshop_end, `ws:` buttons, quiz answers.

The handlers sit in a handler group before the conversation's (default -1) and stop the update there,
so a /workshop in a private chat never reaches the engine. Callback data:

    ws:p:<programme>:<lang>[:<n>:<kinds>]  the trainer picks a programme (n cases of the kinds r, p, m)
    ws:n:<workshop>:<step>           Next (the step makes a repeated or late press harmless)
    ws:e:<workshop>                  End
    ws:r:<workshop>:<step>:<1-4>     a participant rates their own entity on the factor card
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Poll, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    PollAnswerHandler,
    filters,
)

from bot.app.runtime import Runtime
from bot.engine import BotMessage
from bot.shared import callbacks
from bot.shared.chart_files import chart_dir
from bot.store import workshops as store
from bot.store.models import Workshop
from bot.store.staff import is_coordinator
from bot.workshop.report import load_results, report
from bot.workshop.session import (
    FACTOR,
    RATINGS,
    SCENARIO,
    Programme,
    answer_options,
    decode_choice,
    encode_choice,
    initial_state,
    item_kind,
    quiz_choice,
)
from bot.workshop.texts import WorkshopTexts

log = logging.getLogger(__name__)

CALLBACK_PATTERN = callbacks.PATTERN[callbacks.Prefix.WORKSHOP]
DEEP_LINK_PAYLOAD = "ws"
DEFAULT_TALLY_INTERVAL = 3.0  # seconds between tally edits of one workshop (Telegram: ~20 messages/min per group)
HANDLER_GROUP = -1


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

    app: Application
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
        return self.given_runtime or self.app.bot_data.channel.runtime

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


def _save_chart(png: bytes, workshop_id: int):
    """The results chart as a file for the outbox, renamed into place once whole (the sender waits for it)."""
    folder = chart_dir()
    path = folder / f"workshop-{workshop_id}-{uuid.uuid4().hex}.png"
    partial = path.with_suffix(".part")
    partial.write_bytes(png)
    os.replace(partial, path)
    return path


# ---------------------------------------------------------------------- handlers
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


def _stops(handler: Handler) -> Handler:
    """Handled here means handled: the conversation's handlers never see the update (even on error)."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await handler(update, context)
        except (asyncio.CancelledError, ApplicationHandlerStop):
            raise
        except Exception:
            log.error("workshop handler %s failed on update %s", handler.__name__, update.update_id, exc_info=True)
        raise ApplicationHandlerStop

    return wrapper


def _service(context: ContextTypes.DEFAULT_TYPE) -> WorkshopService:
    return context.application.bot_data.workshop


Work = Callable[[AsyncSession], Awaitable[list[BotMessage] | None]]


async def _once(update: Update, context: ContextTypes.DEFAULT_TYPE, work: Work, *, chat_id: int,
                reply_to: int | None = None) -> bool:
    """Run `work(session)` once per update: its changes, processed_update and its replies in one transaction
    (the Telegram channel's `once`), the replies through the outbox so no handler waits for a paced send.
    False: a redelivered update, nothing done. Without the channel (the workshop alone, in tests) the changes
    commit on their own and the replies are sent at once."""
    channel = context.application.bot_data.channel
    if channel is not None:
        return await channel.once(update_id=update.update_id, chat_id=chat_id, work=work, reply_to=reply_to)
    async with _service(context).session() as session, session.begin():
        replies = await work(session) or []
    answering = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    for reply in replies:
        rows = (reply.custom or {}).get("inline")
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d) for t, d in row] for row in rows]) \
            if rows else None
        await _service(context).sender.call(chat_id, lambda reply=reply, markup=markup: context.bot.send_message(
            chat_id, reply.text, reply_markup=markup, reply_parameters=answering), what="sendMessage")
    return True


def _said(text: str, inline: list[list[tuple[str, str]]] | None = None) -> list[BotMessage]:
    return [BotMessage(text=text, custom={"inline": inline} if inline else None)]


@_stops
async def on_workshop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/workshop [ca|es|en]: a trainer gets the programme choice; anyone else a short refusal."""
    service, message, user = _service(context), update.effective_message, update.effective_user
    if message is None or user is None:
        return
    texts = service.texts
    language = texts.language_for(*(context.args or [])[:1], user.language_code)
    # "/workshop ca 8 reactives mixtes": how many cases and which kinds (all of them, shuffled, by default)
    choice = encode_choice(*quiz_choice(list(context.args or [])))

    async def work(session: AsyncSession) -> list[BotMessage]:
        if not await store.is_trainer(session=session, telegram_user_id=user.id):
            return _said(texts.t("workshop_only_trainer_start", texts.language_for(user.language_code)))
        if await store.running_workshop(session=session, chat_id=message.chat_id) is not None:
            return _said(texts.t("workshop_already_running", language))
        return _said(texts.t("workshop_choose_programme", language),
                     [[(texts.programme_label(p, language), callback(Act.PROGRAMME, p, language, *choice))]
                      for p in Programme])

    await _once(update, context, work, chat_id=message.chat_id, reply_to=message.message_id)


@_stops
async def on_workshop_end(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/workshop_end: the trainer who started the workshop running in this chat (or a coordinator) ends it."""
    service, message, user = _service(context), update.effective_message, update.effective_user
    if message is None or user is None:
        return
    texts = service.texts
    ending: list[int] = []

    async def work(session: AsyncSession) -> list[BotMessage] | None:
        trainer = await store.is_trainer(session=session, telegram_user_id=user.id)
        coordinator = await is_coordinator(session=session, telegram_user_id=user.id)
        running = await store.running_workshop(session=session, chat_id=message.chat_id)
        language = running.language if running is not None else texts.language_for(user.language_code)
        if not coordinator and (not trainer or (running is not None and running.trainer_user_id != user.id)):
            return _said(texts.t("workshop_only_trainer", texts.language_for(user.language_code)))
        if running is None:
            return _said(texts.t("workshop_none_running", language))
        ending.append(running.id)
        return None

    if await _once(update, context, work, chat_id=message.chat_id, reply_to=message.message_id) and ending:
        service.later(ending[0], service.finish(ending[0]))


@_stops
async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every `ws:` button: trainers' programme/Next/End, participants' ratings."""
    query, service = update.callback_query, _service(context)
    if query is None or query.message is None:
        return
    pressed = callbacks.parse_workshop(query.data)
    user_language = service.texts.language_for(query.from_user.language_code)
    try:
        if pressed is None:
            raise ValueError("not a workshop button")
        act, args = pressed.act, pressed.args
        if act is Act.RATE:
            await _rate(update, context, pressed.number(0), pressed.number(1), args[2], user_language)
        elif act is Act.PROGRAMME:
            await _start(update, context, Programme(args[0]), service.texts.language_for(args[1]), user_language,
                         decode_choice(args[2:]))
        elif act is Act.NEXT:
            await _next(update, context, pressed.number(0), pressed.number(1), user_language)
        else:
            await _end(update, context, pressed.number(0), user_language)
    except (IndexError, ValueError):
        await query.answer()  # not a button we made


def _refusal(query: Any, workshop: Workshop | None, service: WorkshopService, language: str, *,
             trainer_only: bool, coordinator: bool = False) -> str | None:
    """Why this press does not count: another chat's workshop (forged or stale data), not its trainer
    (a programme coordinator may also advance or end it)."""
    if workshop is None or workshop.status != store.RUNNING:
        return service.texts.t("workshop_ended_already", language)
    if workshop.chat_id != query.message.chat.id:
        return service.texts.t("workshop_card_closed", language)
    if trainer_only and workshop.trainer_user_id != query.from_user.id and not coordinator:
        return service.texts.t("workshop_only_trainer", language)
    return None


async def _start(update: Update, context: ContextTypes.DEFAULT_TYPE, programme: Programme, language: str,
                 user_language: str, choice: tuple[int | None, list[str]] = (None, [])) -> None:
    query, service = update.callback_query, _service(context)
    chat_id = query.message.chat.id
    count, kinds = choice
    state = initial_state(programme, service.texts.knowledge, count=count, kinds=kinds)
    state["group"] = (query.message.chat.title or "")[:128]  # the group's name, for the workshop's page
    said: list[str] = []
    started: list[Workshop] = []

    async def work(session: AsyncSession) -> None:
        if not await store.is_trainer(session=session, telegram_user_id=query.from_user.id):
            said.append(service.texts.t("workshop_only_trainer", user_language))
        elif await store.running_workshop(session=session, chat_id=chat_id) is not None:
            said.append(service.texts.t("workshop_already_running", language))
        elif not state["items"]:
            said.append(service.texts.t("workshop_nothing_to_show", language))
        else:
            started.append(await store.create_workshop(
                session=session, chat_id=chat_id, trainer_user_id=query.from_user.id, programme=programme.value,
                language=language, state=state))

    if not await _once(update, context, work, chat_id=chat_id):
        await query.answer()
        return
    await query.answer(said[0] if said else None)
    if not started:
        return
    workshop = started[0]
    log.info("workshop %s started (%s, %s items)", workshop.id, programme.value, len(state["items"]))
    text = service.texts.t("workshop_started", language, programme=service.texts.programme_label(programme, language))

    async def show() -> None:
        await service.sender.quietly(chat_id, lambda: query.edit_message_text(text), what="editMessageText")
        await service.present(workshop)

    service.later(workshop.id, show())


async def _next(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop_id: int, step: int,
                language: str) -> None:
    query, service = update.callback_query, _service(context)
    said: list[str] = []
    moved: list[tuple[Workshop, dict[str, Any], bool]] = []

    async def work(session: AsyncSession) -> None:
        workshop = await store.get_workshop(session=session, workshop_id=workshop_id, for_update=True)
        coordinator = await is_coordinator(session=session, telegram_user_id=query.from_user.id)
        refusal = _refusal(query, workshop, service, language, trainer_only=True, coordinator=coordinator)
        if refusal is not None:
            said.append(refusal)
            return
        if workshop.state.get("step") != step:
            said.append(service.texts.t("workshop_moved_on", language))
            return
        before = dict(workshop.state)
        last = step >= len(before["items"]) - 1
        if not last:
            store.update_state(workshop, step=step + 1, control=None, poll_message=None)
        moved.append((workshop, before, last))

    if not await _once(update, context, work, chat_id=query.message.chat.id):
        await query.answer()
        return
    await query.answer(said[0] if said else None)
    if not moved:
        return
    workshop, before, last = moved[0]
    if last:
        service.later(workshop_id, service.finish(workshop_id))
        return

    async def show() -> None:  # group messages wait their turn (one every 3 s): not in the handler
        await service.close_round(workshop_id, workshop.chat_id, before, workshop.language)
        await service.present(workshop)

    service.later(workshop_id, show())


async def _end(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop_id: int, language: str) -> None:
    query, service = update.callback_query, _service(context)
    async with service.session() as session:
        workshop = await store.get_workshop(session=session, workshop_id=workshop_id)
        coordinator = await is_coordinator(session=session, telegram_user_id=query.from_user.id)
    refusal = _refusal(query, workshop, service, language, trainer_only=True, coordinator=coordinator)
    await query.answer(refusal)
    if refusal is None:
        service.later(workshop_id, service.finish(workshop_id))


async def _rate(update: Update, context: ContextTypes.DEFAULT_TYPE, workshop_id: int, step: int, value: str,
                language: str) -> None:
    query, service = update.callback_query, _service(context)
    if value not in RATINGS:
        await query.answer()
        return
    said: list[str] = []

    async def work(session: AsyncSession) -> None:
        workshop = await store.get_workshop(session=session, workshop_id=workshop_id)
        refusal = _refusal(query, workshop, service, language, trainer_only=False)
        if refusal is None and not workshop.state.get("salt"):
            refusal = service.texts.t("workshop_ended_already", language)
        if refusal is not None:
            said.append(refusal)
            return
        items = workshop.state["items"]
        if workshop.state.get("step") != step or item_kind(items[step]["id"]) != FACTOR:
            said.append(service.texts.t("workshop_card_closed", language))
            return
        participant = store.pseudonym(salt=workshop.state["salt"], workshop_id=workshop_id, user_id=query.from_user.id)
        await store.record_rating(session=session, workshop_id=workshop_id, item_id=items[step]["id"],
                                  participant=participant, value=value)

    if not await _once(update, context, work, chat_id=query.message.chat.id):
        await query.answer()  # a redelivered press: counted once already
        return
    if said:
        await query.answer(said[0])
        return
    await query.answer(service.texts.t("workshop_rating_saved", language, value=value,
                                       label=service.texts.rating_label(value, language)))
    service.tally_changed(workshop_id)


@_stops
async def on_poll_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A quiz answer: the participant's first answer to each case counts, under their pseudonym."""
    answer, service = update.poll_answer, _service(context)
    if answer is None or answer.user is None or not answer.option_ids:
        return  # anonymous (a channel voting) or a retracted vote: nothing to count
    counted: list[int] = []

    async def work(session: AsyncSession) -> None:
        known = service._polls.get(answer.poll_id)
        if known is not None:
            workshop = await store.get_workshop(session=session, workshop_id=known[0])
            item = known[1]
        else:
            found = await store.workshop_for_poll(session=session, poll_id=answer.poll_id)
            if found is None:
                return
            workshop, item = found
        if workshop is None or workshop.status != store.RUNNING or not workshop.state.get("salt"):
            return
        options = answer_options(service.texts.knowledge)
        index = answer.option_ids[0]
        if not 0 <= index < len(options):
            return
        participant = store.pseudonym(salt=workshop.state["salt"], workshop_id=workshop.id, user_id=answer.user.id)
        if await store.record_answer(session=session, workshop_id=workshop.id, item_id=item,
                                     participant=participant, value=options[index]):
            counted.append(workshop.id)

    # No chat: the pseudonymous answer is recorded once per update, with no reply.
    if await _once(update, context, work, chat_id=answer.user.id) and counted:
        service.tally_changed(counted[0])


def register_workshop_handlers(app: Application, runtime: Runtime | None = None, *,
                               tally_interval: float = DEFAULT_TALLY_INTERVAL, group: int = HANDLER_GROUP,
                               sender: Any = None) -> None:
    """Add the workshop handlers; without `runtime`, the Telegram channel's runtime (and Sender) is used;
    `sender`: for the workshop without the channel."""
    app.bot_data.workshop = WorkshopService(app, runtime, tally_interval, given_sender=sender)
    messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("workshop", on_workshop, filters=messages), group=group)
    app.add_handler(CommandHandler("workshop_end", on_workshop_end, filters=messages), group=group)
    app.add_handler(CallbackQueryHandler(on_button, pattern=CALLBACK_PATTERN), group=group)
    app.add_handler(PollAnswerHandler(on_poll_answer), group=group)
