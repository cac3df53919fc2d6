"""An update is claimed in one statement, in the transaction of what is done with it: the first claim
records it, a later one (a redelivery, another worker) finds it, and a claim rolled back with its turn
leaves the update free for the next try. SQLite, and PostgreSQL when ALIAT_TEST_DATABASE_URL is set."""

from __future__ import annotations

from bot.store import updates
from tests.auxil.runtime import make_runtime


async def test_an_update_claim_records_once_and_rolls_back_with_its_turn(database_url) -> None:
    runtime = await make_runtime(database_url)
    try:
        async with runtime.sessionmaker() as session:
            assert await updates.claim(await session.connection(), bot_id=1, update_id=10)
            await session.rollback()  # the turn failed: its claim goes with it
            async with session.begin():
                assert await updates.claim(await session.connection(), bot_id=1, update_id=10)
            async with session.begin():
                connection = await session.connection()
                assert not await updates.claim(connection, bot_id=1, update_id=10)  # redelivered: skipped
                assert await updates.claim(connection, bot_id=2, update_id=10)  # another bot's update 10
    finally:
        await runtime.close()
