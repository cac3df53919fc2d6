"""The dashboard readable everywhere, in a real browser (Debian's chromium, headless): the overview, the
alliances, a lead and the workshops at 1280 px and at 390 px (a phone), in Catalan and in English.

On every page: nothing wider than the screen (tables scroll inside their box), chart labels and figures
and table text at least 12 px as the browser draws them (an SVG shrunk to a phone made them 6 px), a
figure never glued to its share ("3 50 %"), decimals and dates as the language writes them, with the time
zone. Screenshots go to $ALIAT_SCREENSHOTS (docs/screenshots when regenerating them).
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from bot.leads import CardAction, LeadDesk
from bot.store import leads as store
from bot.store import staff
from bot.store import workshops as ws
from bot.store.models import Assessment
from bot.web.server import create_app
from tests.auxil.dashboard import LAIA, NURIA, login_link, seed, with_web

CHROMIUM = os.environ.get("ALIAT_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - the dev extra installs it
    async_playwright = None

pytestmark = pytest.mark.skipif(
    async_playwright is None or not os.path.exists(CHROMIUM),
    reason="browser tests skipped: Debian's chromium is not installed (sudo apt-get install -y chromium) "
           "or the playwright package is missing (pip install -e '.[dev]')")

ENGLISH = 7010  # a coordinator who reads English
PAGES = ("overview", "alliances", "lead", "workshops", "leads")
PATHS = {"overview": "/overview?period=all", "alliances": "/alliances", "lead": "/leads/1", "leads": "/leads?status=",
         "workshops": "/workshops?period=all"}
# The smallest text the browser may draw, in CSS pixels, for chart labels, figures and table cells.
MIN_PX = 12

MEASURE = """() => {
  const out = {width: document.documentElement.scrollWidth, small: []};
  for (const el of document.querySelectorAll('.chart span, .chart text, td, th, dd, dt, .big, h1')) {
    const r = el.getBoundingClientRect();
    if (!el.textContent.trim() || r.width === 0) continue;
    // an SVG's text is drawn at its font size times the picture's scale: its box's height says how big
    const size = el instanceof SVGElement ? r.height : parseFloat(getComputedStyle(el).fontSize);
    if (size < MIN_PX) out.small.push(el.textContent.trim().slice(0, 30) + ' ' + size + 'px');
  }
  return out;
}""".replace("MIN_PX", str(MIN_PX))


async def _data(runtime) -> None:
    ids = await seed(runtime, leads=3)
    async with runtime.sessionmaker() as session, session.begin():
        await staff.add_coordinator(session=session, telegram_user_id=ENGLISH, name="Anna", language="en")
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
        session.add(Assessment(answers={}, motivation="proactive", evidence=[], flags=[], language="ca",
                               readiness={"clear_objective": 3, "trust": 2, "commitment": 3, "investment": 2,
                                          "sharing": 3}, readiness_overall=2.6, content_version="t",
                               created_at=datetime.now(UTC)))
        workshop = await ws.create_workshop(session=session, chat_id=-100200, trainer_user_id=9, programme="both",
                                            language="ca", state={})
        for p in range(7):
            await ws.record_rating(session=session, workshop_id=workshop.id, item_id="f:trust",
                                   participant=f"p{p}", value=str(2 + p % 2))
    desk = LeadDesk(runtime)
    for action in (CardAction.CLAIM, CardAction.CONTACTED):
        assert (await desk.change(laia, ids[0], action))[0]


async def test_readable_at_1280_and_390_px_in_catalan_and_english(runtime, tmp_path) -> None:
    shots = Path(os.environ.get("ALIAT_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    await _data(runtime)
    with_web(runtime)
    server = TestServer(create_app(runtime))
    await server.start_server()
    try:
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            try:
                for lang, user in (("ca", NURIA), ("en", ENGLISH)):
                    for width in (1280, 390):
                        context = await browser.new_context(viewport={"width": width, "height": 900})
                        page = await context.new_page()
                        await page.goto(str(server.make_url(await login_link(runtime, user))))
                        for name in PAGES:
                            await page.goto(str(server.make_url(PATHS[name])))
                            measured = await page.evaluate(MEASURE)
                            where = f"{name} {lang} {width}px"
                            assert measured["width"] <= width, f"{where}: the page is {measured['width']} px wide"
                            assert measured["small"] == [], f"{where}: text too small: {measured['small']}"
                            text = await page.inner_text("main")
                            _formats(name, lang, text, where)
                            if name != "leads" and (width == 390 or name in ("overview", "alliances", "workshops")):
                                suffix = "" if lang == "ca" else "-en"
                                phone = "-phone" if width == 390 else ""
                                await page.screenshot(path=str(shots / f"dashboard-{name}{phone}{suffix}.png"),
                                                      full_page=True)
                        await context.close()
            finally:
                await browser.close()
    finally:
        await server.close()


def _formats(name: str, lang: str, text: str, where: str) -> None:
    assert not re.search(r"\b\d+ \d+ ?%", text), f"{where}: a figure glued to its share"
    if name == "overview":
        # readiness 3 on a factor: "3,0" with a decimal comma in Catalan, "3.0" in English
        assert ("3,0" in text) if lang == "ca" else ("3.0" in text), where
        assert ("100 %" in text.replace("\xa0", " ")) if lang == "ca" else ("100%" in text), where
    if name == "leads":
        assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", text), f"{where}: a raw ISO date"
    if name == "lead":
        # dates in the language's words, in the programme's time zone, the zone named
        month = r"(de |d’|d')(gen|febr|març|abr|maig|juny|jul|ag|set|oct|nov|des)\." if lang == "ca" else \
            r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)"
        assert re.search(rf"\d{{1,2}} {month} \d{{4}}, \d\d:\d\d (CET|CEST)", text), f"{where}: {text[:400]}"
        assert not re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", text), f"{where}: a raw ISO date"
    if name == "workshops":
        assert ("2,4" in text) if lang == "ca" else ("2.4" in text), where  # (2+3+2+3+2+3+2)/7 = 2.43


def test_screenshots_are_listed_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name in ("overview", "alliances", "workshops"):
        assert f"docs/screenshots/dashboard-{name}.png" in readme


