"""The handoff through the engine: consent first, contact validated, one lead per entity, relay while paused."""

from __future__ import annotations

import io
from dataclasses import replace

from sqlalchemy import func, select

from actions.qualify import qualify
from bot.config import HandoffSettings
from bot.notifier import ConsoleSender, Notifier
from bot.store import leads as store
from bot.store.models import Entity, Lead, Outbox
from tests.auxil.runtime import Chat


async def _handoff(chat: Chat, channel_choice: str = "2", contact: str = "marta@coop.cat") -> None:
    await chat.send("/start")
    await chat.send("/facilitator")
    assert chat.last[-1].response == "utter_ask_handoff_consent"
    await chat.send("1")  # yes
    await chat.send("Coop Sud")
    await chat.send("Marta")
    await chat.send("coordinadora")
    await chat.send("uns 12")  # volunteers (a typed count: 6-20)
    await chat.send("/skip")  # budget
    await chat.send(channel_choice)
    if contact:
        await chat.send(contact)


async def test_no_consent_keeps_nothing(runtime) -> None:
    chat = Chat(runtime, "tg:601")
    await chat.send("/start")
    await chat.send("/facilitator")
    replies = await chat.send("2")  # no
    assert [r.response for r in replies] == ["utter_handoff_no_consent"]
    async with runtime.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Entity)) == 0
        assert await s.scalar(select(func.count()).select_from(Lead)) == 0
    tracker = await chat.tracker()
    assert tracker.slots.get("contact_name") is None and tracker.active_form is None


async def test_consent_contact_lead_and_second_request(runtime) -> None:
    chat = Chat(runtime, "tg:602")
    await chat.send("/start")
    await chat.send("/facilitator")
    await chat.send("1")
    await chat.send("Coop Sud")
    await chat.send("Marta")
    await chat.send("/skip")
    await chat.send("uns 30")  # volunteers: a typed count picks its band
    await chat.send("/skip")
    await chat.send("4")  # email and phone
    replies = await chat.send("not an email")
    assert replies[0].response == "utter_wrong_email"
    await chat.send("marta@coop.cat")
    replies = await chat.send("12")
    assert replies[0].response == "utter_wrong_phone"
    replies = await chat.send("+34 600 11 22 33")
    assert replies[0].response == "utter_handoff_done"
    async with runtime.sessionmaker() as s:
        entity = await s.scalar(select(Entity))
        assert entity.contact_email == "marta@coop.cat" and entity.contact_phone == "+34600112233"
        assert entity.contact_role is None and entity.consent_at is not None
        assert (entity.size_volunteers, entity.budget_band) == ("21_50", None)  # asked in the handoff only
        assert entity.consent_version == runtime.settings.handoff.consent_version
        lead = await s.scalar(select(Lead))
        # asking for a person is no reason to jump the queue (issue 24): no time pressure said, a normal lead
        assert lead.dossier["sender_id"] == "tg:602" and lead.priority == "normal" and lead.priority_reasons == []
        assert lead.dossier["urgency"] == {"level": "normal", "quote": ""}
        assert await s.scalar(select(Outbox.kind)) == "lead_card"
    # Asking again: consent and contact are known, the open lead is updated, not duplicated.
    replies = await chat.send("/facilitator")
    assert [r.response for r in replies][0] == "utter_handoff_updated"
    async with runtime.sessionmaker() as s:
        assert await s.scalar(select(func.count()).select_from(Lead)) == 1


async def test_console_shows_card_and_keeps_outbox(runtime) -> None:
    chat = Chat(runtime, "console:tester")
    chat_channel = "console"
    # The console channel marks its messages "console"; the preview is rendered for it.
    from bot.engine import UserMessage

    async def send(text):
        return await runtime.engine.handle(UserMessage(sender_id="console:tester", text=text, channel=chat_channel))

    for text in ["/start", "/facilitator", "1", "Coop Sud", "Marta", "/skip", "/skip", "/skip", "1"]:
        replies = await send(text)
    assert replies[0].response == "utter_handoff_done"
    assert any(r.custom and "Lead #1" in r.custom.get("console", "") for r in replies)
    async with runtime.sessionmaker() as s:
        row = await s.scalar(select(Outbox))
        assert row.status == "pending" and row.kind == "lead_card"
    assert chat.sender_id == "console:tester"


async def test_paused_messages_are_relayed_and_bot_hands_back(runtime) -> None:
    chat = Chat(runtime, "tg:603")
    await _handoff(chat, channel_choice="1", contact="")
    async with runtime.sessionmaker() as s, s.begin():
        fac = await store.add_facilitator(session=s, telegram_user_id=7100, name="Laia")
        lead = await s.scalar(select(Lead))
        assert (await store.claim_lead(session=s, lead_id=lead.id, facilitator=fac)).ok
    replies = await chat.send("Hola Laia, quan podem parlar?")
    assert replies == []  # the assistant stays quiet
    replies = await chat.send("/help")
    assert replies == []
    async with runtime.sessionmaker() as s:
        relays = list(await s.scalars(select(Outbox).where(Outbox.kind == "relay").order_by(Outbox.id)))
    assert [r.payload["to"] for r in relays] == ["telegram:7100", "telegram:7100"]
    # The action names the response; the notifier renders it in the facilitator's language when it delivers.
    out = io.StringIO()
    while await Notifier.from_runtime(runtime, ConsoleSender(out)).run_once():
        pass
    relayed = [m for m in out.getvalue().split("→ telegram:7100")[1:] if "quan podem parlar" in m]
    assert len(relayed) == 1 and f"#{lead.id}" in relayed[0]
    replies = await chat.send("/bot")
    assert replies[0].response == "utter_back_to_bot"
    assert (await chat.tracker()).paused is False
    replies = await chat.send("/help")
    assert replies[0].response == "utter_help"


def test_qualification_rules() -> None:
    rules = HandoffSettings(min_readiness=2.5, require_objective=True, require_partner_in_mind=False)
    good = qualify({"objective": "impact", "readiness_overall": 3.1, "partner_in_mind": "yes"}, rules)
    assert good.passes and good.priority == "normal" and good.reasons == []
    low = qualify({"objective": "impact", "readiness_overall": 1.8}, rules)
    assert not low.passes and low.priority == "normal"
    no_objective = qualify({"objective": "skipped", "readiness_overall": 3.5}, rules)
    assert not no_objective.passes
    strict = replace(rules, require_partner_in_mind=True)
    assert not qualify({"objective": "impact", "readiness_overall": 3.0, "partner_in_mind": "no"}, strict).passes
    human = qualify({}, rules, asked_for_human=True)
    assert not human.passes and human.priority == "normal"
    reactive = qualify({"objective": "impact", "readiness_overall": 3.0, "motivation": "reactive"}, rules)
    assert reactive.priority == "normal"
    deadline = qualify({"why_partner": "the tender deadline is next Friday", "readiness_overall": 3.0}, rules)
    assert deadline.priority == "high" and deadline.reasons == ["urgent"]
