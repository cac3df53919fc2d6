"""Random updates of every kind through the real Application: no unhandled error, every private text
answered, and forged callback data for facilitator, trainer and conversation buttons changes nothing."""

from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from bot.store.models import Lead, LeadEvent, Workshop, WorkshopVote
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import make_runtime
from tests.auxil.telegram_bot import bot_settings, running_bot, settle

PRIVATE = st.sampled_from([2001, 2002, 2003])
GROUP = st.just(-1002000000001)
TEXT = st.one_of(st.text(max_size=200), st.sampled_from([
    "/start", "/help", "/forget", "/facilitator", "/leads", "/lead 1", "/reply 1 hola", "/workshop", "/bot",
    "/workshop_end", "/close 1 formed", "<b>x</b>", "\u202e", "a" * 5000]))
DATA = st.one_of(st.text(max_size=70), st.sampled_from([
    "lead:1:claim", "lead:1:formed", "lead:999:release", "ws:next", "ws:end", "ws:1:rate:4", "q1:/forget_confirm",
    "q99:innovation", "q0:/human", "lead:1:claim:extra", "ws:", ":"]))


def _update(kind: str, chat: int, text: str, data: str) -> dict:
    user = abs(chat) % 100000 + 1
    if kind == "text":
        return U.make_message(text or " ", chat_id=chat, user_id=user)
    if kind == "callback":
        return U.make_callback(data or "x", chat_id=chat, user_id=user, message_id=1)
    if kind == "edited":
        return U.make_edited_message(text or "x", chat_id=chat, user_id=user)
    if kind == "channel":
        return U.make_channel_post(text or "x")
    if kind == "poll_answer":
        return U.make_poll_answer("nope", user_id=user)
    if kind == "member":
        return U.make_my_chat_member(chat_id=-1002000000001, user_id=user)
    return getattr(U, f"make_{kind}")(chat_id=chat, user_id=user)


UPDATES = st.lists(st.tuples(
    st.sampled_from(["text", "callback", "sticker", "photo", "voice", "video", "document", "location", "contact",
                     "edited", "channel", "poll_answer", "member"]),
    st.one_of(PRIVATE, GROUP), TEXT, DATA), min_size=5, max_size=25)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=UPDATES)
async def test_random_updates_through_the_real_application(batch, tmp_path_factory, caplog) -> None:
    caplog.set_level(logging.ERROR)
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('fuzz') / 'fuzz.db'}"
    runtime = await make_runtime(url)
    try:
        async with FakeBotApi() as fake, running_bot(bot_settings(url, fake), fake, runtime):
            private_texts = {}
            for kind, chat, text, data in batch:
                update = _update(kind, chat, text, data)
                await fake.push_update(update)
                if kind == "text" and chat > 0:
                    private_texts[chat] = private_texts.get(chat, 0) + 1
            await fake.wait_updates_consumed(timeout=20)
            await settle(fake, quiet=0.3, timeout=30)
            for chat in private_texts:
                assert fake.sent_messages(chat), f"private chat {chat} got no answer"
        errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, [r.getMessage() for r in errors]
        async with runtime.sessionmaker() as session:
            for model in (Lead, LeadEvent, Workshop, WorkshopVote):
                assert await session.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    finally:
        await runtime.close()
