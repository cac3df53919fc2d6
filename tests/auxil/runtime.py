"""Building a runtime for tests: a temporary SQLite file, or the PostgreSQL test database."""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from dataclasses import replace
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app.runtime import Runtime, build_runtime
from bot.config import Settings, load_settings
from bot.console import Keyboard, typed_button
from bot.content.domain import Domain, load_domain
from bot.engine import BotMessage, UserMessage
from bot.store import migrate
from bot.store.db import create_engine
from tests.auxil.paths import ROOT


def worker_database_url(url: str, worker: str) -> str:
    """The database of one pytest-xdist worker: `<db>_gw0`, `<db>_gw1`... on the same server, so workers
    running side by side never drop each other's schema. Without xdist (worker ""), the URL as given."""
    if not url or not worker:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


# ALIAT_TEST_DATABASE_URL names the PostgreSQL test database; each xdist worker gets its own beside it.
PG_URL = worker_database_url(os.environ.get("ALIAT_TEST_DATABASE_URL", ""),
                             os.environ.get("PYTEST_XDIST_WORKER", ""))


async def create_database(url: str) -> None:
    """Create the database of `url` when it does not exist, connecting to the server's `postgres` database
    (a worker's database, made the first time that worker runs)."""
    import asyncpg

    parsed = make_url(url)
    conn = await asyncpg.connect(host=parsed.host or "127.0.0.1", port=parsed.port or 5432,
                                 user=parsed.username, password=parsed.password, database="postgres")
    try:
        if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", parsed.database):
            try:
                await conn.execute(f'CREATE DATABASE "{parsed.database}"')
            except asyncpg.DuplicateDatabaseError:
                pass  # made meanwhile by another run
    finally:
        await conn.close()


def settings_for_tests(database_url: str, **overrides) -> Settings:
    """config.yml with the test database and no environment overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIAT_", "TELEGRAM_"))}
    settings = load_settings(ROOT / "config.yml", env=env)
    return replace(settings, database_url=database_url, **overrides)


async def reset_postgres(url: str) -> None:
    """Drop everything in the public schema so migrations run from scratch."""
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await engine.dispose()


_TEMPLATE: list[Path] = []  # this process's migrated SQLite database, made once
_DOMAINS: dict[tuple, bytes] = {}


async def _migrated_template() -> Path:
    """An empty SQLite database at the newest migration, made once per test process (the migrations run
    from scratch here; tests/store tests them on their own)."""
    if not _TEMPLATE:
        folder = Path(tempfile.mkdtemp(prefix="aliat-template-"))
        engine = create_engine(f"sqlite+aiosqlite:///{folder / 'template.db'}")
        try:
            await migrate.upgrade(engine)
        finally:
            await engine.dispose()  # the last connection closed: the WAL is checkpointed into the file
        assert not (folder / "template.db-wal").exists()
        _TEMPLATE.append(folder / "template.db")
    return _TEMPLATE[0]


def _new_sqlite_file(database_url: str) -> Path | None:
    """The file of a SQLite URL that does not exist yet (a test's new database), else None."""
    url = make_url(database_url)
    if not url.drivername.startswith("sqlite") or not url.database or url.database == ":memory:":
        return None
    path = Path(url.database)
    return path if path.is_absolute() and path.parent.is_dir() and not path.exists() else None


async def make_runtime(database_url: str, **overrides) -> Runtime:
    """A runtime on `database_url`. A new SQLite database starts as a copy of one migrated database (the
    migrations cost a third of a second each, hundreds of times a run); `build_runtime` then finds it at
    the newest revision, exactly as a freshly migrated one."""
    if (path := _new_sqlite_file(database_url)) is not None:
        shutil.copyfile(await _migrated_template(), path)
    return await build_runtime(settings_for_tests(database_url, **overrides))


def _content_signature(*folders: Path) -> tuple:
    return tuple(sorted((str(f), f.stat().st_mtime_ns, f.stat().st_size)
                        for folder in folders for f in Path(folder).rglob("*") if f.is_file()))


def load_domain_once(dialogues_dir: Path, knowledge_dir: Path) -> Domain:
    """`load_domain`, parsed once per test process and content (the folders' files, their times and sizes):
    each caller gets its own copy, so a test that changes its domain changes no other test's."""
    key = (str(dialogues_dir), str(knowledge_dir), _content_signature(dialogues_dir, knowledge_dir))
    if key not in _DOMAINS:
        _DOMAINS[key] = pickle.dumps(load_domain(dialogues_dir, knowledge_dir))
    return pickle.loads(_DOMAINS[key])


class Chat:
    """A scripted user talking to the engine like the terminal channel does."""

    def __init__(self, runtime: Runtime, sender_id: str = "test:1", language: str | None = None) -> None:
        self.runtime = runtime
        self.sender_id = sender_id
        self.language = language
        self.buttons: list[tuple[str, str]] = []
        self.asks_slot: str | None = None
        self.seq = 0
        self.last: list[BotMessage] = []

    async def send(self, text: str | None = None, *, payload: str | None = None, seq: int | None = None,
                   kind: str = "text", metadata: dict | None = None) -> list[BotMessage]:
        if payload is None and text is not None:  # a number or a label, read as the terminal does
            pressed = typed_button(text, Keyboard(self.buttons, self.asks_slot))
            if pressed is not None:
                payload, text = pressed, None
        if payload is not None:
            message = UserMessage(sender_id=self.sender_id, payload=payload,
                                  button_seq=self.seq if seq is None else seq, channel="test",
                                  language_hint=self.language, kind="payload")
        else:
            message = UserMessage(sender_id=self.sender_id, text=text, channel="test",
                                  language_hint=self.language, kind=kind, metadata=metadata or {})
        replies = await self.runtime.engine.handle(message)
        self.last = replies
        with_buttons = [r for r in replies if r.buttons]
        if with_buttons:
            self.buttons = list(with_buttons[-1].buttons)
            self.asks_slot = with_buttons[-1].slot
        self.seq = max([self.seq] + [r.seq for r in replies])
        return replies

    async def tracker(self):
        return await self.runtime.engine.peek(self.sender_id)

    def texts(self) -> str:
        return "\n".join(r.text for r in self.last)


async def ask_for_a_facilitator(runtime: Runtime, sender_id: str, entity_name: str = "Coop Sud") -> Chat:
    """An entity that asks for a human straight away: consent, its name, a contact name, Telegram as the
    channel (volunteers and budget skipped); a lead (and its card in the outbox) is made."""
    chat = Chat(runtime, sender_id)
    for said in ["/start", "/facilitator", "1", entity_name, "Marta", "/skip", "/skip", "/skip", "1"]:
        await chat.send(said)
    return chat

