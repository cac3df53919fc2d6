"""Fixtures. Helpers live in tests/auxil/ and are imported from there, never from this file."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from bot.app import runtime as app_runtime
from bot.shared import chart_files
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import PG_URL, create_database, load_domain_once, make_runtime, reset_postgres
from tests.auxil.telegram_bot import Bots

os.environ.setdefault("PTB_TIMEDELTA", "true")


def pytest_configure(config) -> None:
    """Charts go to a folder of this test process's own (bot/shared/chart_files.py's FOLDER_NAME), so the
    purges that tests run (maintenance, /forget) never take another process's pictures."""
    chart_files.FOLDER_NAME = f"aliat-charts-tests-{os.getpid()}"


def pytest_unconfigure(config) -> None:
    shutil.rmtree(Path(tempfile.gettempdir()) / chart_files.FOLDER_NAME, ignore_errors=True)


def pytest_sessionstart(session) -> None:
    """Under pytest-xdist (`make test` runs `-n auto`) each worker has a PostgreSQL database of its own,
    `<db>_gw0`, `<db>_gw1`... (tests/auxil/runtime.py's PG_URL): made here when it does not exist yet."""
    if PG_URL and os.environ.get("PYTEST_XDIST_WORKER"):
        asyncio.run(create_database(PG_URL))


@pytest.fixture(autouse=True, scope="session")
def _content_parsed_once():
    """Runtimes built in the tests' own process read dialogues/ and knowledge/ once per content
    (tests/auxil/runtime.py's `load_domain_once`), not once a runtime; `load_domain` itself is tested as is."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(app_runtime, "load_domain", load_domain_once)
        yield


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'aliat.db'}"


def _db_params() -> list:
    params = [pytest.param("sqlite", id="sqlite")]
    params.append(pytest.param("postgresql", id="postgresql",
                               marks=pytest.mark.skipif(not PG_URL, reason="ALIAT_TEST_DATABASE_URL not set")))
    return params


@pytest.fixture(params=_db_params())
async def database_url(request, sqlite_url) -> str:
    """Each test using this runs on SQLite, and on PostgreSQL when ALIAT_TEST_DATABASE_URL is set."""
    if request.param == "postgresql":
        await reset_postgres(PG_URL)
        return PG_URL
    return sqlite_url


@pytest.fixture
async def runtime(sqlite_url):
    rt = await make_runtime(sqlite_url)
    yield rt
    await rt.close()


@pytest.fixture
async def any_runtime(database_url):
    """A runtime on SQLite, and again on PostgreSQL when configured."""
    rt = await make_runtime(database_url)
    yield rt
    await rt.close()


@pytest.fixture
async def fake():
    """The fake Bot API on 127.0.0.1 (tests/auxil/fake_bot_api.py): Telegram without Telegram."""
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bots(fake, sqlite_url):
    """Start the real Application against `fake` (tests/auxil/telegram_bot.py's `Bots`):
    `app = await bots.start()` on SQLite with config.yml's content; `bots.start(settings, runtime)` with
    settings of the test's own (`bots.settings(webhook=True)`...) and a runtime from `bots.runtime()`;
    `bots.stop(app)`, `bots.restart(app)`. Whatever still runs is stopped after the test, then those
    runtimes are closed."""
    runner = Bots(fake, sqlite_url)
    yield runner
    await runner.close()


@pytest.fixture
async def polling_bot(bots):
    """The real Application polling `fake` with config.yml's content on SQLite; stopped after the test."""
    return await bots.start()
