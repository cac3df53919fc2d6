"""Alembic migrations applied from code (start-up, `aliat db upgrade`, tests)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Connection

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK_KEY = 0x616C696174  # "aliat"


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _revisions() -> tuple[frozenset[str], frozenset[str]]:
    """(every revision, every down_revision) of the migration files, read as text (importing alembic costs
    a third of `aliat chat`'s start-up)."""
    revisions: set[str] = set()
    downs: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        if found := re.search(r"^revision(?:\s*:[^=]*)?\s*=\s*['\"]([^'\"]+)['\"]", source, re.M):
            revisions.add(found.group(1))
        if found := re.search(r"^down_revision(?:\s*:[^=]*)?\s*=\s*(.+)$", source, re.M):
            downs.update(re.findall(r"['\"]([^'\"]+)['\"]", found.group(1)))
    return frozenset(revisions), frozenset(downs)


def known_revisions() -> frozenset[str]:
    """The revisions this release's migrations know (a backup at another one is from a newer release)."""
    return _revisions()[0]


@cache
def head_revision() -> str | None:
    """The newest migration: the one revision no other names as its down_revision; None unless there is
    exactly one."""
    revisions, downs = _revisions()
    heads = revisions - downs
    return next(iter(heads)) if len(heads) == 1 else None


async def at_head(engine: AsyncEngine) -> bool:
    """Whether the database is already at the newest migration (then alembic need not be loaded)."""
    head = head_revision()
    if head is None:
        return False
    try:
        async with engine.connect() as conn:
            current = (await conn.execute(text("SELECT version_num FROM alembic_version"))).scalars().all()
    except DBAPIError:  # no table yet (a new database), or anything else: alembic will tell
        return False
    return current == [head]


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Apply migrations up to `revision` on this engine's database."""
    if revision == "head" and await at_head(engine):
        return
    from alembic import command

    cfg = alembic_config()

    def _run(sync_conn: Connection) -> None:
        cfg.attributes["connection"] = sync_conn
        command.upgrade(cfg, revision)

    if engine.dialect.name == "sqlite":
        # SQLite alters a table by copying it and dropping the old one; with foreign keys on, that drop
        # is a DELETE that sets every reference to it to NULL (an entity would lose its conversation).
        # The pragma only takes effect outside a transaction, so: off, migrate, on, on one connection.
        async with engine.connect() as conn:
            await conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
            await conn.commit()  # SQLAlchemy's autobegun transaction; the driver began none for a pragma
            try:
                async with conn.begin():
                    await conn.run_sync(_run)
            finally:
                await conn.exec_driver_sql("PRAGMA foreign_keys=ON")
                await conn.commit()
        return
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # Workers starting together on a new database: one migrates, the others wait, then find it done.
            await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await conn.run_sync(_run)
