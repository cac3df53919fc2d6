"""The conversation's handlers: private chats go to the engine; groups only to commands addressed to the bot.
Other channels (the facilitators', the workshop's) register their own handlers in earlier groups; all are
registered in one place, bot/channels/wiring.py.

Edited messages, channel posts and other updates have no handler: they are ignored without a word.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from telegram import Message, Update
from telegram.constants import ChatType
from telegram.ext import CallbackQueryHandler, ChatMemberHandler, MessageHandler, filters

from bot.engine import BotMessage, UserMessage
from bot.engine.nlu import split_command
from bot.shared import callbacks
from bot.shared.addresses import telegram_sender_id
from bot.telegram import markup as render
from bot.telegram.channel import Press
from bot.telegram.context import Context, TelegramApp, channel_of
from bot.telegram.introductions import on_intro_button

if TYPE_CHECKING:
    from bot.app.runtime import Runtime

log = logging.getLogger(__name__)

# Kinds of non-text messages, in the order they are recognised; the engine maps kind K to the intent
# non_text_K when a rule exists, else non_text.
NON_TEXT_KINDS = ("sticker", "photo", "voice", "video", "document", "location", "contact")


def sender_id(chat_id: int) -> str:
    return telegram_sender_id(chat_id)


def message_kind(message: Message) -> str:
    for kind in NON_TEXT_KINDS:
        if getattr(message, kind, None):
            return kind
    return "other"


# ---------------------------------------------------------------------- private chats
async def on_private_text(update: Update, context: Context) -> None:
    """Text and commands in a private chat: one engine turn."""
    message = update.effective_message
    assert message is not None and message.text is not None
    user = update.effective_user
    chat_id = message.chat_id
    await channel_of(context).turn(update_id=update.update_id, chat_id=chat_id, message=UserMessage(
        sender_id=sender_id(chat_id), text=message.text, channel="telegram",
        language_hint=user.language_code if user else None))


async def on_private_other(update: Update, context: Context) -> None:
    """Stickers, photos, voice, video, documents, locations, contacts: a short helpful answer."""
    message = update.effective_message
    assert message is not None
    user = update.effective_user
    kind = message_kind(message)
    metadata: dict[str, str] = {"message_id": str(message.message_id)}  # to pass it on to a facilitator
    if kind == "contact" and message.contact is not None:
        # Only the sender's own contact may fill their phone question.
        if user is not None and message.contact.user_id == user.id:
            metadata["phone_number"] = message.contact.phone_number
    chat_id = message.chat_id
    await channel_of(context).turn(update_id=update.update_id, chat_id=chat_id, message=UserMessage(
        sender_id=sender_id(chat_id), text=None, channel="telegram", kind=kind, metadata=metadata,
        language_hint=user.language_code if user else None))


async def on_button(update: Update, context: Context) -> None:
    """A conversation button (`q<seq>:<payload>`) in a private chat."""
    query = update.callback_query
    assert query is not None
    channel = channel_of(context)
    chat_id = query.message.chat.id if query.message is not None else (query.from_user.id)
    await channel.sender.quietly(chat_id, query.answer, what="answerCallbackQuery")
    pressed = callbacks.parse_question(query.data)
    if pressed is None or query.message is None or query.message.chat.type != ChatType.PRIVATE:
        return
    msg = query.message
    text_html = msg.text_html if isinstance(msg, Message) and msg.text else None
    markup = msg.reply_markup if isinstance(msg, Message) else None
    press = Press(message_id=msg.message_id, text_html=text_html,
                  title=render.button_title(markup, query.data or ""))
    await channel.turn(update_id=update.update_id, chat_id=chat_id, press=press, message=UserMessage(
        sender_id=sender_id(chat_id), payload=pressed.payload, button_seq=pressed.seq, channel="telegram",
        kind="payload", language_hint=query.from_user.language_code))


async def on_other_button(update: Update, context: Context) -> None:
    """A button no handler took (stale or forged data): answered and ignored."""
    query = update.callback_query
    assert query is not None
    chat_id = query.message.chat.id if query.message is not None else query.from_user.id
    await channel_of(context).sender.quietly(chat_id, query.answer, what="answerCallbackQuery")


# ---------------------------------------------------------------------- groups
async def on_added_to_group(update: Update, _context: Context) -> None:
    """The bot added to (or removed from) a group: the log gives the group's id, which an operator needs for
    ALIAT_FACILITATOR_CHAT_ID or a workshop group and Telegram's apps do not show (docs/operations.md)."""
    change = update.my_chat_member
    if change is None or change.chat.type not in (ChatType.GROUP, ChatType.SUPERGROUP):
        return
    status = change.new_chat_member.status
    if status in ("member", "administrator"):
        log.info("added to group chat %s (its id for ALIAT_FACILITATOR_CHAT_ID)", change.chat.id)
    elif status in ("left", "kicked"):
        log.warning("removed from group chat %s", change.chat.id)


async def on_group_command(update: Update, context: Context) -> None:
    """A command in a group: a registered group command, or a pointer to the private chat."""
    message = update.effective_message
    assert message is not None and message.text is not None
    head = message.text.split(maxsplit=1)[0]
    target = head.partition("@")[2]
    if target and target.lower() != (context.bot.username or "").lower():
        return  # addressed to another bot
    command = split_command(message.text)
    if command is None:
        return
    if not target:
        return  # "/start" alone in a group may be meant for another bot: stay quiet
    channel = channel_of(context)
    user = update.effective_user
    language = channel.language_of(None, user.language_code if user else None)

    async def pointer(_session: object) -> list[BotMessage]:
        return [BotMessage(text=channel.text("utter_group_private_only", language))]

    # Through the outbox like every reply: a group allows a message every 3 s, and the poller must not wait.
    await channel.once(update_id=update.update_id, chat_id=message.chat_id, work=pointer,
                       reply_to=message.message_id)


# ---------------------------------------------------------------------- errors
async def on_error(update: object, context: Context) -> None:
    """Log with the traceback (never texts), and tell a private-chat user something useful."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("error while handling update %s", update_id, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    chat = update.effective_chat
    if chat.type != ChatType.PRIVATE:
        return
    channel = channel_of(context)
    channel.counters["handler_errors"] += 1
    try:
        tracker = await channel.runtime.engine.peek(sender_id(chat.id))
    except Exception:  # the database may be the cause
        tracker = None
    user = update.effective_user
    language = channel.language_of(tracker, user.language_code if user else None)
    apology = [BotMessage(text=channel.text("utter_something_went_wrong", language))]
    try:  # queued, not awaited: the handler must not wait for a paced send
        await channel.queue(chat.id, apology, key=f"apology:{update_id}", update_id=update_id)
    except Exception:  # the database is down: say it straight away, once
        await channel.sender.quietly(chat.id, lambda: context.bot.send_message(
            chat.id, render.escape(apology[0].text), parse_mode=render.PARSE_MODE), what="sendMessage")


def register(app: TelegramApp, runtime: Runtime | None = None) -> None:
    """The conversation's handlers (group 0). The runtime is the channel's (`context.bot_data.channel`)."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    groups = filters.ChatType.GROUPS & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(private & filters.TEXT, on_private_text))
    app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, on_private_other))
    app.add_handler(CallbackQueryHandler(on_button, pattern=callbacks.PATTERN[callbacks.Prefix.QUESTION]))
    app.add_handler(CallbackQueryHandler(on_intro_button, pattern=callbacks.PATTERN[callbacks.Prefix.MATCH]))
    app.add_handler(CallbackQueryHandler(on_other_button))
    app.add_handler(MessageHandler(groups & filters.COMMAND, on_group_command))
    app.add_handler(ChatMemberHandler(on_added_to_group, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
