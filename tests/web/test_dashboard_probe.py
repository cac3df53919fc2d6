"""The dashboard against the second adversarial probe's low items (issue 27, items 10, 11, 14, 15, 16).

Before: `/language` with next=/\\evil.example/ sent the browser to another site; a facilitator removed and
added again had their old session, and their old unused login links, back; `/leads/2147483648` was a 500
on PostgreSQL, and a 240-character name a traceback of `aliat facilitators add`; `/leads?assignee=²` or 5,000
digits was a 500.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import replace
from types import SimpleNamespace

from sqlalchemy import func, select

from bot.store import leads as store
from bot.store import staff
from bot.store.models import WebLogin, WebSession
from tests.auxil.cli import aliat
from tests.auxil.dashboard import LAIA, NURIA, dashboard_client, login_link, seed, with_web


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def _login(client, runtime, user_id: int) -> None:
    response = await client.get(await login_link(runtime, user_id), allow_redirects=False)
    assert response.status == 303, await response.text()


async def test_the_language_switch_never_leaves_the_site(runtime) -> None:
    await seed(runtime)
    async with dashboard_client(runtime) as client:
        await _login(client, runtime, NURIA)
        csrf = _csrf(await (await client.get("/alliances")).text())
        for evil in ("/\\evil.example/", "//evil.example/", "https://evil.example/", "/\\/evil.example",
                     "/\tevil", "evil.example"):
            response = await client.post("/language", data={"to": "es", "next": evil, "csrf": csrf},
                                         allow_redirects=False)
            assert response.status == 303 and response.headers["Location"] == "/", evil
        response = await client.post("/language", data={"to": "ca", "next": "/leads?status=open", "csrf": csrf},
                                     allow_redirects=False)
        assert response.headers["Location"] == "/leads?status=open"  # a path of the site is kept


async def test_a_removed_facilitator_added_again_logs_in_anew(runtime) -> None:
    await seed(runtime)
    async with dashboard_client(runtime) as client:
        await _login(client, runtime, LAIA)
        unused = await login_link(runtime, LAIA)  # a link sent earlier, never opened
        assert (await client.get("/leads")).status == 200
        async with runtime.sessionmaker() as session, session.begin():
            await store.remove_facilitator(session=session, telegram_user_id=LAIA)
        async with runtime.sessionmaker() as session:
            assert await session.scalar(select(func.count()).select_from(WebSession)
                                        .where(WebSession.telegram_user_id == LAIA)) == 0
            assert await session.scalar(select(func.count()).select_from(WebLogin)
                                        .where(WebLogin.telegram_user_id == LAIA)) == 0
        async with runtime.sessionmaker() as session, session.begin():
            await store.add_facilitator(session=session, telegram_user_id=LAIA, name="Laia")
        assert (await client.get("/leads", allow_redirects=False)).status == 401  # the old session is over
        client.session.cookie_jar.clear()
        assert (await client.get(unused, allow_redirects=False)).status == 403  # so is the old link
        await _login(client, runtime, LAIA)  # a new link works
        assert (await client.get("/leads")).status == 200


async def test_a_removed_coordinators_links_end_too(runtime) -> None:
    await seed(runtime)
    unused = await login_link(runtime, NURIA)
    async with runtime.sessionmaker() as session, session.begin():
        assert await staff.remove_coordinator(session=session, telegram_user_id=NURIA)
        await staff.add_coordinator(session=session, telegram_user_id=NURIA, name="Núria")
    async with dashboard_client(runtime) as client:
        assert (await client.get(unused, allow_redirects=False)).status == 403


async def test_ids_and_filters_out_of_range_are_not_found_not_errors(any_runtime) -> None:
    await seed(any_runtime)
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, NURIA)
        for path in ("/leads/2147483648", "/leads/99999999999", "/leads/²", "/leads/" + "9" * 5000):
            response = await client.get(path)
            assert response.status == 404, path
        for assignee in ("²", "9" * 5000, "2147483648", "-1", "٣"):
            response = await client.get("/leads", params={"assignee": assignee})
            assert response.status == 200, assignee
        csrf = _csrf(await (await client.get("/leads/1")).text())
        response = await client.post("/leads/2147483648/note", data={"note": "x", "csrf": csrf})
        assert response.status == 404


async def test_a_long_staff_name_is_refused_with_a_message(database_url) -> None:
    """`aliat facilitators add` with a 240-character name was a traceback on PostgreSQL (VARCHAR(200))."""
    long = "Maria " * 40
    for roster in ("facilitators", "coordinators", "trainers"):
        done = await asyncio.to_thread(aliat, roster, "add", "601", "--name", long, database_url=database_url)
        assert done.returncode == 2 and "at most 200 characters" in done.stdout, done.stderr
        assert "Traceback" not in done.stderr
    done = await asyncio.to_thread(aliat, "facilitators", "add", "601", "--name", "Maria " * 33,
                                   database_url=database_url)
    assert done.returncode == 0, done.stderr  # 198 characters: fits


async def test_the_dashboards_public_address_serves_no_readiness(runtime) -> None:
    """Item 15: /readyz (which names the database and Telegram checks) was served on the dashboard's public
    address with `ops.enabled` off; the operations endpoints now have a listener of their own."""
    import aiohttp

    from bot.web.server import start_with_bot
    from tests.auxil.telegram_bot import free_port

    port = free_port()
    with_web(runtime, port=port)
    runtime.settings = replace(runtime.settings, web=replace(runtime.settings.web, host="127.0.0.1"),
                               ops=replace(runtime.settings.ops, enabled=False, metrics=False))
    bot = SimpleNamespace(bot_data=SimpleNamespace(channel=None, telegram_seen=None))  # the Application's part
    listeners = await start_with_bot(runtime, application=bot)
    try:
        async with aiohttp.ClientSession() as http:
            for path in ("/readyz", "/metrics"):
                async with http.get(f"http://127.0.0.1:{port}{path}") as response:
                    assert response.status == 404, path
            async with http.get(f"http://127.0.0.1:{port}/leads", allow_redirects=False) as response:
                assert response.status == 401  # the dashboard itself is there
    finally:
        await listeners.cleanup()
