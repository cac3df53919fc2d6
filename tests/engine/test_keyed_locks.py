"""Per-key locks: one task at a time per key, in arrival order, and a key forgotten once nobody uses it."""

from __future__ import annotations

import asyncio

from bot.shared.keyed_locks import KeyedLocks


async def test_one_at_a_time_per_key_and_forgotten_after() -> None:
    locks, order, inside = KeyedLocks(), [], set()

    async def work(key: str, n: int) -> None:
        async with locks.hold(key):
            assert key not in inside  # nobody else on this key meanwhile
            inside.add(key)
            order.append((key, n))
            await asyncio.sleep(0.01)
            inside.discard(key)

    await asyncio.gather(*(work(k, n) for n in range(4) for k in ("a", "b")))
    assert [n for k, n in order if k == "a"] == [0, 1, 2, 3]
    assert len(locks) == 0


async def test_a_failing_or_cancelled_holder_releases_the_key() -> None:
    locks = KeyedLocks()
    started = asyncio.Event()

    async def stuck() -> None:
        async with locks.hold("k"):
            started.set()
            await asyncio.sleep(10)

    got, done = asyncio.Event(), asyncio.Event()

    async def waiter() -> None:
        async with locks.hold("k"):
            got.set()
            await done.wait()

    task = asyncio.create_task(stuck())
    await started.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0.01)
    assert not got.is_set()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await asyncio.wait_for(got.wait(), 5)  # the waiter got the lock once the holder was cancelled
    assert len(locks) == 1  # and it is still known while the waiter holds it
    done.set()
    await second
    assert len(locks) == 0
