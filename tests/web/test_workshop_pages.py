"""Each workshop has its page (date, language, participants, trainer, each case's answers and share right)
and an xlsx export; trainers log in to the dashboard and see their own workshops, not other trainers'."""

from __future__ import annotations

import html
import io

from openpyxl import load_workbook

from bot.store import workshops as ws
from tests.auxil.dashboard import NURIA, dashboard_client, login_link, seed

JANA, MARC = 8201, 8202


async def _workshop(runtime, trainer: int, chat_id: int) -> int:
    knowledge = runtime.domain.knowledge
    scenario = knowledge["scenarios"]["scenarios"][0]
    async with runtime.sessionmaker() as session, session.begin():
        workshop = await ws.create_workshop(session=session, chat_id=chat_id, trainer_user_id=trainer,
                                            programme="both", language="es",
                                            state={"items": [{"id": f"s:{scenario['id']}", "answer": scenario["answer"]},
                                                             {"id": "f:trust"}], "step": 1,
                                                   "group": f"Taller {trainer}"})
        wrong = next(o for o in knowledge["scenarios"]["options"] if o != scenario["answer"])
        for p, value in enumerate([scenario["answer"]] * 3 + [wrong]):
            await ws.record_answer(session=session, workshop_id=workshop.id, item_id=f"s:{scenario['id']}",
                                   participant=f"p{p}", value=value)
            await ws.record_rating(session=session, workshop_id=workshop.id, item_id="f:trust",
                                   participant=f"p{p}", value=str(2 + p % 2))
        return workshop.id


async def test_a_workshop_page_its_export_and_a_trainers_own_view(runtime) -> None:
    await seed(runtime, leads=1)
    async with runtime.sessionmaker() as session, session.begin():
        await ws.add_trainer(session=session, telegram_user_id=JANA, name="Jana")
        await ws.add_trainer(session=session, telegram_user_id=MARC, name="Marc")
    janas = await _workshop(runtime, JANA, -100301)
    marcs = await _workshop(runtime, MARC, -100302)
    async with dashboard_client(runtime) as client:
        login = await client.get(await login_link(runtime, JANA), allow_redirects=False)
        assert login.status == 303 and login.headers["Location"] == "/workshops"  # a trainer lands on theirs
        listing = html.unescape(await (await client.get("/workshops?period=all")).text())
        assert f"/workshops/{janas}" in listing and f"/workshops/{marcs}" not in listing
        page = html.unescape(await (await client.get(f"/workshops/{janas}")).text())
        assert "castellà" in page and "Jana" in page and f"Taller {JANA}" in page and "75 %" in page.replace("\xa0", " ")  # 3 of 4 right
        assert "2,5" in page  # the factor's average, Catalan decimal comma
        assert (await client.get(f"/workshops/{marcs}")).status == 404  # another trainer's
        assert (await client.get("/overview")).status == 403 and (await client.get("/alliances")).status == 403
        book = load_workbook(io.BytesIO(await (await client.get(f"/workshops/{janas}.xlsx")).read()))
        cases = [[c.value for c in row] for row in book.worksheets[0].iter_rows()]
        assert cases[0][-1] == "Encerts" and cases[1][-1] == 0.75 and sum(cases[1][2:-1]) == 4
        factors = [[c.value for c in row] for row in book.worksheets[1].iter_rows(min_row=2)]
        assert factors == [["Confiança", 4, 2.5]]
        client.session.cookie_jar.clear()
        assert (await client.get(await login_link(runtime, NURIA), allow_redirects=False)).status == 303
        assert (await client.get(f"/workshops/{marcs}")).status == 200  # coordinators see every workshop
