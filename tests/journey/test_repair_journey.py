"""Repair over a whole journey (issue 23). A correction after the summary: the question is asked again with
its real place in its form ("(2/5)", not "(1/1)"), and what was answered after it is not asked again (the offer to look at the kind of
partner, declined once, is not offered again); the summary is redone with the new answer."""

from __future__ import annotations

from tests.auxil.runtime import Chat

ANSWERS = {
    "entity_name": "Casal Sant Roc", "field": "lleure amb joves", "territory": "girona", "size_staff": "4",
    "collaboration_today": "compartim informacio", "why_partner": "volem obrir un casal nou al barri del costat",
    "financial_situation": "be", "services_threatened": "no", "need_voice": "una mica", "new_idea": "si",
    "replicate_expand": "no", "objective": "innovacio", "partner_in_mind": "potser", "motivation_feedback": "si",
    "factor_clear_objective": "3", "factor_trust": "2", "factor_commitment": "3", "factor_investment": "3",
    "factor_sharing": "4", "relationship_check": "no",
}


async def named(runtime, sender: str, language: str, name: str) -> Chat:
    """A conversation in `language` with the interview started and the organisation's name given."""
    chat = Chat(runtime, sender_id=sender, language=language)
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send(name)
    return chat


async def finished_journey(runtime, sender: str) -> Chat:
    chat = Chat(runtime, sender_id=sender, language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    for _ in range(40):
        tracker = await chat.tracker()
        if not tracker.active_form:
            break
        await chat.send(ANSWERS[tracker.requested_slot])
    tracker = await chat.tracker()
    assert tracker.slots.get("assessment_id") is not None and tracker.slots.get("relationship_check") == "no"
    return chat


async def test_a_factor_corrected_after_the_summary(runtime) -> None:
    chat = await finished_journey(runtime, "test:repair:factor")
    replies = await chat.send("canvia la confiança")
    asked = replies[-1]
    assert asked.slot == "factor_trust" and asked.text.startswith("(2/5)"), asked.text
    replies = await chat.send("4")
    names = [r.response for r in replies]
    assert "utter_ask_relationship_check" not in names, names
    assert "utter_summary" in names, names
    tracker = await chat.tracker()
    assert tracker.slots["factor_trust"] == 4 and tracker.slots["relationship_check"] == "no"


def test_the_staff_said_in_the_opening_fall_in_the_questions_bands() -> None:
    """knowledge/journey.yml `prefill.staff.bands` repeats the bands of size_staff (actions cannot read
    dialogues/): they must stay equal."""
    from actions.base import knowledge
    from bot.content.domain import load_domain
    from bot.engine.answers import find_slot
    from tests.auxil.paths import ROOT

    slot, _question = find_slot(load_domain(ROOT / "dialogues", ROOT / "knowledge"), "size_staff")
    assert knowledge("journey")["prefill"]["staff"]["bands"] == slot.bands


async def test_what_did_i_answer_in_the_middle_of_a_form_lists_the_answers(runtime) -> None:
    chat = await named(runtime, "test:repair:answers", "es", "Asociacion La Flor")
    replies = await chat.send("que te he contestado?")
    assert replies[0].response == "utter_repair_answers" and "Asociacion La Flor" in replies[0].text, replies[0].text
    assert replies[-1].slot == "field"


async def test_what_to_put_at_a_description_is_told_not_passed_to_a_facilitator(runtime) -> None:
    chat = await named(runtime, "test:repair:how", "es", "Asociacion La Flor")
    replies = await chat.send("perdona, q es lo q tengo q poner aqui?")
    assert [r.response for r in replies] == ["utter_repair_how_to_answer", "utter_ask_field"]


async def test_a_correction_typed_after_the_summary_reopens_that_answer(runtime) -> None:
    chat = await finished_journey(runtime, "test:repair:after")
    replies = await chat.send("oye, cambia lo de la confianza")
    assert replies[-1].slot == "factor_trust", [r.response for r in replies]


async def test_a_correction_that_says_the_new_score_keeps_it_and_redoes_the_summary(runtime) -> None:
    chat = await finished_journey(runtime, "test:repair:after:score")
    replies = await chat.send("oye, lo de la confianza era un 3 no un 2")
    names = [r.response for r in replies]
    assert names[0] == "utter_repair_corrected_to" and "utter_summary" in names, names
    tracker = await chat.tracker()
    assert tracker.slots["factor_trust"] == 3 and tracker.slots["readiness"]["trust"] == 3


async def test_a_question_about_two_options_explains_both(runtime) -> None:
    chat = await named(runtime, "test:repair:two", "ca", "Casal Sant Roc")
    for _ in range(20):
        if (await chat.tracker()).requested_slot == "objective":
            break
        await chat.send("/skip")
    replies = await chat.send("quina diferencia hi ha entre eficiencia i estalviar?")
    assert [r.response for r in replies] == ["utter_repair_meaning", "utter_repair_meaning", "utter_ask_objective"]
    assert "Eficiència" in replies[0].text and "Estalvi" in replies[1].text, [r.text for r in replies]
    assert (await chat.tracker()).slots.get("objective") is None


async def test_the_answers_listed_after_the_summary_each_have_a_button_to_change_it(runtime) -> None:
    chat = await finished_journey(runtime, "test:repair:edit")
    replies = await chat.send("que he respost?")
    assert [r.response for r in replies] == ["utter_repair_answers_edit"]
    pressed = dict((payload, title) for title, payload in replies[0].buttons)
    assert '/edit{"target":"factor_trust"}' in pressed and '/edit{"target":"entity_name"}' in pressed
    assert '/edit{"target":"rel_conflicts_history"}' not in pressed  # never answered: nothing to change
    replies = await chat.send(payload='/edit{"target":"factor_trust"}')
    assert replies[-1].slot == "factor_trust" and replies[-1].text.startswith("(2/5)"), replies[-1].text
    replies = await chat.send("1")
    assert "utter_summary" in [r.response for r in replies]
    tracker = await chat.tracker()
    assert tracker.slots["factor_trust"] == 1 and tracker.slots["readiness"]["trust"] == 1
    assert tracker.slots["entity_name"] == "Casal Sant Roc"


async def test_a_correction_after_the_summary_redoes_the_open_leads_dossier(runtime) -> None:
    from sqlalchemy import select

    from bot.store.models import Lead

    chat = await finished_journey(runtime, "test:repair:lead")
    for said in ["/facilitator", "si", "Marta", "/skip", "/skip", "/skip", "1"]:
        replies = await chat.send(said)
    assert replies[0].response == "utter_handoff_done", [r.response for r in replies]
    async with runtime.sessionmaker() as s:
        lead = await s.scalar(select(Lead))
        assert lead.dossier["readiness"]["trust"] == 2
        first_assessment = lead.assessment_id
    await chat.send("canvia la confiança")
    await chat.send("4")
    async with runtime.sessionmaker() as s:
        lead = await s.scalar(select(Lead))
        assert lead.dossier["readiness"]["trust"] == 4 and lead.assessment_id != first_assessment
        assert lead.dossier["sender_id"] == "test:repair:lead" and lead.dossier["answers"]["factor_trust"] == 4


async def test_another_language_asked_for_after_an_opening_word_switches_once_and_asks_again(runtime) -> None:
    """"perdona, podem seguir en català?" typed in English at a question: the language wish after "perdona"
    was read again from the whole message each time, without end (RecursionError, the turn lost)."""
    chat = await named(runtime, "test:repair:language-lead", "en", "Food Bank Salt")
    await chat.send("we give out food to about 200 families")
    tracker = await chat.tracker()
    asked = tracker.requested_slot
    replies = await chat.send("perdona, podem seguir en catala?")
    tracker = await chat.tracker()
    assert tracker.language == "ca"
    assert tracker.requested_slot == asked and tracker.slots.get(asked) is None
    names = [r.response for r in replies]
    assert names.count("utter_language_changed") == 1, names
    assert replies[-1].slot == asked and "?" in replies[-1].text, replies[-1].text


async def test_a_phone_typed_at_the_role_question_is_not_kept_as_the_role(runtime) -> None:
    """Played in Catalan: "per telèfon, el 612 345 678" typed at "what is your role?" was kept as the role
    and shown to the facilitator as "Contacte: Laia (per telefon, el 612 345 678)"."""
    chat = Chat(runtime, sender_id="test:repair:role-phone", language="ca")
    await chat.send("/start")
    await chat.send("vull parlar amb algu")
    said = {"handoff_consent": "si", "entity_name": "Casal Sant Roc", "contact_name": "Laia"}
    for _ in range(6):
        tracker = await chat.tracker()
        if tracker.requested_slot == "contact_role":
            break
        await chat.send(said[tracker.requested_slot])
    assert (await chat.tracker()).requested_slot == "contact_role"
    await chat.send("per telefon, el 612 345 678")
    tracker = await chat.tracker()
    assert tracker.slots.get("contact_role") is None and tracker.requested_slot == "contact_role"
    await chat.send("coordinadora")
    assert (await chat.tracker()).slots.get("contact_role") == "coordinadora"
