"""Onboarding without a shell: `aliat invite --role R` or the dashboard makes a one-time link; opening it
in Telegram (/start inv_…) registers the person under their Telegram name; /whoami tells anyone their
number and roles. A used, expired or unknown link registers nobody."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import timedelta

from bot.store import invites, staff
from bot.store import leads as store
from bot.store.clock import now_utc
from bot.store.workshops import list_trainers
from tests.auxil.cli import aliat
from tests.auxil.dashboard import NURIA, dashboard_client, login_link, seed
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.updates import make_command

NEWCOMER, OTHER = 8101, 8102


async def _say(fake: FakeBotApi, command: str, args: str = "", *, user_id: int, first_name: str = "Ana") -> str:
    since = len(fake.calls)
    await fake.push_update(make_command(command, args, chat_id=user_id, user_id=user_id, first_name=first_name))
    reply = await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == user_id, since=since)
    return reply[0].text


async def test_an_invite_from_the_command_line_registers_whoever_opens_it(fake, bots) -> None:
    runtime = await bots.runtime()
    done = aliat("invite", "--role", "facilitator", database_url=runtime.settings.database_url)
    assert done.returncode == 0, done.stderr
    start = re.search(r"/start (inv_[A-Za-z0-9_-]+)", done.stdout).group(1)  # no bot_username configured
    await bots.start(runtime=runtime)

    assert "cap paper" in await _say(fake, "whoami", user_id=NEWCOMER)
    welcome = await _say(fake, "start", start, user_id=NEWCOMER, first_name="Queralt")
    assert "Benvingut/da a l'equip d'Alia't, Queralt" in welcome
    async with runtime.sessionmaker() as session:
        facilitator = await store.get_facilitator(session=session, telegram_user_id=NEWCOMER)
    assert facilitator is not None and facilitator.name == "Queralt"
    whoami = await _say(fake, "whoami", user_id=NEWCOMER)
    assert f"{NEWCOMER}" in whoami and "facilitador/a" in whoami
    # The same link again, by someone else: nobody registered, told why, in a friendly way.
    assert "ja s'ha fet servir o ha caducat" in await _say(fake, "start", start, user_id=OTHER)
    async with runtime.sessionmaker() as session:
        assert await store.get_facilitator(session=session, telegram_user_id=OTHER) is None
    # An ordinary /start is the assistant's as before.
    assert "ja s'ha fet servir" not in await _say(fake, "start", user_id=OTHER)


async def test_a_coordinator_makes_an_invite_on_the_dashboard(runtime) -> None:
    await seed(runtime, leads=0)
    runtime.settings = replace(runtime.settings, telegram=replace(runtime.settings.telegram, bot_username="aliat_bot"))
    async with dashboard_client(runtime) as client:
        assert (await client.get(await login_link(runtime, NURIA), allow_redirects=False)).status == 303
        page = html.unescape(await (await client.get("/invite")).text())
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        made = html.unescape(await (await client.post("/invite", data={"csrf": csrf, "role": "trainer",
                                                                       "name": "Jana Puig"})).text())
        url = re.search(r'id="invite-link" readonly value="(https://t\.me/aliat_bot\?start=inv_[^"]+)"', made).group(1)
        assert "Serveix un sol cop" in made
        assert (await client.post("/invite", data={"csrf": "nope", "role": "coordinator"})).status == 403
    token = invites.token_of(url.split("start=")[1])
    async with runtime.sessionmaker() as session, session.begin():
        joined = await invites.use_invite(session=session, token=token, telegram_user_id=NEWCOMER, name="jp")
    assert joined is not None and joined.role == "trainer" and joined.name == "Jana Puig"  # the name given
    async with runtime.sessionmaker() as session:
        assert [t.name for t in await list_trainers(session=session)] == ["Jana Puig"]


async def test_an_expired_or_unknown_invite_registers_nobody(runtime) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        token = await invites.create_invite(session=session, role="coordinator", hours=1)
    async with runtime.sessionmaker() as session, session.begin():
        later = now_utc() + timedelta(hours=2)
        assert await invites.use_invite(session=session, token=token, telegram_user_id=NEWCOMER, name="x",
                                        now=later) is None
        assert await invites.use_invite(session=session, token="made-up-token", telegram_user_id=NEWCOMER,
                                        name="x") is None
        assert not await staff.is_coordinator(session=session, telegram_user_id=NEWCOMER)
    assert invites.token_of("inv_short") is None and invites.token_of("hello") is None
