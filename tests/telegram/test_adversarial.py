"""Issue 13: what an adversarial probe broke, each defect as a test through the real Application and the
fake Bot API (a hostile user, a curious facilitator, an unlucky operator)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.channels import build_application, serve
from bot.store import leads as store
from bot.store import workshops
from bot.store.models import LeadEvent, Outbox, WorkshopVote
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import ask_for_a_facilitator, make_runtime
from tests.auxil.telegram_bot import bot_settings, channel, running_bot, settle

FACILITATOR = 7001
ENTITY = 1001
GROUP = -100777
TRAINER, OTHER_TRAINER = 8001, 8002


@pytest.fixture
async def bot(sqlite_url):
    """(fake, app, runtime): the bot polling the fake Bot API, with one registered facilitator."""
    async with FakeBotApi() as fake:
        settings = bot_settings(sqlite_url, fake)
        runtime = await make_runtime(sqlite_url)
        runtime.settings = settings
        async with runtime.sessionmaker() as session, session.begin():
            await store.add_facilitator(session=session, telegram_user_id=FACILITATOR, name="Laia")
        try:
            async with running_bot(settings, fake, runtime) as app:
                yield fake, app, runtime
        finally:
            await runtime.close()


# ---------------------------------------------------------------------- 2. numbers read safely
@pytest.mark.parametrize("arg, answer", [("፩", "/lead"), ("99999999999999999999999", "/lead"),
                                         ("#٣", "/lead"), ("²", "#2")])  # NFKC: ² is 2, a lead not found
async def test_lead_with_an_exotic_or_endless_number_gets_an_answer_not_an_apology(bot, arg, answer) -> None:
    fake, app, _runtime = bot
    since = len(fake.calls)
    await fake.push_update(U.make_command("lead", arg, user_id=FACILITATOR))
    await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == FACILITATOR, since=since)
    await settle(fake)
    texts = [c.text for c in fake.calls[since:] if c.method == "sendMessage" and c.ok]
    assert len(texts) == 1 and "Ui" not in texts[0]
    assert answer in texts[0] or answer == "#2"
    assert channel(app).counters["handler_errors"] == 0


# ---------------------------------------------------------------------- 4. every handler deduplicated
async def _lead_held_by_the_facilitator(fake, runtime) -> int:
    await ask_for_a_facilitator(runtime, f"tg:{ENTITY}")
    since = len(fake.calls)
    await fake.push_update(U.make_command("claim", "1", user_id=FACILITATOR))
    await fake.wait_for(lambda c: c.ok and c.chat_id == FACILITATOR and "és teu" in (c.text or ""), since=since)
    return 1


async def _count(runtime, model, **where) -> int:
    async with runtime.sessionmaker() as session:
        query = select(func.count()).select_from(model)
        for key, value in where.items():
            query = query.where(getattr(model, key) == value)
        return await session.scalar(query)


async def _twice(fake, update: dict) -> None:
    """Telegram delivering the same update twice (a webhook retry, a restart before the offset moved)."""
    await fake.push_raw_update(update)
    await fake.wait_updates_consumed()
    await settle(fake)
    await fake.push_raw_update(dict(update))
    await fake.wait_updates_consumed()
    await settle(fake)


@pytest.mark.parametrize("command, kind, action", [("reply", "entity_message", "replied"), ("note", None, "note")])
async def test_a_redelivered_facilitator_command_acts_once(bot, command, kind, action) -> None:
    fake, app, runtime = bot
    lead_id = await _lead_held_by_the_facilitator(fake, runtime)
    since = len(fake.calls)
    before = await _count(runtime, Outbox, kind=kind) if kind else 0
    await _twice(fake, U.make_command(command, f"{lead_id} Dijous a les 10?", user_id=FACILITATOR,
                                      update_id=9000))
    assert await _count(runtime, LeadEvent, lead_id=lead_id, action=action) == 1
    if kind:
        assert await _count(runtime, Outbox, kind=kind) == before + 1
    answers = [c for c in fake.calls[since:] if c.method == "sendMessage" and c.chat_id == FACILITATOR]
    assert len(answers) == 1
    assert channel(app).counters["duplicate_updates"] == 1


async def test_a_redelivered_card_press_acts_once(bot) -> None:
    fake, app, runtime = bot
    await ask_for_a_facilitator(runtime, f"tg:{ENTITY}")
    await _twice(fake, U.make_callback("lead:1:claim", chat_id=GROUP, user_id=FACILITATOR, update_id=9100))
    assert await _count(runtime, LeadEvent, lead_id=1, action="claimed") == 1
    async with runtime.sessionmaker() as session:
        assert (await store.get_lead(session=session, lead_id=1)).status == "claimed"
    answers = [c.params.get("text") for c in fake.calls_to("answerCallbackQuery")]
    assert len(answers) == 2 and "#1" in (answers[0] or "") and not answers[1]  # the repeat: a silent answer
    assert channel(app).counters["duplicate_updates"] == 1


# ---------------------------------------------------------------------- workshops: 4 and 8
@pytest.fixture
async def workshop(bot):
    """A running factor workshop in GROUP started by TRAINER: (fake, app, runtime, workshop id, step)."""
    fake, app, runtime = bot
    async with runtime.sessionmaker() as session, session.begin():
        await workshops.add_trainer(session=session, telegram_user_id=TRAINER, name="Formadora")
        await workshops.add_trainer(session=session, telegram_user_id=OTHER_TRAINER, name="Altra")
    since = len(fake.calls)
    await fake.push_update(U.make_callback("ws:p:factors:ca", chat_id=GROUP, user_id=TRAINER))
    await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == GROUP
                        and any("ws:r:" in b.get("callback_data", "") for row in
                                (c.params.get("reply_markup") or {}).get("inline_keyboard", []) for b in row),
                        since=since, timeout=15)
    async with runtime.sessionmaker() as session:
        running = await workshops.running_workshop(session=session, chat_id=GROUP)
    return fake, app, runtime, running.id, running.state["step"]


async def test_a_redelivered_rating_counts_once(workshop) -> None:
    fake, _app, runtime, workshop_id, step = workshop
    await _twice(fake, U.make_callback(f"ws:r:{workshop_id}:{step}:3", chat_id=GROUP, user_id=5001,
                                       update_id=9200))
    assert await _count(runtime, WorkshopVote, workshop_id=workshop_id) == 1


async def test_a_rating_from_another_chat_does_not_count(workshop) -> None:
    fake, _app, runtime, workshop_id, step = workshop
    for chat in (-100999, 5002):  # another group, a private chat: forged or copied button data
        await fake.push_update(U.make_callback(f"ws:r:{workshop_id}:{step}:3", chat_id=chat, user_id=5002))
    await fake.wait_updates_consumed()
    await settle(fake)
    assert await _count(runtime, WorkshopVote, workshop_id=workshop_id) == 0
    await fake.push_update(U.make_callback(f"ws:r:{workshop_id}:{step}:3", chat_id=GROUP, user_id=5002))
    await fake.wait_updates_consumed()
    await settle(fake)
    assert await _count(runtime, WorkshopVote, workshop_id=workshop_id) == 1


@pytest.mark.parametrize("data", ["ws:n:{id}:{step}", "ws:e:{id}"])
async def test_only_the_workshops_own_trainer_advances_or_ends_it(workshop, data) -> None:
    fake, _app, runtime, workshop_id, step = workshop
    press = data.format(id=workshop_id, step=step)
    await fake.push_update(U.make_callback(press, chat_id=-100999, user_id=OTHER_TRAINER))  # from elsewhere
    await fake.push_update(U.make_callback(press, chat_id=GROUP, user_id=OTHER_TRAINER))  # another trainer
    await fake.wait_updates_consumed()
    await settle(fake)
    async with runtime.sessionmaker() as session:
        current = await workshops.get_workshop(session=session, workshop_id=workshop_id)
    assert current.status == workshops.RUNNING and current.state["step"] == step
    await fake.push_update(U.make_callback(press, chat_id=GROUP, user_id=TRAINER))
    await fake.wait_updates_consumed()
    await settle(fake, timeout=20)
    async with runtime.sessionmaker() as session:
        current = await workshops.get_workshop(session=session, workshop_id=workshop_id)
    assert current.status != workshops.RUNNING or current.state["step"] == step + 1


@pytest.mark.parametrize("data", ["ws:n:{id}:{step}", "ws:e:{id}"])
async def test_a_programme_coordinator_may_advance_or_end_it(workshop, data) -> None:
    from bot.store import staff

    fake, _app, runtime, workshop_id, step = workshop
    coordinator = 7777
    async with runtime.sessionmaker() as session, session.begin():
        await staff.add_coordinator(session=session, telegram_user_id=coordinator, name="Coordinadora")
    await fake.push_update(U.make_callback(data.format(id=workshop_id, step=step), chat_id=GROUP,
                                           user_id=coordinator))
    await fake.wait_updates_consumed()
    await settle(fake, timeout=20)
    async with runtime.sessionmaker() as session:
        current = await workshops.get_workshop(session=session, workshop_id=workshop_id)
    assert current.status != workshops.RUNNING or current.state["step"] == step + 1


# ---------------------------------------------------------------------- 1. no one stalls anyone
FLOODS = {
    "workshop_in_a_group": lambda: U.make_command("workshop", addressed=True, chat_id=-100555, user_id=6666),
    "leads_in_private": lambda: U.make_command("leads", user_id=6666),
    "exotic_digits_in_private": lambda: U.make_message("፩", user_id=6666),
}


@pytest.fixture
async def paced_bot(sqlite_url):
    """The bot with Telegram's limits kept (rate limiter on), as in production."""
    async with FakeBotApi() as fake:
        settings = bot_settings(sqlite_url, fake, rate_limit=True)
        # A low limit, so that the group's notice comes after 5 refusals (one every 3 s), not 30.
        settings = replace(settings, telegram=replace(settings.telegram, flood_max_per_minute=5))
        runtime = await make_runtime(sqlite_url)
        runtime.settings = settings
        try:
            async with running_bot(settings, fake, runtime) as app:
                yield fake, app, runtime
        finally:
            await runtime.close()


@pytest.mark.parametrize("flood", FLOODS)
async def test_a_flood_in_one_chat_does_not_hold_back_the_others(paced_bot, flood) -> None:
    fake, app, _runtime = paced_bot
    if flood == "exotic_digits_in_private":  # a scale question waiting for its answer
        for said in ("/start",):
            await fake.push_update(U.make_command(said.lstrip("/"), user_id=6666))
        await fake.wait_for(lambda c: c.ok and c.chat_id == 6666)
    flooded = 500
    for _ in range(flooded):
        await fake.push_update(FLOODS[flood]())
    pushed: dict[int, float] = {}
    for i in range(20):  # others start a conversation while the flood is being read
        user = 2000 + i
        pushed[user] = time.monotonic()
        await fake.push_update(U.make_command("start", user_id=user))
        await asyncio.sleep(0.1)
    first = {}
    for user, at in pushed.items():
        (reply,) = await fake.wait_for(lambda c, user=user: c.ok and c.method == "sendMessage" and c.chat_id == user,
                                       timeout=30)
        first[user] = reply.time - at
    # How long they waited is the bench's to show (`telegram_flood`: p99 under a second on a quiet machine);
    # a latency asserted here fails on a busy machine. Here: all of them are answered while the flood is read.
    print(f"\nfirst replies waited {sorted(round(w, 3) for w in first.values())}")
    # The flooder was told once; the rest was dropped and counted.
    await fake.wait_updates_consumed(timeout=30)
    counters = channel(app).counters
    limit = channel(app).runtime.settings.telegram.flood_max_per_minute
    assert counters["updates_dropped_flood"] >= flooded - limit - 5
    flood_chat = -100555 if flood == "workshop_in_a_group" else 6666
    await fake.wait_for(lambda c: c.ok and c.chat_id == flood_chat and "atabalat" in (c.text or ""), timeout=40)
    await settle(fake, quiet=1.0)
    notices = [c for c in fake.sent_messages(flood_chat) if "atabalat" in (c.text or "")]
    answered = [c for c in fake.sent_messages(flood_chat) if "atabalat" not in (c.text or "")]
    assert len(notices) == 1 and len(answered) <= limit + 1  # (+1: the greeting before the exotic digits)


# ---------------------------------------------------------------------- 3. one send per reply
async def test_replies_queued_longer_than_a_claim_are_sent_once(sqlite_url, monkeypatch) -> None:
    """A chat's replies go about one a second; those still queued when their claim (shortened here from 30 s)
    would lapse must not be taken by the outbox's deliverer too."""
    import bot.telegram.channel as channel_module

    monkeypatch.setattr(channel_module, "CLAIM_FOR", timedelta(seconds=1))
    monkeypatch.setattr(channel_module, "SWEEP_GRACE", timedelta(seconds=0.1))
    async with FakeBotApi() as fake:
        settings = bot_settings(sqlite_url, fake, rate_limit=True)
        settings = replace(settings, telegram=replace(settings.telegram, flood_max_per_minute=0),  # all 20 pass
                           delivery=replace(settings.delivery, poll_interval_seconds=0.2))
        async with running_bot(settings, fake) as app:
            quick = 20
            for _ in range(quick):
                await fake.push_update(U.make_command("privacy", user_id=ENTITY))
            runtime = channel(app).runtime
            for _ in range(600):
                async with runtime.sessionmaker() as session:
                    rows = list(await session.scalars(select(Outbox).where(Outbox.kind == "reply")))
                if len(rows) == quick and all(r.status == "sent" for r in rows):
                    break
                await asyncio.sleep(0.1)
            await settle(fake, quiet=1.0)
            expected = sum(len(r.payload["messages"]) for r in rows)
            sends = [c for c in fake.calls if c.ok and c.method in ("sendMessage", "sendPhoto") and c.chat_id == ENTITY]
            assert len(rows) == quick and len(sends) == expected
            assert channel(app).counters["replies_swept"] == 0


# ---------------------------------------------------------------------- 7. clean stop
async def test_sigterm_drains_with_the_client_open_then_leaves_the_rest_for_the_restart(sqlite_url) -> None:
    async with FakeBotApi() as fake:
        settings = bot_settings(sqlite_url, fake, rate_limit=True)
        settings = replace(settings, telegram=replace(settings.telegram, drain_seconds=2, flood_max_per_minute=0))
        app = build_application(settings)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(app, settings, stop))
        await fake.wait_for("deleteWebhook", timeout=30)  # start-up, slower on a busy machine
        queued = 15
        for _ in range(queued):  # fifteen answers in one chat: about fifteen seconds of sending
            await fake.push_update(U.make_command("privacy", user_id=ENTITY))
        await fake.wait_updates_consumed()
        await fake.wait_for(lambda c: c.ok and c.chat_id == ENTITY)
        started = time.monotonic()
        stop.set()  # what SIGTERM does in `aliat run`
        await asyncio.wait_for(task, 15)
        took = time.monotonic() - started
        assert took < 2 + 3, f"stopping took {took:.1f} s"
        sent_before = len([c for c in fake.calls if c.ok and c.chat_id == ENTITY and c.method == "sendMessage"])
        assert not [c for c in fake.calls if c.chat_id == ENTITY and not c.ok]  # nothing failed: the client was open
        # Restarted, the deliverer sends the rest at once (their claims were released), each reply once.
        app = build_application(settings)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(app, settings, stop))
        try:
            runtime = None
            for _ in range(300):
                runtime = app.bot_data.channel and app.bot_data.channel.runtime
                if runtime is not None:
                    async with runtime.sessionmaker() as session:
                        statuses = list(await session.scalars(select(Outbox.status).where(Outbox.kind == "reply")))
                    if len(statuses) == queued and set(statuses) == {"sent"}:
                        break
                await asyncio.sleep(0.1)
            assert statuses == ["sent"] * queued
            await settle(fake, quiet=1.0)
            async with runtime.sessionmaker() as session:
                expected = sum(len(p["messages"]) for p in await session.scalars(
                    select(Outbox.payload).where(Outbox.kind == "reply")))
            sends = [c for c in fake.calls if c.ok and c.chat_id == ENTITY and c.method == "sendMessage"]
            assert len(sends) == expected > sent_before
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)
