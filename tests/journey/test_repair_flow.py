"""The flow of conversation repair (issue 23), found playing the bot as coordinators do: the partner's name is
corrected like any answer, before and after the summary (and the open lead's dossier follows); the question
counter stays what it was when the interview is resumed after a person was asked for; an answer to a question
still to come typed at another one is kept for it and said back, never answered with an unrelated explanation."""

from __future__ import annotations

import re

import pytest

from tests.auxil.runtime import Chat

# the interview up to "do you have a partner in mind?", typed
INTERVIEW = {
    "ca": ["Casal de Joves La Guspira", "lleure educatiu amb adolescents", "girona", "4", "compartim informacio",
           "volem obrir un espai jove i sols no podem", "anem justets", "no", "una mica", "si", "no",
           "arribar a mes gent"],
    "es": ["Asociacion Vecinal La Flor", "comedor social", "tarragona", "3", "compartimos informacion",
           "queremos abrir otro comedor y solos no podemos", "justos", "no", "un poco", "si", "no",
           "llegar a mas gente"],
    "en": ["Riverside Kitchen", "hot meals for families", "barcelona", "2", "we share information",
           "we want to open a second kitchen and can't do it alone", "tight", "no", "a bit", "yes", "no",
           "more impact"],
}
PARTNER = {"ca": ("si, amb l'Associacio de Veins del Clot", "Associacio de Veins del Clot"),
           "es": ("si, con la Fundacion Esperanza", "Fundacion Esperanza"),
           "en": ("yes, with the Hope Foundation", "Hope Foundation")}
# corrections of the partner's name, with the new one said
CORRECTED = {
    "ca": [("l entitat no es aquesta, es l'Esplai Sant Jordi", "Esplai Sant Jordi"),
           ("m'he equivocat de soci, es la Fundacio Pere Tarres", "Fundacio Pere Tarres")],
    "es": [("me equivoqué de entidad, es la Fundación Mar", "Fundación Mar"),
           ("la entidad no es esa, se llama Asociacion Raices", "Asociacion Raices")],
    "en": [("the partner is wrong, it's Northside Youth Club", "Northside Youth Club"),
           ("sorry, wrong organisation, it's the Green Fields Co-op", "Green Fields Co-op")],
}


async def at_partner(runtime, sender: str, lang: str) -> Chat:
    chat = Chat(runtime, sender_id=sender, language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    for said in INTERVIEW[lang]:
        await chat.send(said)
    tracker = await chat.tracker()
    assert tracker.requested_slot == "partner_in_mind", tracker.requested_slot
    said, name = PARTNER[lang]
    await chat.send(said)
    assert (await chat.tracker()).slots.get("partner_name") == name
    return chat


@pytest.mark.parametrize(("lang", "number"), [(lang, n) for lang in CORRECTED for n in range(2)])
async def test_the_partners_name_is_corrected_before_the_summary(runtime, lang: str, number: int) -> None:
    chat = await at_partner(runtime, f"test:flow:partner:{lang}{number}", lang)
    said, name = CORRECTED[lang][number]
    replies = await chat.send(said)
    tracker = await chat.tracker()
    assert tracker.slots.get("partner_name") == name, (said, tracker.slots.get("partner_name"))
    assert tracker.slots.get("partner_in_mind") == "yes"
    assert tracker.slots.get("motivation_feedback") is None  # nothing stored for the question it was typed at
    assert [r.response for r in replies] == ["utter_repair_kept_partner_name", "utter_ask_motivation_feedback"]
    assert name in replies[0].text


async def test_a_partner_corrected_with_no_name_asks_for_it_again(runtime) -> None:
    chat = await at_partner(runtime, "test:flow:partner:noname", "ca")
    replies = await chat.send("espera, l'entitat no es aquesta")
    tracker = await chat.tracker()
    assert tracker.slots.get("partner_name") is None and tracker.slots.get("partner_in_mind") is None
    assert replies[-1].slot == "partner_in_mind"
    await chat.send("si, amb el Casal d'Avis de Sants")
    assert (await chat.tracker()).slots.get("partner_name") == "Casal d'Avis de Sants"


async def test_the_partners_name_corrected_after_the_summary_redoes_the_leads_dossier(runtime) -> None:
    from sqlalchemy import select

    from bot.store.models import Lead

    chat = await at_partner(runtime, "test:flow:partner:lead", "es")
    for _ in range(30):
        tracker = await chat.tracker()
        if not tracker.active_form:
            break
        await chat.send({"motivation_feedback": "si", "relationship_check": "no"}.get(tracker.requested_slot, "3"))
    assert (await chat.tracker()).slots.get("assessment_id") is not None
    for said in ["/facilitator", "si", "Marta", "/skip", "/skip", "/skip", "1"]:
        replies = await chat.send(said)
    assert replies[0].response == "utter_handoff_done", [r.response for r in replies]
    async with runtime.sessionmaker() as s:
        assert (await s.scalar(select(Lead))).dossier["partner_name"] == "Fundacion Esperanza"
    replies = await chat.send("me equivoqué de entidad, es la Fundación Mar")
    names = [r.response for r in replies]
    assert names[0] == "utter_repair_kept_partner_name" and "utter_summary" in names, names
    assert (await chat.tracker()).slots["partner_name"] == "Fundación Mar"
    async with runtime.sessionmaker() as s:
        assert (await s.scalar(select(Lead))).dossier["partner_name"] == "Fundación Mar"


def _progress(text: str) -> tuple[int, int]:
    found = re.match(r"\((\d+)/(\d+)\)", text)
    assert found, text
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize(("lang", "opening", "asked_for", "declined"), [
    # why a partnership said in the opening (not asked), a person asked for, declined: the interview resumed
    ("ca", "bon dia, tenim un menjador social a reus i volem obrir-ne un altre a cambrils pero sols no arribem",
     "puc parlar amb algu del programa?", "no, millor continuem"),
    # and the paid staff said in it too (its question is still to come when the person is asked for)
    ("es", "somos 6 trabajadoras en un comedor social y queremos abrir otro en cambrils pero solas no llegamos",
     "oye puedo hablar con alguien?", "no, mejor seguimos"),
    ("en", "we're a community kitchen with 4 paid staff and want to open a second one but can't do it alone",
     "can I talk to someone?", "no, let's carry on"),
])
async def test_the_counter_is_the_same_when_the_interview_is_resumed(runtime, lang, opening, asked_for,
                                                                     declined) -> None:
    chat = Chat(runtime, sender_id=f"test:flow:counter:{lang}", language=lang)
    await chat.send("/start")
    replies = await chat.send(opening)
    first = _progress(replies[-1].text)
    await chat.send(INTERVIEW[lang][0])  # the name
    replies = await chat.send(INTERVIEW[lang][1])  # what they do
    before = _progress(replies[-1].text)
    assert before == (first[0] + 2, first[1]), (first, before)
    slot = replies[-1].slot
    await chat.send(asked_for)
    await chat.send(declined)
    replies = await chat.send("si")
    assert replies[-1].slot == slot and _progress(replies[-1].text) == before, (replies[-1].text, before)
    replies = await chat.send({"ca": "girona", "es": "tarragona", "en": "barcelona"}[lang])
    assert _progress(replies[-1].text) == (before[0] + 1, before[1]), (replies[-1].text, before)


@pytest.mark.parametrize(("lang", "said", "slot", "value"), [
    ("ca", "uns 30 voluntaris mes o menys", "size_volunteers", "21_50"),
    ("es", "unos 40 voluntarios mas o menos", "size_volunteers", "21_50"),
    ("en", "about 30 volunteers give or take", "size_volunteers", "21_50"),
    ("ca", "tenim uns 12 treballadors", "size_staff", "6_20"),
])
async def test_an_answer_to_a_question_still_to_come_is_kept_for_it(runtime, lang, said, slot, value) -> None:
    """Typed at "where do you work?": kept for its own question and said back, the question asked again; never
    the glossary's explanation of the word ("Voluntariat: les persones que col·laboren...")."""
    chat = Chat(runtime, sender_id=f"test:flow:elsewhere:{lang}:{slot}", language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send(INTERVIEW[lang][0])
    await chat.send(INTERVIEW[lang][1])
    assert (await chat.tracker()).requested_slot == "territory"
    replies = await chat.send(said)
    names = [r.response for r in replies]
    assert names == ["utter_repair_kept_elsewhere", "utter_ask_territory"], names
    tracker = await chat.tracker()
    assert tracker.slots.get(slot) == value and tracker.slots.get("territory") is None


async def test_a_count_typed_at_why_a_partnership_is_kept_for_its_question(runtime) -> None:
    chat = Chat(runtime, sender_id="test:flow:elsewhere:why", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    for said in INTERVIEW["ca"][:5]:
        await chat.send(said)
    assert (await chat.tracker()).requested_slot == "why_partner"
    replies = await chat.send("uns 30 voluntaris mes o menys")
    tracker = await chat.tracker()
    assert tracker.slots.get("why_partner") is None and tracker.slots.get("size_volunteers") == "21_50"
    assert replies[-1].slot == "why_partner"
    # a reason that names volunteers is the reason
    await chat.send("ens falten voluntaris i sols no arribem a tot")
    assert (await chat.tracker()).slots.get("why_partner") == "ens falten voluntaris i sols no arribem a tot"


@pytest.mark.parametrize(("lang", "said", "wanted"), [
    ("ca", "perdona que escrigui en castellano, es que me cuesta el catalan", "es"),
    ("ca", "no parlo be el catala, millor en castella", "es"),
    ("es", "podemos seguir en catalan en vez de castellano?", "ca"),
    ("en", "can we do this in spanish instead of english?", "es"),
])
async def test_a_wish_for_a_language_that_names_two_switches_to_the_one_not_spoken(runtime, lang, said,
                                                                                     wanted) -> None:
    chat = Chat(runtime, sender_id=f"test:flow:language:{lang}:{len(said)}", language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send(INTERVIEW[lang][0])
    replies = await chat.send(said)
    tracker = await chat.tracker()
    assert tracker.language == wanted, [r.text for r in replies]
    assert tracker.slots.get("field") is None and replies[-1].slot == "field"


@pytest.mark.parametrize(("lang", "said"), [
    ("ca", "en tarragona"), ("es", "en tarragona"), ("en", "in tarragona"), ("ca", "a reus")])
async def test_a_place_alone_typed_at_what_you_do_is_kept_for_where_you_work(runtime, lang, said) -> None:
    """"en tarragona" at "what do you do?" was stored as what they do (and the place kept besides)."""
    chat = Chat(runtime, sender_id=f"test:flow:place:{lang}:{said}", language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send(INTERVIEW[lang][0])
    replies = await chat.send(said)
    tracker = await chat.tracker()
    assert tracker.slots.get("field") is None and tracker.slots.get("territory") == "tarragona"
    assert [r.response for r in replies] == ["utter_repair_kept_elsewhere", "utter_ask_field"]
    await chat.send("lleure a tarragona amb joves")
    tracker = await chat.tracker()
    assert tracker.slots.get("field") == "lleure a tarragona amb joves" and tracker.requested_slot == "size_staff"


async def test_a_question_about_two_options_explains_them_not_the_cost(runtime) -> None:
    chat = Chat(runtime, sender_id="test:flow:options", language="en")
    await chat.send("/start")
    await chat.send(payload="/explore")
    for said in INTERVIEW["en"][:11]:
        await chat.send(said)
    assert (await chat.tracker()).requested_slot == "objective"
    replies = await chat.send("what's the difference between efficiency and saving money?")
    names = [r.response for r in replies]
    assert "utter_repair_cost" not in names and names.count("utter_repair_meaning") == 2, names


async def test_a_sentence_after_the_offer_of_a_person_is_no_yes_to_it(runtime) -> None:
    """After "would you like to talk to a person?" (two misunderstandings), "we do joint projects with the
    library" started the consent for a facilitator."""
    chat = Chat(runtime, sender_id="test:flow:offer", language="en")
    await chat.send("/start")
    for said in ["Northside Youth Club", "after school club for kids"]:
        replies = await chat.send(said)
    assert replies[-1].response == "utter_offer_human", [r.response for r in replies]
    replies = await chat.send("we do joint projects with the library")
    assert "utter_ask_handoff_consent" not in [r.response for r in replies]
    assert (await chat.tracker()).active_form != "handoff_form"


@pytest.mark.parametrize(("lang", "opening"), [
    ("ca", "vull mirar si ens conve una alianca"),
    ("es", "quiero ver si nos conviene una alianza"),
    ("en", "i want to see whether a partnership is worth it for us"),
])
async def test_an_opening_that_asks_whether_a_partnership_suits_them_gives_no_reason(runtime, lang, opening) -> None:
    chat = Chat(runtime, sender_id=f"test:flow:opening:{lang}", language=lang)
    await chat.send("/start")
    await chat.send(opening)
    tracker = await chat.tracker()
    assert tracker.active_form == "interview_form" and tracker.slots.get("why_partner") is None


@pytest.mark.parametrize(("lang", "said", "slot", "value"), [
    ("es", "atencion integral", "objective", "integral_attention"),
    ("ca", "estalviar diners", "objective", "saving_money"),
    ("en", "public contracts", "objective", "public_contracting"),
])
async def test_an_option_of_a_later_question_typed_as_the_reason_is_kept_for_it(runtime, lang, said, slot,
                                                                                   value) -> None:
    chat = Chat(runtime, sender_id=f"test:flow:later:{lang}", language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    for answer in INTERVIEW[lang][:5]:
        await chat.send(answer)
    assert (await chat.tracker()).requested_slot == "why_partner"
    replies = await chat.send(said)
    tracker = await chat.tracker()
    assert tracker.slots.get("why_partner") is None and tracker.slots.get(slot) == value
    assert [r.response for r in replies] == ["utter_repair_kept_elsewhere", "utter_ask_why_partner"]
    replies = await chat.send("no")  # a no is no option of a later question: asked how to answer
    assert (await chat.tracker()).slots.get("services_threatened") is None


@pytest.mark.parametrize(("lang", "said"), [
    ("en", "no one in mind yet"), ("ca", "cap en concret"), ("es", "ninguno de momento")])
async def test_a_negation_at_the_objective_is_not_another_objective(runtime, lang, said) -> None:
    chat = Chat(runtime, sender_id=f"test:flow:nothing:{lang}", language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    for answer in INTERVIEW[lang][:11]:
        await chat.send(answer)
    assert (await chat.tracker()).requested_slot == "objective"
    await chat.send(said)
    tracker = await chat.tracker()
    assert tracker.slots.get("objective") != "other" and tracker.slots.get("objective_other") is None


@pytest.mark.parametrize(("lang", "said", "term"), [
    ("es", "que significa complementariedad?", "complementariedad"),
    ("ca", "que vol dir complementarietat?", "complementarietat"),
])
async def test_a_term_asked_in_the_singular_is_explained(runtime, lang, said, term) -> None:
    chat = Chat(runtime, sender_id=f"test:flow:singular:{lang}", language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    for answer in INTERVIEW[lang][:11]:
        await chat.send(answer)
    replies = await chat.send(said)
    assert replies[0].response == "utter_repair_meaning" and term in replies[0].text.lower(), replies[0].text


async def test_a_name_typed_twice_brings_no_offer_of_another_language(runtime) -> None:
    """"Fundacio Pas a Pas" read as Spanish (0.62): typed at the name and again at what they do, Spanish was offered."""
    chat = Chat(runtime, sender_id="test:flow:name-language", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send("Fundacio Pas a Pas")
    replies = await chat.send("Fundacio Pas a Pas")
    assert "utter_repair_language_offer_es" not in [r.response for r in replies]


@pytest.mark.parametrize(("lang", "said"), [("es", "me puedes explicar que es esto?"),
                                            ("ca", "em pots explicar que es aixo?")])
async def test_what_is_this_outside_a_question_is_answered(runtime, lang, said) -> None:
    chat = Chat(runtime, sender_id=f"test:flow:what:{lang}", language=lang)
    await chat.send("/start")
    replies = await chat.send(said)
    assert [r.response for r in replies] == ["utter_repair_programme", "utter_main_menu"]


async def test_a_word_asked_about_after_the_summary_is_explained(runtime) -> None:
    """"¿qué significa complementariedad?" after the summary got the closing line."""
    from tests.journey.test_repair_journey import finished_journey

    chat = await finished_journey(runtime, "test:flow:word-after")
    replies = await chat.send("que vol dir complementarietat?")
    assert [r.response for r in replies] == ["utter_repair_meaning"], [r.response for r in replies]
    tracker = await chat.tracker()
    assert tracker.slots.get("assessment_id") is not None and tracker.active_form is None


@pytest.mark.parametrize(("lang", "asked_for", "declined", "answer", "value"), [
    ("ca", "puc parlar amb algu del programa?", "no", "girona", "girona"),
    ("es", "oye puedo hablar con alguien?", "no, gracias", "en tarragona", "tarragona"),
    ("en", "can I talk to someone?", "no, let's carry on", "barcelona", "barcelona"),
])
async def test_an_answer_typed_at_the_offer_to_resume_answers_the_question_left(runtime, lang, asked_for, declined,
                                                                               answer, value) -> None:
    """Played (ninth session): after the consent was refused, "3" typed at "shall we carry on where we left off?"
    got the menu, and every later answer "I don't know much about that". It carries on, and answers."""
    chat = Chat(runtime, sender_id=f"test:flow:resume-typed:{lang}", language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send(INTERVIEW[lang][0])
    await chat.send(INTERVIEW[lang][1])
    assert (await chat.tracker()).requested_slot == "territory"
    await chat.send(asked_for)
    replies = await chat.send(declined)
    assert replies[-1].response == "utter_handoff_no_consent_resume", [r.response for r in replies]
    replies = await chat.send(answer)
    tracker = await chat.tracker()
    assert tracker.slots.get("territory") == value and tracker.requested_slot == "size_staff", \
        [r.text for r in replies]
    assert [r.slot for r in replies] == ["size_staff"], [r.text for r in replies]  # the next question, once


async def test_a_partner_named_with_another_questions_word_is_corrected(runtime) -> None:
    """"the partner is wrong, it's Hope Trust" was taken for a correction of the trust answer ("Trust")."""
    chat = Chat(runtime, sender_id="test:flow:partner-trust", language="en")
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send(INTERVIEW["en"][0])
    await chat.send(INTERVIEW["en"][1])
    for _ in range(30):
        tracker = await chat.tracker()
        if tracker.requested_slot == "partner_in_mind":
            break
        await chat.send(payload="/skip")
    assert (await chat.tracker()).requested_slot == "partner_in_mind"
    await chat.send("yes, with Hope Foundation")
    assert (await chat.tracker()).slots.get("partner_name") == "Hope Foundation"
    asked = (await chat.tracker()).requested_slot
    await chat.send("the partner is wrong, its Hope Trust")
    tracker = await chat.tracker()
    assert tracker.slots.get("partner_name") == "Hope Trust" and tracker.slots.get("factor_trust") is None
    assert tracker.requested_slot == asked  # and the question it was typed at is asked again
