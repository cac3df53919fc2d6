"""A facilitator's day on the dashboard: the lead page shows the conversation with the entity (its
messages and the facilitator's replies, with their words), notes and events in order; the leads export
has how to contact, the notes count and the last activity, with filter buttons on every sheet."""

from __future__ import annotations

import html
import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook
from sqlalchemy import select

from bot.leads import CardAction, LeadDesk
from bot.store import lead_admin, staff
from bot.store import leads as store
from bot.store.models import Outbox
from bot.store.privacy import forget_sender
from tests.auxil.dashboard import NURIA, dashboard_client, login_link
from tests.auxil.runtime import ask_for_a_facilitator

LAIA = 7001


async def test_the_lead_page_shows_the_conversation_and_the_export_the_days_columns(runtime) -> None:
    chat = await ask_for_a_facilitator(runtime, "tg:5501", "Coop Riera")
    async with runtime.sessionmaker() as session, session.begin():
        laia = await store.add_facilitator(session=session, telegram_user_id=LAIA, name="Laia")
        await staff.add_coordinator(session=session, telegram_user_id=NURIA, name="Núria")
    desk = LeadDesk(runtime)
    assert (await desk.change(laia, 1, CardAction.CLAIM))[0]
    await chat.send("Hola! Quan podríem parlar?")  # passed to Laia while she holds the lead
    await desk.reply(laia, 1, "Dilluns a les 10 us va bé?")
    await desk.note(laia, 1, "prefereixen el matí")
    await chat.send("Perfecte, dilluns")
    async with dashboard_client(runtime) as client:
        assert (await client.get(await login_link(runtime, NURIA), allow_redirects=False)).status == 303
        page = html.unescape(await (await client.get("/leads/1")).text())
        history = re.search(r'<table id="events">(.*?)</table>', page, re.S).group(1)
        said = [m for m in ("Quan podríem parlar", "Dilluns a les 10", "prefereixen el matí", "Perfecte, dilluns")]
        positions = [history.find(s) for s in said]
        assert -1 not in positions and positions == sorted(positions), positions  # in the order they happened
        assert "missatge de l'entitat" in history and "missatge a l'entitat" in history
        book = load_workbook(io.BytesIO(await (await client.get("/export/leads.xlsx")).read()))
        sheet = book.worksheets[0]
        titles = [c.value for c in sheet[1]]
        assert titles[-3:] == ["Com contactar", "Notes", "Darrer moviment"]
        row = [c.value for c in sheet[2]]
        assert row[-3] == "Telegram" and row[-2] == 1 and row[-1] is not None
        assert sheet.auto_filter.ref == sheet.dimensions
    # /forget wipes the words of the conversation from the lead's history too.
    async with runtime.sessionmaker() as session, session.begin():
        await forget_sender(session=session, sender_id="tg:5501")
    async with runtime.sessionmaker() as session:
        view = await store.show_lead(session=session, lead_id=1, with_events=True)
    assert all(e.note is None for e in view.events)


async def test_a_follow_up_day_reminds_the_facilitator_once(runtime) -> None:
    await ask_for_a_facilitator(runtime, "tg:5502", "Coop Pineda")
    async with runtime.sessionmaker() as session, session.begin():
        laia = await store.add_facilitator(session=session, telegram_user_id=LAIA, name="Laia")
    assert (await LeadDesk(runtime).change(laia, 1, CardAction.CLAIM))[0]
    async with dashboard_client(runtime) as client:
        assert (await client.get(await login_link(runtime, LAIA), allow_redirects=False)).status == 303
        page = html.unescape(await (await client.get("/leads/1")).text())
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        assert (await client.post("/leads/1/follow_up", data={"csrf": csrf, "day": "dilluns"})).status == 400
        done = html.unescape(await (await client.post("/leads/1/follow_up",
                                                      data={"csrf": csrf, "day": "2026-12-14"})).text())
        assert "t'ho recordaré el 14 de des. 2026" in done and 'value="2026-12-14"' in done
    async with runtime.sessionmaker() as session, session.begin():
        assert await lead_admin.due_follow_ups(session=session, now=datetime(2026, 12, 14, 7, 59, tzinfo=UTC)) == []
    for _ in range(2):  # 9:00 in Madrid is 8:00 UTC; the second pass finds nothing more to say
        async with runtime.sessionmaker() as session, session.begin():
            due = await lead_admin.due_follow_ups(session=session, now=datetime(2026, 12, 14, 8, 1, tzinfo=UTC))
        assert due == ([1] if _ == 0 else [])
    async with runtime.sessionmaker() as session:
        rows = list(await session.scalars(select(Outbox).where(Outbox.kind == "follow_up_reminder")))
    assert [r.payload for r in rows] == [{"lead_id": 1}]
