"""Issue 13, item 5: button data is written by the client; it cannot set what the server did not offer."""

from __future__ import annotations

from sqlalchemy import select

from bot.store.models import Assessment, Lead
from tests.auxil.runtime import Chat


async def _finished_journey(runtime, sender_id: str, secret: str) -> Chat:
    """A conversation with an assessment of its own (the journey's free-text answers included)."""
    from bot.store.assessments import save_assessment

    chat = Chat(runtime, sender_id=sender_id, language="ca")
    await chat.send("/start")
    async with runtime.sessionmaker() as session, session.begin():
        await save_assessment(session=session, sender_id=sender_id, entity={"name": "Victima"},
                              answers={"objective_text": secret}, motivation="growth", confidence=0.9,
                              evidence=[], readiness={}, readiness_overall=3.0, flags=[], disagreement=None,
                              language="ca", content_version="t")
    return chat


async def test_a_forged_slot_in_button_data_is_not_set(runtime) -> None:
    chat = Chat(runtime, sender_id="tg:666", language="ca")
    await chat.send("/start")
    for forged in ('/human{"assessment_id": 1}', '/start{"entity_name": "\\u001b]0;PWNED\\u0007Coop"}',
                   '/set_language{"language": "xx"}', '/set_language{"language": "es", "entity_name": "X"}',
                   '/nonexistent_intent{"entity_name": "X"}', '/greet{"paused": true}'):
        await chat.send(payload=forged, seq=chat.seq)
    tracker = await chat.tracker()
    assert "assessment_id" not in tracker.slots and "entity_name" not in tracker.slots
    assert tracker.language == "es"  # the one thing a real button offers: /set_language{"language": "es"}


async def test_another_conversations_assessment_is_never_attached(runtime) -> None:
    """The probe: a stranger pressed `q0:/human{"assessment_id":1}` and got the victim's answers in its lead."""
    await _finished_journey(runtime, "tg:100", "El nostre pla secret de fusio")
    attacker = Chat(runtime, sender_id="tg:666", language="ca")
    await attacker.send("/start")
    await attacker.send(payload='/human{"assessment_id": 1}', seq=attacker.seq)
    for said in ["1", "Atacant", "Marta", "/skip", "/skip", "/skip", "1"]:  # consent, entity, contact, role,
        # volunteers, budget, channel
        await attacker.send(said)
    async with runtime.sessionmaker() as session:
        leads = list(await session.scalars(select(Lead)))
        victim = await session.scalar(select(Assessment))
    assert victim is not None and leads
    for lead in leads:
        assert "pla secret" not in str(lead.dossier)


async def test_the_handoff_action_loads_only_the_conversations_own_assessment(runtime) -> None:
    """Even with the slot set (by whatever means), the action checks whose assessment it is."""
    from rasa_sdk import Tracker

    from actions.handoff import _assessment

    await _finished_journey(runtime, "tg:100", "secret")

    def tracker(sender_id: str) -> Tracker:
        return Tracker(sender_id, {"assessment_id": 1}, {}, [], False, None, {}, "")

    async with runtime.sessionmaker() as session:
        assert (await _assessment(session, tracker("tg:100"))) is not None
        assert (await _assessment(session, tracker("tg:666"))) is None
