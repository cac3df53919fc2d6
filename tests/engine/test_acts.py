"""The act a text typed at a form question is (issue 23), and what the conversation does with it."""

from __future__ import annotations

import pytest

from bot.content.domain import load_domain
from bot.engine.acts import ActReader
from bot.engine.answers import AnswerReader, Refused, find_slot
from tests.auxil.paths import ROOT
from tests.auxil.runtime import Chat


@pytest.fixture(scope="module")
def acts() -> tuple:
    domain = load_domain(ROOT / "dialogues", ROOT / "knowledge")
    return domain, ActReader(domain, AnswerReader(domain))


def act_of(acts, slot_name: str, text: str):
    domain, reader = acts
    slot, question = find_slot(domain, slot_name)
    return reader.read(slot, question, text)


@pytest.mark.parametrize(("slot", "text"), [
    ("entity_name", "Salut Mental Catalunya"),      # a name is any words at all
    ("entity_name", "Entitat 3"),
    ("field", "acompanyem families en un moment dificil"),  # "un moment" inside a description
    ("field", "fem suport a persones que volen parlar amb algu"),
    ("why_partner", "queremos abrir un segundo comedor en otro pueblo pero solos no llegamos"),
    ("relationship_check", "no, al resum"),           # an answer that says where next
    ("financial_situation", "home, es greu"),
    ("factor_trust", "un 3, tot i que amb la presidenta costa"),
])
def test_answers_stay_answers(acts, slot, text) -> None:
    assert act_of(acts, slot, text).kind == "answer"


@pytest.mark.parametrize(("slot", "text", "kind", "topic"), [
    ("collaboration_today", "oye, esto cuesta dinero?", "question", "cost"),
    ("handoff_consent", "y eso quien lo ve?", "question", "privacy"),
    ("objective", "que es atencio integral?", "question", "meaning"),
    ("factor_clear_objective", "mira, prefereixo parlar amb algu del programa", "human", None),
    ("entity_name", "wait, we don't have a new idea", "correction", "new_idea"),
    ("factor_sharing", "change the trust answer", "correction", "factor_trust"),
    ("budget_band", "salta aquesta", "stop", "skip"),
    ("objective", "perdona que escriba en castellano", "language", "es"),
    ("entity_name", "perdona que escriba en castellano", "language", "es"),
    ("factor_trust", "you don't understand me", "abuse", None),
    ("objective", "ets un robot?", "smalltalk", "bot"),
])
def test_what_is_not_an_answer(acts, slot, text, kind, topic) -> None:
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic if topic is not None else None) == (kind, topic)


async def test_an_unsure_reading_is_confirmed_before_it_is_kept(runtime) -> None:
    chat = Chat(runtime, sender_id="test:confirm", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    for said in ("Casal del Barri", "lleure", "girona", "/skip"):
        await chat.send(said)
    assert (await chat.tracker()).requested_slot == "collaboration_today"
    replies = await chat.send("un parell d actes l any")  # a guess the classifier is unsure of
    assert [r.response for r in replies] == ["utter_repair_confirm"]
    assert "Activitats puntuals" in replies[0].text
    assert (await chat.tracker()).slots.get("collaboration_today") is None
    await chat.send("si")  # a typed yes presses ✅
    tracker = await chat.tracker()
    assert tracker.slots["collaboration_today"] == "activities" and tracker.requested_slot == "why_partner"


async def test_a_rejected_reading_asks_the_question_again(runtime) -> None:
    chat = Chat(runtime, sender_id="test:reject", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    for said in ("Casal del Barri", "lleure", "girona", "/skip"):
        await chat.send(said)
    await chat.send("un parell d actes l any")
    replies = await chat.send(payload="/resume_form")
    assert [r.response for r in replies][-1] == "utter_ask_collaboration_today"
    assert (await chat.tracker()).slots.get("collaboration_today") is None


@pytest.mark.parametrize(("field", "territory"), [
    ("fem lleure amb joves a Sabadell", "barcelona"),
    ("lleure amb joves, i no som de Girona", None),   # a place denied is not where they work
    ("lleure educatiu amb adolescents", None),
])
async def test_a_place_named_in_the_field_answer_is_kept_and_said_back(runtime, field, territory) -> None:
    chat = Chat(runtime, sender_id=f"test:ahead:{field}", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send("Casal del Barri")
    replies = await chat.send(field)
    tracker = await chat.tracker()
    assert tracker.slots.get("territory") == territory
    assert ("utter_repair_kept_territory" in [r.response for r in replies]) == (territory is not None)
    assert tracker.requested_slot == ("size_staff" if territory else "territory")


async def test_questions_back_in_another_language_bring_the_offer_of_it(runtime) -> None:
    """A coordinator who writes Spanish into a Catalan conversation mostly asks things back: those count
    towards the offer of Spanish as much as answers do (before, any non-answer started the count again)."""
    chat = Chat(runtime, sender_id="test:lang-questions", language="ca")
    await chat.send("/start")
    await chat.send(payload="/explore")
    for said in ("Casal del Barri", "lleure", "girona", "/skip"):
        await chat.send(said)
    first = await chat.send("oye, esto cuesta dinero?")
    assert "utter_repair_language_offer_es" not in [r.response for r in first]
    second = await chat.send("y quien ve lo que contesto?")
    names = [r.response for r in second]
    assert "utter_repair_language_offer_es" in names, names
    assert names.index("utter_repair_language_offer_es") == len(names) - 1  # after the answer and the question
    assert (await chat.tracker()).slots.get("collaboration_today") is None


# ---------------------------------------------------------------- the misses left by the first session
@pytest.mark.parametrize(("slot", "text", "kind", "topic"), [
    # a question naming two options is about them, not the first of them
    ("objective", "quina diferencia hi ha entre eficiencia i estalviar?", "question", "meaning"),
    ("objective", "innovacion o competitividad, cual nos conviene?", "question", "meaning"),
    # a thank-you whose comment happens to hold a scale word ("molt útil": "molt" is a 4)
    ("factor_trust", "moltes gràcies, molt útil", "smalltalk", None),
    # a correction of another answer, with what it was about
    ("rel_gains_partner", "no tenemos tensiones, te lo dije mal", "correction", "rel_conflicts_history"),
    ("field", "perdo, el nom correcte es Esplai Can Serra", "correction", "entity_name"),
    ("field", "sorry, our proper name is Southside Women's Network", "correction", "entity_name"),
])
def test_the_known_misses(acts, slot, text, kind, topic) -> None:
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic if topic is not None else None) == (kind, topic)


@pytest.mark.parametrize(("slot", "text", "value"), [
    ("objective", "innovacio", "innovation"),             # one option named, with or without a question mark
    ("objective", "innovacio?", "innovation"),
    ("factor_trust", "molt, la veritat", 4),
    ("factor_trust", "un 3, tot i que costa", 3),
])
def test_answers_near_those_misses_stay_answers(acts, slot, text, value) -> None:
    domain, reader = acts
    found_slot, question = find_slot(domain, slot)
    assert act_of(acts, slot, text).kind == "answer"
    assert reader.reader.read(found_slot, question, text).value == value


def test_a_sentence_about_something_else_is_not_read_as_a_finances_answer(acts) -> None:
    """"sí, con la Asociación Vecinal Sant Roc" at "how are your finances?" was read as "serious" at 0.90 by
    the finances classifier (from the "con" of "con el agua al cuello"): nothing in it is about money, so
    the reading is below the confirmation's bar (or, since none of its words is a word of any finances answer,
    refused) and is never stored silently."""
    from bot.engine.answers import Refused
    from bot.engine.repair import CONFIRM_BELOW

    domain, reader = acts
    slot, question = find_slot(domain, "financial_situation")
    try:
        assert reader.reader.read(slot, question, "si, con la Asociacion Vecinal Sant Roc").confidence < CONFIRM_BELOW
    except Refused:
        pass
    for clear, value in (("anem justets la veritat", "tight"), ("mal, muy mal, no llegamos", "serious"),
                         ("we're ok for now", "stable")):
        sure = reader.reader.read(slot, question, clear)
        assert (sure.value, sure.confidence >= CONFIRM_BELOW) == (value, True), clear


# ---------------------------------------------------------------- found playing the conversation (issue 23)
@pytest.mark.parametrize(("slot", "text", "topic"), [
    ("entity_name", "oye, lo de la confianza era un 3 no un 2", "factor_trust"),  # also after the summary
    ("field", "the trust one was a 3 not a 2", "factor_trust"),
])
def test_a_value_said_instead_of_another_is_a_correction(acts, slot, text, topic) -> None:
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic) == ("correction", topic)


def test_a_doubt_with_two_options_is_confirmed_not_stored_as_dont_know(acts) -> None:
    from bot.engine.repair import CONFIRM_BELOW

    domain, reader = acts
    slot, question = find_slot(domain, "objective")
    doubt = reader.reader.read(slot, question, "no se, ahorrar o llegar a mas gente")
    assert doubt.value in ("saving_money", "impact") and doubt.confidence < CONFIRM_BELOW
    assert reader.reader.read(slot, question, "no ho se").value == "dont_know"
    assert reader.reader.read(slot, question, "no ho sé, potser innovar").value == "innovation"


@pytest.mark.parametrize(("slot", "text", "kind", "topic"), [
    ("field", "hang on, brb", "smalltalk", None),       # was kept as what the organisation does
    ("field", "hang on, we dont have a new idea", "correction", "new_idea"),
    ("field", "un moment que em truquen", "smalltalk", None),
])
def test_short_asides_at_a_description_are_not_kept_as_it(acts, slot, text, kind, topic) -> None:
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic if topic is not None else None) == (kind, topic)


async def test_integral_attention_asked_in_english_is_explained(runtime) -> None:
    chat = Chat(runtime, sender_id="test:meaning:en", language="en")
    await chat.send("/start")
    await chat.send(payload="/explore")
    await chat.send("Northside Youth Club")
    for _ in range(20):
        if (await chat.tracker()).requested_slot == "objective":
            break
        await chat.send("/skip")
    replies = await chat.send("what does integral attention mean?")
    assert [r.response for r in replies] == ["utter_repair_meaning", "utter_ask_objective"]


# ---------------------------------------------------------------- the misses named after the third blind set
@pytest.mark.parametrize(("slot", "text", "kind", "topic"), [
    # a question about what an option means, naming it, is a question ("o què?", "vol dir", "mean")
    ("collaboration_today", "xarxa vol dir federació o què?", "question", "meaning"),
    ("collaboration_today", "does network mean a federation or what?", "question", "meaning"),
    ("objective", "innovacio en quin sentit?", "question", "meaning"),
    ("new_idea", "te algun cost participar?", "question", "cost"),          # a cost named, no question word
    # a greeting that asks how things are, at the name
    ("entity_name", "hola! què tal?", "smalltalk", None),
    ("entity_name", "hiya! how's it going?", "smalltalk", None),
    # an insult beside a small talk cue ("what a"), a person asked for beside a stop ("no tinc temps")
    ("objective", "what a crap bot", "abuse", None),
    ("factor_trust", "no tinc temps, que em truqui algu", "human", None),
    # a correction that starts with the number it puts right
    ("factor_trust", "2 not 4 on the last one", "correction", None),
    ("rel_conflicts_power", "actually 3 for the previous one", "correction", None),
    # where next, at a 1-4 question ("directament" is no 4)
    ("factor_investment", "anem directament al resum", "stop", "summary"),
    ("factor_investment", "vamos directamente al resumen", "stop", "summary"),
    # shorthand typed on a phone: "q" is "que"
    ("objective", "q vol dir impacte?", "question", "meaning"),
])
def test_the_third_sets_misses(acts, slot, text, kind, topic) -> None:
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic if topic is not None else None) == (kind, topic)


@pytest.mark.parametrize(("slot", "text", "value"), [
    ("collaboration_today", "xarxa", "network"),                 # the option alone, and with a question mark
    ("collaboration_today", "una xarxa?", "network"),
    ("rel_conflicts_history", "gens, al contrari, ens portem molt be", 1),
    ("factor_trust", "un 3, moltes gracies", 3),                  # thanks beside an answer
    ("rel_gains_own", "diria q un 3", 3),
    ("factor_sharing", "un 2?", 2),                               # a hedge with a question mark
])
def test_answers_near_the_third_sets_misses_stay_answers(acts, slot, text, value) -> None:
    domain, reader = acts
    found_slot, question = find_slot(domain, slot)
    assert act_of(acts, slot, text).kind == "answer"
    assert reader.reader.read(found_slot, question, text).value == value


@pytest.mark.parametrize(("slot", "text", "value"), [
    # a number, then a reason or a hedge with no comma: the number (was 1: the "no" of the reason; and 4)
    ("factor_commitment", "un 2 pq la junta no hi acaba de creure", 2),
    ("factor_trust", "i'd go for a 3 more or less", 3),
    ("factor_trust", "un 2 xq no lo ven nada claro", 2),
    # a doubt, then a number offered (was "don't know")
    ("factor_investment", "uf no ho se, potser un 2", 2),
    ("rel_gains_own", "hard to say, maybe a 3?", 3),
    ("factor_investment", "no se, a lo mejor un 2", 2),
    # words, then the number on its own (was small talk, by the classifier)
    ("factor_commitment", "la junta esta muy implicada, un 4", 4),
    ("factor_clear_objective", "mes o menys, un 3 diria", 3),        # was 2
    ("factor_clear_objective", "more or less, a 3 i'd say", 3),       # was 4
])
def test_a_number_with_its_reason_is_that_number(acts, slot, text, value) -> None:
    domain, reader = acts
    found_slot, question = find_slot(domain, slot)
    assert act_of(acts, slot, text).kind == "answer"
    assert reader.reader.read(found_slot, question, text).value == value


@pytest.mark.parametrize(("slot", "text", "kind"), [
    ("budget_band", "income or spending?", "question"),           # which of two things, neither an option
    ("size_staff", "i'm done for now", "stop"),
    ("objective", "what the hell is this", "abuse"),
    ("factor_sharing", "esto no tiene ni pies ni cabeza", "abuse"),
    ("factor_commitment", "bear with me a sec", "smalltalk"),
])
def test_the_fourth_batchs_misses(acts, slot, text, kind) -> None:
    assert act_of(acts, slot, text).kind == kind


@pytest.mark.parametrize(("slot", "text", "kind"), [
    # at a name or a description, a request after a short opening clause counts
    ("entity_name", "abans de res, aixo quant costa", "question"),
    ("why_partner", "i don't get it, what do you want me to put here", "question"),
    ("why_partner", "esto es un rollo, no quiero escribir tanto", "abuse"),
    ("contact_name", "i'd rather not give my name", "stop"),
    # a doubt with a request for help is a question, not "don't know"
    ("factor_trust", "nose que posar, dona m un exemple", "question"),
    # ... but a description's later clause is its own, and a description stays one
    ("field", "fem teatre social amb gent gran, que es molt maco", "answer"),
    ("field", "hacemos teatro social con mayores, que es muy bonito", "answer"),
    ("field", "we support people who feel lonely", "answer"),
])
def test_requests_typed_at_a_name_or_a_description(acts, slot, text, kind) -> None:
    assert act_of(acts, slot, text).kind == kind


def test_an_amount_with_a_thousands_comma_is_one_amount(acts) -> None:
    domain, reader = acts
    slot, question = find_slot(domain, "budget_band")
    assert reader.reader.read(slot, question, "about 300,000 euros a year").value == "100k_500k"  # was under 100k


@pytest.mark.parametrize(("slot", "text", "kind", "topic"), [
    ("factor_clear_objective", "espera que a la pregunta dels voluntaris he posat malament", "correction",
     "size_volunteers"),
    ("rel_duplications_services", "m agradaria que algu m ho expliques per telefon", "human", None),
    ("need_voice", "have a good weekend by the way", "smalltalk", None),
    ("factor_sharing", "esto no hay quien lo entienda", "abuse", None),
])
def test_the_sixth_batchs_misses(acts, slot, text, kind, topic) -> None:
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic if topic is not None else None) == (kind, topic)


@pytest.mark.parametrize(("slot", "text", "kind"), [
    ("objective", "q merda de preguntes", "abuse"),
    ("rel_conflicts_power", "l ultima resposta no era aquesta", "correction"),
    ("factor_commitment", "y si quiero borrarlo todo despues", "question"),   # a privacy question with no "?"
    ("field", "vull parlar amb la Marta del programa", "human"),
    ("objective", "anybody there?", "human"),
    ("services_threatened", "ok wait a moment", "smalltalk"),
    ("need_voice", "adeu", "stop"),                                    # was "somewhat"
    ("rel_gains_own", "buf estic molt cansada avui", "smalltalk"),      # was 4 ("molt")
    ("rel_complementarities_skills", "perdona no t he entes", "question"),  # was 1: the "no" is the question's
    ("objective", "eso no lo se, tu que recomiendas?", "question"),        # was "don't know"
    ("factor_investment", "investment meaning cash?", "question"),
    ("budget_band", "that's none of your business", "abuse"),
    ("factor_trust", "no m aclareixo, m agradaria parlar-ho amb el tecnic", "human"),   # was 1
    ("size_volunteers", "escribidme un correo y lo hablamos", "human"),                 # was a correction
    ("factor_sharing", "you're a star", "smalltalk"),                    # was abuse, by the classifier
    ("field", "thx!", "smalltalk"),                                      # shorthand: was kept as the description
    ("field", "grasies!", "smalltalk"),
    # a description holding someone else's wish to talk stays a description
    ("field", "we help people who want to talk to someone", "answer"),
])
def test_the_seventh_batchs_misses(acts, slot, text, kind) -> None:
    assert act_of(acts, slot, text).kind == kind


@pytest.mark.parametrize(("slot", "text", "value"), [
    # answers holding words of the cues (read as stop, person or small talk before)
    ("services_threatened", "no, de moment la seguent convocatoria ens cobreix", "no"),
    ("services_threatened", "no, de momento la siguiente convocatoria nos cubre", "no"),
    ("rel_conflicts_power", "a bit, i'd rather not go into detail, a 2", 2),
    ("new_idea", "yes, a meeting with the council gave us the idea", "yes"),
    ("need_voice", "yes, and it'd be interesting to have more weight", "yes"),
    ("rel_duplications_territory", "molt, treballem els dos en catala al mateix barri", 4),   # was language
    ("partner_in_mind", "si, ya hemos hablado por telefono", "yes"),                       # was a person
    ("objective", "innovating, for example with robots for older people", "innovation"),   # was a question
])
def test_answers_holding_cue_words_stay_answers(acts, slot, text, value) -> None:
    domain, reader = acts
    found_slot, question = find_slot(domain, slot)
    assert act_of(acts, slot, text).kind == "answer"
    assert reader.reader.read(found_slot, question, text).value == value


@pytest.mark.parametrize(("slot", "text"), [
    ("rel_duplications_services", "salta aquesta si us plau"),      # the "si" of "si us plau" is no yes
    ("rel_gains_own", "para para, no vull continuar"),
    ("need_voice", "prou preguntes, para"),
])
def test_stops_with_answer_words_stay_stops(acts, slot, text) -> None:
    assert act_of(acts, slot, text).kind == "stop"


@pytest.mark.parametrize(("slot", "text"), [
    ("new_idea", "no parlo angles"),                  # its "no" is no answer
    ("new_idea", "no se catala, parla en castella"),  # nor its "no sé"
])
def test_a_language_asked_for_with_a_no_is_a_language(acts, slot, text) -> None:
    assert act_of(acts, slot, text).kind == "language"




def test_a_question_that_asks_is_not_taken_for_a_correction(acts) -> None:
    act = act_of(acts, "handoff_consent", "i l altra entitat sabra que l he buscat?")
    assert (act.kind, act.topic) == ("question", "privacy")


@pytest.mark.parametrize(("slot", "text"), [
    ("size_staff", "una pregunta, esto lo ve alguien mas?"),
    ("why_partner", "quien va a ver lo que escriba?"),
    ("size_staff", "who gets to read this?"),
    ("territory", "aixo ho veu algu mes?"),
])
def test_who_sees_it_is_a_question_about_privacy_not_about_a_word(acts, slot, text) -> None:
    """Played in Spanish: "esto lo ve alguien más?" at the staff question was answered with what «personas
    contratadas» means; it asks who sees the answers."""
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic) == ("question", "privacy")


@pytest.mark.parametrize("text", [
    "si m'ho repenso, puc treure les dades?",
    "si acepto, luego lo puedo borrar?",
    "yes but who gets my phone number?",
])
def test_a_question_at_the_consent_is_never_consent(acts, text) -> None:
    """Consent is given by a clear yes: a message that asks something is answered and the consent asked
    again, even when it opens with a "si" (an "if") or a "yes but"."""
    act = act_of(acts, "handoff_consent", text)
    assert act.kind == "question", act


@pytest.mark.parametrize(("slot", "text", "lang"), [
    ("factor_commitment", "canviem al castella si us plau", "es"),
    ("factor_trust", "cambiamos a ingles porfa", "en"),
    ("financial_situation", "can we switch to spanish", "es"),
])
def test_a_wish_to_switch_language_is_never_an_answer(acts, slot, text, lang) -> None:
    """A switching verb with a language named is that wish at any question: "canvia a castellà si us plau"
    at a 1-4 question was kept as a 4 (the "sí" of "si us plau")."""
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic) == ("language", lang)


@pytest.mark.parametrize("slot", ["rel_conflicts_history", "factor_trust"])
def test_what_did_i_answer_is_a_question_about_the_answers_not_a_correction(acts, slot) -> None:
    """Played in Catalan: "que t he contestat?" at a relationship question was read as a correction of
    nothing ("D'acord, ho corregim" and the same question again) instead of showing the answers."""
    act = act_of(acts, slot, "que t he contestat?")
    assert (act.kind, act.topic) == ("question", "answers")


# Classes of phrasing the fourth blind set missed (issue 23; helper a23), each with variants not in any set:
# a correction that names the question by its topic, contempt or sarcasm with no insult word, a stop that
# leaves, pauses, cancels or postpones; and answers that hold those words.
@pytest.mark.parametrize(("slot", "text", "kind", "topic"), [
    ("factor_commitment", "torna a lo dels treballadors, en som 20 i no 2", "correction", "size_staff"),
    ("need_voice", "al resumen sale que tenemos tensiones y no es asi", "correction", "rel_conflicts_history"),
    ("factor_trust", "the volunteers bit is off, it's 45 not 4", "correction", "size_volunteers"),
    ("objective", "la situacio economica la vaig posar greu i nomes es justa", "correction", "financial_situation"),
    ("factor_sharing", "ponle un 3 a lo de la confianza", "correction", "factor_trust"),
    ("factor_sharing", "oh fantastic, the same question again", "abuse", None),
    ("services_threatened", "genial, com sempre, quina ajuda", "abuse", None),
    ("factor_investment", "hablar contigo es como hablar con una pared", "abuse", None),
    ("rel_conflicts_power", "honestly you're no help whatsoever", "abuse", None),
    ("budget_band", "eres un robot o que? siempre igual", "abuse", None),
    ("factor_trust", "anul·la-ho tot, ja no m'interessa", "stop", None),
    ("objective", "ja ho enllestirem la setmana que ve", "stop", None),
    ("need_voice", "lo terminamos esta noche", "stop", None),
    ("factor_sharing", "we'll carry this on next week", "stop", None),
])
def test_named_by_topic_contempt_and_leaving(acts, slot, text, kind, topic) -> None:
    act = act_of(acts, slot, text)
    assert (act.kind, act.topic if topic is not None else None) == (kind, topic)


@pytest.mark.parametrize(("slot", "text"), [
    ("factor_investment", "més aviat poc, els diners no arriben"),
    ("factor_investment", "inutil dir que si, no en tenim, un 1"),
    ("factor_commitment", "the board always says another day, a 2"),
    ("financial_situation", "genial no, anem justos"),
    ("rel_duplications_services", "un 2, seria perder el tiempo hacer lo mismo"),
])
def test_answers_holding_those_words_stay_answers(acts, slot, text) -> None:
    assert act_of(acts, slot, text).kind == "answer"


@pytest.mark.parametrize(("slot", "text", "kind"), [
    ("factor_trust", "the territory isn't girona, we're in tarragona", "correction"),  # its name denied, an option
    ("rel_duplications_territory", "gens, ells son de lleida i nosaltres de girona", "answer"),  # places, no denial
    ("rel_gains_own", "para, que em truquen de l'escola", "stop"),   # a stop said first, on its own
    ("objective", "me tengo que ir, ya lo acabo otro rato", "stop"),  # its "otro" names no option
    ("factor_sharing", "no quiero contestar a nada mas", "stop"),      # its "nada" is no 1
    ("need_voice", "vaya chapuza de cuestionario", "abuse"),
])
def test_a_correction_by_its_options_and_stops_said_first(acts, slot, text, kind) -> None:
    assert act_of(acts, slot, text).kind == kind


# Ninth session, after the fifth blind set was scored (each case read as an answer, several stored, before):
@pytest.mark.parametrize(("slot", "text", "kind"), [
    ("factor_sharing", "no, just the summary please", "stop"),      # the "no" refuses the question: no 1
    ("factor_trust", "no, el resum i prou", "stop"),
    ("field", "perdona, estava al metro", "smalltalk"),             # an apology for a delay at a description
    ("field", "sorry, was on the bus", "smalltalk"),
    ("why_partner", "back now, sorry about that", "smalltalk"),
    ("why_partner", "esto mejor explicarselo por telefono a alguien", "human"),
    ("why_partner", "this is easier to explain on the phone to a human", "human"),
    ("why_partner", "dejalo para manana", "stop"),
    ("field", "cant do this now, I'll finish later", "stop"),
    ("partner_in_mind", "not very bright, are you?", "abuse"),
    ("partner_in_mind", "molt llest no ets, eh", "abuse"),
    ("factor_commitment", "esto es eterno, no se acaba nunca o que", "abuse"),
    ("territory", "is this free btw?", "question"),                # played: it was small talk
])
def test_what_the_fifth_blind_set_showed(acts, slot, text, kind) -> None:
    assert act_of(acts, slot, text).kind == kind


@pytest.mark.parametrize(("slot", "text", "value"), [
    ("factor_sharing", "no, gens", 1),                               # a "no" with its score stays the score
    ("factor_commitment", "no se", "dont_know"),                     # an unaccented "no sé" is still one
    ("factor_commitment", "no se, depende", "dont_know"),
    ("field", "perdona, som una associacio de veins del Clot", None),  # an apology opening a description
    # played: "3 staff" is the staff's number, not the volunteers' ("loads" is); a town outside Catalonia
    ("size_volunteers", "3 staff and loads of volunteers", "over_50"),
    ("size_staff", "4 contractats i molts voluntaris", "1_5"),
    ("territory", "Leeds actually, not in catalonia", "other"),
    # played in Catalan: "uns 15" after "tot voluntaris" are volunteers (it was stored as 6 to 20 paid staff)
    ("size_staff", "cap contractat, tot voluntaris, uns 15", "none"),
    ("size_staff", "som 3, i 20 voluntaris", "1_5"),
])
def test_answers_near_what_the_fifth_blind_set_showed(acts, slot, text, value) -> None:
    domain, reader = acts
    found_slot, question = find_slot(domain, slot)
    assert act_of(acts, slot, text).kind == "answer"
    if value is not None:
        assert reader.reader.read(found_slot, question, text).value == value


@pytest.mark.parametrize(("slot", "text"), [
    ("size_volunteers", "por telefono, el 612 345 678"),   # played in Spanish: stored as over 50 volunteers
    ("size_staff", "el meu mobil es 654 32 10 98"),
    ("factor_trust", "call me on 07700 900123"),
])
def test_a_phone_number_is_no_count_and_no_score(acts, slot, text) -> None:
    domain, reader = acts
    found_slot, question = find_slot(domain, slot)
    act = act_of(acts, slot, text)
    if act.kind == "answer":
        with pytest.raises(Refused):
            reader.reader.read(found_slot, question, text)
