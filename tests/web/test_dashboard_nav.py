"""The dashboard's menu shows each role what it may open, and nothing else (issue 25's gap: a trainer saw a
Leads link, and behind it the unclaimed leads, dossiers included). One rule (auth.Viewer.sees_*) for the menu
and the pages' guards: every link shown opens, every page not shown answers 403."""

from __future__ import annotations

import re

import pytest

from bot.store import workshops as ws
from tests.auxil.dashboard import LAIA, NURIA, dashboard_client, login_link, seed

JANA = 8301  # a trainer only
PAGES = ("/overview", "/leads", "/matches", "/alliances", "/workshops")
ROLES = {
    "coordinator": (NURIA, ["/overview", "/leads", "/matches", "/alliances", "/workshops"]),
    "facilitator": (LAIA, ["/leads", "/matches"]),
    "trainer": (JANA, ["/workshops"]),
    "facilitator and trainer": (LAIA, ["/leads", "/matches", "/workshops"]),
}


def nav_links(page: str) -> list[str]:
    nav = re.search(r"<nav>(.*?)</nav>", page, re.S)
    assert nav, "no menu on the page"
    return re.findall(r'href="([^"?]+)', nav.group(1))


@pytest.mark.parametrize("role", ROLES)
async def test_the_menu_shows_what_the_role_may_open(runtime, role) -> None:
    lead_ids = await seed(runtime, leads=2)  # unclaimed leads: what a trainer must not see
    async with runtime.sessionmaker() as session, session.begin():
        await ws.add_trainer(session=session, telegram_user_id=JANA, name="Jana")
        if role == "facilitator and trainer":
            await ws.add_trainer(session=session, telegram_user_id=LAIA, name="Laia")
    user, expected = ROLES[role]
    async with dashboard_client(runtime) as client:
        home = await client.get(await login_link(runtime, user))  # the login lands on the role's first page
        assert home.status == 200
        assert nav_links(await home.text()) == expected
        for path in PAGES:
            response = await client.get(path)
            assert response.status == (200 if path in expected else 403), (role, path, response.status)
            if path in expected:
                assert nav_links(await response.text()) == expected  # the same menu on every page
        lead = await client.get(f"/leads/{lead_ids[0]}")
        assert lead.status == (200 if "/leads" in expected else 403)
        if "/leads" not in expected:
            assert "Marta 1" not in await lead.text()  # the entity's contact stays out of a trainer's reach
