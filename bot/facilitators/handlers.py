"""Telegram handlers for facilitators: lead card buttons, /leads, /lead, /claim, /reply, status commands.

Registered in a group before the conversation's handlers; an update handled here stops there, so a
facilitator's command or reply never reaches the entity's assistant. Only registered, active
facilitators can act: anyone else is told so and nothing changes.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import callbacks
from bot.addresses import telegram_address
from bot.engine import BotMessage
from bot.engine.render import Renderer
from bot.export_safe import strip_controls
from bot.facilitators.cards import CardAction, details_text, lead_line, status_line
from bot.numbers import parse_int
from bot.store import facilitators as facilitator_store
from bot.store import lead_admin, outbox
from bot.store import leads as store
from bot.store.models import Coordinator, Facilitator
from bot.store.outbox import DeliveryError, wake
from bot.store.staff import get_coordinator
from bot.textsplit import split_text

log = logging.getLogger(__name__)
LEAD_REF = re.compile(r"#([0-9]{1,9})\b")
COMMANDS = ("leads", "lead", "claim", "reply", "contacted", "release", "close", "note", "reassign", "reopen")
COORDINATOR_COMMANDS = ("reassign", "reopen", "release", "close")
OUTCOME_WORDS = {"formed": "alliance_formed", "alliance": "alliance_formed", "alliance_formed": "alliance_formed",
                 "dropped": "not_pursued", "not_pursued": "not_pursued", "no": "not_pursued"}


class LeadDesk:
    """What facilitators can do to leads, channel-neutral: each call returns the text to show them."""

    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.r = Renderer(runtime.domain, runtime.settings.default_language, runtime.settings.programme.time_zone)

    @contextlib.asynccontextmanager
    async def _tx(self, session: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        """The caller's transaction (the update's, with its processed_update row), else a new one."""
        if session is not None:
            yield session
            return
        async with self.runtime.sessionmaker() as own, own.begin():
            yield own

    def lang(self, facilitator: Facilitator | None) -> str:
        return (facilitator.language if facilitator else None) or self.settings.default_language

    async def facilitator(self, user_id: int) -> Facilitator | None:
        async with self.runtime.sessionmaker() as session:
            return await facilitator_store.get_facilitator(session=session, telegram_user_id=user_id)

    async def view(self, lead_id: int, *, with_events: bool = False,
                   session: AsyncSession | None = None) -> store.LeadView | None:
        if session is not None:
            return await store.show_lead(session=session, lead_id=lead_id, with_events=with_events)
        async with self.runtime.sessionmaker() as own:
            return await store.show_lead(session=own, lead_id=lead_id, with_events=with_events)

    def _refusal(self, result: store.LeadResult, lang: str) -> str:
        if result.reason == "not_found":
            return self.r.text("utter_fac_not_found", lang)
        if result.reason == "closed":
            return self.r.text("utter_fac_closed", lang)
        if result.reason == "taken" and result.holder is not None:
            return self.r.text("utter_fac_taken", lang, {"holder": result.holder.name})
        return self.r.text("utter_fac_not_yours", lang)

    async def change(self, facilitator: Facilitator, lead_id: int, action: CardAction | str,
                     note: str | None = None, *, session: AsyncSession | None = None) -> tuple[bool, str]:
        """Claim, release, mark contacted or close; (changed, what to tell the facilitator)."""
        lang = self.lang(facilitator)
        note = strip_controls(note) if note else note  # stored free text: no control characters
        outer = session
        async with self._tx(outer) as session:
            lead = await store.get_lead(session=session, lead_id=lead_id)
            if lead is None:
                return False, self.r.text("utter_fac_not_found", lang)
            values = {"facilitator_name": facilitator.name}
            if action == CardAction.CLAIM:
                notice = {"text": self.r.text("utter_handoff_taken", lead.language, values)}
                result = await store.claim_lead(session=session, lead_id=lead_id, facilitator=facilitator,
                                                notice=notice)
            elif action == CardAction.RELEASE:
                result = await store.release_lead(session=session, lead_id=lead_id, facilitator=facilitator,
                                                  note=note)
            elif action == CardAction.CONTACTED:
                result = await store.mark_contacted(session=session, lead_id=lead_id, facilitator=facilitator,
                                                    note=note)
            else:
                outcome = "alliance_formed" if action == CardAction.FORMED else "not_pursued"
                notice = {"text": self.r.text("utter_handoff_closed_notice", lead.language, values)}
                result = await store.close_lead(session=session, lead_id=lead_id, facilitator=facilitator,
                                                outcome=outcome, note=note, notice=notice)
            if not result.ok:
                return False, self._refusal(result, lang)
            await outbox.add_outbox(session=session, payload=outbox.LeadRefresh(lead_id=lead_id))
            view = await self.view(lead_id, session=session) if outer is not None else None
        if outer is None:
            wake()
            view = await self.view(lead_id)
        log.info("lead %s: %s by facilitator %s", lead_id, action, facilitator.id)
        if action == CardAction.CLAIM:
            return True, self.r.text("utter_fac_claimed", lang, {"lead_id": lead_id})
        return True, self.r.text("utter_fac_done", lang, {"lead_id": lead_id, "status_line": status_line(
            self.r, view, lang)})

    async def reply(self, facilitator: Facilitator, lead_id: int, text: str, *,
                    copy: tuple[int, int] | None = None, session: AsyncSession | None = None) -> str:
        """Pass a facilitator's words (and a photo or file: `copy`) to the entity whose lead they hold."""
        lang = self.lang(facilitator)
        text = strip_controls(text)
        outer = session
        async with self._tx(outer) as session:
            lead = await store.get_lead(session=session, lead_id=lead_id)
            if lead is None or lead.status not in store.HELD or lead.assignee_id != facilitator.id:
                return self.r.text("utter_fac_not_relayable", lang)
            sender_id = (lead.dossier or {}).get("sender_id")
            if not sender_id:
                return self.r.text("utter_fac_not_relayable", lang)
            if copy is not None and not text.strip():
                text = self.r.text("utter_relay_attachment", lead.language)
            body = self.r.text("utter_facilitator_says", lead.language,
                               {"facilitator_name": facilitator.name, "text": text})
            entity_name = ((lead.dossier or {}).get("entity") or {}).get("name") or "?"
            # who to tell if it never arrives (bot/notifier/notifier.py: `_reply_failed`)
            payload = outbox.EntityMessage(to=sender_id, text=body, from_address=telegram_address(
                facilitator.telegram_user_id), from_lang=lang, entity_name=entity_name)
            if copy is not None:
                payload.copy = outbox.copy_request(*copy)
                payload.copy_failed_text = self.r.text("utter_relay_non_text", lead.language)
            await outbox.add_outbox(session=session, payload=payload)
            await store.add_lead_event(session=session, lead_id=lead_id, actor=store.actor_of(facilitator),
                                       action="replied", note=text if text.strip() else None)
        if outer is None:
            wake()
        return self.r.text("utter_fac_reply_sent", lang, {"entity_name": entity_name})

    async def note(self, facilitator: Facilitator, lead_id: int, text: str, *,
                   session: AsyncSession | None = None) -> str:
        lang = self.lang(facilitator)
        text = strip_controls(text)
        async with self._tx(session) as session:
            ok = await store.add_note(session=session, lead_id=lead_id, facilitator=facilitator, note=text)
        return self.r.text("utter_fac_note_saved" if ok else "utter_fac_not_found", lang, {"lead_id": lead_id})

    async def leads(self, facilitator: Facilitator) -> str:
        lang = self.lang(facilitator)
        handoff = self.settings.handoff
        async with self.runtime.sessionmaker() as session:
            rows = [row for row in await store.list_leads(session=session, open_only=True,
                                                          claim_hours=handoff.reminder_unclaimed_hours,
                                                          contact_days=handoff.reminder_no_contact_days)
                    if row["assignee_id"] in (None, facilitator.id)]  # store.may_see: the dashboard's rule
        if not rows:
            return self.r.text("utter_fac_leads_empty", lang)
        # urgent first, then the longest waiting (store.list_leads); ⏰ for a lead past its time
        lines = [self.r.text("utter_fac_leads_header", lang)]
        for row in rows:
            view = await self.view(row["id"])
            lines.append(lead_line(self.r, view, row, lang, mine=row["assignee_id"] == facilitator.id))
        return "\n".join(lines)

    async def details(self, facilitator: Facilitator, lead_id: int) -> str:
        view = await self.view(lead_id, with_events=True)
        lang = self.lang(facilitator)
        if view is None or not store.may_see(view.lead, facilitator_id=facilitator.id):
            return self.r.text("utter_fac_not_found", lang)  # another's lead: as on the dashboard, not there
        return details_text(self.r, view, lang)


class FacilitatorHandlers:
    def __init__(self, runtime=None) -> None:
        self._desk = LeadDesk(runtime) if runtime is not None else None

    def desk_for(self, context: ContextTypes.DEFAULT_TYPE) -> LeadDesk:
        """The runtime given at registration, else the Telegram channel's (opened in post_init)."""
        if self._desk is None:
            self._desk = LeadDesk(context.application.bot_data.channel.runtime)
        return self._desk

    async def on_card_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        desk = self.desk_for(context)
        pressed = callbacks.parse_lead(query.data)
        facilitator = await desk.facilitator(query.from_user.id) if pressed else None
        lang = desk.lang(facilitator)
        if pressed is None:
            await query.answer(desk.r.text("utter_fac_invalid", lang), show_alert=True)
            raise ApplicationHandlerStop
        if facilitator is None:
            log.info("card button refused: not a facilitator")
            await query.answer(desk.r.text("utter_fac_not_facilitator", lang), show_alert=True)
            raise ApplicationHandlerStop
        lead_id, action = pressed.lead_id, pressed.action
        if action == CardAction.DETAILS:
            await query.answer(await self._send_private(context, facilitator, await desk.details(facilitator, lead_id)))
            raise ApplicationHandlerStop
        if action == CardAction.DROPPED:
            # Closing without an alliance is never one tap: it takes a reason, said with /close (the how,
            # with the list, in private: an alert holds 200 characters).
            await self._send_private(context, facilitator, close_how(desk.r, lead_id, lang))
            await query.answer(desk.r.text("utter_fac_close_reason_needed", lang), show_alert=True)
            raise ApplicationHandlerStop
        outcome: list[tuple[bool, str]] = []

        async def work(session: AsyncSession) -> None:
            outcome.append(await desk.change(facilitator, lead_id, action, session=session))

        # The change and processed_update commit together: a redelivered press changes nothing twice. The
        # card itself is edited by the notifier (the lead_refresh row written with the change), not here:
        # an edit in a group waits its turn (a message every 3 s) and the handler must not.
        chat_id = query.message.chat.id if query.message is not None else query.from_user.id
        if not await _channel(context).once(update_id=update.update_id, chat_id=chat_id, work=work):
            await query.answer()
            raise ApplicationHandlerStop
        wake()
        changed, text = outcome[0]
        await query.answer(text, show_alert=not changed)
        raise ApplicationHandlerStop

    async def _send_private(self, context: ContextTypes.DEFAULT_TYPE, facilitator: Facilitator, text: str) -> str:
        desk = self.desk_for(context)
        lang = desk.lang(facilitator)
        chat_id = facilitator.telegram_user_id
        try:  # answered at once (not through the outbox): the button's answer says whether it went
            for piece in split_text(text):  # a dossier with long notes is longer than one message
                await _channel(context).sender.call(
                    chat_id, lambda piece=piece: context.bot.send_message(chat_id=chat_id, text=piece),
                    what="sendMessage", paced=False)
        except DeliveryError:
            return desk.r.text("utter_fac_open_private", lang)
        return desk.r.text("utter_fac_details_sent", lang)

    async def on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.effective_message
        desk = self.desk_for(context)
        facilitator = await desk.facilitator(update.effective_user.id)
        lang = desk.lang(facilitator)
        command = (message.text or "").split()[0].lstrip("/").split("@")[0].lower()
        coordinator = None
        if command in COORDINATOR_COMMANDS and (facilitator is None or command in ("reassign", "reopen")):
            async with desk.runtime.sessionmaker() as session:
                coordinator = await get_coordinator(session=session, telegram_user_id=update.effective_user.id)
            lang = (coordinator.language if coordinator else None) or lang
        args = list(context.args or [])
        lead_id = parse_int(args[0].lstrip("#")) if args else None
        rest = " ".join(args[1:]).strip()
        private = message.chat.type == "private"
        sent_privately = None
        if facilitator is not None and command == "lead" and lead_id is not None and not private:
            # Details go to the facilitator's private chat, never to the group (read-only: no effect to record).
            sent_privately = await self._send_private(context, facilitator, await desk.details(facilitator, lead_id))

        async def work(session: AsyncSession) -> list[BotMessage]:
            if coordinator is not None:
                return [BotMessage(text=await coordinator_command(desk, coordinator, command, lead_id, rest, lang,
                                                                  session))]
            return [BotMessage(text=await self._command_text(desk, facilitator, command, lead_id, rest, lang,
                                                               sent_privately, session))]

        # The change, processed_update and the answer commit together; the answer goes through the outbox.
        if await _channel(context).once(update_id=update.update_id, chat_id=message.chat_id, work=work,
                                        reply_to=None if private else message.message_id):
            wake()
        raise ApplicationHandlerStop

    async def _command_text(self, desk: LeadDesk, facilitator: Facilitator | None, command: str,
                            lead_id: int | None, rest: str, lang: str, sent_privately: str | None,
                            session: AsyncSession) -> str:
        if facilitator is None:
            return desk.r.text("utter_fac_not_facilitator", lang)
        if command in ("reassign", "reopen"):
            return desk.r.text("utter_coord_only", lang)
        if command == "leads":
            return await desk.leads(facilitator)
        if lead_id is None:
            return desk.r.text("utter_fac_usage", lang)
        if command == "lead":
            return sent_privately or await desk.details(facilitator, lead_id)
        if command == "reply":
            return await desk.reply(facilitator, lead_id, rest, session=session) if rest else \
                desk.r.text("utter_fac_usage", lang)
        if command == "note":
            return await desk.note(facilitator, lead_id, rest, session=session) if rest else \
                desk.r.text("utter_fac_usage", lang)
        if command == "close":
            words = rest.split(maxsplit=1)
            outcome = OUTCOME_WORDS.get(words[0].lower()) if words else None
            if outcome is None:
                return desk.r.text("utter_fac_usage", lang)
            action = CardAction.FORMED if outcome == "alliance_formed" else CardAction.DROPPED
            note = words[1] if len(words) > 1 else None
            if action == CardAction.DROPPED:  # why, from the list: "/close 12 dropped 3 no contesten"
                reason, text = read_reason(note)
                if reason is None:
                    return close_how(desk.r, lead_id, lang)
                note = lead_admin.reason_note(reason, text)
            return (await desk.change(facilitator, lead_id, action, note, session=session))[1]
        action = {"claim": CardAction.CLAIM, "contacted": CardAction.CONTACTED,
                  "release": CardAction.RELEASE}[command]
        return (await desk.change(facilitator, lead_id, action, rest or None, session=session))[1]

    async def on_reply(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A facilitator replying to a passed message ("💬 #12 · ...") answers that entity."""
        message = update.effective_message
        original = message.reply_to_message
        if original is None or original.from_user is None or original.from_user.id != context.bot.id:
            return
        found = LEAD_REF.search(original.text or "")
        if found is None:
            return
        desk = self.desk_for(context)
        facilitator = await desk.facilitator(update.effective_user.id)
        if facilitator is None:
            return  # an entity replying to one of the bot's messages: the assistant handles it
        copy = None if message.text is not None else (message.chat_id, message.message_id)

        async def work(session: AsyncSession) -> list[BotMessage]:
            return [BotMessage(text=await desk.reply(facilitator, int(found.group(1)),
                                                     message.text or message.caption or "", copy=copy,
                                                     session=session))]

        if await _channel(context).once(update_id=update.update_id, chat_id=message.chat_id, work=work,
                                        reply_to=None if message.chat.type == "private" else message.message_id):
            wake()
        raise ApplicationHandlerStop


def _channel(context: ContextTypes.DEFAULT_TYPE):
    return context.application.bot_data.channel


def register_facilitator_handlers(app: Application, runtime=None, *, group: int = -1) -> None:
    """Add the facilitators' handlers to a python-telegram-bot Application (before the assistant's).

    Without a runtime, the one of the Telegram channel (`app.bot_data.channel.runtime`) is used.
    """
    handlers = FacilitatorHandlers(runtime)
    app.add_handler(CallbackQueryHandler(handlers.on_card_button, pattern=callbacks.PATTERN[callbacks.Prefix.LEAD]), group=group)
    app.add_handler(CommandHandler(list(COMMANDS), handlers.on_command), group=group)
    # a reply in words, or with a photo, file, voice note... (passed on as a copy)
    app.add_handler(MessageHandler(filters.REPLY & ~filters.COMMAND & ~filters.StatusUpdate.ALL, handlers.on_reply),
                    group=group)


# ---------------------------------------------------------------------- closing with a reason; coordinators
def read_reason(text: str | None) -> tuple[str | None, str]:
    """A closing's reason as typed: its number in the list (1-6) or its code, then any words."""
    words = (text or "").split(maxsplit=1)
    if not words:
        return None, ""
    first = words[0].lower().rstrip(".,:")
    rest = words[1] if len(words) > 1 else ""
    if first.isdigit() and 1 <= int(first) <= len(lead_admin.CLOSE_REASONS):
        return lead_admin.CLOSE_REASONS[int(first) - 1], rest
    return (first, rest) if first in lead_admin.CLOSE_REASONS else (None, text or "")


def close_how(r: Renderer, lead_id: int, lang: str) -> str:
    reasons = " · ".join(f"{n} {r.text(f'utter_web_reason_{code}', lang)}"
                         for n, code in enumerate(lead_admin.CLOSE_REASONS, start=1))
    return r.text("utter_fac_close_how", lang, {"lead_id": lead_id, "reasons": reasons})


async def coordinator_command(desk: LeadDesk, coordinator: Coordinator, command: str, lead_id: int | None,
                              rest: str, lang: str, session: AsyncSession) -> str:
    """/reassign N WHO, /release N, /reopen N [why], /close N formed|dropped REASON [words] by a coordinator,
    on any lead (the same store functions as the dashboard's Coordination box)."""
    r = desk.r
    if lead_id is None:
        return r.text("utter_coord_usage", lang)
    lead = await store.get_lead(session=session, lead_id=lead_id)
    if lead is None:
        return r.text("utter_fac_not_found", lang)
    if command == "reassign":
        who = rest.split(maxsplit=1)[0] if rest else ""
        to = await _facilitator_named(session, who)
        if to is None:
            return r.text("utter_coord_who", lang)
        result = await lead_admin.reassign(session=session, lead_id=lead_id, to=to, coordinator=coordinator,
                                           notice={"text": r.text("utter_handoff_taken", lead.language,
                                                                  {"facilitator_name": to.name})})
        done = r.text("utter_web_done_reassigned", lang, {"name": to.name})
    elif command == "release":
        result = await lead_admin.release(session=session, lead_id=lead_id, coordinator=coordinator, note=rest or None)
        done = r.text("utter_web_done_released", lang)
    elif command == "reopen":
        result = await lead_admin.reopen(session=session, lead_id=lead_id, coordinator=coordinator, note=rest or None)
        done = r.text("utter_web_done_reopened", lang)
    else:
        words = rest.split(maxsplit=1)
        outcome = OUTCOME_WORDS.get(words[0].lower()) if words else None
        reason, text = read_reason(words[1] if len(words) > 1 else None)
        if outcome is None or (outcome == "not_pursued" and reason is None):
            return close_how(r, lead_id, lang)
        result = await lead_admin.close(session=session, lead_id=lead_id, coordinator=coordinator, outcome=outcome,
                                        reason=reason, text=text, notice={"text": r.text(
                                            "utter_coord_closed_notice", lead.language)})
        done = r.text("utter_web_done_closed", lang)
    if not result.ok:
        return r.text("utter_web_not_possible", lang)
    log.info("lead %s: %s by coordinator %s", lead_id, command, coordinator.id)
    return f"#{lead_id} · {done}"


async def _facilitator_named(session: AsyncSession, who: str) -> Facilitator | None:
    """An active facilitator by Telegram number, or by the start of their name (when only one matches)."""
    if not who:
        return None
    number = parse_int(who)
    if number is not None:
        return await facilitator_store.get_facilitator(session=session, telegram_user_id=number)
    people = [f for f in await facilitator_store.list_facilitators(session=session)
              if f.name.casefold().startswith(who.casefold())]
    return people[0] if len(people) == 1 else None
