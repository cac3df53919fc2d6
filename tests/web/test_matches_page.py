"""The Matches page without a browser: a lead's possible partners on its page; a coordinator reads but does
not propose; a proposal refused for a pair that includes an entity that withdrew."""

from __future__ import annotations

import re

from bot.store import matching as store
from bot.store.models import Conversation
from tests.auxil.dashboard import LAIA, NURIA, dashboard_client, login_link, seed
from tests.auxil.matching import seed_entity


async def _login(client, runtime, user_id: int) -> None:
    response = await client.get(await login_link(runtime, user_id), allow_redirects=False)
    assert response.status == 303


async def _csrf(client, path: str) -> str:
    page = await (await client.get(path)).text()
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def test_a_leads_partners_and_who_may_propose(runtime) -> None:
    async with runtime.sessionmaker() as session, session.begin():  # the lead's entity talked to the bot
        session.add(Conversation(sender_id="tg:1001", channel="telegram", language="ca", state={}))
    lead_ids = await seed(runtime, leads=1)
    async with runtime.sessionmaker() as session, session.begin():  # the lead's entity opts in
        await store.save_profile(session=session, sender_id="tg:1001", consent_version="2026-12", language="ca",
                                 offers=["premises"], seeks=["back_office"], groups_served=["children_youth"],
                                 objective="efficiency", motivation="reactive", readiness=3.0, fear_power=None)
    other = await seed_entity(runtime, "tg:9501", "Gestió Entitats SCCL", field="gestio i comptabilitat",
                              territory="girona", objective="efficiency", offers=("back_office",), seeks=("premises",))
    async with dashboard_client(runtime) as client:
        await _login(client, runtime, LAIA)
        page = await (await client.get(f"/leads/{lead_ids[0]}")).text()
        assert 'id="partners"' in page and "Gestió Entitats SCCL" in page and "Proposar la presentació" in page
        # the facilitator proposes from there
        csrf = await _csrf(client, "/matches")
        entity_id = int(re.search(r'name="a" value="(\d+)"', page).group(1))
        b_id = int(re.search(r'name="b" value="(\d+)"', page).group(1))
        assert {entity_id, b_id} >= {other}
        async with runtime.sessionmaker() as session, session.begin():
            await store.withdraw(session=session, sender_id="tg:9501")  # meanwhile, it withdraws
        refused = await client.post("/matches/propose", data={"csrf": csrf, "a": entity_id, "b": b_id})
        body = await refused.text()
        assert refused.status == 409 and "ja no és a la llista" in body, body
    async with dashboard_client(runtime) as client:
        await _login(client, runtime, NURIA)  # a coordinator reads, without the button
        page = await (await client.get("/matches")).text()
        assert "Socis possibles" in page and "Proposar la presentació" not in page
        forbidden = await client.post("/matches/propose", data={"csrf": await _csrf(client, "/matches"), "a": 1, "b": 2})
        assert forbidden.status == 403
