"""The outbox: rows written with their cause, leased by a notifier, marked sent or retried later.

A row is leased (locked_until) in a short transaction, delivered outside it, then marked. A notifier
that dies mid-delivery leaves a lease that expires, so another one (or the same after a restart)
takes the row again: at least once. On PostgreSQL several notifiers share the table with
`FOR UPDATE SKIP LOCKED`.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.store.clock import now_utc
from bot.store.models import Outbox

# The notifiers running in this process wait on these between polls. Whoever writes a row (an action,
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
    """Queue a message for the notifier, in the caller's transaction (`wake()` after the commit)."""
    row = Outbox(kind=kind, dedup_key=dedup_key or f"{kind}:{uuid.uuid4().hex}", payload=payload,
                 status="pending", attempts=0, next_attempt_at=now_utc() + timedelta(seconds=delay_seconds))
    session.add(row)
    await session.flush()
    return row


def copy_request(from_chat_id: int, message_id: int) -> dict[str, Any]:
    """What a relay or entity_message row adds to pass on a photo, file or voice note; the line sent
    instead when it can no longer be copied is rendered by the notifier, in the row's `lang`."""
    return {"copy": {"from_chat_id": from_chat_id, "message_id": message_id}}


async def lease_due(*, sessionmaker: async_sessionmaker[AsyncSession], limit: int = 20,
                    lease_seconds: float = 60, kinds: tuple[str, ...] | None = None) -> list[Outbox]:
    """Take up to `limit` due rows for this notifier, oldest first, and commit the lease."""
    now = now_utc()
    async with sessionmaker() as session, session.begin():
        # Conversation replies (kind "reply") belong to the Telegram channel's own delivery.
        query = (select(Outbox).where(Outbox.status == "pending", Outbox.next_attempt_at <= now,
                                      Outbox.kind != "reply",
                                      or_(Outbox.locked_until.is_(None), Outbox.locked_until <= now))
                 .order_by(Outbox.id).limit(limit))
        if kinds:
            query = query.where(Outbox.kind.in_(kinds))
        if session.bind.dialect.name == "postgresql":
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
                      error: str, retry_in: float, give_up: bool = False) -> None:
    """Count the attempt and try again after `retry_in` seconds (or stop, if a limit is configured)."""
    now = now_utc()
    async with sessionmaker() as session, session.begin():
        await session.execute(update(Outbox).where(Outbox.id == row_id).values(
            attempts=attempts, last_error=error[:500], locked_until=None,
            status="failed" if give_up else "pending",
            next_attempt_at=now + timedelta(seconds=retry_in)))


async def pending_count(*, session: AsyncSession) -> int:
    from sqlalchemy import func

    return int(await session.scalar(select(func.count()).select_from(Outbox).where(Outbox.status == "pending"))
               or 0)
