"""The outbox's one deliverer: leases due rows, hands each to the handler registered for its kind, applies
the one retry policy (`notifier:` in config.yml) and marks the row sent.

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
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store import outbox
from bot.store.models import Outbox

log = logging.getLogger(__name__)

# Delivers one leased row; raises (DeliveryError, ideally) when it did not go. `payload` is the row's,
# to be changed in place with what went (it is saved with the outcome).
DeliverRow = Callable[[Outbox, dict[str, Any]], Awaitable[None]]
# Told the outcome of a failed row: (row, payload, given up?, the error); awaited when it is a coroutine.
OnFailure = Callable[[Outbox, dict[str, Any], bool, Exception], Any]


@dataclass(frozen=True)
class Registration:
    deliver: DeliverRow
    held: Callable[[], Collection[int]] | None = None  # rows its owner is sending itself, in this process
    hold_seconds: float = 60.0  # how long a lease of a held row lasts; renewed at a third of it
    on_failure: OnFailure | None = None


class OutboxDeliverer:
    """Delivers until stop(); `run_once()` for one round (tests, `aliat notifier --once`)."""

    def __init__(self, *, settings: Any, sessionmaker: async_sessionmaker[AsyncSession],
                 lease_seconds: float = 60) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.lease_seconds = lease_seconds
        self._kinds: dict[str, Registration] = {}
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self.task: asyncio.Task | None = None
        self._renewer: asyncio.Task | None = None

    def register(self, kind: str, deliver: DeliverRow, *, held: Callable[[], Collection[int]] | None = None,
                 hold_seconds: float = 60.0, on_failure: OnFailure | None = None) -> None:
        self._kinds[kind] = Registration(deliver, held, hold_seconds, on_failure)

    @property
    def kinds(self) -> tuple[str, ...]:
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
                    while await self.run_once() and not self._stop.is_set():
                        pass
                except Exception:  # the database may be away for a moment; keep going
                    log.exception("outbox round failed")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.notifier.poll_interval_seconds)
        finally:
            outbox.unsubscribe(self._wake)

    async def _renew_held(self) -> None:
        """Keep the leases of held rows: a reply can wait in its chat's queue longer than a lease (a chat's
        replies go about one a second), and a lapsed one would be sent twice, by its chain and by another
        worker. Its own loop: a round of deliveries may take longer than a lease."""
        while True:
            holding = [r for r in self._kinds.values() if r.held is not None]
            if not holding:
                return
            for r in holding:
                try:
                    await outbox.renew_leases(sessionmaker=self.sessionmaker, row_ids=sorted(r.held()),
                                              lease_seconds=r.hold_seconds)
                except Exception:  # the leases last a while longer; the next turn tries again
                    log.warning("outbox leases not renewed", exc_info=True)
            await asyncio.sleep(min(r.hold_seconds for r in holding) / 3)

    def start(self) -> asyncio.Task:
        self.task = asyncio.create_task(self.run_forever(), name="aliat-outbox")
        self._renewer = asyncio.create_task(self._renew_held(), name="aliat-outbox-leases")
        return self.task

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._renewer is not None:
            self._renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._renewer
            self._renewer = None
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self.task, 10)

    async def run_once(self, limit: int = 20) -> int:
        """Deliver the rows due now; return how many were taken (delivered or not)."""
        if not self._kinds:
            return 0
        rows = await outbox.lease_due(sessionmaker=self.sessionmaker, kinds=self.kinds, limit=limit,
                                      lease_seconds=self.lease_seconds, skip=self.held())
        for row in rows:
            await self.deliver(row)
        return len(rows)

    async def deliver(self, row: Outbox) -> bool:
        """One leased row through its kind's handler; the outcome recorded. True when it went."""
        payload = dict(row.payload or {})
        registration = self._kinds[row.kind]
        try:
            await registration.deliver(row, payload)
        except Exception as exc:
            attempts = row.attempts + 1
            give_up, delay = await outbox.record_failure(sessionmaker=self.sessionmaker, policy=self.settings.notifier,
                                                         row_id=row.id, attempts=attempts, error=exc, payload=payload)
            if give_up:
                log.error("outbox row %s (%s) not delivered, attempt %s; given up: %s", row.id, row.kind, attempts,
                          type(exc).__name__)
            else:
                log.warning("outbox row %s (%s) not delivered, attempt %s, next in %.0fs: %s", row.id, row.kind,
                            attempts, delay, type(exc).__name__)
            if registration.on_failure is not None:
                told = registration.on_failure(row, payload, give_up, exc)
                if inspect.isawaitable(told):
                    await told
            return False
        await outbox.mark_sent(sessionmaker=self.sessionmaker, row_id=row.id, payload=payload)
        return True
