"""Alliances as the programme counts them: one per pair of partners, under one of alliance_target's four
aims, listed with their partner, still counted after erasure; `aliat report alliances --json`."""

from __future__ import annotations

import html
import json
import re

from sqlalchemy import update

from bot.leads import CardAction, LeadDesk
from bot.reporting import figures as reports
from bot.store import alliances
from bot.store import leads as store
from bot.store.models import Lead
from bot.store.privacy import forget_sender
from tests.auxil.cli import aliat
from tests.auxil.dashboard import LAIA, NURIA, dashboard_client, login_link, seed


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def _login(client, runtime, user_id: int) -> None:
    client.session.cookie_jar.clear()
    assert (await client.get(await login_link(runtime, user_id), allow_redirects=False)).status == 303


def test_objectives_fold_into_the_programmes_four_aims(runtime) -> None:
    assert alliances.AIMS == tuple(vars(runtime.settings.programme.alliance_target))
    assert alliances.aim_of("competitiveness") == "efficiency"  # "efficiency and competitiveness"
    assert alliances.aim_of("saving_money") == "efficiency"
    assert alliances.aim_of("integral_attention") == "integral_attention"
    assert alliances.aim_of("other") is None and alliances.aim_of(None) is None
    assert alliances.fold("  Fundació  ÀGORA ") == alliances.fold("fundacio agora")


async def test_an_alliance_counts_once_per_pair_under_the_programmes_aims(any_runtime) -> None:
    ids = await seed(any_runtime, leads=5)
    async with any_runtime.sessionmaker() as session, session.begin():
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
        # lead 5 wanted to be more competitive: the programme counts it under efficiency and competitiveness
        lead5 = await store.get_lead(session=session, lead_id=ids[4])
        await session.execute(update(Lead).where(Lead.id == ids[4]).values(
            dossier={**lead5.dossier, "answers": {"objective": "competitiveness"}}))
    desk = LeadDesk(any_runtime)
    for lead_id in ids:
        assert (await desk.change(laia, lead_id, CardAction.CLAIM))[0]

    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, LAIA)
        page = html.unescape(await (await client.get(f"/leads/{ids[0]}")).text())
        assert "Eficiència i competitivitat" in page and "Competitivitat" not in page.replace(
            "Eficiència i competitivitat", "")
        assert f"#{ids[1]} · Coop 2" in page  # the other leads of the programme, to name the partner
        csrf = _csrf(page)
        # Coop 1 and Coop 2 ally with each other: both facilitators' closings are one alliance.
        for me, partner in ((ids[0], ids[1]), (ids[1], ids[0])):
            done = await client.post(f"/leads/{me}/action", data={
                "action": "formed", "aim": "public_contracting", "partner_lead": str(partner), "csrf": csrf})
            assert done.status == 200, await done.text()
        # Coop 3 and Coop 4 each ally with the same outside foundation, spelt two ways: two pairs.
        for me, name in ((ids[2], "Fundació Àgora"), (ids[3], "fundacio  agora")):
            done = await client.post(f"/leads/{me}/action", data={
                "action": "formed", "aim": "integral_attention", "partner_name": name, "csrf": csrf})
            assert done.status == 200
    # Coop 5 is closed from Telegram, no aim chosen: its objective's aim.
    assert (await desk.change(laia, ids[4], CardAction.FORMED))[0]

    async with any_runtime.sessionmaker() as session:
        progress = await reports.alliance_progress(session, any_runtime.settings)
    assert progress.formed == {"public_contracting": 1, "integral_attention": 2, "efficiency": 1}
    assert progress.total_formed == 4 and progress.total_target == 8
    assert progress.aims() == ["innovation", "public_contracting", "integral_attention", "efficiency"]
    partners = sorted(reports.alliance_partner(r, reports.Labels(any_runtime.domain, "ca"), "ca")
                      for r in progress.alliances)
    assert partners == sorted([f"Coop 2 (#{ids[1]})", "Fundació Àgora", "fundacio agora", "sense dada"])

    # Erasure: Coop 1 asks to be forgotten; the alliance stays counted, without its name.
    async with any_runtime.sessionmaker() as session, session.begin():
        await forget_sender(session=session, sender_id="tg:1001")
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, NURIA)
        page = html.unescape(await (await client.get("/alliances")).text())
        assert "4 de 8 aliances" in page and "Coop 1" not in page and "Coop 2" in page
        table = re.search(r'<table id="by-aim">(.*?)</table>', page, re.S).group(1)
        rows = re.findall(r"<tr><td>([^<]+)</td><td class=\"n\">(\d+)</td><td class=\"n\">(\d+)</td></tr>", table)
        assert rows == [("Innovació", "2", "0"), ("Contractació pública", "2", "1"),
                        ("Atenció integral", "2", "2"), ("Eficiència i competitivitat", "2", "1")]
    if any_runtime.settings.database_url.startswith("sqlite"):
        done = aliat("report", "alliances", "--json", database_url=any_runtime.settings.database_url)
        assert done.returncode == 0, done.stderr
        printed = json.loads(done.stdout)
        assert printed["target"] == 8 and printed["formed"] == 4
        assert [(a["aim"], a["target"], a["formed"]) for a in printed["by_aim"]] == [
            ("innovation", 2, 0), ("public_contracting", 2, 1), ("integral_attention", 2, 2), ("efficiency", 2, 1)]
        assert sorted(a["partner"] or "" for a in printed["alliances"]) == ["", "outside", "outside", "programme"]
        assert "Coop" not in done.stdout and "Àgora" not in done.stdout
