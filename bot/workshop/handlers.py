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
import functools
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, ReplyParameters, Update
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    PollAnswerHandler,
    filters,
)

from bot.app.runtime import Runtime
from bot.engine import BotMessage
from bot.shared import callbacks
from bot.store import workshops as store
from bot.store.models import Workshop
from bot.store.staff import is_coordinator
from bot.telegram.context import Context, TelegramApp
from bot.workshop.service import DEFAULT_TALLY_INTERVAL, WorkshopService
from bot.workshop.session import (
    FACTOR,
    RATINGS,
    Programme,
    answer_options,
    decode_choice,
    encode_choice,
    initial_state,
    item_kind,
    quiz_choice,
)

log = logging.getLogger(__name__)

CALLBACK_PATTERN = callbacks.PATTERN[callbacks.Prefix.WORKSHOP]
HANDLER_GROUP = -1


Act = callbacks.WorkshopAct
callback = callbacks.workshop


# ---------------------------------------------------------------------- handlers
Handler = Callable[[Update, Context], Awaitable[None]]


def _stops(handler: Handler) -> Handler:
    """Handled here means handled: the conversation's handlers never see the update (even on error)."""

    @functools.wraps(handler)
    async def wrapper(update: Update, context: Context) -> None:
        try:
            await handler(update, context)
        except (asyncio.CancelledError, ApplicationHandlerStop):
            raise
        except Exception:
            log.error("workshop handler %s failed on update %s", handler.__name__, update.update_id, exc_info=True)
        raise ApplicationHandlerStop

    return wrapper


def _service(context: Context) -> WorkshopService:
    service = context.bot_data.workshop
    if not isinstance(service, WorkshopService):
        raise RuntimeError("the workshop's handlers run without its service: register() sets it")
    return service


Work = Callable[[AsyncSession], Awaitable[list[BotMessage] | None]]


async def _once(update: Update, context: Context, work: Work, *, chat_id: int,
                reply_to: int | None = None) -> bool:
    """Run `work(session)` once per update: its changes, processed_update and its replies in one transaction
    (the Telegram channel's `once`), the replies through the outbox so no handler waits for a paced send.
    False: a redelivered update, nothing done. Without the channel (the workshop alone, in tests) the changes
    commit on their own and the replies are sent at once."""
    channel = context.bot_data.channel
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
async def on_workshop(update: Update, context: Context) -> None:
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
async def on_workshop_end(update: Update, context: Context) -> None:
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
async def on_button(update: Update, context: Context) -> None:
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


async def _start(update: Update, context: Context, programme: Programme, language: str,
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


async def _next(update: Update, context: Context, workshop_id: int, step: int,
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


async def _end(update: Update, context: Context, workshop_id: int, language: str) -> None:
    query, service = update.callback_query, _service(context)
    async with service.session() as session:
        workshop = await store.get_workshop(session=session, workshop_id=workshop_id)
        coordinator = await is_coordinator(session=session, telegram_user_id=query.from_user.id)
    refusal = _refusal(query, workshop, service, language, trainer_only=True, coordinator=coordinator)
    await query.answer(refusal)
    if refusal is None:
        service.later(workshop_id, service.finish(workshop_id))


async def _rate(update: Update, context: Context, workshop_id: int, step: int, value: str,
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
async def on_poll_answer(update: Update, context: Context) -> None:
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


def register(app: TelegramApp, runtime: Runtime | None = None, *, tally_interval: float = DEFAULT_TALLY_INTERVAL,
             group: int = HANDLER_GROUP, sender: Any = None) -> None:
    """Add the workshop handlers; without `runtime`, the Telegram channel's runtime (and Sender) is used;
    `sender`: for the workshop without the channel."""
    app.bot_data.workshop = WorkshopService(app, runtime, tally_interval, given_sender=sender)
    messages = filters.UpdateType.MESSAGE
    app.add_handler(CommandHandler("workshop", on_workshop, filters=messages), group=group)
    app.add_handler(CommandHandler("workshop_end", on_workshop_end, filters=messages), group=group)
    app.add_handler(CallbackQueryHandler(on_button, pattern=CALLBACK_PATTERN), group=group)
    app.add_handler(PollAnswerHandler(on_poll_answer), group=group)
