"""Matching section: suggestions for 1,000 consenting entities (load the profiles, score the half million
pairs with the seed's indicators, keep each entity's best 3, never a declined pair) within 1 s, SQLite and
PostgreSQL; the Matches page (60 pairs with their reasons) through the real HTTP stack, reported."""

from __future__ import annotations

import random
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import insert

from bench.engine_bench import PG_URL, _reset_pg, percentile, settings_for
from bot.app.runtime import build_runtime

TARGET_MS = 1000
ENTITIES = 1000
TERRITORIES = ("barcelona", "barcelona", "girona", "lleida", "tarragona", "terres_ebre", "catalunya_central",
               "catalonia")
FIELDS = ("lleure per a infants i joves", "atencio domiciliaria a gent gran", "insercio laboral i formacio",
          "habitatge i pisos d'inclusio", "suport en salut mental", "banc d'aliments i roba", "acollida de persones migrades",
          "esport inclusiu", "gestio i comptabilitat per a entitats", "atencio a dones", "cultura comunitaria")
OBJECTIVES = ("innovation", "public_contracting", "integral_attention", "efficiency", "competitiveness", "voice",
              "impact", "saving_money", "other")
RESOURCES = ("premises", "volunteers", "expertise", "tenders", "territory", "services", "back_office", "funders",
             "digital")
GROUPS = ("children_youth", "elderly", "disability", "mental_health", "migrants", "women", "homeless",
          "unemployed", "families")
SIZES = ("none", "1_5", "1_5", "6_20", "6_20", "21_50", "over_50")


async def _seed(runtime, n: int) -> None:
    from bot.store.models import Conversation, Entity, Introduction, MatchProfile

    rng = random.Random(26)
    now = datetime.now(UTC)
    conversations, entities, profiles = [], [], []
    for i in range(n):
        conversations.append({"id": i + 1, "sender_id": f"tg:{500000 + i}", "channel": "telegram", "language": "ca",
                              "state": {}, "version": 1})
        entities.append({"id": i + 1, "conversation_id": i + 1, "name": f"Entitat {i + 1}", "field": rng.choice(FIELDS),
                         "territory": rng.choice(TERRITORIES), "size_staff": rng.choice(SIZES),
                         "contact_telegram": False})
        profiles.append({"entity_id": i + 1, "consent_version": "2026-12", "consent_at": now,
                         "language": rng.choice(("ca", "ca", "es", "en")),
                         "offers": rng.sample(RESOURCES, rng.randint(1, 3)), "seeks": rng.sample(RESOURCES, rng.randint(1, 3)),
                         "groups_served": rng.sample(GROUPS, rng.randint(0, 2)), "objective": rng.choice(OBJECTIVES),
                         "motivation": rng.choice(("reactive", "proactive", "mixed")),
                         "readiness": round(rng.uniform(1.5, 4.0), 1), "fear_power": rng.choice((None, 1, 2, 3, 4)),
                         "updated_at": now})
    declined = [{"a_entity_id": 2 * i + 1, "b_entity_id": 2 * i + 2, "status": "declined", "proposed_at": now}
                for i in range(50)]
    async with runtime.db.begin() as conn:
        await conn.execute(insert(Conversation.__table__), conversations)
        await conn.execute(insert(Entity.__table__), entities)
        await conn.execute(insert(MatchProfile.__table__), profiles)
        await conn.execute(insert(Introduction.__table__), declined)


async def _measure(url: str, quick: bool) -> dict:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.matching.rules import load_rules
    from bot.matching.suggest import suggest
    from bot.store import staff
    from bot.store.leads import add_facilitator
    from bot.web.server import create_app

    settings = settings_for(url)
    runtime = await build_runtime(replace(settings, web=replace(settings.web, enabled=True)))
    rules = load_rules(str(settings.knowledge_dir))
    m = settings.matching
    try:
        await _seed(runtime, ENTITIES)
        runs, pairs = [], 0
        for _ in range(3 if quick else 10):
            t0 = time.perf_counter()
            async with runtime.sessionmaker() as session:
                found = await suggest(session=session, rules=rules, per_entity=m.suggestions_per_entity,
                                      min_score=m.min_score)
            runs.append(time.perf_counter() - t0)
            pairs = len(found.pairs(rules))
        async with runtime.sessionmaker() as session, session.begin():
            await add_facilitator(session=session, telegram_user_id=1, name="Bench")
            token = await staff.create_login(session=session, telegram_user_id=1)
        client = TestClient(TestServer(create_app(runtime)))
        await client.start_server()
        page = []
        try:
            assert (await client.get(f"/login?t={token}", allow_redirects=False)).status == 303
            for _ in range(3 if quick else 10):
                t0 = time.perf_counter()
                response = await client.get("/matches")
                await response.read()
                page.append(time.perf_counter() - t0)
                assert response.status == 200
        finally:
            await client.close()
    finally:
        await runtime.close()
    return {"suggestions": {"p50_ms": percentile(runs, 0.5) * 1000, "max_ms": max(runs) * 1000,
                            "entities": ENTITIES, "pairs_scored": ENTITIES * (ENTITIES - 1) // 2,
                            "pairs_suggested": pairs},
            "matches_page": {"p50_ms": percentile(page, 0.5) * 1000, "max_ms": max(page) * 1000}}


async def matching(quick: bool = False) -> dict:
    """Suggestions for 1,000 consenting entities within 1 s (p50; max reported), SQLite and PostgreSQL."""
    out: dict = {"rows": []}
    with tempfile.TemporaryDirectory() as tmp:
        out["sqlite"] = await _measure(f"sqlite+aiosqlite:///{tmp}/matching.db", quick)
    if await _reset_pg():
        out["postgresql"] = await _measure(PG_URL, quick)
    for db in ("sqlite", "postgresql"):
        figures = out.get(db)
        if not figures:
            continue
        s = figures["suggestions"]
        out["rows"].append((f"{db} suggestions, {s['entities']} entities p50 (max)",
                            f"{s['p50_ms']:.0f} ({s['max_ms']:.0f}) ms", f"<= {TARGET_MS} ms",
                            "ok" if s["max_ms"] <= TARGET_MS else ("ok (p50)" if s["p50_ms"] <= TARGET_MS else "MISSED")))
        p = figures["matches_page"]
        out["rows"].append((f"{db} /matches p50 (max)", f"{p['p50_ms']:.0f} ({p['max_ms']:.0f}) ms", "-", "reported"))
    return out


SECTIONS = {"matching": matching}
