"""Leads in the shared database (SQLite and PostgreSQL): one lead per entity, atomic claim, history."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.engine import UserMessage
from bot.store import leads as store
from bot.store.models import Conversation, Lead, LeadEvent, Outbox
from tests.auxil.runtime import make_runtime


async def _lead(rt, sender="tg:501", name="Coop Sud"):
    await rt.engine.handle(UserMessage(sender_id=sender, text="/start"))
    async with rt.sessionmaker() as s, s.begin():
        return (await store.create_or_update_lead(
            session=s, sender_id=sender, entity={"name": name, "territory": "Girona"},
            contact={"contact_name": "Marta", "contact_email": "m@coop.cat"}, consent_at=datetime.now(UTC),
            consent_version="v1", dossier={"entity": {"name": name}, "answers": {"objective": "impact"},
                                           "motivation": "proactive"},
            priority="normal", priority_reasons=["asked_for_human"], language="ca")).lead.id


async def _facilitators(rt):
    async with rt.sessionmaker() as s, s.begin():
        a = await store.add_facilitator(session=s, telegram_user_id=7001, name="Laia", territory="Girona")
        b = await store.add_facilitator(session=s, telegram_user_id=7002, name="Pau", language="es")
    return a, b


async def test_lead_outbox_and_update(database_url) -> None:
    rt = await make_runtime(database_url)
    try:
        first = await _lead(rt)
        second = await _lead(rt, name="Coop Sud SCCL")
        assert first == second
        async with rt.sessionmaker() as s:
            assert await s.scalar(select(func.count()).select_from(Lead)) == 1
            kinds = sorted(await s.scalars(select(Outbox.kind)))
            assert kinds == ["lead_card", "lead_refresh"]
            rows = await store.list_leads(session=s)
            assert rows[0]["entity_name"] == "Coop Sud SCCL" and rows[0]["status"] == "new"
            view = await store.show_lead(session=s, lead_id=first)
            assert view.contact()["email"] == "m@coop.cat" and view.contact()["consent_version"] == "v1"
            assert [e.action for e in view.events] == ["created", "updated"]
    finally:
        await rt.close()


async def test_claim_race_one_winner(database_url) -> None:
    rt = await make_runtime(database_url)
    try:
        lead_id = await _lead(rt)
        a, b = await _facilitators(rt)

        async def claim(fac):
            async with rt.sessionmaker() as s, s.begin():
                result = await store.claim_lead(session=s, lead_id=lead_id, facilitator=fac,
                                                notice={"text": "taken"})
                return result.ok, result.holder.name if result.holder else None

        results = await asyncio.gather(claim(a), claim(b))
        assert sorted(ok for ok, _ in results) == [False, True]
        winner = next(holder for ok, holder in results if ok)
        loser_holder = next(holder for ok, holder in results if not ok)
        assert loser_holder == winner  # the loser is told who has it
        async with rt.sessionmaker() as s:
            lead = await store.get_lead(session=s, lead_id=lead_id)
            assert lead.status == "claimed"
            paused = await s.scalar(select(Conversation.paused).where(Conversation.sender_id == "tg:501"))
            assert paused is True
            notices = list(await s.scalars(select(Outbox).where(Outbox.kind == "entity_message")))
            assert len(notices) == 1 and notices[0].payload["to"] == "tg:501"
            claims = await s.scalar(select(func.count()).select_from(LeadEvent).where(LeadEvent.action == "claimed"))
            assert claims == 1
    finally:
        await rt.close()


async def test_status_changes_only_by_assignee(database_url) -> None:
    rt = await make_runtime(database_url)
    try:
        lead_id = await _lead(rt)
        a, b = await _facilitators(rt)
        async with rt.sessionmaker() as s, s.begin():
            assert (await store.claim_lead(session=s, lead_id=lead_id, facilitator=a)).ok
        async with rt.sessionmaker() as s, s.begin():
            assert not (await store.mark_contacted(session=s, lead_id=lead_id, facilitator=b)).ok
            assert not (await store.release_lead(session=s, lead_id=lead_id, facilitator=b)).ok
            assert not (await store.close_lead(session=s, lead_id=lead_id, facilitator=b, outcome="not_pursued")).ok
        async with rt.sessionmaker() as s, s.begin():
            assert (await store.mark_contacted(session=s, lead_id=lead_id, facilitator=a, note="called")).ok
            closed = await store.close_lead(session=s, lead_id=lead_id, facilitator=a, outcome="alliance_formed",
                                            notice={"text": "closed"})
            assert closed.ok and closed.lead.status == "closed"
        async with rt.sessionmaker() as s, s.begin():
            stale = await store.claim_lead(session=s, lead_id=lead_id, facilitator=b)
            assert not stale.ok and stale.reason == "closed"
            paused = await s.scalar(select(Conversation.paused).where(Conversation.sender_id == "tg:501"))
            assert paused is False
            stats = await store.lead_stats(session=s)
            assert stats["alliances_formed"] == 1 and stats["by_motivation"] == {"proactive": 1}
            # A new request after closing makes a new lead.
        assert await _lead(rt) != lead_id
    finally:
        await rt.close()


async def test_remove_facilitator_releases_and_reminders(database_url) -> None:
    rt = await make_runtime(database_url)
    try:
        lead_id = await _lead(rt)
        other = await _lead(rt, sender="tg:502", name="Fundació Nord")
        a, _ = await _facilitators(rt)
        async with rt.sessionmaker() as s, s.begin():
            assert (await store.claim_lead(session=s, lead_id=lead_id, facilitator=a)).ok
        async with rt.sessionmaker() as s, s.begin():
            found, released = await store.remove_facilitator(session=s, telegram_user_id=7001)
        assert found and released == [lead_id]
        async with rt.sessionmaker() as s, s.begin():
            assert (await store.get_lead(session=s, lead_id=lead_id)).status == "notified"
            assert await store.get_facilitator(session=s, telegram_user_id=7001) is None
            later = datetime.now(UTC) + timedelta(hours=25)
            count = await store.schedule_reminders(session=s, unclaimed_hours=24, no_contact_days=3, now=later)
            assert count == 2  # both unclaimed leads announced again
            again = await store.schedule_reminders(session=s, unclaimed_hours=24, no_contact_days=3, now=later)
            assert again == 0
        assert other != lead_id
    finally:
        await rt.close()
