"""Telegram's budgets shared by workers on one PostgreSQL database (bot/store/send_budget.py): two
workers reserving at once get slots one interval apart overall and per group, a private chat its burst
then one a second; the rate limiter asks the shared budget for the right one."""

from __future__ import annotations

import asyncio

import pytest

from bot.store.db import create_engine
from bot.store.send_budget import SendBudget
from bot.telegram.limiter import CHAT_BURST, CHAT_INTERVAL, FIRST, LAST, PriorityRateLimiter
from tests.auxil.runtime import PG_URL, make_runtime, reset_postgres


@pytest.fixture
async def two_workers():
    """Two engines on the migrated PostgreSQL test database, as two worker processes have."""
    if not PG_URL:
        pytest.skip("ALIAT_TEST_DATABASE_URL not set (PostgreSQL)")
    await reset_postgres(PG_URL)
    runtime = await make_runtime(PG_URL)  # runs the migrations
    await runtime.close()
    engines = [create_engine(PG_URL), create_engine(PG_URL)]
    yield engines
    for engine in engines:
        await engine.dispose()


def gaps(slots: list[float]) -> list[float]:
    ordered = sorted(slots)
    return [b - a for a, b in zip(ordered, ordered[1:], strict=False)]


async def test_two_workers_share_the_overall_and_group_budgets(two_workers) -> None:
    a, b = (SendBudget(engine, overall_interval=0.05) for engine in two_workers)

    async def many(budget: SendBudget, key: str | None, interval: float, count: int) -> list[float]:
        return [slot for _wait, slot in await asyncio.gather(*(budget.reserve_slot(key, interval=interval)
                                                               for _ in range(count)))]

    overall = [*await many(a, None, 0, 1), *sum(await asyncio.gather(many(a, None, 0, 20), many(b, None, 0, 20)), [])]
    assert len(overall) == 41 and min(gaps(overall)) >= 0.05 - 1e-6  # one every 1/20 s between the two
    group = sum(await asyncio.gather(many(a, "group:-100", 0.3, 5), many(b, "group:-100", 0.3, 5)), [])
    assert min(gaps(group)) >= 0.3 - 1e-6


async def test_the_shared_overall_budget_lets_a_short_burst_go(two_workers) -> None:
    a, b = (SendBudget(engine, overall_interval=0.05, overall_burst=3) for engine in two_workers)
    reserved = await asyncio.gather(*(budget.reserve_slot() for budget in (a, b) * 6))
    slots = sorted(slot for _wait, slot in reserved)
    assert all(s - slots[0] >= (i - 2) * 0.05 - 1e-6 for i, s in enumerate(slots)), slots
    assert slots[-1] - slots[0] >= 9 * 0.05 - 1e-6  # twelve calls: three at once, then one every interval


async def test_a_private_chat_gets_its_burst_then_one_a_second(two_workers) -> None:
    a, b = (SendBudget(engine, overall_interval=0.001) for engine in two_workers)
    reserved = await asyncio.gather(*(budget.reserve_slot("chat:42", interval=CHAT_INTERVAL, burst=CHAT_BURST)
                                      for budget in (a, b, a, b, a, b)))
    waits = sorted(wait for wait, _slot in reserved)
    assert all(w < 0.5 for w in waits[:CHAT_BURST])  # the burst goes at once (give or take the round trips)
    assert [round(w) for w in waits[CHAT_BURST:]] == [1, 2, 3]  # then one a second, whoever asks


class RecordingBudget:
    def __init__(self) -> None:
        self.asked: list[tuple[str | None, float, int]] = []

    async def reserve(self, key=None, *, interval=0.0, burst=1, first=False) -> float:
        self.asked.append((key, interval, burst, first))
        return 0.0


async def test_the_limiter_asks_the_shared_budget_of_the_group_or_chat() -> None:
    limiter = PriorityRateLimiter(overall_limit=100, group_interval=0.001)
    budget = RecordingBudget()
    limiter.share(budget)

    async def call() -> str:
        return "ok"

    for chat_id, endpoint, priority in ((-1001, "sendMessage", None), (42, "sendMessage", FIRST),
                                        (42, "editMessageText", LAST), (42, "copyMessage", None)):
        assert await limiter.process_request(call, (), {}, endpoint, {"chat_id": chat_id}, priority) == "ok"
    assert await limiter.process_request(call, (), {}, "answerCallbackQuery", {}, None) == "ok"
    assert budget.asked == [("group:-1001", 0.001, 1, False), ("chat:42", CHAT_INTERVAL, CHAT_BURST, True),
                            (None, 0.0, 1, False), ("chat:42", CHAT_INTERVAL, CHAT_BURST, False)]
    await limiter.shutdown()


async def test_first_messages_may_go_further_ahead_in_the_shared_budget(two_workers) -> None:
    a, b = (SendBudget(engine, overall_interval=0.05, overall_burst=1, first_reserve=3) for engine in two_workers)
    follow_ups = [slot for _wait, slot in await asyncio.gather(*(budget.reserve_slot() for budget in (a, b) * 3))]
    first = [slot for _wait, slot in await asyncio.gather(*(budget.reserve_slot(first=True) for budget in (a, b)))]
    # six follow-ups take slots 0..5 intervals out; a first message may go three slots ahead of the next free one
    assert max(follow_ups) - min(follow_ups) >= 5 * 0.05 - 1e-6
    assert max(first) < max(follow_ups) + 0.05 - 1e-6, (first, follow_ups)
    later = [slot for _wait, slot in await asyncio.gather(*(a.reserve_slot(first=True) for _ in range(6)))]
    assert min(gaps([*first, *later])) >= 0.05 - 1e-6  # still one call an interval: only earlier, never two at once
