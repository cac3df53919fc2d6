"""Partner matching's storage and rules: only consenting, non-erased entities; withdrawal; double opt-in with
contacts exchanged once; a declined pair never again; one reminder, then expiry (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from bot.matching.introductions import propose
from bot.matching.rules import load_rules
from bot.matching.suggest import suggest
from bot.store import matching as store
from bot.store.models import Introduction, MatchProfile, Outbox
from bot.store.privacy import forget_sender
from tests.auxil.matching import seed_entity, two_that_fit


def _rules(rt):
    return load_rules(str(rt.settings.knowledge_dir))


async def _suggested_ids(rt) -> set[int]:
    async with rt.sessionmaker() as session:
        found = await suggest(session=session, rules=_rules(rt), per_entity=3, min_score=0.0)
    return {p.id for p in found.matrices.profiles} | {pair.b.id for pair in found.pairs(_rules(rt))}


async def _count(rt, kind: str) -> int:
    async with rt.sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == kind))


async def test_non_consenting_and_erased_entities_never_appear(any_runtime) -> None:
    rt = any_runtime
    a, b = await two_that_fit(rt)
    c = await seed_entity(rt, "tg:9103", "Casal Sense Permís", consent=False, offers=("back_office",),
                          seeks=("premises",))
    assert await _suggested_ids(rt) == {a, b}
    async with rt.sessionmaker() as session, session.begin():
        refused = await propose(session=session, rules=_rules(rt), a_entity_id=a, b_entity_id=c, proposed_by=None)
    assert not refused.ok and refused.reason == "not_consenting"
    # erased (/forget): its profile and its introductions go with it
    async with rt.sessionmaker() as session, session.begin():
        assert (await propose(session=session, rules=_rules(rt), a_entity_id=a, b_entity_id=b, proposed_by=None)).ok
    async with rt.sessionmaker() as session, session.begin():
        await forget_sender(session=session, sender_id="tg:9101")
    assert a not in await _suggested_ids(rt)
    async with rt.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Introduction)) == 0
        assert await session.get(MatchProfile, a) is None


async def test_withdrawal_removes_the_profile_and_pending_introductions(any_runtime) -> None:
    rt = any_runtime
    a, b = await two_that_fit(rt)
    async with rt.sessionmaker() as session, session.begin():
        proposal = await propose(session=session, rules=_rules(rt), a_entity_id=a, b_entity_id=b, proposed_by=77)
    assert proposal.ok and await _count(rt, store.INTRO_KIND) == 2
    async with rt.sessionmaker() as session, session.begin():
        counts = await store.withdraw(session=session, sender_id="tg:9102")
    assert counts == {"profiles": 1, "introductions": 1}
    assert await _count(rt, store.INTRO_KIND) == 0  # the messages not sent yet go too
    assert await _suggested_ids(rt) == {a}
    async with rt.sessionmaker() as session, session.begin():
        answer = await store.answer(session=session, intro_id=proposal.intro.id, sender_id="tg:9101", accept=True)
    assert answer.state == "not_found"


async def test_both_accept_exchanges_contacts_once(any_runtime) -> None:
    rt = any_runtime
    a, b = await two_that_fit(rt)
    async with rt.sessionmaker() as session, session.begin():
        intro_id = (await propose(session=session, rules=_rules(rt), a_entity_id=a, b_entity_id=b,
                                  proposed_by=77)).intro.id

    async def say(sender: str, accept: bool = True) -> str:
        async with rt.sessionmaker() as session, session.begin():
            return (await store.answer(session=session, intro_id=intro_id, sender_id=sender, accept=accept)).state

    assert await say("tg:9101") == "accepted_waiting"
    assert await say("tg:9101") == "already"            # the same press again
    assert await say("tg:9999") == "not_found"          # someone else's chat
    assert await _count(rt, store.CONTACTS_KIND) == 0
    assert await say("tg:9102") == "exchanged"
    assert await say("tg:9102") == "already"
    assert await say("tg:9102", accept=False) == "already"  # too late to decline
    assert await _count(rt, store.CONTACTS_KIND) == 1
    async with rt.sessionmaker() as session, session.begin():
        assert await store.record_outcome(session=session, intro_id=intro_id, outcome="met")
        assert await store.record_outcome(session=session, intro_id=intro_id, outcome="alliance_formed")
        assert not await store.record_outcome(session=session, intro_id=intro_id, outcome="met")
    async with rt.sessionmaker() as session:
        intro = await session.get(Introduction, intro_id)
        assert (intro.status, intro.a_entity_id, intro.b_entity_id) == ("alliance_formed", a, b)


async def test_a_declined_pair_is_never_proposed_nor_suggested_again(any_runtime) -> None:
    rt = any_runtime
    a, b = await two_that_fit(rt)
    async with rt.sessionmaker() as session, session.begin():
        intro_id = (await propose(session=session, rules=_rules(rt), a_entity_id=a, b_entity_id=b,
                                  proposed_by=None)).intro.id
    async with rt.sessionmaker() as session, session.begin():
        assert (await store.answer(session=session, intro_id=intro_id, sender_id="tg:9102", accept=False)).state == "declined"
    assert await _count(rt, store.NOTICE_KIND) == 1
    async with rt.sessionmaker() as session, session.begin():
        again = await propose(session=session, rules=_rules(rt), a_entity_id=b, b_entity_id=a, proposed_by=None)
        assert not again.ok and again.reason == "declined"
        found = await suggest(session=session, rules=_rules(rt), per_entity=3, min_score=0.0)
    assert found.pairs(_rules(rt)) == []


async def test_one_reminder_then_expiry(any_runtime) -> None:
    rt = any_runtime
    a, b = await two_that_fit(rt)
    async with rt.sessionmaker() as session, session.begin():
        intro_id = (await propose(session=session, rules=_rules(rt), a_entity_id=a, b_entity_id=b,
                                  proposed_by=None)).intro.id
        await store.answer(session=session, intro_id=intro_id, sender_id="tg:9101", accept=True)

    async def age(days: float) -> dict[str, int]:
        async with rt.sessionmaker() as session, session.begin():
            await session.execute(update(Introduction).values(proposed_at=store.now_utc() - timedelta(days=days)))
            return await store.schedule_reminders(session=session, reminder_days=3, expiry_days=10)

    assert await age(1) == {"reminded": 0, "expired": 0}
    assert await age(4) == {"reminded": 1, "expired": 0}
    assert await age(5) == {"reminded": 0, "expired": 0}  # one reminder, not one a run
    async with rt.sessionmaker() as session:
        reminders = (await session.scalars(select(Outbox.payload).where(Outbox.kind == store.INTRO_KIND))).all()
    # only the entity that has not answered is reminded
    assert sorted((p["side"], bool(p.get("reminder"))) for p in reminders) == [("a", False), ("b", False), ("b", True)]
    assert await age(11) == {"reminded": 0, "expired": 1}
    assert await age(12) == {"reminded": 0, "expired": 0}
    async with rt.sessionmaker() as session:
        assert (await session.get(Introduction, intro_id)).status == "expired"
    assert await _count(rt, store.NOTICE_KIND) == 1
