"""Wires settings, content, database, actions and the engine; owned by one channel's lifetime."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.content.domain import Domain, load_domain
from bot.engine import Engine
from bot.engine.actions_client import ActionRunner
from bot.engine.tracker import Tracker
from bot.store import alliances, funnel, migrate
from bot.store.conversations import ConversationStore
from bot.store.db import create_engine, make_sessionmaker
from bot.text import textmodel


@dataclass
class Runtime:
    settings: Settings
    domain: Domain
    db: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    actions: ActionRunner
    engine: Engine[AsyncSession]  # the store's unit of work is a session (bot/engine/ports.py)

    async def close(self) -> None:
        await self.actions.close()
        await self.db.dispose()


# Loggers that would print SQL parameters or HTTP bodies (message texts, contact details) at DEBUG.
QUIET_LOGGERS = ("httpx", "httpcore", "aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool",
                 "alembic.runtime.migration", "telegram.ext.Updater", "telegram.ext.ExtBot", "telegram.Bot",
                 "tornado.access", "sanic.access",
                 # an action's ignored event (its slots: what people wrote) is logged at DEBUG
                 "rasa_sdk.executor", "rasa_sdk.endpoint")


def quiet_third_party_loggers() -> None:
    """Keep other libraries at WARNING, even when our own logging is at DEBUG."""
    logging.getLogger("rasa_sdk.forms").setLevel(logging.ERROR)  # "no validation method" is expected
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)


def configure_logging(settings: Settings) -> None:
    from bot.shared.logs import configure

    configure(settings.logging.level, settings.logging.format)
    quiet_third_party_loggers()


async def open_database(settings: Settings, *, upgrade: bool = True) -> tuple[AsyncEngine, async_sessionmaker[AsyncSession]]:
    funnel.set_time_zone(settings.programme.time_zone)
    alliances.set_objective_aims(dataclasses.asdict(settings.programme.objective_aims))
    db = create_engine(settings.resolved_database_url())
    if upgrade:
        await migrate.upgrade(db)
    return db, make_sessionmaker(db)


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """The migrated database for a one-off command; the engine is disposed afterwards."""
    db, sessionmaker = await open_database(settings, upgrade=True)
    try:
        yield sessionmaker
    finally:
        await db.dispose()


Preview = Callable[[object, str], Awaitable[str | None]]


def _lead_preview(settings: Settings, domain: Domain, sessionmaker: async_sessionmaker[AsyncSession]) -> Preview:
    """The terminal's card preview (bot/leads/cards.py), imported at its first use: a chat starts
    without the cards, the leads store and the button codec (cold start)."""
    loaded: list[Preview] = []

    async def show(lead_id: object, language: str) -> str | None:
        if not loaded:
            from bot.engine.render import Renderer
            from bot.leads.cards import lead_preview

            loaded.append(lead_preview(sessionmaker, Renderer(domain, settings.default_language,
                                                              settings.programme.time_zone),
                                       settings.default_language))
        return await loaded[0](lead_id, language)

    return show


async def build_runtime(settings: Settings, *, upgrade: bool = True) -> Runtime:
    """Load content, open the database (applying migrations) and build the engine."""
    quiet_third_party_loggers()
    textmodel.use_models_dir(settings.models_dir)
    domain = load_domain(settings.dialogues_dir, settings.knowledge_dir)
    db, sessionmaker = await open_database(settings, upgrade=upgrade)
    from actions import services as action_services  # in-process actions use this runtime's database

    action_services.bind(settings=settings, sessionmaker=sessionmaker, domain=domain)
    actions = ActionRunner(endpoint=settings.actions.endpoint, timeout=settings.actions.timeout_seconds)
    # the engine knows only its store interface (bot/engine/ports.py): this is where the concrete one is chosen
    store = ConversationStore[Tracker](sessionmaker, dialect=db.dialect.name, restore=Tracker.from_state)
    engine = Engine(settings=settings, domain=domain, store=store, actions=actions)
    engine.previews["lead_preview"] = _lead_preview(settings, domain, sessionmaker)
    return Runtime(settings=settings, domain=domain, db=db, sessionmaker=sessionmaker, actions=actions,
                   engine=engine)
