"""Issue 27, item 7: a chat waiting on Telegram's pacing holds back only itself. Eight claims edit the
facilitators' group cards (about one edit every 3 s there); the entities' "X has taken your case" go
meanwhile, not after the edits."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from sqlalchemy import select

from bot.notifier import Notifier
from bot.store import leads as store
from bot.store import outbox
from bot.store.models import Outbox
from tests.auxil.runtime import ask_for_a_facilitator

GROUP = "-100777"


class PacedGroup:
    """A transport whose edits in the group wait until `release` is set (the group's pacing, stretched);
    private chats answer at once."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.sent: list[tuple[str, str]] = []
        self.edits: list[tuple[str, int]] = []
        self.entity_notices = asyncio.Event()
        self.expected_notices = 99

    async def send(self, address, text, buttons=None):
        self.sent.append((address, text))
        if sum(not a.endswith(GROUP) for a, _ in self.sent) >= self.expected_notices:
            self.entity_notices.set()
        return len(self.sent)

    async def edit(self, address, message_id, text, buttons=None):
        if address.endswith(GROUP):
            await self.release.wait()
        self.edits.append((address, message_id))

    async def copy(self, address, from_chat_id, message_id, *, reply_to=None):
        return True


async def test_entity_notices_do_not_wait_behind_group_card_edits(any_runtime) -> None:
    rt = any_runtime
    settings = replace(rt.settings, handoff=replace(rt.settings.handoff, facilitator_chat_id=GROUP),
                       delivery=replace(rt.settings.delivery, poll_interval_seconds=0.05))
    entities = [f"tg:{880 + i}" for i in range(8)]
    for i, sender_id in enumerate(entities):
        await ask_for_a_facilitator(rt, sender_id, f"Entitat {i}")
    transport = PacedGroup()
    notifier = Notifier(settings=settings, domain=rt.domain, sessionmaker=rt.sessionmaker, sender=transport)
    while await notifier.run_once():  # the eight cards reach the group
        pass
    assert [a for a, _ in transport.sent] == [f"telegram:{GROUP}"] * 8
    async with rt.sessionmaker() as s, s.begin():
        laia = await store.add_facilitator(session=s, telegram_user_id=9101, name="Laia")
    lead_ids = []
    for sender_id in entities:  # eight claims, as the card's button writes them: the notice, then the edit
        async with rt.sessionmaker() as s, s.begin():
            lead = await store.open_lead_for_sender(session=s, sender_id=sender_id)
            result = await store.claim_lead(session=s, lead_id=lead.id, facilitator=laia,
                                            notice={"text": f"Laia has taken case {lead.id}"})
            assert result.ok
            await outbox.add_outbox(session=s, payload=outbox.LeadRefresh(lead_id=lead.id))
            lead_ids.append(lead.id)
    transport.sent.clear()
    transport.expected_notices = len(entities)
    notifier.start()
    try:
        # Every entity hears while the group's edits are still waiting their turn.
        await asyncio.wait_for(transport.entity_notices.wait(), 10)
        assert transport.edits == []
        assert sorted(a for a, _ in transport.sent) == sorted(entities)
        transport.release.set()
        for _ in range(200):  # then the edits go, every card once
            if len(transport.edits) == len(lead_ids):
                break
            await asyncio.sleep(0.05)
    finally:
        await notifier.stop()
    assert sorted(m for _a, m in transport.edits) == list(range(1, 9))
    async with rt.sessionmaker() as s:
        statuses = {(r.kind, r.status) for r in await s.scalars(select(Outbox))}
    assert statuses == {("lead_card", "sent"), ("entity_message", "sent"), ("lead_refresh", "sent")}


class Holding:
    """A transport whose sends to one address wait until `release` is set."""

    def __init__(self, held: str) -> None:
        self.held = held
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.sent: list[tuple[str, str]] = []

    async def send(self, address, text, buttons=None):
        if address == self.held:
            self.started.set()
            await self.release.wait()
        self.sent.append((address, text))
        return len(self.sent)

    async def edit(self, address, message_id, text, buttons=None):
        return None

    async def copy(self, address, from_chat_id, message_id, *, reply_to=None):
        return True


async def test_two_deliverers_never_send_one_persons_messages_side_by_side(any_runtime) -> None:
    """Two workers' deliverers: while the first of an entity's relays is out with one of them, the other
    leaves the entity's next one alone (it would overtake it), and takes other people's."""
    rt = any_runtime
    async with rt.sessionmaker() as s, s.begin():
        for to, text in (("tg:501", "first"), ("tg:501", "second"), ("tg:502", "other")):
            await outbox.add_outbox(session=s, payload=outbox.Relay(to=to, text=text))
    slow = Holding("tg:501")
    a = Notifier(settings=rt.settings, domain=rt.domain, sessionmaker=rt.sessionmaker, sender=slow)
    fast = Holding("nobody")
    b = Notifier(settings=rt.settings, domain=rt.domain, sessionmaker=rt.sessionmaker, sender=fast)
    first = asyncio.create_task(a.run_once(limit=1))  # worker A takes the first relay and is held sending it
    await asyncio.wait_for(slow.started.wait(), 10)
    assert await b.run_once() == 1  # worker B: the other person's message only
    assert fast.sent == [("tg:502", "other")]
    slow.release.set()
    await first
    assert await b.run_once() == 1  # now the second one goes, after the first
    assert slow.sent == [("tg:501", "first")] and fast.sent[-1] == ("tg:501", "second")
