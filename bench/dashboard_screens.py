"""Screenshots of the dashboard for the README: a demo database (as the bench seeds it, smaller), the
real server, Debian's chromium. `python -m bench.dashboard_screens docs/screenshots`."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from sqlalchemy import func, select, update

from bench.dashboard_bench import _seed
from bench.engine_bench import settings_for
from bot.app.runtime import build_runtime

PAGES = (("overview", "/overview?period=all", 1100), ("leads", "/leads", 390), ("lead", "/leads/{lead}", 390),
         ("alliances", "/alliances", 1100), ("workshops", "/workshops?period=all", 1100))


async def _workshops(session, knowledge: dict) -> None:
    """Three demo workshops with quiz answers and factor ratings."""
    import random

    from bot.store import workshops as ws

    rng = random.Random(3)
    scenarios = [(s["id"], s["answer"]) for s in knowledge["scenarios"]["scenarios"][:6]]
    factors = [f["id"] for f in knowledge["success_factors"]["factors"]]
    for n, people in enumerate((18, 24, 11)):
        workshop = await ws.create_workshop(session=session, chat_id=-100 - n, trainer_user_id=9, programme="both",
                                            language="ca", state={})
        for p in range(people):
            for ident, answer in scenarios:
                value = answer if rng.random() < 0.7 else rng.choice(("reactive", "proactive", "mixed"))
                await ws.record_answer(session=session, workshop_id=workshop.id, item_id=f"s:{ident}",
                                       participant=f"p{p}", value=value)
            for ident in factors:
                await ws.record_rating(session=session, workshop_id=workshop.id, item_id=f"f:{ident}",
                                       participant=f"p{p}", value=str(rng.randint(1, 4)))


async def main(target: Path) -> None:
    from aiohttp.test_utils import TestServer
    from playwright.async_api import async_playwright

    from bot.store import leads as store
    from bot.store import staff
    from bot.store.models import Lead
    from bot.web.server import create_app

    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(f"sqlite+aiosqlite:///{tmp}/demo.db")
        runtime = await build_runtime(replace(settings, web=replace(settings.web, enabled=True)))
        await _seed(runtime, conversations=900, leads=160, months=14)
        async with runtime.sessionmaker() as session, session.begin():
            laia = await store.add_facilitator(session=session, telegram_user_id=5, name="Laia Vidal", language="ca")
            pau = await store.add_facilitator(session=session, telegram_user_id=6, name="Pau Soler", language="es")
            for n, lead_id in enumerate(await session.scalars(select(Lead.id).where(Lead.status != "notified"))):
                await session.execute(update(Lead).where(Lead.id == lead_id).values(
                    assignee_id=(laia, pau)[n % 2].id, claimed_at=func.now()))
            await staff.add_coordinator(session=session, telegram_user_id=5, name="Laia Vidal", language="ca")
            lead = (await store.list_leads(session=session, status="notified"))[0]["id"]
            await _workshops(session, runtime.domain.knowledge)
            tokens = [await staff.create_login(session=session, telegram_user_id=5) for _ in PAGES]
        server = TestServer(create_app(runtime))
        await server.start_server()
        try:
            async with async_playwright() as p:
                browser = await p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                  args=["--no-sandbox"])
                for (name, path, width), token in zip(PAGES, tokens, strict=True):
                    page = await browser.new_page(viewport={"width": width, "height": 1400 if width < 500 else 800}, device_scale_factor=1)
                    await page.goto(str(server.make_url(f"/login?t={token}")))
                    await page.goto(str(server.make_url(path.format(lead=lead))))
                    # a phone's first screens of a long list; whole pages otherwise
                    await page.screenshot(path=str(target / f"dashboard-{name}.png"), full_page=name != "leads")
                    await page.close()
                await browser.close()
        finally:
            await server.close()
            await runtime.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")))
