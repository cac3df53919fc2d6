"""An entity's answer to an introduction (partner matching): the Accept / Not now buttons, `m:<id>:<answer>`.

The answer, processed_update and the reply commit together (`channel.once`), and the answer itself is a
conditional update (bot/store/matching.py): a press Telegram delivers twice, or two presses, act once, and
the contacts are exchanged once."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from telegram import Update
from telegram.constants import ChatType

from bot.engine import BotMessage
from bot.shared import callbacks
from bot.shared.addresses import telegram_sender_id
from bot.store import matching as store
from bot.store.outbox import wake
from bot.telegram.context import Context

REPLIES = {"accepted_waiting": "utter_match_accepted_wait", "declined": "utter_match_declined_ack",
           "not_found": "utter_match_closed"}


async def on_intro_button(update: Update, context: Context) -> None:
    query = update.callback_query
    assert query is not None
    channel = context.bot_data.channel
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await channel.sender.quietly(chat_id, query.answer, what="answerCallbackQuery")
    pressed = callbacks.parse_match(query.data)
    if pressed is None or query.message is None or query.message.chat.type != ChatType.PRIVATE:
        return
    sender = telegram_sender_id(chat_id)

    async def work(session: AsyncSession) -> list[BotMessage]:
        result = await store.answer(session=session, intro_id=pressed.intro_id, sender_id=sender,
                                    accept=pressed.answer == callbacks.IntroAnswer.ACCEPT)
        profile = await store.profile_for_sender(session=session, sender_id=sender)
        lang = channel.language_of(None, profile.language if profile else query.from_user.language_code)
        if result.state == "exchanged":
            return []  # the contacts follow at once (the match_contacts row written with this answer)
        name = REPLIES.get(result.state)
        if name is None:  # already answered, or no longer open
            still_open = result.intro is not None and result.intro.status == store.IntroStatus.PROPOSED
            name = "utter_match_already_answered" if still_open else "utter_match_closed"
        return [BotMessage(text=channel.text(name, lang))]

    if await channel.once(update_id=update.update_id, chat_id=chat_id, work=work):
        wake()
    # the keyboard closes once pressed (as a question's does), so the answer is given once on screen too
    await channel.sender.quietly(chat_id, lambda: query.edit_message_reply_markup(reply_markup=None),
                                 what="editMessageReplyMarkup")
