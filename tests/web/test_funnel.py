"""The funnel's anonymous monthly counts: written with each event, kept through erasure, back-filled."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from bot.facilitators.cards import CardAction
from bot.facilitators.handlers import LeadDesk
from bot.store import funnel, migrate
from bot.store import leads as store
from bot.store.db import create_engine
from bot.store.models import FunnelCount
from bot.store.privacy import forget_sender, purge_expired
from tests.auxil.runtime import Chat, reset_postgres

# entity name, field, territory (terres_ebre), staff, collaboration, why, then the cues (the why text answers
# "services at risk" and the finances are confirmed in one line: 2 = serious)
INTERVIEW = ["Associació Riu Viu", "lleure educatiu amb infants", "5", "2", "2",
             "Ens han retallat la subvenció i si no ens aliem haurem de tancar",
             "2", "1", "2", "2", "6", "1"]


async def _journey_and_handoff(chat: Chat) -> None:
    await chat.send("/start")
    await chat.send(payload="/explore")
    for answer in [*INTERVIEW, "1", "4", "4", "3", "3", "4", "1", "2", "3", "3", "4", "4", "3", "4"]:
        await chat.send(answer)
    await chat.send("/facilitator")
    for answer in ["1", "Marta", "coordinadora", "/skip", "/skip", "2", "marta@riuviu.cat"]:
        await chat.send(answer)


async def _rows(runtime) -> list[tuple]:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(select(FunnelCount.period, FunnelCount.step, FunnelCount.territory,
                                            FunnelCount.language, FunnelCount.motivation, FunnelCount.aim,
                                            FunnelCount.count).order_by(FunnelCount.step, FunnelCount.id))
        return [tuple(r) for r in rows]


async def test_every_step_is_counted_and_erasure_leaves_the_counts(any_runtime) -> None:
    chat = Chat(any_runtime, sender_id="tg:7001", language="ca")
    await _journey_and_handoff(chat)
    async with any_runtime.sessionmaker() as session, session.begin():
        facilitator = await store.add_facilitator(session=session, telegram_user_id=42, name="Jordi")
        lead = await store.open_lead_for_sender(session=session, sender_id="tg:7001")
    desk = LeadDesk(any_runtime)
    for action in (CardAction.CLAIM, CardAction.CONTACTED, CardAction.FORMED):
        changed, _ = await desk.change(facilitator, lead.id, action)
        assert changed, action
    # A refused change (already closed) counts nothing.
    assert not (await desk.change(facilitator, lead.id, CardAction.CLAIM))[0]

    async with any_runtime.sessionmaker() as session:
        result = await funnel.read(session=session)
    assert result.totals == dict.fromkeys(funnel.STEPS, 1)
    month = funnel.period_of()
    assert list(result.by_month) == [month]
    assert result.by["language"] == {"ca": dict.fromkeys(funnel.STEPS, 1)}
    # Territory and motivation are known from the interview on; the first contact only has a language.
    assert result.by["territory"]["terres_ebre"] == {s: 1 for s in funnel.STEPS if s != "first_contact"}
    assert result.by["motivation"]["reactive"]["alliance_formed"] == 1
    before = await _rows(any_runtime)

    async with any_runtime.sessionmaker() as session, session.begin():
        counts = await forget_sender(session=session, sender_id="tg:7001")
    assert counts["leads"] == 1 and counts["assessments"] == 1
    async with any_runtime.sessionmaker() as session, session.begin():
        await purge_expired(session=session, older_than_days=1, now=datetime(2100, 1, 1, tzinfo=UTC))
    assert await _rows(any_runtime) == before
    dump = repr(before)
    assert "Riu Viu" not in dump and "marta" not in dump and "7001" not in dump


def test_months_are_the_programmes() -> None:
    zone = funnel.ZoneInfo("Europe/Madrid")
    assert funnel.period_of(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), zone) == "2026-02"
    assert funnel.period_of(datetime(2026, 7, 31, 21, 59, tzinfo=UTC), zone) == "2026-07"
    assert funnel.period_of(datetime(2026, 7, 31, 22, 0), zone) == "2026-08"  # naive: UTC


async def test_counts_add_up_and_ranges_are_inclusive(any_runtime) -> None:
    async with any_runtime.sessionmaker() as session, session.begin():
        for when, step, n in ((datetime(2026, 1, 10, tzinfo=UTC), "lead", 2),
                              (datetime(2026, 1, 11, tzinfo=UTC), "lead", 3),
                              (datetime(2026, 2, 1, tzinfo=UTC), "lead", 1),
                              (datetime(2026, 3, 1, tzinfo=UTC), "claimed", 4)):
            await funnel.count(session=session, step=step, when=when, n=n, territory="girona", aim="innovation")
    async with any_runtime.sessionmaker() as session:
        january_february = await funnel.read(session=session, first="2026-01", last="2026-02")
        everything = await funnel.read(session=session)
        rows = (await session.execute(select(FunnelCount.period, FunnelCount.count))).all()
    assert january_february.totals["lead"] == 6 and january_february.totals["claimed"] == 0
    assert everything.totals["claimed"] == 4
    assert sorted(rows) == [("2026-01", 5), ("2026-02", 1), ("2026-03", 4)]  # one row per key, summed
    assert [(s, n, share) for s, n, share in everything.conversions()][5] == ("claimed", 4, 4 / 6)


async def test_the_migration_back_fills_from_what_the_database_holds(database_url) -> None:
    if database_url.startswith("postgresql"):
        await reset_postgres(database_url)
    db = create_engine(database_url)
    try:
        await migrate.upgrade(db, "0001")
        async with db.begin() as conn:
            await conn.execute(text(
                "INSERT INTO conversation (id, sender_id, channel, language, state, version, created_at, updated_at)"
                " VALUES (1, 'tg:1', 'telegram', 'es', '{}', 1, :a, :a), (2, 'tg:2', 'telegram', 'ca', '{}', 1, :b, :b)"),
                {"a": datetime(2025, 12, 31, 23, 30, tzinfo=UTC), "b": datetime(2026, 1, 5, tzinfo=UTC)})
            await conn.execute(text(
                "INSERT INTO entity (id, conversation_id, territory, contact_telegram, created_at, updated_at)"
                " VALUES (1, 1, 'lleida', false, :a, :a)"), {"a": datetime(2026, 1, 5, tzinfo=UTC)})
            await conn.execute(text(
                "INSERT INTO assessment (id, conversation_id, entity_id, answers, motivation, evidence, readiness,"
                " readiness_overall, flags, language, content_version, created_at) VALUES (1, 1, 1,"
                " '{\"objective\": \"innovation\"}', 'proactive', '[]', '{}', 3.0, '[]', 'es', 't', :a)"),
                {"a": datetime(2026, 1, 6, tzinfo=UTC)})
            await conn.execute(text(
                "INSERT INTO lead (id, entity_id, status, priority, priority_reasons, dossier, language, outcome,"
                " created_at, updated_at) VALUES (1, 1, 'closed', 'high', '[]',"
                " '{\"motivation\": \"proactive\", \"answers\": {\"objective\": \"innovation\"}}', 'es',"
                " 'alliance_formed', :a, :a), (2, NULL, 'notified', 'low', '[]', '{\"erased\": true}', 'ca', NULL,"
                " :a, :a)"), {"a": datetime(2026, 1, 7, tzinfo=UTC)})
            await conn.execute(text(
                "INSERT INTO lead_event (lead_id, actor, action, created_at) VALUES (1, 'x', 'claimed', :a),"
                " (1, 'x', 'released', :a), (1, 'x', 'claimed', :a), (1, 'x', 'contacted', :b),"
                " (1, 'x', 'closed:alliance_formed', :b)"),
                {"a": datetime(2026, 1, 8, tzinfo=UTC), "b": datetime(2026, 2, 3, tzinfo=UTC)})
        migrate.head_revision.cache_clear()
        await migrate.upgrade(db)
        async with db.connect() as conn:
            rows = (await conn.execute(text(
                "SELECT period, step, territory, language, motivation, aim, count FROM funnel_count"
                " ORDER BY step, period, language"))).all()
    finally:
        await db.dispose()
    assert [tuple(r) for r in rows] == [
        ("2026-02", "alliance_formed", "lleida", "es", "proactive", "innovation", 1),
        ("2026-01", "claimed", "lleida", "es", "proactive", "innovation", 2),  # claimed twice (released between)
        ("2026-02", "contacted", "lleida", "es", "proactive", "innovation", 1),
        ("2026-01", "first_contact", "", "ca", "", "", 1),
        ("2026-01", "first_contact", "", "es", "", "", 1),  # 23:30 UTC on 31 December is January in Madrid
        ("2026-01", "interview_finished", "lleida", "es", "proactive", "", 1),
        ("2026-01", "lead", "", "ca", "", "", 1),  # an erased lead still counts, with nothing about it
        ("2026-01", "lead", "lleida", "es", "proactive", "innovation", 1),
        ("2026-01", "qualified", "lleida", "es", "proactive", "innovation", 1),
        ("2026-01", "reading", "lleida", "es", "proactive", "", 1),
    ]
