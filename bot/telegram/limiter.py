"""Telegram's overall and per-group limits, with the first message of every answer going first.

Overall: at most 29 calls that carry a chat_id in any 1.1 s (Telegram's 30 a second, with a margin for
the calls of a burst that leave, and arrive, a little after their grant), as a sliding window: a quiet bot may send a burst, and a call waits only when the last second
really holds 29. Per group a call every 60/19 s. Plus priorities: when calls wait, the one with the lowest
`rate_limit_args` goes next (ties in arrival order). The channel gives the first message of a turn
priority FIRST, the rest of the answer NEXT and the edit of a pressed button LAST, so that in a busy minute
every person gets the start of an answer quickly and the rest follows. No retries here: a 429 is retried
by the Sender, in the task of the chat that got it.

Several workers on one PostgreSQL database share the budgets (`share`, bot/store/send_budget.py): after
its turn here, a call reserves its slot in the shared budgets of its group or private chat and of the bot,
and waits for it, so two workers together keep to 30 messages a second, not 30 each. Priorities then hold
within each worker; across workers slots go in the order they are asked for.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from telegram.ext import BaseRateLimiter

FIRST, NEXT, LAST = 1, 2, 3  # priorities (ints above 0: PTB drops a falsy rate_limit_args)
# Overall, in one process: 29 in any 1.1 s. With 29 in any 1.0 s, the fake Bot API counted up to 32 arriving
# in one second: a burst's calls leave one after the other, tens of milliseconds after their grant when the
# process is busy. It was a call every 1/27 s after a burst of three (the shared
# budget's rule, below), which keeps to 30 too but made a call wait whenever four came close together: at 16
# calls a second on average (bench telegram_tail, 40 people), 268 of 593 calls waited, 94 ms on average,
# and the first reply's p99 was 6-10 times the bare bot's, nearly all of it in this limiter.
OVERALL_LIMIT, OVERALL_WINDOW = 29, 1.1
# Of those 29, five only for the first message of an answer: when the rest of answers fill the window at a
# busy moment, a new answer still starts at once (at 40 people answering every 4 s, some seconds hold 42
# calls without a limiter; the first replies that waited there waited 170 ms on average, up to 670 ms).
FIRST_RESERVE = 5
# The shared budget (several workers, bot/store/send_budget.py) is one timestamp per budget (GCRA): a call
# every 1/22 s with three at once, and a first message of an answer up to five slots further ahead, so never
# more than 30 in any second (1 + (1 s + 7/22 s) / (1/22 s)); the rest of answers at most 25. It was a call
# every 1/27 s after three for every call alike: the wait the in-process window took away, on PostgreSQL.
SHARED_INTERVAL, SHARED_BURST, SHARED_FIRST_RESERVE = 1 / 22, 3, 5
GROUP_INTERVAL = 60 / 19
CHAT_INTERVAL, CHAT_BURST = 1.0, 3  # a private chat's pace when shared (Sender's ChatPacer otherwise)


class Budget(Protocol):
    """Budgets shared with other workers (bot/store/send_budget.py's SendBudget)."""

    async def reserve(self, key: str | None = None, *, interval: float = 0.0, burst: int = 1,
                      first: bool = False) -> float: ...


class _WaitingLine:
    """Calls waiting for a grant, lowest priority first (ties in arrival order), and the task that grants
    them (`_dispatch`, each pacer's own rule)."""

    def __init__(self) -> None:
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._dispatcher: asyncio.Task[None] | None = None

    def _join(self, loop: asyncio.AbstractEventLoop, priority: int) -> asyncio.Future[None]:
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (priority, next(self._order), future))
        return future

    def _start_dispatcher(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._dispatcher is None or self._dispatcher.done():
            self._dispatcher = loop.create_task(self._dispatch(), name="aliat-rate-limiter")

    async def _dispatch(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher.cancel()
        for _priority, _order, future in self._waiting:
            future.cancel()
        self._waiting.clear()


class PriorityPacer(_WaitingLine):
    """Grants one call every `interval` seconds (`burst` at once after a quiet spell), to the waiting call of
    lowest priority."""

    def __init__(self, interval: float, burst: int = 1) -> None:
        self.interval = interval
        self.burst = burst
        self._tolerance = interval * (burst - 1)
        self._next_free = 0.0  # the theoretical arrival time (GCRA): a call may go from _next_free - tolerance
        super().__init__()

    def quiet(self, now: float) -> bool:
        """Nobody waiting and the interval over: forgetting this pacer changes nothing."""
        return not self._waiting and now >= self._next_free

    def _grant(self, now: float) -> None:
        self._next_free = max(self._next_free, now) + self.interval

    async def acquire(self, priority: int) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        if not self._waiting and now >= self._next_free - self._tolerance:
            self._grant(now)
            return
        future = self._join(loop, priority)
        self._start_dispatcher(loop)
        await future  # a cancelled waiter is skipped by the dispatcher

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            delay = self._next_free - self._tolerance - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            while self._waiting:
                _priority, _order, future = heapq.heappop(self._waiting)
                if not future.done():
                    future.set_result(None)
                    self._grant(loop.time())
                    break


class WindowPacer(_WaitingLine):
    """At most `limit` grants in any `window` seconds (a sliding window over the last `limit` grants), to
    the waiting call of lowest priority; `reserve` of them only to FIRST calls, so that a window filled by
    the rest of answers still lets the start of a new answer through."""

    def __init__(self, limit: int, window: float, reserve: int = 0) -> None:
        self.limit = limit
        self.window = window
        self.reserve = max(0, min(reserve, limit - 1))  # the rest always have one
        self._granted: deque[float] = deque(maxlen=limit)  # the last `limit` grants' times
        super().__init__()

    def _free_at(self, priority: int) -> float:
        """When a call of this priority may go: once the window holds fewer grants than it may use."""
        room = self.limit if priority <= FIRST else self.limit - self.reserve
        held = len(self._granted)
        return self._granted[held - room] + self.window if held >= room else float("-inf")

    async def acquire(self, priority: int) -> None:
        loop = asyncio.get_running_loop()
        now = loop.time()
        ahead = self._waiting and self._waiting[0][0] <= priority
        if not ahead and now >= self._free_at(priority):
            self._granted.append(now)
            return
        future = self._join(loop, priority)
        if self._dispatcher is not None and not self._dispatcher.done() and self._waiting[0][2] is future:
            self._dispatcher.cancel()  # it sleeps for a later call's time: start again for this one
            self._dispatcher = None
        self._start_dispatcher(loop)
        await future  # a cancelled waiter is skipped by the dispatcher

    async def _dispatch(self) -> None:
        loop = asyncio.get_running_loop()
        while self._waiting:
            priority, _order, future = self._waiting[0]
            if future.done():  # cancelled while waiting
                heapq.heappop(self._waiting)
                continue
            delay = self._free_at(priority) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
                continue
            heapq.heappop(self._waiting)
            future.set_result(None)
            self._granted.append(loop.time())


class PriorityRateLimiter(BaseRateLimiter[int]):
    def __init__(self, *, overall_limit: int = OVERALL_LIMIT, overall_window: float = OVERALL_WINDOW,
                 group_interval: float = GROUP_INTERVAL) -> None:
        self.overall = WindowPacer(overall_limit, overall_window, FIRST_RESERVE)
        self.group_interval = group_interval
        self.groups: dict[int | str, PriorityPacer] = {}
        self.budget: Budget | None = None

    def share(self, budget: Budget) -> None:
        """Keep to budgets shared with the other workers too (and pace private chats here: the Sender's
        per-process pacer is then left off)."""
        self.budget = budget

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        self.overall.close()
        for pacer in self.groups.values():
            pacer.close()
        self.groups.clear()

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        chat_id = data.get("chat_id")
        if chat_id is None:  # answerCallbackQuery, getUpdates...: not limited
            return await callback(*args, **kwargs)
        priority = rate_limit_args if isinstance(rate_limit_args, int) else NEXT
        group = _group_of(chat_id)
        if group is not None:
            pacer = self.groups.get(group)
            if pacer is None:
                pacer = self.groups[group] = PriorityPacer(self.group_interval)
            await pacer.acquire(priority)
            if len(self.groups) > 1024:  # forget quiet groups
                now = asyncio.get_running_loop().time()
                for key in [k for k, p in self.groups.items() if p.quiet(now)]:
                    self.groups.pop(key, None)
        await self.overall.acquire(priority)
        if self.budget is not None:
            await self._shared(chat_id, group, endpoint, first=priority <= FIRST)
        return await callback(*args, **kwargs)

    async def _shared(self, chat_id: Any, group: int | str | None, endpoint: str, *, first: bool = False) -> None:
        if group is not None:
            wait = await self.budget.reserve(f"group:{group}", interval=self.group_interval,  # type: ignore[union-attr]
                                             first=first)
        elif endpoint.lower().startswith(("send", "copy")):  # what the Sender paces per chat: new messages
            wait = await self.budget.reserve(f"chat:{chat_id}", interval=CHAT_INTERVAL,  # type: ignore[union-attr]
                                             burst=CHAT_BURST, first=first)
        else:
            wait = await self.budget.reserve(first=first)  # type: ignore[union-attr]
        if wait > 0:
            await asyncio.sleep(wait)


def _group_of(chat_id: Any) -> int | str | None:
    """Groups, supergroups and channels (negative ids, or @names) have a per-minute limit."""
    if isinstance(chat_id, str):
        try:
            chat_id = int(chat_id)
        except ValueError:
            return chat_id
    return chat_id if isinstance(chat_id, int) and chat_id < 0 else None
