"""`aliat db backup FILE` / `aliat db restore FILE` on SQLite and PostgreSQL: back up mid-conversation,
go on, erase the database, restore, and the conversation resumes at the question it was pending."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import stat

import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.store.backup import BackupError, libpq, restore
from tests.auxil.runtime import Chat, make_runtime, reset_postgres


def _cli_env(monkeypatch, url: str) -> None:
    for var in list(os.environ):
        if var.startswith(("TELEGRAM_", "ALIAT_")) and not var.startswith("ALIAT_TEST_"):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("ALIAT_DATABASE_URL", url)


async def _aliat(*argv: str) -> int:
    return await asyncio.to_thread(main, list(argv))  # the command runs its own event loop


async def _erase(url: str) -> None:
    if url.startswith("sqlite"):
        path = make_url(url).database
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
    else:
        await reset_postgres(url)


async def test_backup_erase_restore_resumes_the_conversation(database_url, tmp_path, monkeypatch, capsys) -> None:
    runtime = await make_runtime(database_url)
    try:
        chat = Chat(runtime, "test:backup", language="en")
        for said in ["/start", "/facilitator", "1"]:
            await chat.send(said)
        pending = await chat.tracker()
        assert pending.active_form and pending.requested_slot
        asked = chat.texts()
        _cli_env(monkeypatch, database_url)
        backup_file = tmp_path / "nightly #1?.backup"  # a name a URI would misread
        old_umask = os.umask(0o022)  # the usual umask: files readable by everyone, unless made otherwise
        try:
            assert await _aliat("db", "backup", str(backup_file)) == 0  # while the bot's runtime is open
        finally:
            os.umask(old_umask)
        assert backup_file.stat().st_size > 0 and not list(tmp_path.glob("*.partial"))
        assert stat.S_IMODE(backup_file.stat().st_mode) == 0o600  # personal data: its owner's only
        assert "backed up" in capsys.readouterr().out
    finally:
        await runtime.close()

    runtime = await make_runtime(database_url)  # the conversation goes on after the backup...
    try:
        later = Chat(runtime, "test:backup", language="en")
        await later.send("Casal Abans")
        assert (await later.tracker()).requested_slot != pending.requested_slot
        answered_next = later.texts()
    finally:
        await runtime.close()
    await _erase(database_url)  # ... then the database is lost

    assert await _aliat("db", "restore", str(backup_file)) == 0
    assert "restored" in capsys.readouterr().out

    runtime = await make_runtime(database_url)
    try:
        chat = Chat(runtime, "test:backup", language="en")
        restored = await chat.tracker()
        assert (restored.active_form, restored.requested_slot, restored.version) == (
            pending.active_form, pending.requested_slot, pending.version)
        assert restored.slots == pending.slots
        await chat.send("Casal Restaurat")  # the pending question is answered as if nothing happened
        assert chat.texts() == answered_next and asked
        assert (await chat.tracker()).slots.get(pending.requested_slot) == "Casal Restaurat"
    finally:
        await runtime.close()


async def test_restore_refuses_a_file_that_is_not_a_backup(sqlite_url, tmp_path, monkeypatch, capsys) -> None:
    runtime = await make_runtime(sqlite_url)
    await Chat(runtime, "test:keep").send("/start")
    await runtime.close()
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    _cli_env(monkeypatch, sqlite_url)
    for wrong in (junk, other, tmp_path / "missing.backup"):
        assert await _aliat("db", "restore", str(wrong)) == 1
        assert "aliat db restore:" in capsys.readouterr().err
    runtime = await make_runtime(sqlite_url)  # the database was left alone
    try:
        assert (await runtime.engine.peek("test:keep")) is not None
    finally:
        await runtime.close()


def test_the_postgresql_url_becomes_a_libpq_one_without_the_password() -> None:
    conninfo, env = libpq(make_url("postgresql+asyncpg://aliat:s%40cret@db.example.org:5433/aliat?ssl=require"))
    assert conninfo == "postgresql://aliat@db.example.org:5433/aliat?sslmode=require"
    assert env["PGPASSWORD"] == "s@cret"
    conninfo, env = libpq(make_url("postgresql+asyncpg://postgres@127.0.0.1/test?prepared_statement_cache_size=0"))
    assert conninfo == "postgresql://postgres@127.0.0.1/test"


def test_a_missing_client_tool_is_named(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_restore anywhere
    (tmp_path / "x.backup").write_bytes(b"PGDMP")
    with pytest.raises(BackupError, match="pg_restore not found.*postgresql-client"):
        restore("postgresql+asyncpg://postgres@127.0.0.1/none", tmp_path / "x.backup")
