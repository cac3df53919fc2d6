"""An update is claimed in the transaction of what is done with it: the first claim records it, a later one
(a redelivery, another worker) finds it, and a claim rolled back with its turn leaves the update free for
the next try. On PostgreSQL the claim is one statement; on SQLite it is a look-up and `record` writes it
late, so a turn's actions can write on their own connection meanwhile. SQLite, and PostgreSQL when
ALIAT_TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio

from bot.store import updates
from tests.auxil.runtime import make_runtime


async def _claim_and_record(session, *, bot_id: int, update_id: int) -> bool:
    connection = await session.connection()
    claimed = await updates.claim(connection, bot_id=bot_id, update_id=update_id)
    if claimed:
        await updates.record(connection, bot_id=bot_id, update_id=update_id)
    return claimed


async def test_an_update_claim_records_once_and_rolls_back_with_its_turn(database_url) -> None:
    runtime = await make_runtime(database_url)
    try:
        async with runtime.sessionmaker() as session:
            assert await _claim_and_record(session, bot_id=1, update_id=10)
            await session.rollback()  # the turn failed: its claim goes with it
            async with session.begin():
                assert await _claim_and_record(session, bot_id=1, update_id=10)
            async with session.begin():
                assert not await _claim_and_record(session, bot_id=1, update_id=10)  # redelivered: skipped
                assert await _claim_and_record(session, bot_id=2, update_id=10)  # another bot's update 10
    finally:
        await runtime.close()


async def test_a_claimed_turn_leaves_the_database_writable_for_its_actions(database_url) -> None:
    """The handoff's action writes its exactly-once record on its own connection while the turn that
    claimed the update waits for it: a claim that took SQLite's write lock made it fail ("database is
    locked") and the handoff was lost."""
    runtime = await make_runtime(database_url)
    try:
        async with runtime.sessionmaker() as turn, turn.begin():
            assert await updates.claim(await turn.connection(), bot_id=1, update_id=20)

            async def action() -> bool:
                async with runtime.sessionmaker() as other, other.begin():
                    return await _claim_and_record(other, bot_id=1, update_id=21)
            assert await asyncio.wait_for(action(), timeout=30)
            await updates.record(await turn.connection(), bot_id=1, update_id=20)
    finally:
        await runtime.close()
