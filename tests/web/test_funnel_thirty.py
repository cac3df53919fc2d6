"""Thirty conversations driven through the bot: the funnel never exceeds 100 %, overall, per territory
and per language, and reads the same on the overview, in the exports and in `aliat report funnel --json`.

Ten of them redo the whole journey (same conversation: counted once); five never say their territory
(kept apart as "not given", not lost); fifteen hand over, ten are claimed, six contacted, three form an
alliance. The figures are reached by the bot's own code paths (engine, actions, LeadDesk), not inserted.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re

from openpyxl import load_workbook

from bot.leads import CardAction, LeadDesk
from bot.reporting import figures as reports
from bot.store import funnel, staff
from bot.store import leads as store
from tests.auxil.cli import aliat
from tests.auxil.dashboard import NURIA, dashboard_client, login_link
from tests.auxil.runtime import Chat

TERRITORIES = ["1", "2", "3", "4", "5"]  # Barcelona, Girona, Lleida, Tarragona, Terres de l'Ebre
LANGUAGES = ["ca", "es", "en"]
WHY = {"ca": "Ens han retallat la subvenció i si no ens aliem haurem de tancar",
       "es": "Nos han recortado la subvención y si no nos aliamos tendremos que cerrar",
       "en": "Our grant was cut and if we don't team up we will have to close"}


def _interview(n: int, lang: str, territory: str) -> list[str]:
    # name, field, territory, staff, collaboration, why, finances, voice, new idea, replicate, objective,
    # partner in mind; then the five factors and the eight relationship questions
    return [f"Entitat {n}", "lleure educatiu", territory, "2", "2", WHY[lang], "2", "1", "2", "2", "6", "1",
            "1", "4", "4", "3", "3", "4", "1", "2", "3", "3", "4", "4", "3", "4"]


async def _answer(chat: Chat, answers: list[str]) -> None:
    for answer in answers:
        if answer.startswith("/"):
            await chat.send(payload=answer)
        else:
            await chat.send(answer)


async def _drive(runtime) -> dict[str, list[str]]:
    """The thirty conversations; returns the senders by what they went on to do."""
    senders: dict[str, list[str]] = {"handed": []}
    for n in range(30):
        lang = LANGUAGES[n % 3]
        sender = f"tg:{5000 + n}"
        chat = Chat(runtime, sender_id=sender, language=lang)
        territory = "/skip" if n >= 25 else TERRITORIES[n % 5]
        await chat.send("/start")
        await chat.send(payload="/explore")
        await _answer(chat, _interview(n, lang, territory))
        if n < 10:  # the whole journey again, in the same conversation
            await chat.send(payload="/restart")
            await chat.send(payload="/explore")
            await _answer(chat, _interview(n, lang, territory))
        if n % 2 == 0:  # fifteen hand over to a facilitator
            await chat.send(payload="/human")
            await _answer(chat, ["1", f"Persona {n}", "/skip", "/skip", "/skip", "2", f"p{n}@example.org"])
            senders["handed"].append(sender)
    return senders


def _never_more_than_before(counts: dict[str, int], where: str) -> None:
    values = [counts.get(step, 0) for step in funnel.STEPS]
    for before, after, step in zip(values, values[1:], funnel.STEPS[1:], strict=False):
        assert after <= before, f"{where}: {step} {after} > {before}"


async def test_thirty_conversations_never_exceed_the_step_before(any_runtime) -> None:
    senders = await _drive(any_runtime)
    async with any_runtime.sessionmaker() as session, session.begin():
        facilitator = await store.add_facilitator(session=session, telegram_user_id=42, name="Jordi")
        await staff.add_coordinator(session=session, telegram_user_id=NURIA, name="Núria")
        leads = [await store.open_lead_for_sender(session=session, sender_id=s) for s in senders["handed"]]
    assert len([lead for lead in leads if lead is not None]) == 15
    desk = LeadDesk(any_runtime)
    for i, lead in enumerate(leads):
        steps = [CardAction.CLAIM] * (i < 10) + [CardAction.CONTACTED] * (i < 6) + [CardAction.FORMED] * (i < 3)
        for action in steps:
            assert (await desk.change(facilitator, lead.id, action))[0], (lead.id, action)
    # a lead released and claimed again is still one claimed conversation
    assert (await desk.change(facilitator, leads[9].id, CardAction.RELEASE))[0]
    assert (await desk.change(facilitator, leads[9].id, CardAction.CLAIM))[0]

    async with any_runtime.sessionmaker() as session:
        result = await funnel.read(session=session)
    totals = result.totals
    assert totals["first_contact"] == 30
    assert totals["interview_finished"] == 30  # ten redid it: still thirty conversations
    assert totals["reading"] == 30
    assert totals["lead"] == 15 and totals["claimed"] == 10 and totals["contacted"] == 6
    assert totals["alliance_formed"] == 3
    _never_more_than_before(totals, "total")
    for dimension in ("territory", "language"):
        for value, counts in result.by[dimension].items():
            _never_more_than_before(counts, f"{dimension} {value!r}")
        assert sum(c["first_contact"] for c in result.by[dimension].values()) == 30
    assert result.by["territory"][""]["first_contact"] == 5  # never said: apart, not lost
    assert result.by["territory"]["barcelona"]["first_contact"] == 5
    assert {lang: c["first_contact"] for lang, c in result.by["language"].items()} == {"ca": 10, "en": 10, "es": 10}
    assert [share for _, _, share in result.conversions() if share is not None] == [
        pytest_approx(v) for v in (1.0, 1.0, totals["qualified"] / 30, 15 / totals["qualified"], 10 / 15,
                                   6 / 10, 3 / 6)]

    # The same figures on the overview, in the exports and in `aliat report funnel --json`.
    async with dashboard_client(any_runtime) as client:
        response = await client.get(await login_link(any_runtime, NURIA), allow_redirects=False)
        assert response.status == 303
        page = html.unescape(await (await client.get("/overview?period=all")).text())
        shown = dict(re.findall(r'data-step="(\w+)"><td>[^<]+</td><td class="n">(\d+)</td>', page))
        assert {s: int(n) for s, n in shown.items()} == totals
        assert "sense dada" in page  # the five without a territory, named as such
        book = load_workbook(io.BytesIO(await (await client.get("/export/funnel.xlsx?period=all")).read()))
        sheet = [[c.value for c in row] for row in book.worksheets[0].iter_rows(min_row=2)]
        assert sheet[-1] == ["Total", *(totals[s] for s in funnel.STEPS)]
        territories = [[c.value for c in row] for row in book.worksheets[1].iter_rows(min_row=2)]
        assert sum(row[1] for row in territories) == 30
        for row in territories:
            assert all(a >= b for a, b in zip(row[1:], row[2:], strict=False)), row
        body = (await (await client.get("/export/funnel.csv?period=all")).read()).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        assert rows[-1] == ["Total", *(str(totals[s]) for s in funnel.STEPS)]
    assert reports.funnel_json(result)["steps"][0] == {"step": "first_contact", "count": 30, "conversion": None}
    if any_runtime.settings.database_url.startswith("sqlite"):
        done = aliat("report", "funnel", "--json", database_url=any_runtime.settings.database_url)
        assert done.returncode == 0, done.stderr
        printed = json.loads(done.stdout)
        assert {s["step"]: s["count"] for s in printed["steps"]} == totals
        assert printed["steps"][5] == {"step": "claimed", "count": 10, "conversion": round(10 / 15, 4)}
        assert printed["by_territory"][""][0]["count"] == 5


def pytest_approx(value: float):
    import pytest

    return pytest.approx(value)
