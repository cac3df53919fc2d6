"""Loading and saving trackers, one turn at a time per conversation, and pausing them (a human is on it).

ConversationStore is the engine's store (it satisfies bot/engine/ports.py's ConversationStorePort
without importing it: the engine sits above the store). Its unit of work is the turn's AsyncSession: the
engine sees only the port's `UnitOfWork` (commit), the channel writes its replies in the same session.
The tracker's state is saved as JSON the store never reads; what the store itself needs of a conversation
(its lock, version and paused flag) are columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import bindparam, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.shared.concurrency import ConcurrentTurn
from bot.store import funnel
from bot.store.clock import now_utc
from bot.store.db import changed
from bot.store.models import Conversation
from bot.store.privacy import forget_sender

__all__ = ["ConcurrentTurn", "ConversationState", "ConversationStore", "is_paused", "lock_conversation",
           "lock_key", "set_conversation_paused"]

SQLITE_BUSY_SNAPSHOT = 517


def lock_key(sender_id: str) -> int:
    """The conversation's key for pg_advisory_xact_lock: a turn and a facilitator's change to the same
    conversation take the same lock. Stable 63 bits (Python's hash() is salted per process)."""
    return int.from_bytes(hashlib.blake2b(sender_id.encode(), digest_size=8).digest(), "big") >> 1


def _stale_snapshot(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT


class ConversationState(Protocol):
    """What the store needs of a conversation's state (the engine's Tracker): the store knows nothing
    of the engine, which gives it `restore` to rebuild one from a row (pyproject.toml's contracts)."""

    sender_id: str
    language: str
    version: int
    conversation_id: int | None
    paused: bool

    def to_state(self) -> dict[str, Any]: ...


State = TypeVar("State", bound=ConversationState)
# (sender_id, language, state, version, conversation_id, paused) -> the engine's tracker
Restore = Callable[[str, str, dict[str, Any], int, int, bool], State]


class ConversationStore(Generic[State]):
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, dialect: str,
                 restore: Restore[State] | None = None) -> None:
        self.sessionmaker = sessionmaker
        self.dialect = dialect
        self.restore = restore

    @asynccontextmanager
    async def turn(self, sender_id: str) -> AsyncIterator[AsyncSession]:
        """A session for one turn; on PostgreSQL it holds the conversation's advisory lock until commit."""
        async with self.sessionmaker() as session:
            try:
                if self.dialect == "postgresql":
                    await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(sender_id)})
                yield session
            except OperationalError as exc:
                await session.rollback()
                if _stale_snapshot(exc):
                    # SQLite: another connection wrote since this turn read; run the turn again.
                    raise ConcurrentTurn(sender_id) from exc
                if exc.connection_invalidated:  # a pooled connection the server had dropped: again, on a new one
                    raise ConcurrentTurn(sender_id) from exc
                raise
            except DBAPIError as exc:
                await session.rollback()
                if exc.connection_invalidated:
                    raise ConcurrentTurn(sender_id) from exc
                raise
            except BaseException:
                await session.rollback()
                raise

    async def load(self, session: AsyncSession, sender_id: str) -> State | None:
        connection = await session.connection()
        row = (await connection.execute(_LOAD, {"sender_id": sender_id})).first()
        if row is None:
            return None
        if self.restore is None:
            raise TypeError("ConversationStore(restore=...) is needed to load a conversation")
        return self.restore(sender_id, row.language, row.state, row.version, row.id, bool(row.paused))

    async def peek(self, sender_id: str) -> State | None:
        """The stored tracker, read outside a turn (for channels and tests)."""
        async with self.sessionmaker() as session:
            return await self.load(session, sender_id)

    async def forget(self, session: AsyncSession, sender_id: str) -> None:
        """/forget: erase the sender's personal data in the turn's transaction (bot/store/privacy.py)."""
        await forget_sender(session=session, sender_id=sender_id)

    async def save(self, session: AsyncSession, tracker: State, *, channel: str) -> None:
        """Insert or update with a version check, without committing (the caller commits).

        Pre-built Core statements on the session's connection: a turn's two statements cost a fraction
        of the ORM's unit of work (see bench/)."""
        now = datetime.now(UTC)
        state = tracker.to_state()
        connection = await session.connection()
        if tracker.conversation_id is None:
            try:
                inserted = await connection.execute(_INSERT, {
                    "sender_id": tracker.sender_id, "channel": channel, "language": tracker.language,
                    "state": state, "paused": tracker.paused, "version": 1, "created_at": now,
                    "updated_at": now})
            except IntegrityError as exc:
                raise ConcurrentTurn(tracker.sender_id) from exc
            tracker.conversation_id = inserted.scalar_one()
            tracker.version = 1
            # A new conversation is the funnel's first step, counted in the same transaction.
            await funnel.reach(session=session, step="first_contact", conversation_id=tracker.conversation_id,
                               when=now, language=tracker.language)
            return
        result = await connection.execute(_UPDATE, {
            "b_id": tracker.conversation_id, "b_expected": tracker.version, "b_state": state,
            "b_paused": tracker.paused, "b_language": tracker.language, "b_version": tracker.version + 1,
            "b_updated_at": now})
        if result.rowcount != 1:
            raise ConcurrentTurn(tracker.sender_id)
        tracker.version += 1


_LOAD = select(Conversation.id, Conversation.language, Conversation.state, Conversation.version,
               Conversation.paused).where(Conversation.sender_id == bindparam("sender_id"))
_INSERT = insert(Conversation).returning(Conversation.id)
_UPDATE = (update(Conversation)
           .where(Conversation.id == bindparam("b_id"), Conversation.version == bindparam("b_expected"))
           .values(state=bindparam("b_state", type_=Conversation.state.type), paused=bindparam("b_paused"),
                   language=bindparam("b_language"), version=bindparam("b_version"),
                   updated_at=bindparam("b_updated_at")))


# ------------------------------------------------------------------ lock and pause from outside a turn
# A facilitator's claim or release changes the entity's conversation while it may be mid-turn: the turn
# lock (PostgreSQL) and the version column (both) keep the two from overwriting each other. Pausing bumps
# the version, so a turn that read the conversation before is run again on the new flag.
async def lock_conversation(*, session: AsyncSession, sender_id: str | None) -> None:
    """On PostgreSQL, hold the conversation's turn lock until commit (taken before any row lock)."""
    if sender_id and session.get_bind().dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key(sender_id)})


async def set_conversation_paused(*, session: AsyncSession, sender_id: str | None, paused: bool) -> bool:
    """Pause (a human is on it) or resume the entity's conversation; False if it has none."""
    if not sender_id:
        return False
    result = await session.execute(
        update(Conversation).where(Conversation.sender_id == sender_id, Conversation.paused != paused)
        .values(paused=paused, version=Conversation.version + 1, updated_at=now_utc()))
    if changed(result) == 1:
        return True
    return await session.scalar(select(Conversation.id).where(Conversation.sender_id == sender_id)) is not None


async def is_paused(*, session: AsyncSession, sender_id: str | None) -> bool:
    if not sender_id:
        return False
    return bool(await session.scalar(select(Conversation.paused).where(Conversation.sender_id == sender_id)))
