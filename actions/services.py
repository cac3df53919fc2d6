"""What actions need from the process: settings and a database sessionmaker.

In process, `build_runtime` binds the runtime's own settings and sessionmaker here. In a separate
action server (`python -m rasa_sdk --actions actions`) nothing is bound, and both are built lazily
from config.yml and the environment, the same way the bot builds them.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings, load_settings
from bot.store.db import create_engine, make_sessionmaker

_bound: dict[str, object] = {}


def bind(*, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Use this runtime's settings and database for the actions run in this process."""
    _bound["settings"] = settings
    _bound["sessionmaker"] = sessionmaker


def settings() -> Settings:
    if "settings" not in _bound:
        _bound["settings"] = load_settings()
    return _bound["settings"]  # type: ignore[return-value]


def knowledge_dir() -> Path:
    """config.yml's `paths.knowledge` (the bot's settings in process, the action server's own otherwise)."""
    current = settings()
    known = _bound.get("knowledge_dir")  # (settings, folder): the classifier asks on every call
    if not isinstance(known, tuple) or known[0] is not current:
        known = _bound["knowledge_dir"] = (current, current.knowledge_dir)
    return known[1]


def sessionmaker() -> async_sessionmaker[AsyncSession]:
    if "sessionmaker" not in _bound:
        _bound["sessionmaker"] = make_sessionmaker(create_engine(settings().resolved_database_url()))
    return _bound["sessionmaker"]  # type: ignore[return-value]
