"""Migration 0003: pausing moves from the tracker's saved JSON to a column, and back on downgrade."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import JSON, DateTime, column, table, text

from bot.store import migrate
from bot.store.db import create_engine

# the table as migration 0002 left it
CONVERSATION_0002 = table("conversation", column("id"), column("sender_id"), column("channel"), column("language"),
                          column("state", JSON()), column("version"), column("created_at", DateTime(timezone=True)),
                          column("updated_at", DateTime(timezone=True)))


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
        when = datetime(2026, 1, 5, tzinfo=UTC)
        rows = [("tg:1", {"paused": True, "slots": {"entity_name": "Coop Sud"}}),  # a facilitator holds it
                ("tg:2", {"paused": False, "slots": {}}), ("tg:3", {"slots": {}})]
        async with db.begin() as conn:
            await conn.execute(CONVERSATION_0002.insert(), [
                {"id": i, "sender_id": sender, "channel": "telegram", "language": "ca", "state": state,
                 "version": 1, "created_at": when, "updated_at": when}
                for i, (sender, state) in enumerate(rows, start=1)])
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
