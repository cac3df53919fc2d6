"""Builders of Telegram Bot API update dicts (the JSON Telegram sends), for tests.

Every builder returns a plain ``dict`` shaped like an ``Update`` of the Bot API, complete enough
for ``telegram.Update.de_json``. Message ids and dates are filled automatically; ``update_id`` is
left out (``FakeBotApi.push_update`` assigns one) unless ``update_id=`` is passed.

Defaults: user 1001 "Ana" speaking Catalan ("ca") in their private chat (chat id == user id).
Group chats are given with a negative ``chat_id`` (``-100…`` is a supergroup, as in Telegram).
"""

from __future__ import annotations

import itertools
import time
from typing import Any

BOT_USERNAME = "aliat_test_bot"
BOT_ID = 999
DEFAULT_USER_ID = 1001
DEFAULT_GROUP_ID = -1001234567890

_message_ids = itertools.count(1)
_poll_ids = itertools.count(1)
_callback_ids = itertools.count(1)
_file_ids = itertools.count(1)


def _now() -> int:
    return int(time.time())


def next_message_id() -> int:
    return next(_message_ids)


def chat_type_for(chat_id: int) -> str:
    if chat_id > 0:
        return "private"
    return "supergroup" if str(chat_id).startswith("-100") else "group"


def make_user(
    user_id: int = DEFAULT_USER_ID,
    first_name: str = "Ana",
    language_code: str | None = "ca",
    *,
    last_name: str | None = None,
    username: str | None = None,
    is_bot: bool = False,
) -> dict[str, Any]:
    user: dict[str, Any] = {"id": user_id, "is_bot": is_bot, "first_name": first_name}
    if last_name is not None:
        user["last_name"] = last_name
    if username is not None:
        user["username"] = username
    if language_code is not None:
        user["language_code"] = language_code
    return user


def make_chat(chat_id: int, chat_type: str | None = None, *, first_name: str = "Ana", title: str = "Grup de prova") -> dict[str, Any]:
    chat_type = chat_type or chat_type_for(chat_id)
    chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
    if chat_type == "private":
        chat["first_name"] = first_name
    else:
        chat["title"] = title
    return chat


def make_bot_user() -> dict[str, Any]:
    return {"id": BOT_ID, "is_bot": True, "first_name": "Alia't", "username": BOT_USERNAME}


def _base_message(
    *,
    chat_id: int | None,
    user_id: int,
    language_code: str | None,
    chat_type: str | None,
    message_id: int | None,
    reply_to: dict[str, Any] | int | None,
    first_name: str = "Ana",
    date: int | None = None,
) -> dict[str, Any]:
    if chat_id is None:
        chat_id = user_id
    if chat_type is None:
        chat_type = chat_type_for(chat_id)
    msg: dict[str, Any] = {
        "message_id": message_id if message_id is not None else next_message_id(),
        "date": date if date is not None else _now(),
        "chat": make_chat(chat_id, chat_type, first_name=first_name),
        "from": make_user(user_id, first_name, language_code),
    }
    if reply_to is not None:
        if isinstance(reply_to, int):
            reply_to = {
                "message_id": reply_to,
                "date": msg["date"],
                "chat": msg["chat"],
                "from": make_bot_user(),
                "text": "",
            }
        msg["reply_to_message"] = reply_to
    return msg


def _wrap(key: str, payload: dict[str, Any], update_id: int | None) -> dict[str, Any]:
    update: dict[str, Any] = {key: payload}
    if update_id is not None:
        update["update_id"] = update_id
    return update


def make_message(
    text: str = "Hola",
    chat_id: int | None = None,
    user_id: int = DEFAULT_USER_ID,
    language_code: str | None = "ca",
    chat_type: str | None = None,
    message_id: int | None = None,
    reply_to: dict[str, Any] | int | None = None,
    *,
    entities: list[dict[str, Any]] | None = None,
    first_name: str = "Ana",
    update_id: int | None = None,
) -> dict[str, Any]:
    """An update with a text message. ``chat_id`` defaults to the user's private chat."""
    msg = _base_message(
        chat_id=chat_id,
        user_id=user_id,
        language_code=language_code,
        chat_type=chat_type,
        message_id=message_id,
        reply_to=reply_to,
        first_name=first_name,
    )
    msg["text"] = text
    if entities:
        msg["entities"] = entities
    return _wrap("message", msg, update_id)


def make_command(cmd: str, args: str = "", *, addressed: bool = False, **kw: Any) -> dict[str, Any]:
    """An update with ``/cmd args``; ``addressed=True`` writes ``/cmd@aliat_test_bot`` (groups)."""
    cmd = cmd.lstrip("/")
    head = f"/{cmd}@{BOT_USERNAME}" if addressed else f"/{cmd}"
    text = f"{head} {args}" if args else head
    entities = [{"type": "bot_command", "offset": 0, "length": len(head.encode("utf-16-le")) // 2}]
    return make_message(text, entities=entities, **kw)


def make_callback(
    data: str,
    chat_id: int | None = None,
    user_id: int = DEFAULT_USER_ID,
    message_id: int | None = None,
    message_text: str = "",
    language_code: str | None = "ca",
    *,
    reply_markup: dict[str, Any] | None = None,
    callback_id: str | None = None,
    update_id: int | None = None,
) -> dict[str, Any]:
    """An update with a callback_query pressed on a bot message (``message_id``) in ``chat_id``."""
    if chat_id is None:
        chat_id = user_id
    message = {
        "message_id": message_id if message_id is not None else next_message_id(),
        "date": _now(),
        "chat": make_chat(chat_id),
        "from": make_bot_user(),
        "text": message_text,
    }
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    query = {
        "id": callback_id or f"cbq{next(_callback_ids)}",
        "from": make_user(user_id, language_code=language_code),
        "chat_instance": f"ci{chat_id}",
        "message": message,
        "data": data,
    }
    return _wrap("callback_query", query, update_id)


def _media_message(key: str, value: Any, *, caption: str | None = None, update_id: int | None = None, **kw: Any) -> dict[str, Any]:
    msg = _base_message(
        chat_id=kw.pop("chat_id", None),
        user_id=kw.pop("user_id", DEFAULT_USER_ID),
        language_code=kw.pop("language_code", "ca"),
        chat_type=kw.pop("chat_type", None),
        message_id=kw.pop("message_id", None),
        reply_to=kw.pop("reply_to", None),
    )
    if kw:
        raise TypeError(f"unexpected arguments: {sorted(kw)}")
    msg[key] = value
    if caption is not None:
        msg["caption"] = caption
    return _wrap("message", msg, update_id)


def _file(prefix: str) -> dict[str, Any]:
    n = next(_file_ids)
    return {"file_id": f"{prefix}{n}", "file_unique_id": f"u{prefix}{n}"}


def make_sticker(emoji: str = "👍", **kw: Any) -> dict[str, Any]:
    sticker = {
        **_file("sticker"),
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": emoji,
    }
    return _media_message("sticker", sticker, **kw)


def make_photo(caption: str | None = None, **kw: Any) -> dict[str, Any]:
    f = _file("photo")
    sizes = [
        {"file_id": f["file_id"] + "s", "file_unique_id": f["file_unique_id"] + "s", "width": 90, "height": 90, "file_size": 1000},
        {**f, "width": 800, "height": 800, "file_size": 50000},
    ]
    return _media_message("photo", sizes, caption=caption, **kw)


def make_voice(duration: int = 3, **kw: Any) -> dict[str, Any]:
    voice = {**_file("voice"), "duration": duration, "mime_type": "audio/ogg", "file_size": 4000}
    return _media_message("voice", voice, **kw)


def make_video(duration: int = 5, caption: str | None = None, **kw: Any) -> dict[str, Any]:
    video = {**_file("video"), "width": 640, "height": 360, "duration": duration, "mime_type": "video/mp4"}
    return _media_message("video", video, caption=caption, **kw)


def make_document(file_name: str = "estatuts.pdf", mime_type: str = "application/pdf", caption: str | None = None, **kw: Any) -> dict[str, Any]:
    doc = {**_file("doc"), "file_name": file_name, "mime_type": mime_type, "file_size": 12345}
    return _media_message("document", doc, caption=caption, **kw)


def make_location(latitude: float = 41.3874, longitude: float = 2.1686, **kw: Any) -> dict[str, Any]:
    return _media_message("location", {"latitude": latitude, "longitude": longitude}, **kw)


def make_contact(phone_number: str = "+34600000000", user_id: int = DEFAULT_USER_ID, *, first_name: str = "Ana", own: bool = True, **kw: Any) -> dict[str, Any]:
    """A shared contact; ``own=True`` makes it the sender's own contact (contact.user_id == user_id)."""
    contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
    if own:
        contact["user_id"] = user_id
    return _media_message("contact", contact, user_id=user_id, **kw)


def make_edited_message(text: str = "Hola (editat)", message_id: int | None = None, **kw: Any) -> dict[str, Any]:
    update_id = kw.pop("update_id", None)
    msg = make_message(text, message_id=message_id, **kw)["message"]
    msg["edit_date"] = msg["date"] + 1
    return _wrap("edited_message", msg, update_id)


def make_channel_post(text: str = "Avís", chat_id: int = -1009876543210, *, update_id: int | None = None) -> dict[str, Any]:
    msg = {
        "message_id": next_message_id(),
        "date": _now(),
        "chat": {"id": chat_id, "type": "channel", "title": "Canal de prova"},
        "text": text,
    }
    return _wrap("channel_post", msg, update_id)


def make_poll_answer(poll_id: str, user_id: int = DEFAULT_USER_ID, option_ids: list[int] | tuple[int, ...] = (0,), *, language_code: str | None = "ca", update_id: int | None = None) -> dict[str, Any]:
    answer = {"poll_id": str(poll_id), "user": make_user(user_id, language_code=language_code), "option_ids": list(option_ids), "option_persistent_ids": [str(i) for i in option_ids]}
    return _wrap("poll_answer", answer, update_id)


def make_my_chat_member(
    chat_id: int = DEFAULT_GROUP_ID,
    user_id: int = DEFAULT_USER_ID,
    old_status: str = "left",
    new_status: str = "member",
    *,
    update_id: int | None = None,
) -> dict[str, Any]:
    """The bot's own membership changed in ``chat_id`` (added to a group, blocked in private…).

    Supported statuses: "member", "left", "kicked" (use "kicked" for a user blocking the bot).
    """

    def member(status: str) -> dict[str, Any]:
        m: dict[str, Any] = {"status": status, "user": make_bot_user()}
        if status == "kicked":
            m["until_date"] = 0
        return m

    payload = {
        "chat": make_chat(chat_id),
        "from": make_user(user_id),
        "date": _now(),
        "old_chat_member": member(old_status),
        "new_chat_member": member(new_status),
    }
    return _wrap("my_chat_member", payload, update_id)


def new_poll_id() -> str:
    return f"poll{next(_poll_ids)}"
