"""The outbox's one deliverer: leases due rows, hands each to the handler registered for its kind, applies
the one retry policy (`delivery:` in config.yml) and marks the row sent.

Rows go in lanes: a kind says which lane a row is in (its chat, its lead), a lane's rows go one after
another in the order they were written, and lanes go side by side. A lane waiting on Telegram's pacing
(a group's card edited every 3 s, a private chat's one message a second, a 429) holds back only itself:
eight claims edit the group's cards while an entity's message goes at once (issue 27, item 7: they went
one at a time, and eight edits held that message 22 s). The deliverer keeps leasing while lanes are busy,
up to `MAX_IN_HAND` rows; a row waiting in its lane keeps its lease renewed, so no other worker takes it.

Kinds are registered by whoever can send them: the notifier's own (lead cards, reminders, relays), the
Telegram channel's "reply". A kind nobody registered is never leased, so `aliat notifier --console` leaves
the conversation's replies to the bot. A registration may hold rows: rows its owner is sending from memory
(the replies of a turn, right after commit) are never leased here, and their leases are renewed so that
the deliverer of another worker leaves them alone too.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shared.logs import Repeated
from bot.store import outbox
from bot.store.models import Outbox
from bot.store.outbox import OutboxKind, Payload

log = logging.getLogger(__name__)

# Delivers one leased row; raises (DeliveryError, ideally) when it did not go. `payload` is the row's, typed
# by its kind (bot/store/outbox.py), to be changed in place with what went (it is saved with the outcome).
DeliverRow = Callable[[Outbox, Any], Awaitable[None]]
# Told the outcome of a failed row: (row, payload, given up?, the error); awaited when it is a coroutine.
OnFailure = Callable[[Outbox, Any, bool, Exception], Any]
# The lane of a row: rows of one lane go in order, one at a time; lanes go side by side.
LaneOf = Callable[[Outbox], str]
MAX_IN_HAND = 64  # rows leased and not done yet, over all lanes


def lane_by_kind(row: Outbox) -> str:
    """A kind that names no lane keeps its rows in order among themselves."""
    return f"kind:{row.kind}"


@dataclass(frozen=True)
class Registration:
    deliver: DeliverRow
    held: Callable[[], Collection[int]] | None = None  # rows its owner is sending itself, in this process
    hold_seconds: float = 60.0  # how long a lease of a held row lasts; renewed at a third of it
    on_failure: OnFailure | None = None
    lane: LaneOf = lane_by_kind


class OutboxDeliverer:
    """Delivers until stop(); `run_once()` for one round (tests, `aliat notifier --once`)."""

    def __init__(self, *, settings: Any, sessionmaker: async_sessionmaker[AsyncSession],
                 lease_seconds: float = 60) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.lease_seconds = lease_seconds
        self._kinds: dict[OutboxKind, Registration] = {}
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self.task: asyncio.Task | None = None
        self._renewer: asyncio.Task | None = None
        self._lanes: dict[str, deque[tuple[Outbox, asyncio.Future[bool]]]] = {}
        self._lane_tasks: dict[str, asyncio.Task[None]] = {}
        self._in_hand: dict[int, asyncio.Future[bool]] = {}  # leased here, not done yet
        self._waiting: set[int] = set()  # in hand and not started: their leases are renewed
        self._full = False  # MAX_IN_HAND reached: a lane wakes the loop when there is room again
        # During an outage a round fails every poll interval: a line a minute, not a traceback every 2 s.
        self._round_failures = Repeated(log, "outbox round failed")
        self._renewal_failures = Repeated(log, "outbox leases not renewed", level=logging.WARNING)

    def register(self, kind: OutboxKind, deliver: DeliverRow, *, held: Callable[[], Collection[int]] | None = None,
                 hold_seconds: float = 60.0, on_failure: OnFailure | None = None,
                 lane: LaneOf | None = None) -> None:
        self._kinds[kind] = Registration(deliver, held, hold_seconds, on_failure, lane or lane_by_kind)

    @property
    def kinds(self) -> tuple[OutboxKind, ...]:
        return tuple(self._kinds)

    def held(self) -> set[int]:
        return {row_id for r in self._kinds.values() if r.held is not None for row_id in r.held()}

    # ------------------------------------------------------------------ hooks
    def periodic_seconds(self) -> float:
        return 60.0

    async def periodic(self) -> None:
        """Run every `periodic_seconds()` in the loop (the notifier schedules its reminders)."""

    # ------------------------------------------------------------------ loop
    async def run_forever(self) -> None:
        """Deliver until stop(): at once when woken (`outbox.wake()`), else every poll interval."""
        outbox.subscribe(self._wake)
        loop = asyncio.get_running_loop()
        next_periodic = loop.time()
        try:
            while not self._stop.is_set():
                try:
                    if loop.time() >= next_periodic:
                        await self.periodic()
                        next_periodic = loop.time() + self.periodic_seconds()
                    while await self._take_due() and not self._stop.is_set():
                        pass
                    self._round_failures.ok()
                except Exception as exc:  # the database may be away for a moment; keep going
                    self._round_failures.failed(exc)
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.delivery.poll_interval_seconds)
        finally:
            outbox.unsubscribe(self._wake)

    async def _renew_held(self) -> None:
        """Keep the leases of held rows and of rows waiting in a lane: a reply can wait in its chat's queue
        longer than a lease (a chat's replies go about one a second), a card edit behind a group's others,
        and a lapsed one would be sent twice, by this process and by another worker. Its own loop: a lane
        may take longer than a lease."""
        while True:
            holding = [(sorted(r.held()), r.hold_seconds) for r in self._kinds.values() if r.held is not None]
            holding.append((sorted(self._waiting), self.lease_seconds))
            for row_ids, seconds in holding:
                if not row_ids:  # nothing asked of the database: says nothing of whether it answers
                    continue
                try:
                    await outbox.renew_leases(sessionmaker=self.sessionmaker, row_ids=row_ids, lease_seconds=seconds)
                    self._renewal_failures.ok()
                except Exception as exc:  # the leases last a while longer; the next turn tries again
                    self._renewal_failures.failed(exc)
            await asyncio.sleep(min(seconds for _ids, seconds in holding) / 3)

    def start(self) -> asyncio.Task:
        self.task = asyncio.create_task(self.run_forever(), name="aliat-outbox")
        self._renewer = asyncio.create_task(self._renew_held(), name="aliat-outbox-leases")
        return self.task

    async def stop(self, timeout: float = 10) -> None:
        """Stop leasing; let the lanes finish for at most `timeout` seconds, then release what they still
        hold so that the next deliverer (here after a restart, or another worker's) takes it at once."""
        self._stop.set()
        self._wake.set()
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self.task, timeout)
        if self._lane_tasks:
            await asyncio.wait(list(self._lane_tasks.values()), timeout=max(0.0, deadline - loop.time()))
        left = sorted(self._waiting)
        for task in list(self._lane_tasks.values()):
            task.cancel()
        if self._lane_tasks:
            await asyncio.gather(*list(self._lane_tasks.values()), return_exceptions=True)
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        if left:
            try:
                await outbox.release_leases(sessionmaker=self.sessionmaker, row_ids=left)
            except Exception:  # their leases lapse anyway
                log.warning("leases of %s undelivered rows not released", len(left), exc_info=True)

    async def run_once(self, limit: int = 20) -> int:
        """Deliver the rows due now and wait until they are done; return how many were taken (delivered
        or not)."""
        taken = await self._take_due(limit)
        if taken:
            await asyncio.gather(*taken)
        return len(taken)

    async def _take_due(self, limit: int = 20) -> list[asyncio.Future[bool]]:
        """Lease the rows due now (as many as there is room for) and put each in its lane; the lanes run
        on their own. Returns the rows' outcomes to come."""
        room = min(limit, MAX_IN_HAND - len(self._in_hand))
        if not self._kinds or room <= 0:
            self._full = bool(self._kinds)
            return []
        rows = await outbox.lease_due(sessionmaker=self.sessionmaker, kinds=self.kinds, limit=room,
                                      lease_seconds=self.lease_seconds, skip=self.held() | set(self._in_hand))
        loop = asyncio.get_running_loop()
        taken = []
        for row in rows:
            done: asyncio.Future[bool] = loop.create_future()
            self._in_hand[row.id] = done
            self._waiting.add(row.id)
            try:
                lane = self._kinds[OutboxKind(row.kind)].lane(row)
            except Exception:  # a payload without its address: a lane of its own, it fails in its handler
                lane = f"row:{row.id}"
            self._lanes.setdefault(lane, deque()).append((row, done))
            if lane not in self._lane_tasks:
                self._lane_tasks[lane] = loop.create_task(self._run_lane(lane), name=f"aliat-outbox-{lane}")
            taken.append(done)
        return taken

    async def _run_lane(self, lane: str) -> None:
        queue = self._lanes[lane]
        try:
            while queue:
                row, done = queue.popleft()
                self._waiting.discard(row.id)
                try:
                    outcome = await self.deliver(row)
                except Exception:  # recording the outcome failed (the database away): the lease lapses
                    log.exception("outbox row %s (%s): outcome not recorded", row.id, row.kind)
                    outcome = False
                finally:
                    self._in_hand.pop(row.id, None)
                if not done.done():
                    done.set_result(outcome)
                if (self._full and len(self._in_hand) <= MAX_IN_HAND // 2) or row.kind in outbox.PERSON_KINDS:
                    self._full = False
                    self._wake.set()  # room again, or the person's next message may go now: lease more
        finally:
            for row, done in queue:  # cancelled at stop: left for the next deliverer (see stop)
                self._in_hand.pop(row.id, None)
                if not done.done():
                    done.cancel()
            queue.clear()
            self._lanes.pop(lane, None)
            self._lane_tasks.pop(lane, None)

    async def deliver(self, row: Outbox) -> bool:
        """One leased row through its kind's handler; the outcome recorded. True when it went."""
        registration = self._kinds[OutboxKind(row.kind)]
        payload: Payload | None = None
        try:
            payload = outbox.payload_of(row)  # a payload its kind cannot read fails like a delivery
            await registration.deliver(row, payload)
        except Exception as exc:
            attempts = row.attempts + 1
            give_up, delay = await outbox.record_failure(sessionmaker=self.sessionmaker, policy=self.settings.delivery,
                                                         row_id=row.id, attempts=attempts, error=exc, payload=payload)
            if give_up:
                log.error("outbox row %s (%s) not delivered, attempt %s; given up: %s", row.id, row.kind, attempts,
                          type(exc).__name__)
            else:
                log.warning("outbox row %s (%s) not delivered, attempt %s, next in %.0fs: %s", row.id, row.kind,
                            attempts, delay, type(exc).__name__)
            if registration.on_failure is not None and payload is not None:
                told = registration.on_failure(row, payload, give_up, exc)
                if inspect.isawaitable(told):
                    await told
            return False
        await outbox.mark_sent(sessionmaker=self.sessionmaker, row_id=row.id, payload=payload)
        return True
