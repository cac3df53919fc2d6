"""Housekeeping: old conversations, workshops, sent messages and update ids are purged; recent ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, update

from bot.app.maintenance import run_maintenance
from bot.store.models import Conversation, Outbox, ProcessedUpdate, Workshop
from tests.auxil.runtime import Chat


async def test_maintenance_purges_only_what_is_old(any_runtime) -> None:
    await Chat(any_runtime, sender_id="tg:1").send("/start")
    await Chat(any_runtime, sender_id="tg:2").send("/start")
    now = datetime.now(UTC)
    long_ago = now - timedelta(days=800)
    async with any_runtime.sessionmaker() as session:
        await session.execute(update(Conversation).where(Conversation.sender_id == "tg:1")
                              .values(updated_at=long_ago))
        session.add_all([
            Outbox(kind="reply", dedup_key="r:old", payload={"text": "old"}, status="sent", sent_at=long_ago),
            Outbox(kind="reply", dedup_key="r:new", payload={"text": "new"}, status="sent", sent_at=now),
            Outbox(kind="reply", dedup_key="r:pending", payload={"text": "p"}, status="pending"),
            ProcessedUpdate(bot_id=1, update_id=1, handled_at=long_ago),
            ProcessedUpdate(bot_id=1, update_id=2, handled_at=now),
            Workshop(chat_id=-5, trainer_user_id=1, programme="both", status="ended", language="ca", state={},
                     created_at=long_ago, ended_at=long_ago),
            # left running without an End yesterday, and one running now
            Workshop(chat_id=-6, trainer_user_id=1, programme="both", status="running", language="ca",
                     state={"salt": "ab" * 16, "step": 3}, created_at=now - timedelta(days=1)),
            Workshop(chat_id=-7, trainer_user_id=1, programme="both", status="running", language="ca",
                     state={"salt": "cd" * 16}, created_at=now - timedelta(hours=1)),
        ])
        await session.commit()
    done = await run_maintenance(any_runtime, now=now)
    assert done["conversations"] == 1 and done["sent_messages"] == 1 and done["processed_updates"] == 1
    assert done["workshops"] == 1 and done["abandoned_workshops"] == 1
    async with any_runtime.sessionmaker() as session:
        assert set((await session.scalars(select(Conversation.sender_id))).all()) == {"tg:2"}
        assert set((await session.scalars(select(Outbox.dedup_key))).all()) == {"r:new", "r:pending"}
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1
        workshops = {w.chat_id: w for w in await session.scalars(select(Workshop))}
        assert set(workshops) == {-6, -7}
        assert workshops[-6].status == "ended" and workshops[-6].state == {"step": 3}  # the salt is gone
        assert workshops[-7].status == "running" and "salt" in workshops[-7].state
