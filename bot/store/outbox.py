"""The outbox: every message leaving the bot, written with its cause, delivered, marked sent or retried.

A row is leased (locked_until) in a short transaction, delivered outside it, then marked. A deliverer
that dies mid-delivery leaves a lease that expires, so another one (or the same after a restart)
takes the row again: at least once. On PostgreSQL several deliverers share the table with
`FOR UPDATE SKIP LOCKED`. Whoever sends a row (the deliverer, or the Telegram channel's fast path for the
replies of a turn) records a failure through `record_failure`: one retry policy for every kind.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from bot.store.clock import now_utc
from bot.store.db import changed
from bot.store.models import Outbox


class DeliveryError(Exception):
    """A message that did not go through. `permanent` when trying again cannot help (the bot was blocked,
    Telegram refused the request): the row is given up at once. `retry_after` (seconds) when the other
    side said how long to wait."""

    def __init__(self, reason: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.permanent = permanent
        self.retry_after = retry_after


class RetrySettings(Protocol):
    """`notifier:` in config.yml (the name is historical: it is the policy of every message delivered)."""

    retry_base_seconds: float
    retry_max_seconds: float
    max_attempts: int


def retry_policy(policy: RetrySettings, attempts: int, *, permanent: bool = False,
                 retry_after: float | None = None) -> tuple[bool, float]:
    """After `attempts` failed attempts: (give up?, seconds before the next one). Exponential backoff from
    `retry_base_seconds` up to `retry_max_seconds`, Telegram's own wait when it gave one; `max_attempts`
    0 never gives up, and a permanent failure gives up at once."""
    delay = retry_after if retry_after else min(policy.retry_base_seconds * 2 ** max(attempts - 1, 0),
                                                policy.retry_max_seconds)
    give_up = permanent or (bool(policy.max_attempts) and attempts >= policy.max_attempts)
    return give_up, float(delay)


# The deliverers running in this process wait on these between polls. Whoever writes a row (an action,
# a facilitator's button) calls `wake()` after its commit; the writer needs to know nothing of who
# delivers (an action running on an action server wakes no one, and the notifier finds the row at
# its next poll).
_waiting: set[asyncio.Event] = set()


def subscribe(event: asyncio.Event) -> None:
    """Have `wake()` set this event (a deliverer's loop)."""
    _waiting.add(event)


def unsubscribe(event: asyncio.Event) -> None:
    _waiting.discard(event)


def wake() -> None:
    """Tell the deliverers running in this process that there is something new (else they poll)."""
    for event in list(_waiting):
        event.set()


async def add_outbox(*, session: AsyncSession, kind: str, payload: dict[str, Any], dedup_key: str | None = None,
                     delay_seconds: float = 0) -> Outbox:
    """Queue a message for the deliverer, in the caller's transaction (`wake()` after the commit)."""
    row = Outbox(kind=kind, dedup_key=dedup_key or f"{kind}:{uuid.uuid4().hex}", payload=payload,
                 status="pending", attempts=0, next_attempt_at=now_utc() + timedelta(seconds=delay_seconds))
    session.add(row)
    await session.flush()
    return row


def copy_request(from_chat_id: int, message_id: int) -> dict[str, Any]:
    """What a relay or entity_message row adds to pass on a photo, file or voice note; the line sent
    instead when it can no longer be copied is rendered by the notifier, in the row's `lang`."""
    return {"copy": {"from_chat_id": from_chat_id, "message_id": message_id}}


# Kinds addressed to a person by `payload["to"]` (the notifier's relays and notices): kept in order per person
# across deliverers (`lease_due`).
PERSON_KINDS = ("relay", "entity_message")


async def lease_due(*, sessionmaker: async_sessionmaker[AsyncSession], kinds: Collection[str], limit: int = 20,
                    lease_seconds: float = 60, skip: Collection[int] = ()) -> list[Outbox]:
    """Take up to `limit` due rows of these kinds, oldest first, and commit the lease. Only the kinds the
    caller can deliver (a deliverer without Telegram leaves the conversation's replies to the bot); `skip`:
    rows this process is sending already."""
    now = now_utc()
    # A message to a person waits while an earlier one to them is out with a deliverer (this one's lane, or
    # another worker's): two deliverers never send one chat's messages side by side, out of order.
    earlier = aliased(Outbox)
    busy_before = (select(earlier.id).where(
        earlier.status == "pending", earlier.id < Outbox.id, earlier.kind.in_(PERSON_KINDS),
        earlier.locked_until > now, earlier.payload["to"].as_string() == Outbox.payload["to"].as_string())
        .exists())
    async with sessionmaker() as session, session.begin():
        query = (select(Outbox).where(Outbox.status == "pending", Outbox.next_attempt_at <= now,
                                      Outbox.kind.in_(list(kinds)),
                                      or_(Outbox.locked_until.is_(None), Outbox.locked_until <= now),
                                      or_(Outbox.kind.not_in(PERSON_KINDS), ~busy_before))
                 .order_by(Outbox.id).limit(limit))
        if skip:
            query = query.where(Outbox.id.not_in(list(skip)))
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = list(await session.scalars(query))
        until = now + timedelta(seconds=lease_seconds)
        for row in rows:
            row.locked_until = until
        return rows


async def save_progress(*, sessionmaker: async_sessionmaker[AsyncSession], row_id: int,
                        payload: dict[str, Any]) -> None:
    """Remember what part of a row was delivered (a card that reached one chat of two)."""
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id == row_id).values(payload=payload))


async def mark_sent(*, sessionmaker: async_sessionmaker[AsyncSession], row_id: int,
                    payload: dict[str, Any] | None = None) -> None:
    now = now_utc()
    values: dict[str, Any] = {"status": "sent", "sent_at": now, "locked_until": None, "last_error": None}
    if payload is not None:
        values["payload"] = payload
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))


async def mark_failed(*, sessionmaker: async_sessionmaker[AsyncSession], row_id: int, attempts: int,
                      error: str, retry_in: float, give_up: bool = False,
                      payload: dict[str, Any] | None = None) -> None:
    """Count the attempt and try again after `retry_in` seconds (or stop); `payload`: what part went."""
    now = now_utc()
    values: dict[str, Any] = {"attempts": attempts, "last_error": error[:500], "locked_until": None,
                              "status": "failed" if give_up else "pending",
                              "next_attempt_at": now + timedelta(seconds=retry_in)}
    if payload is not None:
        values["payload"] = payload
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))


async def record_failure(*, sessionmaker: async_sessionmaker[AsyncSession], policy: RetrySettings, row_id: int,
                         attempts: int, error: Exception, payload: dict[str, Any] | None = None) -> tuple[bool, float]:
    """Row `row_id` failed its attempt number `attempts`: the retry policy says when to try again, or to
    give up; returns (given up?, delay). Only the error's type and reason are kept, never a text sent."""
    permanent = isinstance(error, DeliveryError) and error.permanent
    retry_after = error.retry_after if isinstance(error, DeliveryError) else None
    give_up, delay = retry_policy(policy, attempts, permanent=permanent, retry_after=retry_after)
    await mark_failed(sessionmaker=sessionmaker, row_id=row_id, attempts=attempts, retry_in=delay,
                      error=f"{type(error).__name__}: {error}", give_up=give_up, payload=payload)
    return give_up, delay


async def renew_leases(*, sessionmaker: async_sessionmaker[AsyncSession], row_ids: Collection[int],
                       lease_seconds: float) -> None:
    """Extend the leases of rows this process still holds (queued to be sent), so no other deliverer
    takes them meanwhile."""
    if not row_ids:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id.in_(list(row_ids)), Outbox.status == "pending")
                              .values(locked_until=now_utc() + timedelta(seconds=lease_seconds)))


async def release_leases(*, sessionmaker: async_sessionmaker[AsyncSession], row_ids: Collection[int]) -> None:
    """Give back rows this process leased and will not deliver (it is stopping): the next deliverer takes
    them at once instead of when the lease ends."""
    if not row_ids:
        return
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id.in_(list(row_ids)), Outbox.status == "pending")
                              .values(locked_until=None))


# A lead's card row stays while the lead does: its edits (lead_refresh) read where the card went, and its
# dedup key keeps the card to one per lead. The lead's own purge (bot/store/privacy.py) takes it.
KEEP_SENT_KINDS = ("lead_card",)


async def purge_sent(*, sessionmaker: async_sessionmaker[AsyncSession], older_than_days: float,
                     now: datetime | None = None) -> int:
    """Delete the rows sent more than `older_than_days` ago: a delivered message has nothing left to do,
    and its payload holds what was said."""
    cutoff = (now or now_utc()) - timedelta(days=older_than_days)
    async with sessionmaker() as session, session.begin():
        result = await session.execute(delete(Outbox).where(Outbox.status == "sent", Outbox.sent_at < cutoff,
                                                            Outbox.kind.not_in(KEEP_SENT_KINDS)))
        return changed(result)
