"""What `aliat run` checks before it starts: the database answers. When it does not, one line says so and
the process stops with exit code 1 (systemd or compose restart it), or, with `database_wait_seconds`, it
waits for the database, one line per try: never a page of traceback for an operator to read."""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import Settings
from bot.shared.backoff import Backoff
from bot.store.db import create_engine

log = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 5.0
MAX_DELAY_SECONDS = 15.0
DATABASE_BACKOFF = Backoff(1.0, MAX_DELAY_SECONDS)  # tried again after 1, 2, 4, 8, 15, 15... s


class DatabaseUnavailable(Exception):
    """The database did not answer at start; the message names it and what to do."""


def shown_url(url: str) -> str:
    """The URL without its password, for a log line."""
    return make_url(url).render_as_string(hide_password=True)


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return f"no answer within {PROBE_TIMEOUT_SECONDS:g} s"
    inner: BaseException = getattr(exc, "orig", None) or exc  # SQLAlchemy wraps the driver's error ...
    while inner.__cause__ is not None:  # ... which may wrap asyncpg's own
        inner = inner.__cause__
    words = " ".join(str(inner).split()) or type(inner).__name__
    return f"{words[:200]} ({type(inner).__name__})"


async def probe(url: str) -> str | None:
    """None when the database answers a SELECT 1, else why not (one line)."""
    try:
        engine = create_engine(url)  # SQLite: its folder is made here, which may fail
    except OSError as exc:
        return _why(exc)
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return None
    except Exception as exc:  # any driver's refusal: the line says which
        return _why(exc)
    finally:
        await engine.dispose()


async def wait_for_database(settings: Settings) -> None:
    """Return once the database answers; DatabaseUnavailable once `database_wait_seconds` have passed."""
    url = settings.resolved_database_url()
    patience = settings.database_wait_seconds
    deadline = time.monotonic() + patience
    tries = 0
    while True:
        tries += 1
        why = await probe(url)
        if why is None:
            if tries > 1:
                log.info("database %s answers (after %s tries)", shown_url(url), tries)
            return
        delay = DATABASE_BACKOFF.delay(tries)
        if time.monotonic() + delay > deadline:
            waited = f"after waiting {patience:g} s; " if patience else ""
            raise DatabaseUnavailable(
                f"database not reachable at {shown_url(url)}: {why}. Start it, or correct ALIAT_DATABASE_URL; "
                f"{waited}database_wait_seconds ({patience:g}) says how long aliat run waits for it at start")
        log.warning("database not reachable yet at %s: %s; try %s, again in %.0f s (database_wait_seconds: %g)",
                    shown_url(url), why, tries, delay, patience)
        await asyncio.sleep(delay)
