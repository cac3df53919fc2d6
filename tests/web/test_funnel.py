"""The funnel's anonymous monthly counts: written with each event, kept through erasure, back-filled."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, text

from bot.leads import CardAction, LeadDesk
from bot.store import funnel, migrate
from bot.store import leads as store
from bot.store.db import create_engine
from bot.store.models import Conversation, FunnelJourney
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
        rows = await session.execute(select(FunnelJourney.cohort, FunnelJourney.stage, FunnelJourney.territory,
                                            FunnelJourney.language, FunnelJourney.motivation, FunnelJourney.aim,
                                            FunnelJourney.conversation_id).order_by(FunnelJourney.id))
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
    # Territory and motivation, known from the interview on, are the conversation's: every step has them.
    assert result.by["territory"] == {"terres_ebre": dict.fromkeys(funnel.STEPS, 1)}
    assert result.by["motivation"]["reactive"]["alliance_formed"] == 1
    before = await _rows(any_runtime)
    assert [r[:6] for r in before] == [(month, len(funnel.STEPS) - 1, "terres_ebre", "ca", "reactive", "voice")]
    assert before[0][6] is not None  # linked to its conversation while the person is known

    async with any_runtime.sessionmaker() as session, session.begin():
        counts = await forget_sender(session=session, sender_id="tg:7001")
    assert counts["leads"] == 1 and counts["assessments"] == 1
    async with any_runtime.sessionmaker() as session, session.begin():
        await purge_expired(session=session, older_than_days=1, now=datetime(2100, 1, 1, tzinfo=UTC))
    after = await _rows(any_runtime)
    assert [r[:6] for r in after] == [r[:6] for r in before] and after[0][6] is None  # counted, unlinked
    async with any_runtime.sessionmaker() as session:
        assert (await funnel.read(session=session)).totals == dict.fromkeys(funnel.STEPS, 1)
    dump = repr(after)
    assert "Riu Viu" not in dump and "marta" not in dump and "7001" not in dump


def test_months_are_the_programmes() -> None:
    zone = funnel.ZoneInfo("Europe/Madrid")
    assert funnel.period_of(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), zone) == "2026-02"
    assert funnel.period_of(datetime(2026, 7, 31, 21, 59, tzinfo=UTC), zone) == "2026-07"
    assert funnel.period_of(datetime(2026, 7, 31, 22, 0), zone) == "2026-08"  # naive: UTC


async def test_a_conversation_counts_once_in_its_first_months_cohort(any_runtime) -> None:
    """Steps taken in later months count in the month of the first contact; a step reached again, or an
    earlier one reached after a later one, changes nothing; ranges of months are inclusive."""
    async with any_runtime.sessionmaker() as session, session.begin():
        ids = []
        for i, month in enumerate((1, 1, 2, 3)):
            conversation = Conversation(sender_id=f"tg:{i}", channel="telegram", language="ca", state={}, version=1)
            session.add(conversation)
            await session.flush()
            ids.append(conversation.id)
            await funnel.reach(session=session, step="first_contact", conversation_id=conversation.id,
                               when=datetime(2026, month, 10, tzinfo=UTC), language="es")
        await funnel.reach(session=session, step="lead", conversation_id=ids[0], when=datetime(2026, 4, 1, tzinfo=UTC),
                           territory="girona", aim="innovation")
        await funnel.reach(session=session, step="lead", conversation_id=ids[0], territory=None)  # known stays
        await funnel.reach(session=session, step="reading", conversation_id=ids[0])  # never backwards
        await funnel.reach(session=session, step="claimed", sender_id="tg:2")
        assert not await funnel.reach(session=session, step="claimed", sender_id="tg:nobody")
    async with any_runtime.sessionmaker() as session:
        january_february = await funnel.read(session=session, first="2026-01", last="2026-02")
        everything = await funnel.read(session=session)
    assert january_february.totals["first_contact"] == 3 and january_february.totals["lead"] == 2
    assert january_february.totals["claimed"] == 1 and january_february.totals["contacted"] == 0
    assert list(january_february.by_month) == ["2026-01", "2026-02"]
    assert january_february.by_month["2026-01"]["lead"] == 1  # reached in April, counted in January
    assert january_february.by["territory"]["girona"]["first_contact"] == 1
    assert january_february.by["territory"][""]["first_contact"] == 2  # not known: apart, not lost
    assert everything.totals["first_contact"] == 4
    assert [(s, n) for s, n, _ in everything.conversions()][:6] == [
        ("first_contact", 4), ("interview_finished", 2), ("reading", 2), ("qualified", 2), ("lead", 2),
        ("claimed", 1)]
    assert everything.conversions()[5][2] == 1 / 2


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
            journeys = (await conn.execute(text(
                "SELECT cohort, stage, territory, language, motivation, aim, conversation_id FROM funnel_journey"
                " ORDER BY id"))).all()
            alliances = (await conn.execute(text("SELECT pair, aim, lead_id, entity_id FROM alliance"))).all()
            entity_link = await conn.scalar(text("SELECT conversation_id FROM entity WHERE id = 1"))
            if conn.dialect.name == "sqlite":  # foreign keys off while migrating (a table copy), on after
                assert await conn.scalar(text("PRAGMA foreign_keys")) == 1
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
    # SQLite: 0003 copies the conversation table; its drop no longer unlinks the entity from it
    assert entity_link == 1
    # 0007: one row per conversation, at the furthest step its lead got to; the erased lead a row of its own
    assert [tuple(r) for r in journeys] == [
        ("2026-01", len(funnel.STEPS) - 1, "lleida", "es", "proactive", "innovation", 1),
        ("2026-01", 0, "", "ca", "", "", 2),
        ("2026-01", funnel.STEPS.index("lead"), "", "ca", "", "", None),
    ]
    assert [tuple(r) for r in alliances] == [("L1", "innovation", 1, 1)]


async def test_entities_unlinked_by_an_old_sqlite_upgrade_are_linked_again(sqlite_url) -> None:
    """Before migrations ran with foreign keys off, SQLite's copy of the conversation table (0003) set every
    entity's conversation to NULL: /forget no longer found the entity. 0009 links them again by the
    sender kept in their lead's dossier."""
    db = create_engine(sqlite_url)
    try:
        await migrate.upgrade(db, "0008_invites_follow_up")
        async with db.begin() as conn:
            await conn.execute(text(
                "INSERT INTO conversation (id, sender_id, channel, language, state, version, created_at, updated_at,"
                " paused) VALUES (1, 'tg:1', 'telegram', 'ca', '{}', 1, :a, :a, 0),"
                " (2, 'tg:2', 'telegram', 'ca', '{}', 1, :a, :a, 0)"), {"a": datetime(2026, 1, 5, tzinfo=UTC)})
            await conn.execute(text(
                "INSERT INTO entity (id, conversation_id, name, territory, contact_telegram, created_at, updated_at)"
                " VALUES (1, NULL, 'Coop U', 'girona', 0, :a, :a), (2, NULL, 'Coop V', NULL, 0, :a, :a)"),
                {"a": datetime(2026, 1, 5, tzinfo=UTC)})
            await conn.execute(text(
                "INSERT INTO lead (id, entity_id, status, priority, priority_reasons, dossier, language, created_at,"
                " updated_at) VALUES (1, 1, 'notified', 'normal', '[]', '{\"sender_id\": \"tg:1\"}', 'ca', :a, :a),"
                " (2, 2, 'notified', 'normal', '[]', '{}', 'ca', :a, :a)"), {"a": datetime(2026, 1, 5, tzinfo=UTC)})
            await conn.execute(text(
                "INSERT INTO funnel_journey (conversation_id, cohort, stage, territory, language, motivation, aim)"
                " VALUES (1, '2026-01', 4, '', 'ca', '', '')"))
            # conversation 2 finished a journey without a handoff: its answers name no entity
            await conn.execute(text(
                "INSERT INTO assessment (id, conversation_id, entity_id, answers, motivation, evidence, readiness,"
                " readiness_overall, flags, language, content_version, created_at) VALUES (7, NULL, NULL,"
                " '{\"why_partner\": \"ens han retallat\"}', 'reactive', '[]', '{}', 2.0, '[]', 'ca', 't', :a)"),
                {"a": datetime(2026, 1, 6, tzinfo=UTC)})
            await conn.execute(text("UPDATE conversation SET state = '{\"slots\": {\"assessment_id\": 7}}'"
                                    " WHERE id = 2"))
        migrate.head_revision.cache_clear()
        await migrate.upgrade(db)
        async with db.connect() as conn:
            links = (await conn.execute(text("SELECT id, conversation_id FROM entity ORDER BY id"))).all()
            territory = await conn.scalar(text("SELECT territory FROM funnel_journey WHERE conversation_id = 1"))
            answers_of = await conn.scalar(text("SELECT conversation_id FROM assessment WHERE id = 7"))
    finally:
        await db.dispose()
    assert [tuple(r) for r in links] == [(1, 1), (2, None)]  # the second lead kept no sender: left as it was
    assert territory == "girona"
    assert answers_of == 2  # 0010: the answers are the conversation's again, so /forget finds them
