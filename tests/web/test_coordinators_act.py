"""Coordinators act on leads from the dashboard: reassign, release, close with a reason (after a second
step), reopen; a facilitator's closing needs a reason too; stale leads are escalated to them once."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from sqlalchemy import select

from bot.leads import CardAction, LeadDesk
from bot.reporting import figures as reports
from bot.store import funnel, lead_admin
from bot.store import leads as store
from bot.store.clock import now_utc
from bot.store.models import LeadEvent, Outbox
from tests.auxil.dashboard import LAIA, NURIA, PAU, dashboard_client, login_link, seed


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def _login(client, runtime, user_id: int) -> None:
    client.session.cookie_jar.clear()
    assert (await client.get(await login_link(runtime, user_id), allow_redirects=False)).status == 303


async def _lead(runtime, lead_id: int):
    async with runtime.sessionmaker() as session:
        return await store.get_lead(session=session, lead_id=lead_id)


async def test_a_coordinator_reassigns_releases_closes_with_a_reason_and_reopens(any_runtime) -> None:
    ids = await seed(any_runtime, leads=3)
    async with any_runtime.sessionmaker() as session:
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
        pau = await store.get_facilitator(session=session, telegram_user_id=PAU)
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, NURIA)
        page = html.unescape(await (await client.get(f"/leads/{ids[0]}")).text())
        assert 'id="manage"' in page and "Tancar el contacte…" in page
        csrf = _csrf(page)

        async def manage(lead_id: int, **data) -> tuple[int, str]:
            response = await client.post(f"/leads/{lead_id}/manage", data={"csrf": csrf, **data})
            return response.status, html.unescape(await response.text())

        # Reassign an unclaimed lead to Laia: claimed by her, the entity told as when she claims it.
        status, text = await manage(ids[0], do="reassign", to=str(laia.id))
        assert status == 200 and "ara el té Laia" in text
        lead = await _lead(any_runtime, ids[0])
        assert lead.status == "claimed" and lead.assignee_id == laia.id
        # ... then to Pau: still claimed, now his.
        status, _ = await manage(ids[0], do="reassign", to=str(pau.id), words="la Laia és de vacances")
        assert status == 200 and (await _lead(any_runtime, ids[0])).assignee_id == pau.id
        # Release: back to be claimed.
        status, _ = await manage(ids[0], do="release")
        lead = await _lead(any_runtime, ids[0])
        assert status == 200 and lead.status == "notified" and lead.assignee_id is None
        # Close without a reason: refused, nothing changes; with one, closed and the reason kept.
        status, text = await manage(ids[0], do="close", outcome="not_pursued")
        assert status == 400 and "Tria per què" in text and (await _lead(any_runtime, ids[0])).status == "notified"
        status, text = await manage(ids[0], do="close", outcome="not_pursued", reason="no_reply",
                                    words="tres trucades")
        assert status == 200 and (await _lead(any_runtime, ids[0])).outcome == "not_pursued"
        page = html.unescape(await (await client.get(f"/leads/{ids[0]}")).text())
        assert "No responen · tres trucades" in page and "Núria" in page  # the history names who and why
        # Reopen it: waiting to be claimed again.
        status, _ = await manage(ids[0], do="reopen", words="han tornat a escriure")
        assert status == 200 and (await _lead(any_runtime, ids[0])).status == "notified"
        assert (await manage(ids[0], do="reopen"))[0] == 409  # already open

    async with any_runtime.sessionmaker() as session:
        actions = [e.action for e in await session.scalars(
            select(LeadEvent).where(LeadEvent.lead_id == ids[0]).order_by(LeadEvent.id))]
    assert actions[-5:] == ["reassigned", "reassigned", "released", "closed:not_pursued", "reopened"]


async def test_reopening_an_alliance_takes_it_off_the_count(any_runtime) -> None:
    ids = await seed(any_runtime, leads=1)
    async with any_runtime.sessionmaker() as session:
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
    desk = LeadDesk(any_runtime)
    for action in (CardAction.CLAIM, CardAction.CONTACTED, CardAction.FORMED):
        assert (await desk.change(laia, ids[0], action))[0]
    async with any_runtime.sessionmaker() as session:
        assert (await reports.alliance_progress(session, any_runtime.settings)).total_formed == 1
        assert (await funnel.read(session=session)).totals["alliance_formed"] == 1
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, NURIA)
        csrf = _csrf(await (await client.get(f"/leads/{ids[0]}")).text())
        done = await client.post(f"/leads/{ids[0]}/manage", data={"csrf": csrf, "do": "reopen", "words": "s'ha desfet"})
        assert done.status == 200
    lead = await _lead(any_runtime, ids[0])
    assert lead.status == "contacted" and lead.assignee_id == laia.id and lead.outcome is None
    async with any_runtime.sessionmaker() as session:
        assert (await reports.alliance_progress(session, any_runtime.settings)).total_formed == 0
        totals = (await funnel.read(session=session)).totals
    assert totals["alliance_formed"] == 0 and totals["contacted"] == 1


async def test_a_facilitator_closes_only_with_a_reason(any_runtime) -> None:
    ids = await seed(any_runtime, leads=1)
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, LAIA)
        page = html.unescape(await (await client.get(f"/leads/{ids[0]}")).text())
        # "Not pursued" is no longer a button beside Claim: it is behind "Close the lead…", with a reason.
        first_form = re.search(r'<form method="post" action="/leads/\d+/action">(.*?)</form>', page, re.S).group(1)
        assert 'value="claim"' in first_form and 'value="dropped"' not in first_form
        csrf = _csrf(page)
        refused = await client.post(f"/leads/{ids[0]}/action", data={"csrf": csrf, "action": "dropped"})
        assert refused.status == 400 and (await _lead(any_runtime, ids[0])).status != "closed"
        done = await client.post(f"/leads/{ids[0]}/action", data={"csrf": csrf, "action": "dropped",
                                                                   "reason": "not_ready", "words": "l'any vinent"})
        assert done.status == 200 and (await _lead(any_runtime, ids[0])).outcome == "not_pursued"
        assert "Encara no estan preparats · l'any vinent" in html.unescape(await done.text())
        # Coordinators only: a facilitator cannot use the coordinators' form.
        assert (await client.post(f"/leads/{ids[0]}/manage", data={"csrf": csrf, "do": "reopen"})).status == 403


async def test_stale_leads_are_escalated_to_coordinators_once(any_runtime) -> None:
    ids = await seed(any_runtime, leads=3)
    async with any_runtime.sessionmaker() as session:
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
    assert (await LeadDesk(any_runtime).change(laia, ids[1], CardAction.CLAIM))[0]
    later = now_utc() + timedelta(days=8)
    for _ in range(2):  # the notifier checks every minute: the second pass escalates nothing again
        async with any_runtime.sessionmaker() as session, session.begin():
            await lead_admin.escalate_stale(session=session, unclaimed_hours=72, no_contact_days=7, now=later)
    async with any_runtime.sessionmaker() as session, session.begin():
        assert await lead_admin.escalate_stale(session=session, unclaimed_hours=72, no_contact_days=7) == []
        alerts = list(await session.scalars(select(Outbox).where(Outbox.kind == "coordinator_alert")
                                            .order_by(Outbox.id)))
    assert sorted((a.payload["lead_id"], a.payload["why"]) for a in alerts) == sorted(
        [(ids[0], "unclaimed"), (ids[1], "no_contact"), (ids[2], "unclaimed")])
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, NURIA)
        page = html.unescape(await (await client.get("/overview")).text())
        stuck = re.search(r'<section class="card" id="stuck">(.*?)</section>', page, re.S).group(1)
        assert f"#{ids[1]}</a> · assignat i sense contacte" in stuck and f"#{ids[0]}</a> · ningú" in stuck


async def test_the_overview_shows_each_facilitators_workload(any_runtime) -> None:
    ids = await seed(any_runtime, leads=3)
    async with any_runtime.sessionmaker() as session:
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
    desk = LeadDesk(any_runtime)
    for lead_id in ids[:2]:
        assert (await desk.change(laia, lead_id, CardAction.CLAIM))[0]
    assert (await desk.change(laia, ids[0], CardAction.CONTACTED))[0]
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, NURIA)
        page = html.unescape(await (await client.get("/overview")).text())
    box = re.search(r'<section class="card" id="workload">(.*?)</section>', page, re.S).group(1)
    assert re.search(r"<td>Laia</td><td class=\"n\">2</td><td class=\"n\">0</td><td class=\"n\">0,0 h</td>", box)
    assert "Mediana de tot el programa: 0,0 h" in box
