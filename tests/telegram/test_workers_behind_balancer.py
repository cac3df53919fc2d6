"""Two `aliat run` workers on one PostgreSQL database behind a round-robin balancer that spreads updates
with no regard for chat (the worst case): twenty chats at once, each chat's updates sent as Telegram sends
them (the next one after the previous was answered), some sent twice. Every chat gets exactly the replies
one process alone gives, in the same order: nothing lost, nothing answered twice, nothing reordered."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import func, select

from bot.engine import UserMessage
from bot.store.db import create_engine, make_sessionmaker
from bot.store.models import Outbox, ProcessedUpdate
from fake_telegram.balancer import RoundRobin
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import PG_URL, make_runtime, reset_postgres
from tests.auxil.workers import Workers

pytestmark = pytest.mark.skipif(not PG_URL, reason="ALIAT_TEST_DATABASE_URL not set (PostgreSQL)")
CHATS = tuple(7300 + i for i in range(20))
SCRIPTS = (
    ["/start", "/help", "hola", "explorar una aliança", "Casal Obert", "2", "3", "/back", "1", "/privacy"],
    ["/start", "hola", "vull parlar amb una persona", "/restart", "/help", "/privacy"],
)


class JitteryBotApi(FakeBotApi):
    """The fake Bot API with the internet's jitter: a message takes 0 to 60 ms to reach Telegram, so a
    worker that answered the webhook before its replies had gone could be overtaken by the next worker."""

    def __init__(self) -> None:
        super().__init__()
        self.jitter = random.Random(7)

    async def _handle(self, request):
        if request.path.endswith("/sendMessage"):
            await asyncio.sleep(self.jitter.uniform(0, 0.06))
        return await super()._handle(request)


def script(chat_id: int) -> list[str]:
    return SCRIPTS[chat_id % len(SCRIPTS)]


async def _reference() -> dict[int, list[str]]:
    """What one process alone answers, chat by chat (every chat of a script says the same)."""
    await reset_postgres(PG_URL)
    runtime = await make_runtime(PG_URL)
    texts: dict[int, list[str]] = {}
    try:
        for index, lines in enumerate(SCRIPTS):
            texts[index] = []
            for line in lines:
                replies = await runtime.engine.handle(UserMessage(sender_id=f"ref:{index}", text=line,
                                                                  channel="telegram", language_hint="ca"))
                texts[index] += [r.text for r in replies if r.text]
    finally:
        await runtime.close()
    await reset_postgres(PG_URL)
    return texts


async def test_two_workers_behind_a_round_robin_balancer_keep_every_chat_in_order(tmp_path) -> None:
    reference = await _reference()
    rng = random.Random(30)
    async with JitteryBotApi() as fake:
        workers = Workers(fake, PG_URL, 2, tmp_path, rate_limit=True)  # budgets shared in PostgreSQL
        async with RoundRobin(workers.urls) as balancer:
            workers.public_url = balancer.url
            await workers.start()
            try:
                assert fake.webhook_url == f"{balancer.url}/tg"
                next_id = iter(range(700_000, 800_000))
                repeated = 0

                async def play(chat_id: int) -> None:
                    nonlocal repeated
                    await asyncio.sleep(rng.random() * 0.2)  # the chats' turns interleave
                    for line in script(chat_id):
                        update = U.make_message(line, chat_id=chat_id, user_id=chat_id, update_id=next(next_id),
                                                language_code="ca")
                        assert await fake.push_update(update) == 200
                        if rng.random() < 0.2:  # Telegram sends it again (its answer was lost): another worker
                            repeated += 1
                            assert await fake.push_raw_update(update) == 200

                await asyncio.wait_for(asyncio.gather(*(play(chat_id) for chat_id in CHATS)), 240)
                assert repeated > 0 and min(balancer.counts) > 0
            finally:
                failed = await workers.stop()
        assert not failed, failed
    engine = create_engine(PG_URL)
    try:
        async with make_sessionmaker(engine)() as session:
            unsent = await session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status != "sent"))
            handled = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
    finally:
        await engine.dispose()
    assert unsent == 0
    assert handled == sum(len(script(c)) for c in CHATS)
    for chat_id in CHATS:
        sent = [c.text for c in fake.sent_messages(chat_id)]
        assert sent == reference[chat_id % len(SCRIPTS)], f"chat {chat_id}"


GROUP = -100778
ENTITY = 7401


async def test_a_handoff_across_two_workers(tmp_path) -> None:
    """An entity's handoff with its updates spread over two workers; the card reaches the facilitators'
    group once; two facilitators press Claim at once, each press on another worker: one wins, the other
    is told who has it; the entity is told once."""
    from bot.store import leads as store
    from bot.store.models import Lead

    await reset_postgres(PG_URL)
    async with FakeBotApi() as fake:
        workers = Workers(fake, PG_URL, 2, tmp_path, env={"ALIAT_FACILITATOR_CHAT_ID": str(GROUP)})
        async with RoundRobin(workers.urls) as balancer:
            workers.public_url = balancer.url
            await workers.start()
            runtime = await make_runtime(PG_URL)
            try:
                async with runtime.sessionmaker() as session, session.begin():
                    await store.add_facilitator(session=session, telegram_user_id=7001, name="Laia")
                    await store.add_facilitator(session=session, telegram_user_id=7002, name="Pau")

                async def say(update: dict, expect: str) -> None:
                    since = len(fake.calls)
                    assert await fake.push_update(update) == 200
                    await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == ENTITY
                                        and expect in (c.text or ""), since=since, timeout=20)

                entity = {"chat_id": ENTITY, "user_id": ENTITY}
                await say(U.make_command("start", **entity), "Alia't")
                await say(U.make_command("facilitator", **entity), "Hi estàs d'acord")
                await say(U.make_message("sí", **entity), "entitat")
                await say(U.make_message("Coop Sud", **entity), "Com et dius")
                await say(U.make_message("Marta", **entity), "càrrec")
                await say(U.make_command("skip", **entity), "voluntàries")
                await say(U.make_message("uns 12", **entity), "pressupost")
                await say(U.make_command("skip", **entity), "contacti")
                await say(U.make_message("1", **entity), "Coop Sud")
                card = (await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == GROUP
                                            and "Lead #1" in (c.text or ""), timeout=30))[0]
                for _ in range(200):  # the card's delivery is recorded (the lead becomes "notified")
                    async with runtime.sessionmaker() as session:
                        if (await store.get_lead(session=session, lead_id=1)).status == "notified":
                            break
                    await asyncio.sleep(0.05)
                since = len(fake.calls)
                statuses = await asyncio.gather(*(fake.push_update(U.make_callback(
                    "lead:1:claim", chat_id=GROUP, user_id=user, message_id=card.result["message_id"]))
                    for user in (7001, 7002)))
                assert statuses == [200, 200]
                answers = await fake.wait_for("answerCallbackQuery", count=2, since=since, timeout=20)
                texts = sorted(a.params.get("text") or "" for a in answers)
                assert sum("és teu" in t for t in texts) == 1 and sum("Ja l'ha agafat" in t for t in texts) == 1
                async with runtime.sessionmaker() as session:
                    lead = await session.scalar(select(Lead))
                    winner = await session.get(store.Facilitator, lead.assignee_id)
                assert lead.status == "claimed"
                await fake.wait_for(lambda c: c.ok and c.method == "editMessageText" and c.chat_id == GROUP
                                    and winner.name in (c.params.get("text") or ""), timeout=30)
                await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == ENTITY
                                    and f"{winner.name}, facilitador" in (c.text or ""), timeout=30)
                await asyncio.sleep(1)  # a second notice or card would have come by now
            finally:
                await runtime.close()
                failed = await workers.stop()
        assert not failed, failed
    assert sum("Lead #1" in t for t in fake.sent_texts(GROUP)) == 1
    assert sum(f"{winner.name}, facilitador" in t for t in fake.sent_texts(ENTITY)) == 1
    assert min(balancer.counts) > 0
