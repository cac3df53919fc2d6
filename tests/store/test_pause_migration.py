"""Migration 0003: pausing moves from the tracker's saved JSON to a column, and back on downgrade."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text

from bot.store import migrate
from bot.store.db import create_engine


def _state(value) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value)


async def _downgrade(db, revision: str) -> None:
    from alembic import command

    cfg = migrate.alembic_config()

    def run(sync_conn) -> None:
        cfg.attributes["connection"] = sync_conn
        command.downgrade(cfg, revision)

    async with db.begin() as conn:
        await conn.run_sync(run)


async def test_paused_conversations_stay_paused_through_the_migration(database_url) -> None:
    db = create_engine(database_url)
    try:
        await migrate.upgrade(db, "0002_dashboard")
        async with db.begin() as conn:
            await conn.execute(text(
                "INSERT INTO conversation (id, sender_id, channel, language, state, version, created_at, updated_at)"
                " VALUES (1, 'tg:1', 'telegram', 'ca', :held, 3, :a, :a), (2, 'tg:2', 'telegram', 'es', :free, 1, :a, :a),"
                " (3, 'tg:3', 'console', 'en', :old, 1, :a, :a)"),
                {"held": json.dumps({"paused": True, "slots": {"entity_name": "Coop Sud"}}),
                 "free": json.dumps({"paused": False, "slots": {}}), "old": json.dumps({"slots": {}}),
                 "a": datetime(2026, 1, 5, tzinfo=UTC)})
        await migrate.upgrade(db, "0003_conversation_paused")
        async with db.connect() as conn:
            rows = (await conn.execute(text("SELECT id, paused, state FROM conversation ORDER BY id"))).all()
        assert [(i, bool(p)) for i, p, _ in rows] == [(1, True), (2, False), (3, False)]
        # the held conversation's JSON no longer carries the flag; its answers are untouched
        assert _state(rows[0].state) == {"slots": {"entity_name": "Coop Sud"}}

        await _downgrade(db, "0002_dashboard")
        async with db.connect() as conn:
            rows = (await conn.execute(text("SELECT id, state FROM conversation ORDER BY id"))).all()
        assert [bool(_state(s).get("paused")) for _, s in rows] == [True, False, False]
        assert _state(rows[0].state)["slots"] == {"entity_name": "Coop Sud"}
    finally:
        await db.dispose()
