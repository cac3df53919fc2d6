"""A bare python-telegram-bot bot: the baseline of the Telegram benches.

    python -m bench.bare_bot SCRIPT_JSON [--rate-limit] [--aiohttp]

No logic, no database: each update of chat c is answered with the messages that the script's journey
number c % len(journeys) gives for that chat's next turn (the same texts and keyboards the Alia't bot sends), plus, for a button press, the
answerCallbackQuery and the edit of the pressed message the Alia't bot also makes. PTB's own Updater
polls; updates run concurrently (the driver sends a chat's next update only after its replies came).
Token and Bot API address come from TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL. PTB's default HTTP
client (httpx) unless --aiohttp: then the Alia't bot's own client (bot/telegram/http.py), so that the
bench can tell the cost of the bot's logic apart from the gain of its lighter client.

`--rate-limit` gives it the Alia't bot's own overall budget (bot/telegram/limiter.py: at most 29 calls
in any 1.1 s), every call first come first served (as the Alia't bot's first messages, which may use
the whole window), so that both keep to the same budget. PTB's AIORateLimiter, its
baseline before, lets 30 go at once and 30 a second after (a leaky bucket): up to 60 in one second, 41
measured in the bench, above Telegram's 30; the comparison was then of two budgets, not two bots.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("PTB_TIMEDELTA", "true")

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes, TypeHandler


def _same_budget():
    from bot.telegram.limiter import FIRST, PriorityRateLimiter

    class SameBudget(PriorityRateLimiter):
        """The Alia't bot's overall budget, all calls alike."""

        async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
            return await super().process_request(callback, args, kwargs, endpoint, data, FIRST)

    return SameBudget()


def build(templates: list[list[list[dict]]], *, rate_limit: bool, aiohttp: bool = False) -> Application:
    base = os.environ["TELEGRAM_API_BASE_URL"]
    head, _, tail = base.rstrip("/").rpartition("/")
    builder = (Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(base)
               .base_file_url(f"{head}/file/{tail}").concurrent_updates(256))
    if aiohttp:
        from bot.telegram.http import AiohttpRequest

        builder = builder.request(AiohttpRequest(64)).get_updates_request(AiohttpRequest(1))
    else:
        builder = builder.connection_pool_size(64)
    if rate_limit:
        builder = builder.rate_limiter(_same_budget())
    app = builder.build()
    next_turn: Counter[int] = Counter()
    photos: dict[str, bytes] = {}

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        if chat is None:
            return
        bot = context.bot
        turns = templates[chat.id % len(templates)]  # the driver's numbering of chats
        index = next_turn[chat.id]
        next_turn[chat.id] += 1
        sends = turns[index] if index < len(turns) else [{"text": "ok", "markup": None}]
        query = update.callback_query
        if query is not None and query.message is not None:
            await query.answer()
            await bot.edit_message_text(f"{query.message.text or ''}\n\n✅ <b>ok</b>", chat_id=chat.id,
                                        message_id=query.message.message_id, parse_mode="HTML")
        for send in sends:
            if "photo" in send:
                data = photos.get(send["photo"])
                if data is None:
                    data = photos[send["photo"]] = Path(send["photo"]).read_bytes()
                await bot.send_photo(chat.id, data)
                continue
            markup = InlineKeyboardMarkup.de_json(send["markup"], bot) if send.get("markup") else None
            await bot.send_message(chat.id, send["text"], parse_mode="HTML", reply_markup=markup)

    app.add_handler(TypeHandler(Update, answer))
    return app


async def main(script_path: str, rate_limit: bool, aiohttp: bool) -> None:
    templates = json.loads(Path(script_path).read_text())["templates"]
    app = build(templates, rate_limit=rate_limit, aiohttp=aiohttp)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=10)
    await app.start()
    await stop.wait()
    await app.updater.stop()
    await app.stop()
    await app.shutdown()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], "--rate-limit" in sys.argv[2:], "--aiohttp" in sys.argv[2:]))
