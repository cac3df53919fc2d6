"""A reply delivered just before a worker stops is recorded as sent, even when its "sent" mark was being
written at that moment: its row never stays pending, to be sent a second time by the next deliverer.

Found by the two-workers test (tests/telegram/test_workers_behind_balancer.py), once under load: one
outbox row unsent after stop. drain() cancelled the batch of marks under way, and the batch was lost."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from sqlalchemy import select

from bot.store import outbox
from bot.store.models import Outbox
from bot.store.outbox import Reply
from bot.telegram import channel as channel_module
from bot.telegram.channel import CLAIM_FOR, SWEEP_GRACE, TelegramChannel
from bot.telegram.sender import Sender
from tests.auxil.runtime import make_runtime


async def test_outbox_sent_mark_under_way_when_the_worker_stops_is_not_lost(database_url, monkeypatch) -> None:
    runtime = await make_runtime(database_url)
    try:
        async with runtime.sessionmaker() as session, session.begin():
            row_id = await outbox.add_claimed_reply(
                await session.connection(), payload=Reply(chat_id=5, update_id=1, edit=None, messages=[]),
                dedup_key="reply:1:1", grace=SWEEP_GRACE, claim_for=CLAIM_FOR)
        writing, gate = asyncio.Event(), asyncio.Event()
        real = outbox.mark_all_sent
        calls: list[list[int]] = []

        async def slow_first_mark(*, sessionmaker, row_ids):  # the first batch is still being written at stop
            calls.append(list(row_ids))
            if len(calls) == 1:
                writing.set()
                await gate.wait()
            await real(sessionmaker=sessionmaker, row_ids=row_ids)

        monkeypatch.setattr(channel_module.outbox, "mark_all_sent", slow_first_mark)
        ch = TelegramChannel(runtime, SimpleNamespace(id=1), Sender(max_retries=0, pace=False))  # type: ignore[arg-type]
        ch._mark_sent(row_id)  # delivered; its mark goes with the next batch
        await asyncio.wait_for(writing.wait(), 5)
        assert await ch.drain(timeout=1) == 0
        async with runtime.sessionmaker() as session:
            status = await session.scalar(select(Outbox.status).where(Outbox.id == row_id))
        assert status == "sent"
        assert calls[-1] == [row_id]
    finally:
        await runtime.close()
