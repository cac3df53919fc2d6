"""`aliat db restore` checks a backup before it touches the live database (issue 27, item 8).

Before, the live database was overwritten first: a backup from a newer release, a file with only
`alembic_version`, or one carrying a trigger all landed; and nothing stopped a restore under a running bot.
Each case here is refused with a message, on SQLite and PostgreSQL, and the live data is left as it was.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.store.backup import backup, libpq
from bot.store.db import create_engine
from bot.store.migrate import head_revision
from tests.auxil.runtime import Chat, make_runtime


def _cli_env(monkeypatch, url: str) -> None:
    for var in list(os.environ):
        if var.startswith(("TELEGRAM_", "ALIAT_")) and not var.startswith("ALIAT_TEST_"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ALIAT_DATABASE_URL", url)


async def _aliat(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))


async def _sql(url: str, *statements: str) -> None:
    """Statements on the database as it is (no migrations run: a runtime would refuse a future revision)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            for statement in statements:
                await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _kept(url: str) -> bool:
    runtime = await make_runtime(url)
    try:
        return await runtime.engine.peek("test:live") is not None
    finally:
        await runtime.close()


async def _live_database(url: str) -> None:
    runtime = await make_runtime(url)
    try:
        await Chat(runtime, "test:live").send("/start")
    finally:
        await runtime.close()


async def _refused(url: str, file, monkeypatch, capsys, why: str) -> None:
    _cli_env(monkeypatch, url)
    assert await _aliat("db", "restore", str(file)) == 1
    err = capsys.readouterr().err
    assert "aliat db restore:" in err and why in err, err
    assert await _kept(url), "the live database was changed"


async def test_a_backup_from_a_newer_release_is_refused(database_url, tmp_path, monkeypatch, capsys) -> None:
    await _live_database(database_url)
    await _sql(database_url, "UPDATE alembic_version SET version_num = '0099_from_the_future'")
    newer = tmp_path / "newer.backup"
    await asyncio.to_thread(backup, database_url, newer)
    await _sql(database_url, f"UPDATE alembic_version SET version_num = '{head_revision()}'",
               "DELETE FROM conversation")
    await _live_database(database_url)  # what is live now differs from the backup
    await _sql(database_url, "DELETE FROM conversation WHERE sender_id <> 'test:live'")
    await _refused(database_url, newer, monkeypatch, capsys, "0099_from_the_future")


async def test_a_backup_with_a_trigger_is_refused(database_url, tmp_path, monkeypatch, capsys) -> None:
    await _live_database(database_url)
    if database_url.startswith("sqlite"):
        await _sql(database_url, "CREATE TRIGGER spy AFTER INSERT ON entity BEGIN "
                                 "UPDATE entity SET field = 'copied' WHERE id = NEW.id; END")
        drop = "DROP TRIGGER spy"
    else:
        await _sql(database_url, "CREATE FUNCTION spy() RETURNS trigger LANGUAGE plpgsql AS "
                                 "$$ BEGIN RETURN NEW; END $$",
                   "CREATE TRIGGER spy AFTER INSERT ON entity FOR EACH ROW EXECUTE FUNCTION spy()")
        drop = "DROP TRIGGER spy ON entity; DROP FUNCTION spy()"
    with_trigger = tmp_path / "trigger.backup"
    await asyncio.to_thread(backup, database_url, with_trigger)
    for statement in drop.split("; "):
        await _sql(database_url, statement)
    await _refused(database_url, with_trigger, monkeypatch, capsys, "spy")


async def test_a_file_with_only_the_revision_is_refused(database_url, tmp_path, monkeypatch, capsys) -> None:
    await _live_database(database_url)
    only = tmp_path / "only-version.backup"
    if database_url.startswith("sqlite"):
        with sqlite3.connect(only) as conn:
            conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
            conn.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
        conn.close()
    else:
        conninfo, env = libpq(make_url(database_url))
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--table=alembic_version",
                        f"--file={only}", conninfo], env=env, check=True)
    await _refused(database_url, only, monkeypatch, capsys, "lacks the assistant's tables")


async def test_a_restore_under_a_running_bot_is_refused(database_url, tmp_path, monkeypatch, capsys) -> None:
    await _live_database(database_url)
    good = tmp_path / "good.backup"
    await asyncio.to_thread(backup, database_url, good)
    runtime = await make_runtime(database_url)  # the bot: its connections stay open
    try:
        await Chat(runtime, "test:other").send("/start")
        _cli_env(monkeypatch, database_url)
        assert await _aliat("db", "restore", str(good)) == 1
        assert "stop it first" in capsys.readouterr().err
        assert await runtime.engine.peek("test:other") is not None  # what the bot wrote since is there
    finally:
        await runtime.close()
    assert await _aliat("db", "restore", str(good)) == 0  # stopped: the same backup restores
    runtime = await make_runtime(database_url)
    try:
        assert await runtime.engine.peek("test:other") is None and await runtime.engine.peek("test:live")
    finally:
        await runtime.close()


@pytest.fixture(autouse=True)
def _no_leftover_check_files(tmp_path):
    yield
    assert not list(tmp_path.rglob("*.restore-check"))
