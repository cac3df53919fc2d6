"""The staff dashboard over HTTP: login by one-time link, roles, CSRF, the card's code path, exports."""

from __future__ import annotations

import html
import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from bot.engine.render import Renderer
from bot.store import funnel
from bot.store import leads as store
from bot.store import workshops as workshop_store
from bot.store.models import Outbox
from tests.auxil.dashboard import LAIA, NURIA, PAU, STRANGER, dashboard_client, login_link, seed


def _csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


async def _text(response) -> str:
    return html.unescape(await response.text())


async def _login(client, runtime, user_id: int) -> None:
    response = await client.get(await login_link(runtime, user_id), allow_redirects=False)
    assert response.status == 303, await response.text()
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie  # plain http here


async def test_nothing_without_a_session_and_links_work_once(runtime) -> None:
    await seed(runtime)
    async with dashboard_client(runtime) as client:
        for path in ("/", "/overview", "/leads", "/leads/1", "/alliances", "/workshops", "/export/leads.xlsx"):
            response = await client.get(path, allow_redirects=False)
            assert response.status == 401, path
            assert "/dashboard" in await response.text()
        link = await login_link(runtime, LAIA)
        assert (await client.get(link, allow_redirects=False)).status == 303
        client.session.cookie_jar.clear()
        reused = await client.get(link, allow_redirects=False)
        assert reused.status == 403 and "ja s'ha fet servir" in await _text(reused)
        stranger = await login_link(runtime, STRANGER)  # a link for someone who is not staff
        assert (await client.get(stranger, allow_redirects=False)).status == 403


async def test_a_facilitator_claims_through_the_cards_code_path(any_runtime) -> None:
    await seed(any_runtime)
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, LAIA)
        page = await (await client.get("/leads")).text()
        assert "Coop 1" in page and "Coop 3" in page
        assert (await client.get("/overview")).status == 403  # reports are for coordinators
        lead = await (await client.get("/leads/1")).text()
        assert "Marta 1" in lead  # the dossier and the contact, as Details shows a facilitator
        forged = await client.post("/leads/1/action", data={"action": "claim", "csrf": "nope"})
        assert forged.status == 403
        async with any_runtime.sessionmaker() as session:
            assert (await store.get_lead(session=session, lead_id=1)).status == "new"
        done = await client.post("/leads/1/action", data={"action": "claim", "csrf": _csrf(lead)})
        assert done.status == 200 and "#1" in await done.text()
        async with any_runtime.sessionmaker() as session:
            lead_row = await store.get_lead(session=session, lead_id=1)
            told = list(await session.scalars(select(Outbox).where(Outbox.kind == "entity_message")))
            refresh = list(await session.scalars(select(Outbox).where(Outbox.kind == "lead_refresh")))
        assert lead_row.status == "claimed"
        # The entity is told exactly what a pressed Claim button tells it, and the card is refreshed.
        expected = Renderer(any_runtime.domain, "ca").text("utter_handoff_taken", "ca", {"facilitator_name": "Laia"})
        assert [o.payload for o in told] == [{"to": "tg:1001", "text": expected}] and "Laia" in expected
        assert [o.payload["lead_id"] for o in refresh] == [1]
        note = await client.post("/leads/1/note", data={"note": "=trucar dilluns", "csrf": _csrf(lead)})
        assert "=trucar dilluns" in await note.text()

        # Pau (another facilitator) sees neither Laia's lead in the list nor its page, and cannot act on it.
        client.session.cookie_jar.clear()
        await _login(client, any_runtime, PAU)
        page = await (await client.get("/leads?status=")).text()
        assert "Coop 1" not in page and "Coop 2" in page
        assert (await client.get("/leads/1")).status == 404
        other = await (await client.get("/leads/2")).text()
        refused = await client.post("/leads/1/action", data={"action": "release", "csrf": _csrf(other)})
        assert refused.status == 404
        async with any_runtime.sessionmaker() as session:
            assert (await store.get_lead(session=session, lead_id=1)).assignee_id is not None

        # Removing Pau ends his session at once.
        async with any_runtime.sessionmaker() as session, session.begin():
            await store.remove_facilitator(session=session, telegram_user_id=PAU)
        assert (await client.get("/leads", allow_redirects=False)).status == 401


async def test_a_coordinator_sees_the_funnel_and_exports(any_runtime) -> None:
    await seed(any_runtime, leads=4)
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, NURIA)
        page = await _text(await client.get("/overview?period=all"))
        row = re.search(r'data-step="lead"><td>([^<]+)</td><td class="n">(\d+)</td>', page)
        assert row.groups() == ("Derivada a l'equip", "4")
        assert page.count("<progress") >= len(funnel.STEPS)  # the charts: bars as page text, not a scaled picture
        leads = await (await client.get("/leads")).text()
        assert all(f"Coop {i}" in leads for i in range(1, 5))
        lead = await (await client.get("/leads/2")).text()
        refused = await client.post("/leads/2/action", data={"action": "claim", "csrf": _csrf(lead)})
        assert refused.status == 403  # a coordinator who is not a facilitator reads, and does not act
        # Language of the pages: Spanish for this session.
        switched = await client.post("/language", data={"to": "es", "next": "/alliances", "csrf": _csrf(lead)})
        assert "de 8 alianzas del objetivo del programa" in await _text(switched)
        response = await client.get("/export/leads.xlsx")
        assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(await response.read()))["Contactos"]
        # the queue's order (issue 24): none urgent, so the longest waiting (the first to ask) comes first
        assert sheet.max_row == 5 and sheet["E2"].value == "Coop 1"
        csv_text = (await (await client.get("/export/funnel.csv?period=all")).read()).decode("utf-8")
        assert csv_text.startswith("\ufeffMes;Primer contacto;")
        assert (await client.get("/workshops")).status == 200
        assert (await client.get("/export/secrets.xlsx")).status == 404
        logout = await client.post("/logout", data={"csrf": _csrf(lead)})
        assert logout.status == 200
        assert (await client.get("/overview", allow_redirects=False)).status == 401


async def test_cookies_are_secure_behind_https(runtime) -> None:
    await seed(runtime, leads=0)
    async with dashboard_client(runtime) as client:
        response = await client.get(await login_link(runtime, NURIA), allow_redirects=False,
                                    headers={"X-Forwarded-Proto": "https"})
        cookie = response.headers["Set-Cookie"]
        assert response.status == 303 and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


async def test_closing_as_formed_records_the_alliances_aim(any_runtime) -> None:
    await seed(any_runtime)
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, LAIA)
        lead = await (await client.get("/leads/2")).text()
        await client.post("/leads/2/action", data={"action": "claim", "csrf": _csrf(lead)})
        page = await _text(await client.get("/leads/2"))
        assert '<option value="innovation" selected>' in page  # the interview's objective, offered first
        done = await client.post("/leads/2/action", data={"action": "formed", "aim": "public_contracting",
                                                          "csrf": _csrf(page)})
        assert done.status == 200
        # Another facilitator's lead cannot have its aim changed through the form.
        third = await (await client.get("/leads/3")).text()
        async with any_runtime.sessionmaker() as session, session.begin():
            pau = await store.get_facilitator(session=session, telegram_user_id=PAU)
            await store.claim_lead(session=session, lead_id=3, facilitator=pau)
        refused = await client.post("/leads/3/action", data={"action": "formed", "aim": "efficiency",
                                                             "csrf": _csrf(third)})
        assert refused.status == 404
    async with any_runtime.sessionmaker() as session:
        closed = await store.get_lead(session=session, lead_id=2)
        held = await store.get_lead(session=session, lead_id=3)
        result = await funnel.read(session=session)
    assert (closed.status, closed.outcome, closed.dossier["alliance_aim"]) == ("closed", "alliance_formed",
                                                                               "public_contracting")
    assert "alliance_aim" not in held.dossier
    assert result.by["aim"]["public_contracting"]["alliance_formed"] == 1
    assert result.totals["alliance_formed"] == 1


async def test_the_workshops_page_sums_answers_and_ratings(any_runtime) -> None:
    await seed(any_runtime, leads=0)
    async with any_runtime.sessionmaker() as session, session.begin():
        for n, people in enumerate((3, 2)):
            workshop = await workshop_store.create_workshop(session=session, chat_id=-100 - n, trainer_user_id=9,
                                                            programme="full", language="ca", state={})
            for p in range(people):
                await workshop_store.record_answer(session=session, workshop_id=workshop.id,
                                                   item_id="s:funding_cut", participant=f"p{p}",
                                                   value="reactive" if p else "proactive")
                await workshop_store.record_rating(session=session, workshop_id=workshop.id, item_id="f:trust",
                                                   participant=f"p{p}", value=str(2 + p))
    async with dashboard_client(any_runtime) as client:
        await _login(client, any_runtime, NURIA)
        page = await _text(await client.get("/workshops?period=all"))
    assert "2 tallers, 5 participants" in page
    row = re.search(r"<tr><td>Una associació de lleure[^<]*</td><td>Reactiva</td>((?:<td class=\"n\">\d+</td>)+)",
                    page)
    assert re.findall(r"\d+", row.group(1)) == ["3", "2", "0"]  # reactive, proactive, mixed
    assert "Confiança" in page and "2,8 (5)" in page  # (2+3+4 + 2+3) / 5, with a Catalan decimal comma


def test_aliat_web_serves_the_dashboard(sqlite_url) -> None:
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from tests.auxil.cli import ROOT, cli_env
    from tests.auxil.telegram_bot import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "web", "--port", str(port)], cwd=ROOT,
                            env=cli_env(sqlite_url), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert "dashboard on http://127.0.0.1:" in proc.stdout.readline()
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/overview", timeout=5)
            except urllib.error.HTTPError as exc:
                assert exc.code == 401 and "/dashboard" in exc.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.1)
    finally:
        proc.terminate()
        proc.communicate(timeout=15)
    assert proc.returncode == 0


def test_breakdowns_show_each_steps_share_of_the_one_before() -> None:
    from bot.web.dashboard.views import _with_shares

    assert _with_shares([10, 5, 0, 0, 3], "ca") == [(10, ""), (5, "50\xa0%"), (0, "0\xa0%"), (0, ""), (3, "")]
    assert _with_shares([10, 5], "en")[1] == (5, "50%")  # as each language writes a percentage
