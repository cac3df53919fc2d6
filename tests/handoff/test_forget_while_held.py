"""/forget while a facilitator holds the lead, and whose messages it erases (issue 27, items 5, 6 and 12).

Before: a typed "yes" to /forget's question was relayed to the facilitator and nothing was erased; /forget
deleted other people's undelivered messages that contained the person's name as a substring ("Ana" in
"Joana", in "setmana"); the group's card kept the entity's name after the erasure.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from bot.notifier import Notifier
from bot.store import leads as store
from bot.store import outbox
from bot.store.models import Entity, Outbox
from bot.store.privacy import forget_sender
from tests.auxil.runtime import ask_for_a_facilitator


class RecordingSender:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.edits: list[tuple[str, int, str]] = []

    async def send(self, address, text, buttons=None):
        self.sent.append((address, text))
        return len(self.sent)

    async def edit(self, address, message_id, text, buttons=None):
        self.edits.append((address, message_id, text))

    async def copy(self, address, from_chat_id, message_id, *, reply_to=None):
        return True


async def _held(runtime, sender_id: str, name: str):
    chat = await ask_for_a_facilitator(runtime, sender_id, name)
    async with runtime.sessionmaker() as s, s.begin():
        laia = await store.add_facilitator(session=s, telegram_user_id=7201, name="Laia")
        lead = await store.open_lead_for_sender(session=s, sender_id=sender_id)
        await store.mark_notified(session=s, lead_id=lead.id, chat_id=-100900, message_id=41)
        assert (await store.claim_lead(session=s, lead_id=lead.id, facilitator=laia)).ok
    return chat, lead.id


async def test_a_typed_yes_to_forget_erases_while_a_facilitator_holds_the_lead(runtime) -> None:
    chat, _ = await _held(runtime, "tg:5101", "Coop Oblidada")
    async with runtime.sessionmaker() as s:
        relays_before = await s.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "relay"))
    replies = await chat.send("/forget")
    assert replies[0].response == "utter_confirm_forget"
    replies = await chat.send("sí")
    assert [r.response for r in replies] == ["utter_forgotten"]
    async with runtime.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Entity)) == 0
        relays = await s.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "relay"))
    assert relays == relays_before  # the "sí" was not passed to the facilitator


async def test_forget_erases_the_persons_rows_and_no_one_elses(any_runtime) -> None:
    rt = any_runtime
    await ask_for_a_facilitator(rt, "tg:5201", "Coop Ana")
    async with rt.sessionmaker() as s, s.begin():
        entity = await store.entity_for_sender(session=s, sender_id="tg:5201")
        entity.contact_name = "Ana"
        lead = await store.open_lead_for_sender(session=s, sender_id="tg:5201")
        mine = [
            await outbox.add_outbox(session=s, payload=outbox.EntityMessage(to="tg:5201", text="Hola Ana")),
            await outbox.add_outbox(session=s, payload=outbox.Relay(
                to="telegram:7201", lead_id=lead.id, response="utter_relay_from_entity",
                values={"text": "El nostre telèfon és el 600 111 222"})),
            await outbox.add_outbox(session=s, payload=outbox.Reply(chat_id=5201, messages=[{"text": "Ana"}])),
        ]
        others = [
            await outbox.add_outbox(session=s, payload=outbox.EntityMessage(
                to="tg:5202", text="Hola Joana, ens veiem la setmana vinent")),
            await outbox.add_outbox(session=s, payload=outbox.Reply(
                chat_id=5203, messages=[{"text": "Parla amb l'Ana Pujol, de Coop Ana"}])),
            await outbox.add_outbox(session=s, payload=outbox.Relay(to="telegram:7201", lead_id=lead.id + 1000,
                                                                    text="Ana")),
        ]
        mine_ids, others_ids = [r.id for r in mine], [r.id for r in others]
    async with rt.sessionmaker() as s, s.begin():
        await forget_sender(session=s, sender_id="tg:5201")
    async with rt.sessionmaker() as s:
        left = set(await s.scalars(select(Outbox.id)))
    assert not left & set(mine_ids), "the person's own messages are still queued"
    assert set(others_ids) <= left, "other people's messages were erased"


async def test_the_card_loses_the_name_after_erasure(runtime) -> None:
    await _held(runtime, "tg:5301", "Associació Esborrada del Clot")
    async with runtime.sessionmaker() as s, s.begin():
        await s.execute(Outbox.__table__.update().values(status="sent"))  # what was queued before went
        await forget_sender(session=s, sender_id="tg:5301")
    settings = replace(runtime.settings, handoff=replace(runtime.settings.handoff, facilitator_chat_id="-100900"))
    sender = RecordingSender()
    notifier = Notifier(settings=settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker, sender=sender)
    async with runtime.sessionmaker() as s, s.begin():  # the card went to the group as message 41
        card = await s.scalar(select(Outbox).where(Outbox.kind == "lead_card"))
        card.payload = {"lead_id": card.payload["lead_id"], "delivered": [{"to": "telegram:-100900", "message_id": 41}]}
    for _ in range(5):
        await notifier.run_once()
    assert sender.edits, "the card was not edited after the erasure"
    assert all("Esborrada" not in text for _, _, text in sender.edits)
