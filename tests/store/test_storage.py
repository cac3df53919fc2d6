"""Storage: migrations against the models, trackers saved per turn with a version check (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select, text

from bot.engine import UserMessage
from bot.engine.tracker import Tracker
from bot.store import migrate
from bot.store.conversations import ConcurrentTurn, ConversationStore
from bot.store.db import create_engine, make_sessionmaker
from bot.store.models import Base, Conversation


async def test_single_migration_head() -> None:
    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1, f"migrations have several heads: {heads}"
    assert migrate.head_revision() == heads[0]  # the start-up shortcut reads the same head as alembic


async def test_start_up_skips_alembic_only_at_the_head(database_url) -> None:
    engine = create_engine(database_url)
    try:
        assert not await migrate.at_head(engine)  # a new database: no alembic_version table yet
        await migrate.upgrade(engine)
        assert await migrate.at_head(engine)
        async with engine.begin() as conn:  # an older database: alembic must run again
            await conn.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        assert not await migrate.at_head(engine)
    finally:
        await engine.dispose()


async def test_migrations_match_models(database_url) -> None:
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with engine.connect() as conn:
            diff = await conn.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
            tables = await conn.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert diff == [], f"models differ from migrations (add a migration): {diff}"
        assert set(Base.metadata.tables) <= tables
        # Applying them again is a no-op.
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def test_tracker_saved_every_turn_and_resumed(any_runtime) -> None:
    engine = any_runtime.engine
    await engine.handle(UserMessage(sender_id="s:1", text="/start", language_hint="es"))
    await engine.handle(UserMessage(sender_id="s:1", payload="/explore"))
    await engine.handle(UserMessage(sender_id="s:1", text="Coop Sud"))
    tracker = await engine.peek("s:1")
    assert tracker.language == "es"
    assert tracker.slots["entity_name"] == "Coop Sud"
    assert tracker.active_form == "interview_form"
    assert tracker.requested_slot == "field"
    assert tracker.version == 3
    assert any(e["event"] == "user" for e in tracker.events)


async def test_events_are_bounded(any_runtime) -> None:
    engine = any_runtime.engine
    for _ in range(40):
        await engine.handle(UserMessage(sender_id="s:2", text="/help"))
    tracker = await engine.peek("s:2")
    assert len(tracker.events) <= any_runtime.settings.conversation.max_events


async def test_stale_version_is_refused(any_runtime) -> None:
    store = ConversationStore(any_runtime.sessionmaker, dialect=any_runtime.db.dialect.name,
                              restore=Tracker.from_state)
    await any_runtime.engine.handle(UserMessage(sender_id="s:3", text="/start"))
    async with any_runtime.sessionmaker() as session:
        first = await store.load(session, "s:3")
    async with any_runtime.sessionmaker() as session:
        second = await store.load(session, "s:3")
    async with any_runtime.sessionmaker() as session:
        await store.save(session, first, channel="test")
        await session.commit()
    async with any_runtime.sessionmaker() as session:
        with pytest.raises(ConcurrentTurn):
            await store.save(session, second, channel="test")


async def test_concurrent_messages_of_one_sender_apply_in_order(any_runtime) -> None:
    engine = any_runtime.engine
    await engine.handle(UserMessage(sender_id="s:4", text="/start"))
    await engine.handle(UserMessage(sender_id="s:4", payload="/explore"))
    # Sent together: the second must see the first's answer.
    await asyncio.gather(
        engine.handle(UserMessage(sender_id="s:4", text="Ateneu")),
        engine.handle(UserMessage(sender_id="s:4", text="lleure educatiu")),
    )
    tracker = await engine.peek("s:4")
    assert tracker.slots["entity_name"] == "Ateneu"
    assert tracker.slots["field"] == "lleure educatiu"


async def test_two_engines_one_database_do_not_lose_turns(database_url) -> None:
    """Two workers (two engines, two connection pools) on one database: every turn is kept."""
    from tests.auxil.runtime import make_runtime

    first, second = await make_runtime(database_url), await make_runtime(database_url)
    try:
        await first.engine.handle(UserMessage(sender_id="s:5", text="/start"))
        await asyncio.gather(*[
            (first if i % 2 else second).engine.handle(UserMessage(sender_id="s:5", text="/help"))
            for i in range(10)
        ])
        tracker = await first.engine.peek("s:5")
        assert tracker.version == 11
    finally:
        await first.close()
        await second.close()


async def test_sqlite_file_and_folder_created(tmp_path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'new' / 'folder' / 'aliat.db'}"
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with make_sessionmaker(engine)() as session:
            assert (await session.scalars(select(Conversation))).all() == []
            mode = (await session.execute(text("PRAGMA journal_mode"))).scalar()
        assert mode == "wal"
    finally:
        await engine.dispose()
    assert (tmp_path / "new" / "folder" / "aliat.db").exists()
