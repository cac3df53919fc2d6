"""A fake Telegram Bot API server (aiohttp, 127.0.0.1) for tests: no test reaches Telegram.

Point the real python-telegram-bot at it::

    async with FakeBotApi() as fake:
        app = (Application.builder().token(fake.token)
               .base_url(fake.base_url).base_file_url(fake.base_file_url).build())

PTB builds ``f"{base_url}{token}/{method}"`` (``base_url`` is ``http://127.0.0.1:PORT/bot``), so
requests arrive as ``POST /bot<token>/<method>``; any token is accepted, method names are
case-insensitive, bodies may be JSON, urlencoded or multipart (PTB sends urlencoded, or multipart
when uploading), and GET with a query string works too.

Every request is recorded in ``fake.calls`` as a :class:`Call` (including refused ones, with their
HTTP status; a dropped connection is recorded with status 0).

Rate accounting (:meth:`FakeBotApi.rate_stats`) counts only successful *sends* (the methods in
``SEND_METHODS``: sendMessage, sendPhoto, sendDocument, sendPoll and the other send* methods),
never edits, deletions, callback answers or chat actions.

Messages the bot edits or deletes but that the fake never saw are accepted (lenient mode) unless
``FakeBotApi(strict_messages=True)``, where they give Telegram's "message to edit not found".
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import random
import re
import struct
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

__all__ = ["SEND_METHODS", "Call", "FakeBotApi", "RateStats"]

# Methods counted by rate_stats() and returned by sent_messages()-like helpers.
SEND_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "sendPoll",
        "sendSticker",
        "sendVoice",
        "sendAudio",
        "sendVideo",
        "sendAnimation",
        "sendVideoNote",
        "sendLocation",
        "sendVenue",
        "sendContact",
        "sendDice",
        "sendMediaGroup",
        "copyMessage",
        "forwardMessage",
    }
)
SENT_MESSAGE_METHODS = ("sendMessage", "sendPhoto", "sendDocument", "sendPoll")

_KNOWN_METHODS = [
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "editMessageCaption",
    "deleteMessage",
    "deleteMessages",
    "answerCallbackQuery",
    "sendPhoto",
    "sendDocument",
    "sendPoll",
    "stopPoll",
    "setMyCommands",
    "getMyCommands",
    "deleteMyCommands",
    "sendChatAction",
    "getChat",
    "getChatMember",
    "setChatMenuButton",
    "getChatMenuButton",
    "getFile",
    "close",
    "logOut",
    *sorted(SEND_METHODS),
]
_CANONICAL = {m.lower(): m for m in _KNOWN_METHODS}

# Parameters that are plain strings in the Bot API: never JSON-decoded from form bodies.
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "question",
        "url",
        "secret_token",
        "callback_query_id",
        "parse_mode",
        "question_parse_mode",
        "explanation",
        "explanation_parse_mode",
        "language_code",
        "action",
        "inline_message_id",
        "title",
        "description",
        "short_description",
        "name",
        "emoji",
        "business_connection_id",
        "message_effect_id",
        "ip_address",
        "photo",
        "document",
        "sticker",
        "voice",
        "audio",
        "video",
        "animation",
        "video_note",
        "thumbnail",
        "file_id",
        "phone_number",
        "first_name",
        "last_name",
        "vcard",
        "address",
        "type",
        "custom_title",
    }
)

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
_COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
_HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji"}
)
_MDV2_ALWAYS_RESERVED = set(".!#+-={}")


class _Refusal(Exception):
    """A Telegram error answer: status plus description (and optional parameters)."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters


def _bad(description: str) -> _Refusal:
    return _Refusal(400, f"Bad Request: {description}")


@dataclass
class Call:
    """One request the fake received. ``status`` 200 means delivered; 0 means dropped connection."""

    method: str
    params: dict[str, Any]
    time: float
    status: int
    result: Any = None
    description: str | None = None
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """The text (or caption, or poll question) the call carried."""
        for key in ("text", "caption", "question"):
            if key in self.params:
                return self.params[key]
        return None


@dataclass(frozen=True)
class RateStats:
    """Peaks over successful sends (``SEND_METHODS``), each in a sliding window.

    ``max_per_second``: most sends in any 1-second window, all chats together.
    ``max_per_second_per_chat``: most sends to one chat in any 1-second window.
    ``max_per_minute_per_group``: most sends to one group chat (chat_id < 0) in any 60-s window.
    ``per_chat``: for each chat, its own 1-second peak.
    """

    total: int
    max_per_second: int
    max_per_second_per_chat: int
    max_per_minute_per_group: int
    per_chat: dict[Any, int]


def max_in_window(times: list[float], window: float) -> int:
    times = sorted(times)
    best = 0
    start = 0
    for end, t in enumerate(times):
        while t - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


class _HtmlChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[str] = []
        self.error: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'
            return
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            self.error = self.error or f'Unsupported start tag "{tag}"'

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.error = self.error or f'Unexpected end tag "{tag}"'
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _render(text: str, parse_mode: str | None) -> str:
    """Return the text as Telegram would show it (entities parsed), or raise a 400 like Telegram."""
    if not parse_mode:
        return text
    mode = str(parse_mode).lower()
    if mode == "html":
        checker = _HtmlChecker()
        checker.feed(text)
        checker.close()
        if checker.error is None and checker.stack:
            checker.error = f'Can\'t find end tag corresponding to start tag "{checker.stack[-1]}"'
        if checker.error:
            raise _bad(f"can't parse entities: {checker.error}")
        return html.unescape("".join(checker.parts))
    if mode == "markdownv2":
        out: list[str] = []
        i = 0
        in_code = False
        in_url = False
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                out.append(text[i + 1])
                i += 2
                continue
            if ch == "`":
                in_code = not in_code
            elif in_code:
                out.append(ch)
            elif in_url:
                if ch == ")":
                    in_url = False
            elif ch == "(" and i > 0 and text[i - 1] == "]":
                in_url = True
            elif ch in _MDV2_ALWAYS_RESERVED:
                raise _bad(f"can't parse entities: Character '{ch}' is reserved and must be escaped with the preceding '\\'")
            elif ch not in "*_~|[]()>":
                out.append(ch)
            i += 1
        return "".join(out)
    return text


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    return None


class FakeBotApi:
    """A fake Bot API server. See the module docstring."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-TOKEN",
        bot_id: int = 999,
        username: str = "aliat_test_bot",
        first_name: str = "Alia't",
        strict_messages: bool = False,
    ) -> None:
        self.token = token
        self.bot_id = bot_id
        self.username = username
        self.first_name = first_name
        self.strict_messages = strict_messages
        self.port: int | None = None
        self.calls: list[Call] = []
        # Telegram-side state, open for tests to look at.
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.polls: dict[str, dict[str, Any]] = {}  # poll_id -> {"poll", "chat_id", "message_id"}
        self.files: dict[str, bytes] = {}  # file_id -> uploaded bytes
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}  # (scope json, lang) -> commands
        self.menu_buttons: dict[Any, dict[str, Any]] = {}  # chat_id or None -> menu button
        self.chats: dict[int, dict[str, Any]] = {}
        self.users: dict[int, dict[str, Any]] = {}
        self.chat_members: dict[tuple[int, int], str] = {}
        self.blocked: dict[int, str] = {}
        self.webhook_url: str = ""
        self.webhook_secret: str | None = None
        self.webhook_deliveries: list[tuple[dict[str, Any], int]] = []
        self.pending_updates: deque[dict[str, Any]] = deque()
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = defaultdict(lambda: 1)
        self._poll_counter = itertools.count(1)
        self._file_counter = itertools.count(1)
        # Faults.
        self._fail_next: list[dict[str, Any]] = []
        self._fault_rate: dict[str, Any] | None = None
        self._drop: dict[str, Any] | None = None
        # Machinery.
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._update_event = asyncio.Event()
        self._call_event = asyncio.Event()
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """What to give PTB as ``base_url`` (PTB appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def bot_user(self) -> dict[str, Any]:
        return {"id": self.bot_id, "is_bot": True, "first_name": self.first_name, "username": self.username}

    async def start(self) -> FakeBotApi:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._stopping = False
        return self

    async def stop(self) -> None:
        self._stopping = True
        self._update_event.set()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ------------------------------------------------------------------ queries for tests
    def calls_to(self, method: str, *, ok_only: bool = False) -> list[Call]:
        m = method.lower()
        return [c for c in self.calls if c.method.lower() == m and (c.ok or not ok_only)]

    def sent_messages(self, chat_id: int | None = None) -> list[Call]:
        """Successful sendMessage/sendPhoto/sendDocument/sendPoll calls, in order."""
        return [
            c
            for c in self.calls
            if c.ok and c.method in SENT_MESSAGE_METHODS and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        """Texts (captions, poll questions) of :meth:`sent_messages`, as sent (before parsing)."""
        return [c.text or "" for c in self.sent_messages(chat_id)]

    async def wait_for(
        self,
        predicate_or_method: str | Callable[[Call], bool],
        count: int = 1,
        timeout: float = 5.0,
        *,
        since: int = 0,
    ) -> list[Call]:
        """Wait until ``count`` calls match (a method name matches its successful calls only).

        Only calls from index ``since`` of ``self.calls`` on are looked at. Returns the matches;
        raises ``TimeoutError`` with the calls seen so far when they do not come in time.
        """
        if isinstance(predicate_or_method, str):
            m = predicate_or_method.lower()

            def pred(c: Call) -> bool:
                return c.ok and c.method.lower() == m
        else:
            pred = predicate_or_method
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            event = self._call_event
            matches = [c for c in self.calls[since:] if pred(c)]
            if len(matches) >= count:
                return matches
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                seen = ", ".join(f"{c.method}:{c.status}" for c in self.calls[since:][-20:])
                raise TimeoutError(f"waited {timeout}s for {count} x {predicate_or_method!r}, got {len(matches)}; last calls: {seen}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)

    async def wait_updates_consumed(self, timeout: float = 5.0) -> None:
        """Wait until every queued update was confirmed by a getUpdates offset."""
        deadline = asyncio.get_running_loop().time() + timeout
        while self.pending_updates:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"{len(self.pending_updates)} updates still pending")
            event = self._call_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), 0.05)

    def rate_stats(self) -> RateStats:
        sends = [c for c in self.calls if c.ok and c.method in SEND_METHODS]
        by_chat: dict[Any, list[float]] = defaultdict(list)
        for c in sends:
            by_chat[c.params.get("chat_id")].append(c.time)
        per_chat = {chat: max_in_window(ts, 1.0) for chat, ts in by_chat.items()}
        groups = [
            max_in_window(ts, 60.0) for chat, ts in by_chat.items() if isinstance(chat, int) and chat < 0
        ]
        return RateStats(
            total=len(sends),
            max_per_second=max_in_window([c.time for c in sends], 1.0),
            max_per_second_per_chat=max(per_chat.values(), default=0),
            max_per_minute_per_group=max(groups, default=0),
            per_chat=per_chat,
        )

    def get_commands(self, scope: dict[str, Any] | None = None, language_code: str = "") -> list[dict[str, Any]]:
        return self.commands.get((self._scope_key(scope), language_code or ""), [])

    # ------------------------------------------------------------------ configuration / faults
    def fail_next(
        self,
        method: str | None,
        status: int = 429,
        retry_after: int = 1,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """Refuse the next ``count`` calls to ``method`` (None: any method but getUpdates)."""
        self._fail_next.append(
            {
                "method": method.lower() if method else None,
                "status": status,
                "retry_after": retry_after,
                "count": count,
                "description": description,
            }
        )

    def fault_rate(
        self,
        rate: float = 0.2,
        statuses: Iterable[int] = (429, 500),
        retry_after: int = 1,
        seed: int = 0,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Refuse a random fraction ``rate`` of calls to ``methods`` (default ``SEND_METHODS``).

        ``rate=0`` turns it off.
        """
        if rate <= 0:
            self._fault_rate = None
            return
        self._fault_rate = {
            "rate": rate,
            "statuses": tuple(statuses),
            "retry_after": retry_after,
            "rng": random.Random(seed),
            "methods": {m.lower() for m in (methods if methods is not None else SEND_METHODS)},
        }

    def drop_connections(self, rate: float, seed: int = 0, methods: Iterable[str] | None = None) -> None:
        """Close the connection without answering for a fraction ``rate`` of requests.

        ``methods`` defaults to every method except getUpdates. ``rate=0`` turns it off.
        """
        if rate <= 0:
            self._drop = None
            return
        self._drop = {
            "rate": rate,
            "rng": random.Random(seed),
            "methods": {m.lower() for m in methods} if methods is not None else None,
        }

    def block(self, chat_id: int, description: str = "Forbidden: bot was blocked by the user") -> None:
        """Answer 403 to every send/edit towards ``chat_id`` (a user who blocked the bot)."""
        self.blocked[chat_id] = description

    def unblock(self, chat_id: int) -> None:
        self.blocked.pop(chat_id, None)

    def set_chat_member(self, chat_id: int, user_id: int, status: str = "member") -> None:
        """Status getChatMember answers: creator, administrator, member, left or kicked."""
        self.chat_members[(chat_id, user_id)] = status

    # ------------------------------------------------------------------ updates
    async def push_update(self, update: dict[str, Any]) -> int | None:
        """Queue an update for getUpdates (assigning ``update_id`` unless given).

        While a webhook is set, POST it there instead and return the HTTP status.
        """
        update = dict(update)
        if "update_id" not in update:
            update["update_id"] = self._next_update_id
        return await self._deliver(update)

    async def push_raw_update(self, update: dict[str, Any]) -> int | None:
        """Like :meth:`push_update` but never touches ``update_id`` (duplicates allowed)."""
        return await self._deliver(dict(update))

    async def post_to_webhook(self, update: dict[str, Any], secret: str | None = None, *, content_type: str = "application/json") -> int:
        """POST ``update`` to the webhook URL with ``secret`` (None: no secret header); return status."""
        if not self.webhook_url:
            raise RuntimeError("no webhook is set")
        update = dict(update)
        update.setdefault("update_id", self._next_update_id)
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        return await self._post(update, secret, content_type)

    async def _deliver(self, update: dict[str, Any]) -> int | None:
        self._next_update_id = max(self._next_update_id, int(update["update_id"]) + 1)
        self._observe_update(update)
        if self.webhook_url:
            status = await self._post(update, self.webhook_secret)
            self.webhook_deliveries.append((update, status))
            return status
        self.pending_updates.append(update)
        self._update_event.set()
        self._update_event = asyncio.Event()
        return None

    async def _post(self, update: dict[str, Any], secret: str | None, content_type: str = "application/json") -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": content_type}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with self._session.post(
            self.webhook_url, data=json.dumps(update).encode(), headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as resp:
            await resp.read()
            return resp.status

    def _observe_update(self, update: dict[str, Any]) -> None:
        """Remember chats, users and messages the update shows, so later calls see them."""
        for key in ("message", "edited_message", "channel_post", "callback_query", "my_chat_member", "poll_answer"):
            obj = update.get(key)
            if not isinstance(obj, dict):
                continue
            user = obj.get("from") or obj.get("user")
            if isinstance(user, dict) and "id" in user:
                self.users[user["id"]] = user
            msg = obj.get("message") if key == "callback_query" else obj
            if isinstance(msg, dict) and isinstance(msg.get("chat"), dict):
                chat = msg["chat"]
                self.chats.setdefault(chat["id"], chat)
                if "message_id" in msg:
                    self.messages.setdefault((chat["id"], msg["message_id"]), msg)
                    nxt = self._next_message_id[chat["id"]]
                    self._next_message_id[chat["id"]] = max(nxt, msg["message_id"] + 1)

    # ------------------------------------------------------------------ HTTP plumbing
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path.startswith("/file/bot"):
            return self._serve_file(path)
        if not path.startswith("/bot") or path.count("/") != 2:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        raw_method = path.rsplit("/", 1)[1]
        method = _CANONICAL.get(raw_method.lower(), raw_method)
        try:
            params, files = await self._read_params(request)
        except ValueError as exc:
            params, files = {}, {}
            return self._answer(method, params, files, _bad(f"can't parse request: {exc}"))
        call = Call(method=method, params=params, time=time.monotonic(), status=0, files=files)

        if self._should_drop(method):
            self._record(call)
            assert request.transport is not None
            request.transport.abort()
            return web.Response(status=500)

        try:
            self._inject_fault(method)
            handler = getattr(self, f"_m_{method.lower()}", None)
            if handler is None:
                result: Any = True
            elif method == "getUpdates":
                result = await handler(params)
            else:
                result = handler(params, files)
        except _Refusal as refusal:
            call.status = refusal.status
            call.description = refusal.description
            self._record(call)
            body: dict[str, Any] = {"ok": False, "error_code": refusal.status, "description": refusal.description}
            if refusal.parameters:
                body["parameters"] = refusal.parameters
            return web.json_response(body, status=refusal.status)
        call.status = 200
        call.result = result
        self._record(call)
        return web.json_response({"ok": True, "result": result})

    def _answer(self, method: str, params: dict[str, Any], files: dict[str, bytes], refusal: _Refusal) -> web.Response:
        self._record(Call(method, params, time.monotonic(), refusal.status, description=refusal.description, files=files))
        return web.json_response(
            {"ok": False, "error_code": refusal.status, "description": refusal.description}, status=refusal.status
        )

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        self._call_event.set()
        self._call_event = asyncio.Event()

    async def _read_params(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        params: dict[str, Any] = {k: self._coerce(k, v) for k, v in request.query.items()}
        files: dict[str, bytes] = {}
        if request.method == "POST" and request.can_read_body:
            ctype = request.content_type
            if ctype == "application/json":
                body = await request.json()
                if not isinstance(body, dict):
                    raise ValueError("JSON body is not an object")
                for k, v in body.items():
                    params[k] = self._coerce(k, v) if isinstance(v, str) else v
            elif ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
                form = await request.post()
                for k, v in form.items():
                    if isinstance(v, web.FileField):
                        files[k] = v.file.read()
                    else:
                        params[k] = self._coerce(k, v if isinstance(v, str) else bytes(v).decode())
        # Resolve files: either uploaded under the parameter's own name or via attach://name.
        for k, v in list(params.items()):
            if isinstance(v, str) and v.startswith("attach://") and v[9:] in files:
                params[k] = files[v[9:]]
        for k, data in files.items():
            params.setdefault(k, data)
        return params, files

    @staticmethod
    def _coerce(key: str, value: str) -> Any:
        if key in _STRING_PARAMS:
            return value
        try:
            return json.loads(value)
        except ValueError:
            return value

    def _should_drop(self, method: str) -> bool:
        d = self._drop
        if not d:
            return False
        if d["methods"] is None:
            if method == "getUpdates":
                return False
        elif method.lower() not in d["methods"]:
            return False
        return d["rng"].random() < d["rate"]

    def _inject_fault(self, method: str) -> None:
        m = method.lower()
        for fault in self._fail_next:
            if fault["method"] == m or (fault["method"] is None and m != "getupdates"):
                fault["count"] -= 1
                if fault["count"] <= 0:
                    self._fail_next.remove(fault)
                raise self._fault(fault["status"], fault["retry_after"], fault["description"])
        fr = self._fault_rate
        if fr and m in fr["methods"] and fr["rng"].random() < fr["rate"]:
            raise self._fault(fr["rng"].choice(fr["statuses"]), fr["retry_after"], None)

    @staticmethod
    def _fault(status: int, retry_after: int, description: str | None) -> _Refusal:
        if status == 429:
            return _Refusal(429, description or f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
        default = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 403: "Forbidden: bot was blocked by the user"}
        return _Refusal(status, description or default.get(status, "Error"))

    def _serve_file(self, path: str) -> web.Response:
        file_id = path.rsplit("/", 1)[-1]
        data = self.files.get(file_id)
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    # ------------------------------------------------------------------ helpers for methods
    def _chat(self, params: dict[str, Any], *, check_blocked: bool = True) -> dict[str, Any]:
        if "chat_id" not in params or params["chat_id"] in ("", None):
            raise _bad("chat_id is empty")
        chat_id = params["chat_id"]
        if not isinstance(chat_id, int) or isinstance(chat_id, bool) or chat_id == 0:
            raise _bad("chat not found")
        if check_blocked and chat_id in self.blocked:
            raise _Refusal(403, self.blocked[chat_id])
        if chat_id in self.chats:
            return self.chats[chat_id]
        if chat_id > 0:
            user = self.users.get(chat_id, {})
            return {"id": chat_id, "type": "private", "first_name": user.get("first_name", "User")}
        ctype = "supergroup" if str(chat_id).startswith("-100") else "group"
        return {"id": chat_id, "type": ctype, "title": f"Chat {chat_id}"}

    @staticmethod
    def _inline_markup(params: dict[str, Any]) -> dict[str, Any] | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" not in markup:
            return None  # reply keyboards / removals are not echoed back by Telegram
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise _bad("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise _bad("BUTTON_TEXT_EMPTY" if isinstance(button, dict) else "can't parse inline keyboard button")
                if "callback_data" in button:
                    data = button["callback_data"]
                    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                        raise _bad("BUTTON_DATA_INVALID")
                elif not any(
                    k in button
                    for k in ("url", "web_app", "login_url", "switch_inline_query", "switch_inline_query_current_chat",
                              "switch_inline_query_chosen_chat", "copy_text", "callback_game", "pay")
                ):
                    raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        return markup

    def _new_message(self, chat: dict[str, Any], params: dict[str, Any], **content: Any) -> dict[str, Any]:
        chat_id = chat["id"]
        message_id = self._next_message_id[chat_id]
        self._next_message_id[chat_id] = message_id + 1
        msg: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            **content,
        }
        markup = self._inline_markup(params)
        if markup is not None:
            msg["reply_markup"] = markup
        reply_to = params.get("reply_to_message_id")
        reply_parameters = params.get("reply_parameters")
        if isinstance(reply_parameters, dict):
            reply_to = reply_parameters.get("message_id", reply_to)
        if reply_to is not None and (chat_id, reply_to) in self.messages:
            msg["reply_to_message"] = {k: v for k, v in self.messages[(chat_id, reply_to)].items() if k != "reply_to_message"}
        self.messages[(chat_id, message_id)] = msg
        return msg

    def _text(self, params: dict[str, Any], key: str, limit: int, *, required: bool) -> str | None:
        raw = params.get(key)
        if raw is None or raw == "":
            if required:
                raise _bad("message text is empty")
            return None
        text = _render(str(raw), params.get("parse_mode"))
        if required and not text.strip():
            raise _bad("message text is empty")
        if len(text) > limit:
            raise _bad("message is too long" if key == "text" else "message caption is too long")
        return text

    def _find_message(self, params: dict[str, Any], what: str) -> dict[str, Any] | None:
        """The stored message an edit/delete points at; None for inline messages."""
        if params.get("inline_message_id"):
            return None
        chat = self._chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("message identifier is not specified")
        msg = self.messages.get((chat["id"], message_id))
        if msg is None:
            if self.strict_messages:
                raise _bad(f"message to {what} not found")
            msg = {"message_id": message_id, "date": int(time.time()), "chat": chat, "from": self.bot_user, "text": ""}
            self.messages[(chat["id"], message_id)] = msg
        if what == "edit" and msg.get("from", {}).get("id") != self.bot_id:
            raise _bad("message can't be edited")
        return msg

    def _store_file(self, data: Any, prefix: str) -> tuple[str, int]:
        file_id = f"{prefix}{next(self._file_counter)}"
        if isinstance(data, bytes):
            self.files[file_id] = data
            return file_id, len(data)
        return (str(data) if data else file_id), 0

    # ------------------------------------------------------------------ methods
    def _m_getme(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _m_getupdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise _Refusal(409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        limit = params.get("limit") or 100
        timeout = float(params.get("timeout") or 0)
        if isinstance(offset, int) and offset != 0:
            if offset < 0:
                while len(self.pending_updates) > -offset:
                    self.pending_updates.popleft()
            else:
                while self.pending_updates and self.pending_updates[0]["update_id"] < offset:
                    self.pending_updates.popleft()
        deadline = time.monotonic() + timeout
        while not self.pending_updates and not self._stopping:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            event = self._update_event
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), remaining)
            if self.webhook_url:
                raise _Refusal(409, "Conflict: terminated by setWebhook request")
        return list(itertools.islice(self.pending_updates, max(1, min(int(limit), 100))))

    def _m_setwebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self.pending_updates.clear()
        self.webhook_url = url
        self.webhook_secret = secret if url else None
        self._update_event.set()
        self._update_event = asyncio.Event()
        return True

    def _m_deletewebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        if params.get("drop_pending_updates"):
            self.pending_updates.clear()
        self.webhook_url = ""
        self.webhook_secret = None
        return True

    def _m_getwebhookinfo(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self.pending_updates)}

    def _m_sendmessage(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(params)
        text = self._text(params, "text", MAX_TEXT, required=True)
        return self._new_message(chat, params, text=text)

    def _m_copymessage(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        """A copy of a message the fake has seen (sent by the bot or shown in an update), without its
        sender; Telegram answers only the new message's id."""
        chat = self._chat(params)
        source = self.messages.get((self._coerce("chat_id", str(params.get("from_chat_id"))),
                                    self._coerce("message_id", str(params.get("message_id")))))
        if source is None:
            raise _bad("message to copy not found")
        content = {k: v for k, v in source.items()
                   if k not in ("message_id", "date", "chat", "from", "reply_to_message", "reply_markup")}
        return {"message_id": self._new_message(chat, params, **content)["message_id"]}

    def _m_editmessagetext(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any] | bool:
        text = self._text(params, "text", MAX_TEXT, required=True)
        markup = self._inline_markup(params)
        msg = self._find_message(params, "edit")
        if msg is None:
            return True
        if msg.get("text", msg.get("caption")) == text and msg.get("reply_markup") == markup:
            raise _bad(
                "message is not modified: specified new message content and reply markup are exactly the same "
                "as a current content and reply markup of the message"
            )
        msg["text"] = text
        self._set_markup(msg, markup)
        msg["edit_date"] = int(time.time())
        return msg

    def _m_editmessagecaption(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any] | bool:
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        markup = self._inline_markup(params)
        msg = self._find_message(params, "edit")
        if msg is None:
            return True
        if msg.get("caption") == caption and msg.get("reply_markup") == markup:
            raise _bad("message is not modified")
        if caption is None:
            msg.pop("caption", None)
        else:
            msg["caption"] = caption
        self._set_markup(msg, markup)
        return msg

    def _m_editmessagereplymarkup(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any] | bool:
        markup = self._inline_markup(params)
        msg = self._find_message(params, "edit")
        if msg is None:
            return True
        if msg.get("reply_markup") == markup:
            raise _bad("message is not modified")
        self._set_markup(msg, markup)
        return msg

    @staticmethod
    def _set_markup(msg: dict[str, Any], markup: dict[str, Any] | None) -> None:
        if markup is None:
            msg.pop("reply_markup", None)
        else:
            msg["reply_markup"] = markup

    def _m_deletemessage(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        msg = self._find_message(params, "delete")
        if msg is not None:
            self.messages.pop((msg["chat"]["id"], msg["message_id"]), None)
        return True

    def _m_answercallbackquery(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        if not params.get("callback_query_id"):
            raise _bad("QUERY_ID_INVALID")
        if len(params.get("text") or "") > MAX_CALLBACK_ANSWER:
            raise _bad("MESSAGE_TOO_LONG")
        return True

    def _m_sendphoto(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(params)
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        photo = params.get("photo")
        if photo in (None, ""):
            raise _bad("there is no photo in the request")
        file_id, size = self._store_file(photo, "photo")
        width, height = (_png_size(photo) if isinstance(photo, bytes) else None) or (800, 600)
        sizes = [
            {"file_id": f"{file_id}_s", "file_unique_id": f"u{file_id}_s", "width": min(width, 90), "height": min(height, 90)},
            {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": width, "height": height, "file_size": size},
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption is not None:
            content["caption"] = caption
        return self._new_message(chat, params, **content)

    def _m_senddocument(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(params)
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        doc = params.get("document")
        if doc in (None, ""):
            raise _bad("there is no document in the request")
        file_id, size = self._store_file(doc, "doc")
        content: dict[str, Any] = {
            "document": {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": "document", "file_size": size}
        }
        if caption is not None:
            content["caption"] = caption
        return self._new_message(chat, params, **content)

    def _m_sendpoll(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(params)
        question = params.get("question")
        if not question or len(str(question)) > 300:
            raise _bad("poll question must be non-empty" if not question else "poll question length must not exceed 300")
        raw_options = params.get("options")
        if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= 12:
            raise _bad("poll must have at least 2 option" if not isinstance(raw_options, list) or len(raw_options) < 2 else "poll can't have more than 12 options")
        options = []
        for opt in raw_options:
            text = opt.get("text") if isinstance(opt, dict) else opt
            if not isinstance(text, str) or not 1 <= len(text) <= 100:
                raise _bad("poll options length must not exceed 100")
            options.append({"text": text, "voter_count": 0, "persistent_id": str(len(options))})
        poll_id = str(5000000000000000000 + next(self._poll_counter))
        ptype = params.get("type") or "regular"
        poll: dict[str, Any] = {
            "id": poll_id,
            "question": str(question),
            "options": options,
            "total_voter_count": 0,
            "is_closed": bool(params.get("is_closed", False)),
            "is_anonymous": bool(params.get("is_anonymous", True)),
            "type": ptype,
            "allows_multiple_answers": bool(params.get("allows_multiple_answers", False)),
            "allows_revoting": bool(params.get("allows_revoting", False)),
            "members_only": bool(params.get("members_only", False)),
        }
        if ptype == "quiz":
            ids = params.get("correct_option_ids")
            if ids is None and "correct_option_id" in params:
                ids = [params["correct_option_id"]]
            if ids is not None:
                poll["correct_option_ids"] = ids
        msg = self._new_message(chat, params, poll=poll)
        self.polls[poll_id] = {"poll": poll, "chat_id": chat["id"], "message_id": msg["message_id"]}
        return msg

    def _m_stoppoll(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(params)
        for entry in self.polls.values():
            if entry["chat_id"] == chat["id"] and entry["message_id"] == params.get("message_id"):
                if entry["poll"]["is_closed"]:
                    raise _bad("poll has already been closed")
                entry["poll"]["is_closed"] = True
                return entry["poll"]
        raise _bad("message with poll to stop not found")

    @staticmethod
    def _scope_key(scope: Any) -> str:
        if not scope:
            scope = {"type": "default"}
        return json.dumps(scope, sort_keys=True)

    def _m_setmycommands(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for c in commands:
            if not isinstance(c, dict) or not _COMMAND_RE.match(str(c.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(c.get("description", ""))) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[(self._scope_key(params.get("scope")), params.get("language_code") or "")] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_getmycommands(self, params: dict[str, Any], files: dict[str, bytes]) -> list[dict[str, Any]]:
        return self.commands.get((self._scope_key(params.get("scope")), params.get("language_code") or ""), [])

    def _m_deletemycommands(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.commands.pop((self._scope_key(params.get("scope")), params.get("language_code") or ""), None)
        return True

    def _m_sendchataction(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self._chat(params)
        if not params.get("action"):
            raise _bad("wrong parameter action in request")
        return True

    def _m_getchat(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat = dict(self._chat(params, check_blocked=False))
        chat.setdefault("accent_color_id", 0)
        chat.setdefault("max_reaction_count", 11)
        chat.setdefault("accepted_gift_types", {"unlimited_gifts": False, "limited_gifts": False, "unique_gifts": False, "premium_subscription": False, "gifts_from_channels": False})
        return chat

    def _m_getchatmember(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        chat = self._chat(params, check_blocked=False)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise _bad("invalid user_id specified")
        user = self.bot_user if user_id == self.bot_id else self.users.get(user_id, {"id": user_id, "is_bot": False, "first_name": "User"})
        status = self.chat_members.get((chat["id"], user_id), "member")
        member: dict[str, Any] = {"status": status, "user": user}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                can_be_edited=False, is_anonymous=False, can_manage_chat=True, can_delete_messages=True,
                can_manage_video_chats=True, can_restrict_members=True, can_promote_members=False,
                can_change_info=True, can_invite_users=True, can_post_stories=False, can_edit_stories=False,
                can_delete_stories=False,
            )
        elif status == "kicked":
            member["until_date"] = 0
        return member

    def _m_setchatmenubutton(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        self.menu_buttons[params.get("chat_id")] = params.get("menu_button") or {"type": "default"}
        return True

    def _m_getchatmenubutton(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        return self.menu_buttons.get(params.get("chat_id"), {"type": "default"})

    def _m_getfile(self, params: dict[str, Any], files: dict[str, bytes]) -> dict[str, Any]:
        file_id = params.get("file_id")
        data = self.files.get(str(file_id))
        if data is None:
            raise _bad("invalid file_id")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": len(data), "file_path": file_id}

    def _m_close(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        return True

    def _m_logout(self, params: dict[str, Any], files: dict[str, bytes]) -> bool:
        return True
