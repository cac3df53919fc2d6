"""Dashboard section: the Overview for 10,000 conversations, 2,000 leads and 36 months of counts,
rendered through the real HTTP stack (session check, queries, charts, template), SQLite and PostgreSQL."""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from bench.engine_bench import PG_URL, _reset_pg, percentile, settings_for
from bot.app.runtime import build_runtime

TARGET_MS = 300
TERRITORIES = ("barcelona", "girona", "lleida", "tarragona", "terres_ebre", "catalunya_central", "")
AIMS = ("innovation", "public_contracting", "integral_attention", "efficiency", "impact", "")
MOTIVATIONS = ("reactive", "proactive", "mixed", "unclear")
FACTORS = ("clear_objective", "trust", "commitment", "investment", "sharing")


async def _seed(runtime, *, conversations: int, leads: int, months: int) -> None:
    from bot.store.models import Alliance, Assessment, Conversation, Entity, FunnelJourney, Lead

    rng = random.Random(18)
    start = datetime.now(UTC) - timedelta(days=30 * months)
    journeys: list[dict] = []
    conv_rows, assess_rows, entity_rows, lead_rows, alliance_rows = [], [], [], [], []
    for i in range(conversations):
        when = start + timedelta(seconds=rng.randrange(30 * months * 86400))
        lang = rng.choice(("ca", "ca", "es", "en"))
        territory, motivation = rng.choice(TERRITORIES), rng.choice(MOTIVATIONS)
        conv_rows.append({"id": i + 1, "sender_id": f"tg:{i}", "channel": "telegram", "language": lang,
                          "state": {"slots": {}}, "version": 1, "created_at": when, "updated_at": when})
        journey = {"conversation_id": i + 1, "cohort": when.strftime("%Y-%m"), "stage": 0, "territory": "",
                   "language": lang, "motivation": "", "aim": ""}
        journeys.append(journey)
        if rng.random() < 0.6:
            assess_rows.append({"conversation_id": i + 1, "answers": {"objective": rng.choice(AIMS)},
                                "motivation": motivation, "evidence": [], "flags": [], "language": lang,
                                "readiness": {f: rng.randint(1, 4) for f in FACTORS}, "content_version": "b",
                                "readiness_overall": 2.5, "created_at": when})
            journey.update(stage=2, territory=territory, motivation=motivation)
        if len(lead_rows) < leads and rng.random() < 0.25:
            aim = rng.choice(AIMS)
            entity_rows.append({"id": len(entity_rows) + 1, "conversation_id": i + 1, "name": f"Entitat {i}",
                                "territory": territory or None, "contact_telegram": False})
            status = rng.choice(("notified", "claimed", "contacted", "closed"))
            formed = status == "closed" and rng.random() < 0.15  # most closed leads form no alliance
            lead_rows.append({"entity_id": len(entity_rows), "status": status, "priority": "normal",
                              "priority_reasons": [], "language": lang, "created_at": when, "updated_at": when,
                              "dossier": {"motivation": motivation, "answers": {"objective": aim}},
                              "outcome": ("alliance_formed" if formed else "not_pursued") if status == "closed"
                              else None,
                              "closed_at": when + timedelta(days=20) if status == "closed" else None})
            journey.update(stage=7 if formed else 3 + rng.randrange(4), territory=territory, motivation=motivation,
                           aim=aim)
            if formed:
                alliance_rows.append({"pair": f"L{len(lead_rows)}", "aim": aim if aim in AIMS[:4] else "efficiency",
                                      "lead_id": len(lead_rows), "entity_id": len(entity_rows),
                                      "formed_at": when + timedelta(days=20)})
    async with runtime.db.begin() as conn:
        await conn.execute(insert(Conversation.__table__), conv_rows)
        await conn.execute(insert(Assessment.__table__), assess_rows)
        await conn.execute(insert(Entity.__table__), entity_rows)
        await conn.execute(insert(Lead.__table__), lead_rows)
        await conn.execute(insert(FunnelJourney.__table__), journeys)
        if alliance_rows:
            await conn.execute(insert(Alliance.__table__), alliance_rows)


async def _measure(url: str, quick: bool) -> dict:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.store import staff
    from bot.web.server import create_app

    settings = settings_for(url)
    runtime = await build_runtime(replace(settings, web=replace(settings.web, enabled=True)))
    try:
        await _seed(runtime, conversations=10_000, leads=2_000, months=36)
        async with runtime.sessionmaker() as session, session.begin():
            await staff.add_coordinator(session=session, telegram_user_id=1, name="Bench")
            token = await staff.create_login(session=session, telegram_user_id=1)
        client = TestClient(TestServer(create_app(runtime)))
        await client.start_server()
        try:
            assert (await client.get(f"/login?t={token}", allow_redirects=False)).status == 303
            times: dict[str, list[float]] = {}
            for path in ("/overview?period=all", "/overview?period=year", "/leads", "/alliances"):
                runs = []
                for _ in range(5 if quick else 20):
                    t0 = time.perf_counter()
                    response = await client.get(path)
                    await response.read()
                    runs.append(time.perf_counter() - t0)
                    assert response.status == 200, path
                times[path] = runs
        finally:
            await client.close()
    finally:
        await runtime.close()
    return {path: {"p50_ms": percentile(runs, 0.5) * 1000, "max_ms": max(runs) * 1000}
            for path, runs in times.items()}


async def dashboard(quick: bool = False) -> dict:
    """The Overview (all 36 months, and this year) within 300 ms; Leads and Alliances reported."""
    out: dict = {"rows": []}
    with tempfile.TemporaryDirectory() as tmp:
        out["sqlite"] = await _measure(f"sqlite+aiosqlite:///{tmp}/dash.db", quick)
    if await _reset_pg():
        out["postgresql"] = await _measure(PG_URL, quick)
    for db in ("sqlite", "postgresql"):
        for path, figures in (out.get(db) or {}).items():
            target = f"<= {TARGET_MS} ms" if path.startswith("/overview") else "-"
            verdict = ("ok" if figures["p50_ms"] <= TARGET_MS else "MISSED") if target != "-" else "reported"
            out["rows"].append((f"{db} {path} p50 (max)", f"{figures['p50_ms']:.0f} ({figures['max_ms']:.0f}) ms",
                                target, verdict))
    return out


SECTIONS = {"dashboard": dashboard}
