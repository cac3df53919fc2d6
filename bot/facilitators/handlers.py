"""Telegram handlers for facilitators: lead card buttons, /leads, /lead, /claim, /reply, status commands.

Registered in a group before the conversation's handlers; an update handled here stops there, so a
facilitator's command or reply never reaches the entity's assistant. Only registered, active
facilitators can act: anyone else is told so and nothing changes.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.ext import ApplicationHandlerStop, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.app.runtime import Runtime
from bot.engine import BotMessage
from bot.leads import CardAction, LeadDesk
from bot.leads.commands import (
    COMMANDS,
    close_how,
    coordinator_command,
    facilitator_command,
    is_coordinator_command,
)
from bot.shared import callbacks
from bot.store.models import Facilitator
from bot.store.outbox import DeliveryError, wake
from bot.store.staff import get_coordinator
from bot.telegram.context import Context, TelegramApp, channel_of
from bot.text.numbers import parse_int
from bot.text.textsplit import split_text

log = logging.getLogger(__name__)
LEAD_REF = re.compile(r"#([0-9]{1,9})\b")


class FacilitatorHandlers:
    def __init__(self, runtime: Runtime | None = None) -> None:
        self._desk = LeadDesk(runtime) if runtime is not None else None

    def desk_for(self, context: Context) -> LeadDesk:
        """The runtime given at registration, else the Telegram channel's (opened in post_init)."""
        if self._desk is None:
            self._desk = LeadDesk(channel_of(context).runtime)
        return self._desk

    async def on_card_button(self, update: Update, context: Context) -> None:
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
        if not await channel_of(context).once(update_id=update.update_id, chat_id=chat_id, work=work):
            await query.answer()
            raise ApplicationHandlerStop
        wake()
        changed, text = outcome[0]
        await query.answer(text, show_alert=not changed)
        raise ApplicationHandlerStop

    async def _send_private(self, context: Context, facilitator: Facilitator, text: str) -> str:
        desk = self.desk_for(context)
        lang = desk.lang(facilitator)
        chat_id = facilitator.telegram_user_id
        try:  # answered at once (not through the outbox): the button's answer says whether it went
            for piece in split_text(text):  # a dossier with long notes is longer than one message
                await channel_of(context).sender.call(
                    chat_id, lambda piece=piece: context.bot.send_message(chat_id=chat_id, text=piece),
                    what="sendMessage", paced=False)
        except DeliveryError:
            return desk.r.text("utter_fac_open_private", lang)
        return desk.r.text("utter_fac_details_sent", lang)

    async def on_command(self, update: Update, context: Context) -> None:
        message = update.effective_message
        desk = self.desk_for(context)
        facilitator = await desk.facilitator(update.effective_user.id)
        lang = desk.lang(facilitator)
        command = (message.text or "").split()[0].lstrip("/").split("@")[0].lower()
        coordinator = None
        if is_coordinator_command(command, facilitator):
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
            return [BotMessage(text=await facilitator_command(desk, facilitator, command, lead_id, rest, lang,
                                                             sent_privately, session))]

        # The change, processed_update and the answer commit together; the answer goes through the outbox.
        if await channel_of(context).once(update_id=update.update_id, chat_id=message.chat_id, work=work,
                                        reply_to=None if private else message.message_id):
            wake()
        raise ApplicationHandlerStop

    async def on_reply(self, update: Update, context: Context) -> None:
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

        if await channel_of(context).once(update_id=update.update_id, chat_id=message.chat_id, work=work,
                                        reply_to=None if message.chat.type == "private" else message.message_id):
            wake()
        raise ApplicationHandlerStop


def register(app: TelegramApp, runtime: Runtime | None = None, *, group: int = -1) -> None:
    """Add the facilitators' lead handlers (before the assistant's: group -1, and they stop the update).

    Without a runtime, the one of the Telegram channel (`app.bot_data.channel.runtime`) is used.
    """
    handlers = FacilitatorHandlers(runtime)
    app.add_handler(CallbackQueryHandler(handlers.on_card_button, pattern=callbacks.PATTERN[callbacks.Prefix.LEAD]), group=group)
    app.add_handler(CommandHandler(list(COMMANDS), handlers.on_command), group=group)
    # a reply in words, or with a photo, file, voice note... (passed on as a copy)
    app.add_handler(MessageHandler(filters.REPLY & ~filters.COMMAND & ~filters.StatusUpdate.ALL, handlers.on_reply),
                    group=group)
