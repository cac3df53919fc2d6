"""Who reads a lead on the dashboard, per role: the page of a lead (dossier and contact), the list, and the
rule under the pages' guards.

Before: the lead pages asked `may_see(facilitator_id=viewer.facilitator_id)`, which let a viewer with no
facilitator id (a trainer only) read every unclaimed lead, contact included, and the list filtered them with
`visible_to=facilitator_id or -1`, the unclaimed ones again. Commit 6f3683a put a role guard in front; the
rule itself now refuses them too (`auth.Viewer.seer`), so a page whose guard is forgotten still shows nothing.
"""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request

from bot.reporting import figures as reports
from bot.store import leads as store
from bot.store import staff
from bot.store import workshops as ws
from bot.web.dashboard import auth
from bot.web.dashboard.leads import LeadPages
from bot.web.dashboard.views import Dashboard
from tests.auxil.dashboard import LAIA, NURIA, PAU, STRANGER, dashboard_client, login_link, seed, with_web

JANA = 8301  # a trainer only


async def _seeded(runtime) -> list[int]:
    """Three leads; Laia holds the first; Jana is a trainer and nothing else."""
    ids = await seed(runtime, leads=3)
    async with runtime.sessionmaker() as s, s.begin():
        await ws.add_trainer(session=s, telegram_user_id=JANA, name="Jana")
        laia = await store.get_facilitator(session=s, telegram_user_id=LAIA)
        assert (await store.claim_lead(session=s, lead_id=ids[0], facilitator=laia)).ok
    return ids


# who -> (the page of Laia's lead, the page of an unclaimed lead)
PAGES = {
    "facilitator holding it": (LAIA, 200, 200),
    "another facilitator": (PAU, 404, 200),
    "coordinator": (NURIA, 200, 200),
    "trainer only": (JANA, 403, 403),
}


@pytest.mark.parametrize("role", PAGES)
async def test_a_leads_page_per_role(any_runtime, role) -> None:
    runtime = any_runtime
    ids = await _seeded(runtime)
    user, held_status, unclaimed_status = PAGES[role]
    async with dashboard_client(runtime) as client:
        assert (await client.get(await login_link(runtime, user))).status == 200
        held = await client.get(f"/leads/{ids[0]}")
        unclaimed = await client.get(f"/leads/{ids[1]}")
        listing = await client.get("/leads")
        assert (held.status, unclaimed.status) == (held_status, unclaimed_status)
        assert ("Marta 1" in await held.text()) is (held_status == 200)  # the contact, only to those entitled
        assert ("Marta 2" in await unclaimed.text()) is (unclaimed_status == 200)
        page = await listing.text()
        if role == "trainer only":
            assert listing.status == 403 and "Coop" not in page
        else:
            assert listing.status == 200
            assert (f"/leads/{ids[0]}\"" in page) is (held_status == 200)
            assert f"/leads/{ids[1]}\"" in page


async def test_an_unknown_visitor_reads_no_lead(any_runtime) -> None:
    ids = await _seeded(any_runtime)
    async with dashboard_client(any_runtime) as client:
        assert (await client.get(await login_link(any_runtime, STRANGER))).status != 200  # not staff: no session
        for path in ("/leads", f"/leads/{ids[1]}"):
            response = await client.get(path, allow_redirects=False)
            assert response.status in (302, 303, 401, 403)
            assert "Marta" not in await response.text() and "Coop" not in await response.text()


async def _viewer(runtime, user_id: int) -> auth.Viewer:
    async with runtime.sessionmaker() as s:
        member = await staff.staff_member(session=s, telegram_user_id=user_id)
    assert member is not None
    return auth.Viewer(member=member, token="t", csrf="c", lang="ca")


async def test_under_the_guard_a_trainer_still_sees_no_lead(runtime) -> None:
    """The lead pages' own rule, as if the route's role guard were forgotten: a trainer only gets no lead
    from `_visible_view` (the page, its notes and actions) nor from the list's query."""
    ids = await _seeded(runtime)
    pages = LeadPages(Dashboard(with_web(runtime)))
    jana, pau = await _viewer(runtime, JANA), await _viewer(runtime, PAU)
    for lead_id in ids:
        assert await pages._visible_view(lead_id, jana) is None  # (before: the two unclaimed ones)
    assert jana.seer == store.Seer.nobody()
    assert await pages._visible_view(ids[0], pau) is None  # Laia's
    assert await pages._visible_view(ids[1], pau) is not None  # unclaimed
    filters, _ = pages._lead_filters(make_mocked_request("GET", "/leads?status=&assignee=none"), jana)
    async with runtime.sessionmaker() as s:
        assert await reports.lead_rows(s, visible_to=jana.seer, **filters) == []
        assert len(await reports.lead_rows(s, visible_to=pau.seer, **filters)) == 2
