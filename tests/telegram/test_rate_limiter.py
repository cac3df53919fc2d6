"""The rate limiter: at most so many calls in any second overall, one per interval per group, the first message
of an answer first."""

from __future__ import annotations

import asyncio

from bot.telegram.limiter import FIRST, LAST, NEXT, PriorityPacer, PriorityRateLimiter, WindowPacer


async def test_calls_are_spaced_and_waiting_first_messages_go_first() -> None:
    pacer = PriorityPacer(0.02)
    loop = asyncio.get_running_loop()
    granted: list[tuple[str, float]] = []

    async def call(name: str, priority: int) -> None:
        await pacer.acquire(priority)
        granted.append((name, loop.time()))

    # Ten follow-up messages queue up; then an edit and a first message arrive.
    tasks = [asyncio.create_task(call(f"next{i}", NEXT)) for i in range(10)]
    await asyncio.sleep(0.03)
    tasks += [asyncio.create_task(call("edit", LAST)), asyncio.create_task(call("first", FIRST))]
    await asyncio.gather(*tasks)
    names = [name for name, _ in granted]
    assert names.index("first") <= 3, names  # it jumped the queue of follow-ups
    assert names[-1] == "edit"
    assert [n for n in names if n.startswith("next")] == [f"next{i}" for i in range(10)]  # arrival order
    gaps = [b - a for (_, a), (_, b) in zip(granted, granted[1:], strict=False)]
    assert min(gaps) >= 0.018, gaps


async def test_a_cancelled_waiter_does_not_take_a_slot(monkeypatch) -> None:
    # The dispatcher sleeps once per slot it hands out: a cancelled waiter skipped without a slot means
    # one sleep before the kept waiter is granted, not two.
    real_sleep = asyncio.sleep
    slept: list[float] = []

    async def recording_sleep(delay: float, *args, **kwargs):
        slept.append(delay)
        return await real_sleep(delay, *args, **kwargs)

    pacer = PriorityPacer(0.05)
    await pacer.acquire(NEXT)
    monkeypatch.setattr(asyncio, "sleep", recording_sleep)
    gone = asyncio.create_task(pacer.acquire(FIRST))
    kept = asyncio.create_task(pacer.acquire(NEXT))
    await real_sleep(0)
    gone.cancel()
    await asyncio.wait_for(kept, 1)
    monkeypatch.undo()
    assert gone.cancelled()
    assert kept.done() and not kept.cancelled() and kept.exception() is None
    assert len(slept) == 1, slept
    assert not pacer._waiting
    pacer.close()


async def test_the_limiter_leaves_calls_without_a_chat_alone_and_paces_groups() -> None:
    limiter = PriorityRateLimiter(overall_limit=1, overall_window=0.5, group_interval=0.2)
    loop = asyncio.get_running_loop()
    times: list[tuple[str, float]] = []

    async def callback(name: str) -> str:
        times.append((name, loop.time()))
        return name

    start = loop.time()
    await limiter.process_request(callback, ("private",), {}, "sendMessage", {"chat_id": 5}, None)
    # The overall slot is taken for 0.5 s: a callback answer (no chat_id) still goes at once.
    assert await limiter.process_request(callback, ("ack",), {}, "answerCallbackQuery",
                                         {"callback_query_id": "1"}, None) == "ack"
    assert times[-1][1] - start < 0.1
    await limiter.shutdown()

    limiter = PriorityRateLimiter(overall_limit=100, group_interval=0.2)
    start = loop.time()
    await asyncio.gather(*(limiter.process_request(callback, (f"g{i}",), {}, "sendMessage",
                                                   {"chat_id": -100123}, FIRST) for i in range(3)))
    group_times = [t for name, t in times if name.startswith("g")]
    assert group_times[-1] - start >= 0.38  # three calls to one group: 0, 0.2, 0.4 s
    await limiter.shutdown()


async def test_the_overall_pacer_lets_a_short_burst_go_and_never_more_than_its_rate_after() -> None:
    pacer = PriorityPacer(0.05, burst=3)
    loop = asyncio.get_running_loop()
    granted: list[float] = []
    for _ in range(3):  # after a quiet spell three go at once, without waiting for a slot
        await pacer.acquire(NEXT)
        granted.append(loop.time())
    assert pacer._dispatcher is None and not pacer._waiting

    async def call() -> None:
        await pacer.acquire(NEXT)
        granted.append(loop.time())

    await asyncio.gather(*(call() for _ in range(6)))
    # GCRA's bound: the i-th call no sooner than (i - 2) intervals after the first, so at most 1 + (1 s +
    # 2 intervals) / interval calls in any second: the overall limiter (1/27 s, three) keeps to 30.
    assert all(t - granted[0] >= (i - 2) * 0.05 - 0.002 for i, t in enumerate(granted)), granted
    pacer.close()


async def test_the_overall_window_lets_a_burst_go_and_never_more_than_its_limit_in_any_window() -> None:
    pacer = WindowPacer(5, 0.2)
    loop = asyncio.get_running_loop()
    granted: list[tuple[str, float]] = []
    start = loop.time()
    for i in range(5):  # a quiet pacer: the whole window's worth goes at once, without a dispatcher
        await pacer.acquire(NEXT)
        granted.append((f"burst{i}", loop.time()))
    assert pacer._dispatcher is None and not pacer._waiting
    assert granted[-1][1] - start < 0.05

    async def call(name: str, priority: int) -> None:
        await pacer.acquire(priority)
        granted.append((name, loop.time()))

    tasks = [asyncio.create_task(call(f"next{i}", NEXT)) for i in range(6)]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(call("edit", LAST)), asyncio.create_task(call("first", FIRST))]
    await asyncio.gather(*tasks)
    names = [name for name, _ in granted]
    assert names[5] == "first" and names[-1] == "edit", names  # waiting calls go by priority
    times = [t for _, t in granted]
    assert times[5] - start >= 0.2 - 0.002  # the sixth waited for the first to leave the window
    # any window of 0.2 s holds at most 5 grants
    assert all(times[i + 5] - times[i] >= 0.2 - 0.002 for i in range(len(times) - 5)), times
    pacer.close()


async def test_a_reserve_of_the_window_lets_first_messages_through_when_the_rest_fill_it() -> None:
    pacer = WindowPacer(5, 0.3, reserve=2)
    loop = asyncio.get_running_loop()
    start = loop.time()
    for _ in range(3):  # follow-ups use the window up to its reserve
        await pacer.acquire(NEXT)
    late = asyncio.create_task(pacer.acquire(NEXT))
    await asyncio.sleep(0.01)
    assert not late.done()  # a fourth follow-up waits for the window
    await pacer.acquire(FIRST)  # a first message does not: the reserve is its
    await pacer.acquire(FIRST)
    assert loop.time() - start < 0.1
    third = asyncio.create_task(pacer.acquire(FIRST))
    await asyncio.sleep(0.01)
    assert not third.done()  # the whole window used: everyone waits now, the first message ahead
    done, _pending = await asyncio.wait({late, third}, return_when=asyncio.FIRST_COMPLETED)
    assert done == {third}
    assert loop.time() - start >= 0.3 - 0.002
    await asyncio.wait_for(late, 1)
    pacer.close()
