"""Partner matching in a real browser (Debian's chromium, Playwright) with the bot on the fake Bot API: a
facilitator reads the suggested pair and its reasons on the Matches page, proposes the introduction; each entity
gets it in Telegram with Accept / Not now; an Accept delivered twice acts once; when both accept each receives
the other's contact once and the facilitator is told; the outcome is recorded on the page."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path

from bot.shared import callbacks
from bot.shared.addresses import telegram_sender_id
from bot.store.models import Introduction
from tests.auxil.dashboard import LAIA, seed, with_web
from tests.auxil.matching import seed_entity
from tests.auxil.telegram_bot import free_port, settle
from tests.auxil.updates import make_callback, make_command
from tests.web.test_dashboard_browser import CHROMIUM, async_playwright, pytestmark  # noqa: F401 (the skip)

ESPLAI, COOP = 9101, 9102


async def _link(fake, user_id: int) -> str:
    since = len(fake.calls)
    await fake.push_update(make_command("dashboard", chat_id=user_id, user_id=user_id))
    reply = (await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == user_id,
                                 since=since, timeout=30))[0]
    return re.search(r"(http://\S+/login\?t=\S+)", reply.text or "").group(1)


def _buttons(call) -> list[str]:
    markup = call.params.get("reply_markup")
    markup = json.loads(markup) if isinstance(markup, str) else markup or {}
    return [b.get("callback_data") for row in markup.get("inline_keyboard", []) for b in row]


async def test_matches_page_and_the_double_opt_in(fake, bots, tmp_path) -> None:
    port = free_port()
    runtime = await bots.runtime()
    await seed(runtime, leads=0)
    esplai = await seed_entity(runtime, telegram_sender_id(ESPLAI), "Esplai La Fletxa",
                               offers=("premises", "volunteers"), seeks=("back_office", "funders"),
                               contact={"contact_name": "Núria Puig", "contact_email": "nuria@fletxa.cat"})
    coop = await seed_entity(runtime, telegram_sender_id(COOP), "Serveis Compartits SCCL", language="es",
                             field="gestio administrativa i comptabilitat per a entitats",
                             offers=("back_office", "digital"), seeks=("volunteers",), groups_served=(),
                             contact={"contact_name": "Jordi Vila", "contact_phone": "+34600111222"})
    await seed_entity(runtime, telegram_sender_id(9103), "Casal Que No Vol", consent=False,
                      offers=("back_office",), seeks=("premises",))
    s = runtime.settings
    runtime.settings = replace(s, telegram_token=fake.token, telegram_api_base_url=fake.base_url,
                               telegram=replace(s.telegram, rate_limit=False, polling_timeout_seconds=1))
    with_web(runtime, port=port, base_url=f"http://127.0.0.1:{port}")
    await bots.start(runtime.settings, runtime)
    await settle(fake)
    link = await _link(fake, LAIA)
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 390, "height": 844})  # a phone
            await page.goto(link)
            await page.click("text=Socis")
            assert page.url.endswith("/matches")
            pairs = page.locator("#suggestions article.pair")
            assert await pairs.count() == 1
            text = await pairs.first.inner_text()
            assert "Esplai La Fletxa ↔ Serveis Compartits SCCL" in text or "Serveis Compartits SCCL ↔ Esplai La Fletxa" in text
            for title in ("Complementarietats", "Què hi guanya cadascuna", "Duplicacions", "Possibles conflictes"):
                assert title in text
            assert "Casal Que No Vol" not in await page.content()  # never an entity that did not opt in
            shots = Path(os.environ.get("ALIAT_SCREENSHOTS") or tmp_path)  # docs/screenshots when regenerating
            shots.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(shots / "dashboard-matches.png"), full_page=True)

            since = len(fake.calls)
            await pairs.first.locator("button.propose").click()
            assert "Presentació #1 proposada" in await page.locator("#notice").inner_text()
            assert await page.locator("#introductions td.status").first.inner_text() == "Esperant resposta"
            # each entity gets the introduction, in its own language, with Accept / Not now
            intros = await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id in (ESPLAI, COOP)
                                         and "🤝" in (c.text or ""), count=2, since=since, timeout=30)
            by_chat = {c.chat_id: c for c in intros}
            assert "conèixer Serveis Compartits SCCL" in by_chat[ESPLAI].text
            assert "conocer al Esplai La Fletxa" in by_chat[COOP].text
            assert "nuria@" not in by_chat[COOP].text and "+34600" not in by_chat[ESPLAI].text
            assert _buttons(by_chat[ESPLAI]) == [callbacks.match(1, "accept"), callbacks.match(1, "decline")]

            # the esplai accepts; Telegram delivers the same press twice: it acts once
            press = make_callback(callbacks.match(1, "accept"), chat_id=ESPLAI, user_id=ESPLAI,
                                  message_id=by_chat[ESPLAI].result["message_id"], update_id=880001)
            since = len(fake.calls)
            await fake.push_update(press)
            await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == ESPLAI
                                and "l'altra entitat" in (c.text or ""), since=since, timeout=30)
            await fake.push_update(press)
            await settle(fake)
            async with runtime.sessionmaker() as session:
                intro = await session.get(Introduction, 1)
                assert (intro.a_answer, intro.b_answer, intro.status) == ("accepted", None, "proposed")
            # the cooperative accepts: contacts go out, once each, and Laia is told
            since = len(fake.calls)
            await fake.push_update(make_callback(callbacks.match(1, "accept"), chat_id=COOP, user_id=COOP,
                                                 message_id=by_chat[COOP].result["message_id"], update_id=880002))
            await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == LAIA
                                and "han dit que sí" in (c.text or ""), since=since, timeout=30)
            await fake.push_update(make_callback(callbacks.match(1, "accept"), chat_id=COOP, user_id=COOP,
                                                 message_id=by_chat[COOP].result["message_id"], update_id=880002))
            await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and "🎉" in (c.text or ""), count=2,
                                since=since, timeout=30)
            await settle(fake, quiet=1.0)
            contacts = [c for c in fake.calls[since:] if c.ok and c.method == "sendMessage" and "🎉" in (c.text or "")]
            assert sorted(c.chat_id for c in contacts) == [ESPLAI, COOP]
            to_esplai = next(c.text for c in contacts if c.chat_id == ESPLAI)
            to_coop = next(c.text for c in contacts if c.chat_id == COOP)
            assert "Jordi Vila" in to_esplai and "+34600111222" in to_esplai
            assert "Núria Puig" in to_coop and "nuria@fletxa.cat" in to_coop

            # the facilitator records the outcome on the page
            await page.goto(f"http://127.0.0.1:{port}/matches")
            assert await page.locator("#introductions td.status").first.inner_text() == "Acceptada per totes dues"
            assert await page.locator("#suggestions article.pair").count() == 0  # under way: not suggested again
            await page.click("text=Aliança formada")
            assert await page.locator("#introductions td.status").first.inner_text() == "Aliança formada"
            counts = await page.locator("#match-steps td").all_inner_texts()
            assert counts == ["0", "1", "1", "1", "1"]  # suggested, proposed, accepted, met, alliance formed
        finally:
            await browser.close()
    async with runtime.sessionmaker() as session:
        intro = await session.get(Introduction, 1)
        assert (intro.status, {intro.a_entity_id, intro.b_entity_id}) == ("alliance_formed", {esplai, coop})
