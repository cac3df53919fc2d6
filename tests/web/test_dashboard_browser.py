"""The dashboard in a real browser: Debian's chromium driven headless by Playwright, the bot on the fake
Bot API. Log in through the link the bot sent, claim a lead and see the entity told, read the funnel,
export xlsx and read it back; a stranger, a reused link and an expired link refused; a facilitator not
seeing another's leads. Screenshots go to $ALIAT_SCREENSHOTS (docs/ when regenerating them).
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.store import leads as store
from bot.store import staff
from tests.auxil.dashboard import LAIA, NURIA, PAU, STRANGER, seed, with_web
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.telegram_bot import free_port, settle
from tests.auxil.updates import make_command

# ALIAT_CHROMIUM points at another build (or at nothing, to see the skip message).
CHROMIUM = os.environ.get("ALIAT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None

pytestmark = pytest.mark.skipif(
    async_playwright is None or not os.path.exists(CHROMIUM),
    reason="browser tests skipped: Debian's chromium is not installed (sudo apt-get install -y chromium; "
           ".ci/run installs it) or the playwright package is missing (pip install -e '.[dev]')")


async def _link(fake: FakeBotApi, user_id: int, *, chat_id: int | None = None) -> str:
    since = len(fake.calls)
    await fake.push_update(make_command("dashboard", chat_id=chat_id or user_id, user_id=user_id))
    reply = (await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == (chat_id or user_id),
                                 since=since))[0]
    found = re.search(r"(http://\S+/login\?t=\S+)", reply.text or "")
    return found.group(1) if found else reply.text


async def test_the_dashboard_in_a_browser(fake, bots, tmp_path) -> None:
    shots = Path(os.environ.get("ALIAT_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    port = free_port()
    runtime = await bots.runtime()
    await seed(runtime, leads=3)
    s = runtime.settings
    runtime.settings = replace(s, telegram_token=fake.token, telegram_api_base_url=fake.base_url,
                               telegram=replace(s.telegram, rate_limit=False, polling_timeout_seconds=1))
    with_web(runtime, port=port, base_url=f"http://127.0.0.1:{port}")
    await bots.start(runtime.settings, runtime)
    await settle(fake)  # the seeded leads' cards go out first: _link reads the next message in the chat
    assert "només per a l'equip" in await _link(fake, STRANGER)
    assert "xat privat" in await _link(fake, LAIA, chat_id=-100555)  # not in a group
    laia_link = await _link(fake, LAIA)
    assert laia_link.startswith(f"http://127.0.0.1:{port}/login?t=")
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        try:
            await _facilitator(browser, fake, runtime, laia_link, shots)
            await _refused_links(browser, runtime, laia_link, port)
            await _other_facilitator(browser, await _link(fake, PAU))
            await _coordinator(browser, await _link(fake, NURIA), shots, tmp_path)
        finally:
            await browser.close()


async def _facilitator(browser, fake: FakeBotApi, runtime, link: str, shots: Path) -> None:
    page = await browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)  # a phone
    await page.goto(link)
    assert page.url.endswith("/leads")
    assert await page.locator("#leads tbody tr").count() == 3
    await page.screenshot(path=str(shots / "dashboard-leads.png"), full_page=True)
    await page.click("text=Coop 1")
    await page.wait_for_url("**/leads/1")
    since = len(fake.calls)
    await page.click("button:has-text(\"Me l'agafo\")")
    assert "#1" in await page.inner_text("#notice")
    assert "Laia" in await page.inner_text("#status")
    # The entity is told, by the bot, exactly as when the card's Claim button is pressed.
    told = await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == 1001, since=since)
    assert "Laia" in told[0].text
    await page.screenshot(path=str(shots / "dashboard-lead.png"), full_page=True)
    async with runtime.sessionmaker() as session:
        assert (await store.get_lead(session=session, lead_id=1)).status == "claimed"
    await page.close()


async def _refused_links(browser, runtime, used_link: str, port: int) -> None:
    page = await browser.new_page()
    await page.goto(used_link)  # the same link again, from another browser
    assert "ja s'ha fet servir o ha caducat" in await page.inner_text("main")
    async with runtime.sessionmaker() as session, session.begin():
        old = await staff.create_login(session=session, telegram_user_id=LAIA,
                                       now=staff.now_utc() - timedelta(minutes=11))
    await page.goto(f"http://127.0.0.1:{port}/login?t={old}")
    assert "ja s'ha fet servir o ha caducat" in await page.inner_text("main")
    await page.goto(f"http://127.0.0.1:{port}/overview")
    assert "/dashboard" in await page.inner_text("main")
    await page.close()


async def _other_facilitator(browser, link: str) -> None:
    page = await browser.new_page()
    await page.goto(link)
    rows = await page.inner_text("#leads")
    assert "Coop 1" not in rows and "Coop 2" in rows  # Laia's lead is not Pau's to see
    response = await page.goto(link.split("/login")[0] + "/leads/1")
    assert response.status == 404
    await page.close()


async def _coordinator(browser, link: str, shots: Path, tmp_path: Path) -> None:
    context = await browser.new_context(accept_downloads=True, viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    await page.goto(link)
    assert page.url.endswith("/overview")
    await page.click("text=Tot")
    counts = {await row.get_attribute("data-step"): int(await row.locator("td").nth(1).inner_text())
              for row in await page.locator("#funnel tbody tr").all()}
    assert counts["lead"] == 3 and counts["claimed"] == 1 and counts["contacted"] == 0
    await page.screenshot(path=str(shots / "dashboard-overview.png"), full_page=True)
    async with page.expect_download() as download_info:
        await page.click("text=Excel (xlsx)")
    download = await download_info.value
    target = tmp_path / "funnel.xlsx"
    await download.save_as(str(target))
    sheet = load_workbook(target)["Embut"]
    assert [c.value for c in sheet[1]][:2] == ["Mes", "Primer contacte"]
    assert [c.value for c in sheet[sheet.max_row]][0] == "Total" and sheet.cell(sheet.max_row, 6).value == 3
    await page.click("text=Aliances")
    assert "0 de 8 aliances" in await page.inner_text("#progress")
    await page.screenshot(path=str(shots / "dashboard-alliances.png"), full_page=True)
    await page.click("text=Tallers")
    await page.screenshot(path=str(shots / "dashboard-workshops.png"), full_page=True)
    await context.close()
