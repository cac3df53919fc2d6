"""Loading and saving trackers, one turn at a time per conversation."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from sqlalchemy import select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine.tracker import Tracker
from bot.store.models import Conversation

SQLITE_BUSY_SNAPSHOT = 517


class ConcurrentTurn(Exception):
    """Another worker saved this conversation first; the turn is run again."""


def _lock_key(sender_id: str) -> int:
    # Stable 63-bit key for pg_advisory_xact_lock (Python's hash() is salted per process).
    import hashlib

    return int.from_bytes(hashlib.blake2b(sender_id.encode(), digest_size=8).digest(), "big") >> 1


def _stale_snapshot(exc: OperationalError) -> bool:
    return getattr(exc.orig, "sqlite_errorcode", None) == SQLITE_BUSY_SNAPSHOT


class ConversationStore:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], *, dialect: str) -> None:
        self.sessionmaker = sessionmaker
        self.dialect = dialect

    @asynccontextmanager
    async def turn(self, sender_id: str) -> AsyncIterator[AsyncSession]:
        """A session for one turn; on PostgreSQL it holds the conversation's advisory lock until commit."""
        async with self.sessionmaker() as session:
            if self.dialect == "postgresql":
                await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _lock_key(sender_id)})
            try:
                yield session
            except OperationalError as exc:
                await session.rollback()
                if _stale_snapshot(exc):
                    # SQLite: another connection wrote since this turn read; run the turn again.
                    raise ConcurrentTurn(sender_id) from exc
                raise
            except BaseException:
                await session.rollback()
                raise

    async def load(self, session: AsyncSession, sender_id: str) -> Tracker | None:
        row = await session.scalar(select(Conversation).where(Conversation.sender_id == sender_id))
        if row is None:
            return None
        return Tracker.from_state(row.sender_id, row.language, row.state, row.version, row.id)

    async def save(self, session: AsyncSession, tracker: Tracker, *, channel: str) -> None:
        """Insert or update with a version check, without committing (the caller commits)."""
        now = datetime.now(UTC)
        state = tracker.to_state()
        if tracker.conversation_id is None:
            row = Conversation(sender_id=tracker.sender_id, channel=channel, language=tracker.language,
                               state=state, version=1, updated_at=now)
            session.add(row)
            try:
                await session.flush()
            except IntegrityError as exc:
                raise ConcurrentTurn(tracker.sender_id) from exc
            tracker.conversation_id = row.id
            tracker.version = 1
            return
        result = await session.execute(
            update(Conversation)
            .where(Conversation.id == tracker.conversation_id, Conversation.version == tracker.version)
            .values(state=state, language=tracker.language, version=tracker.version + 1, updated_at=now)
        )
        if result.rowcount != 1:
            raise ConcurrentTurn(tracker.sender_id)
        tracker.version += 1
