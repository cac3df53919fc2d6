"""What actions need from the process: settings, the content and a database sessionmaker.

In process, `build_runtime` binds the runtime's own settings, content and sessionmaker here. In a separate
action server (`python -m rasa_sdk --actions actions`) nothing is bound, and each is built lazily, once,
from config.yml and the environment, the same way the bot builds them.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings, load_settings
from bot.content.domain import Domain, load_domain
from bot.store.db import create_engine, make_sessionmaker

_bound: dict[str, object] = {}


def bind(*, settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], domain: Domain | None = None) -> None:
    """Use this runtime's settings, content and database for the actions run in this process."""
    _bound["settings"] = settings
    _bound["sessionmaker"] = sessionmaker
    if domain is not None:
        _bound["domain"] = domain
    else:
        _bound.pop("domain", None)


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


def domain() -> Domain:
    """dialogues/ and knowledge/ as the bot reads them (the runtime's own in process; else config.yml's
    paths, loaded once): where the actions' lists of slots come from (actions/journey.py)."""
    found = _bound.get("domain")
    if not isinstance(found, Domain):
        current = settings()
        found = _bound["domain"] = load_domain(current.dialogues_dir, current.knowledge_dir)
    return found


def sessionmaker() -> async_sessionmaker[AsyncSession]:
    if "sessionmaker" not in _bound:
        _bound["sessionmaker"] = make_sessionmaker(create_engine(settings().resolved_database_url()))
    return _bound["sessionmaker"]  # type: ignore[return-value]
