"""Which value a typed answer gives (issue 23, helper y23): no answer stored that the person did not give; what
is unclear is asked again or confirmed, never guessed; clear answers are read. Each group is a class of
phrasings found playing the bot, in ca/es/en; every case here was read wrongly before (2026-12-08, 7bafa51).
The development batches are tests/data/values_dev23*.yml (tests/engine/test_values_eval.py)."""

from __future__ import annotations

import pytest

from bot.content.domain import load_domain
from bot.engine.answers import AnswerReader, Refused, find_slot
from tests.auxil.paths import ROOT


@pytest.fixture(scope="module")
def reader() -> AnswerReader:
    return AnswerReader(load_domain(ROOT / "dialogues", ROOT / "knowledge"))


def read(reader: AnswerReader, slot_name: str, text: str, question: str | None = None):
    found = find_slot(reader.domain, slot_name)
    assert found is not None
    slot, asked = found
    try:
        return reader.read(slot, reader.domain.responses[question] if question else asked, text).value
    except Refused:
        return "refused"


# 1. "I take that as «Actually, we're fine». Is that right?" — "lets carry on" pressed ✅ and "stable" was stored:
# a yes to a confirmation must be said
@pytest.mark.parametrize("text", ["lets carry on", "go on then", "keep going", "continuem", "seguim doncs",
                                  "sigamos", "start again", "la veritat", "la verdad", "to be honest"])
def test_what_says_no_yes_confirms_nothing(reader, text) -> None:
    assert reader.yes_or_no(text) is None


@pytest.mark.parametrize(("text", "said"), [
    ("sí, correcte", "yes"), ("yes that's right", "yes"), ("vale", "yes"), ("eso es", "yes"), ("així és", "yes"),
    ("spot on", "yes"), ("no, no és això", "no"), ("nope", "no"), ("de ninguna manera", "no"),
])
def test_a_yes_or_no_said_still_confirms(reader, text, said) -> None:
    assert reader.yes_or_no(text) == said


# 1b. finances hedged: the aside is no answer, the words are
@pytest.mark.parametrize(("text", "value"), [
    ("pretty dire to be honest", "serious"), ("bleak, honestly", "serious"), ("fatal fatal, la verdad", "serious"),
    ("ho veiem molt negre, la veritat", "serious"), ("muy chungo", "serious"),
    ("no tan malament com sembla, anem justos", "tight"), ("not that bad, just tight", "tight"),
    ("no es grave, vamos justos", "tight"),
])
def test_finances_said_with_an_aside_or_a_denial_first(reader, text, value) -> None:
    assert read(reader, "financial_situation", text, "utter_ask_financial_situation_cut") == value


# 2. what is no answer at all at a yes/no (or any) question
@pytest.mark.parametrize(("slot", "text"), [
    ("new_idea", "la veritat"), ("replicate_expand", "la verdad"), ("new_idea", "to be honest"),
    ("financial_situation", "to be honest"), ("financial_situation", "lets carry on"),
    ("financial_situation", "sigamos"), ("new_idea", "start over"), ("replicate_expand", "volver a empezar"),
    ("need_voice", "la veritat sigui dita"),
])
def test_asides_and_moves_are_no_answer(reader, slot, text) -> None:
    assert read(reader, slot, text) == "refused"


# 3. a question about what an option means or takes in names the option and answers nothing
@pytest.mark.parametrize(("slot", "text"), [
    ("collaboration_today", "una xarxa compta si és informal?"),
    ("collaboration_today", "does sharing a whatsapp group count as information"),
    ("collaboration_today", "¿qué se considera una actividad puntual?"),
    ("objective", "que vol dir atenció integral exactament"),
    ("objective", "what counts as efficiency?"),
])
def test_a_question_naming_an_option_is_not_stored(reader, slot, text) -> None:
    assert read(reader, slot, text) == "refused"


# 4. another question's topic with a quantity answers that question, not this one
@pytest.mark.parametrize(("slot", "text"), [
    ("collaboration_today", "nada de voluntarios"), ("collaboration_today", "no tenim cap treballador"),
    ("collaboration_today", "hardly any money"), ("services_threatened", "ningún voluntario"),
    ("new_idea", "no volunteers at all"), ("factor_trust", "poc pressupost"), ("rel_conflicts_history", "cap voluntari"),
])
def test_another_questions_topic_does_not_answer_this_one(reader, slot, text) -> None:
    assert read(reader, slot, text) == "refused"


@pytest.mark.parametrize(("slot", "text", "value"), [
    ("factor_investment", "nada de dinero", 1),                    # money is this question's own topic
    ("collaboration_today", "cap voluntari, però ens passem informació amb l'esplai", "information"),
    ("size_staff", "cap treballador", "none"),
])
def test_a_topic_of_the_question_itself_is_read(reader, slot, text, value) -> None:
    assert read(reader, slot, text) == value


# 5. everyday words for the options of "how do you work with other organisations today?"
@pytest.mark.parametrize(("text", "value"), [
    ("we do the odd activity with the local library", "activities"),
    ("de tant en tant fem alguna festa amb altres entitats", "activities"),
    ("organizamos alguna jornada con otras asociaciones", "activities"),
    ("ens avisem de coses i ens passem contactes", "information"),
    ("we keep each other posted", "information"),
    ("portem un servei a mitges amb una altra entitat", "projects"),
    ("gestionamos un programa junto con otra entidad", "projects"),
    ("we belong to an umbrella organisation", "network"),
    ("estem federats", "network"),
    ("vamos bastante por libre", "none"),
])
def test_everyday_words_for_how_they_work_with_others(reader, text, value) -> None:
    assert read(reader, "collaboration_today", text) == value


# 6. a nod said on its own in a clause, and numbers with a hedge
@pytest.mark.parametrize(("slot", "text", "value"), [
    ("replicate_expand", "sí, pero todavía no sabemos dónde", "yes"),
    ("new_idea", "yes, but we don't know when yet", "yes"),
    ("need_voice", "nos vendría bien, sí", "yes"),
    ("factor_commitment", "2 out of 4 maybe", 2),
    ("factor_trust", "un 3 potser", 3),
])
def test_a_nod_or_a_number_said_with_more(reader, slot, text, value) -> None:
    assert read(reader, slot, text) == value


# 6a. a nod to go on, typed after an introduction, is no score
@pytest.mark.parametrize(("slot", "text"), [
    ("rel_conflicts_history", "si va"), ("rel_conflicts_power", "vale, adelante"), ("factor_trust", "ok let's go"),
    ("rel_gains_own", "sí, endavant"),
])
def test_a_nod_to_go_on_is_no_score(reader, slot, text) -> None:
    assert read(reader, slot, text) == "refused"


# 6b. intensity, negation and contrast that already held (issue 23's examples and variants): they still do
@pytest.mark.parametrize(("slot", "text", "value"), [
    ("rel_conflicts_history", "gens, al contrari, ens portem molt bé", 1),
    ("rel_conflicts_history", "none at all, quite the opposite", 1),
    ("rel_conflicts_power", "no gaire", 2), ("rel_conflicts_power", "not that much", 2),
    ("rel_gains_partner", "a lot. they're huge, we're tiny", 4), ("rel_conflicts_power", "muchísimo", 4),
    ("new_idea", "nuevo nuevo no", "no"), ("new_idea", "nova nova no", "no"),
    ("factor_trust", "un 3, tot i que costa", 3), ("factor_trust", "I'd say a 2", 2),
    ("factor_trust", "I'd say a 2, we're stretched", 2), ("services_threatened", "sí, però poc", "some"),
])
def test_intensity_negation_and_contrast_hold(reader, slot, text, value) -> None:
    assert read(reader, slot, text) == value


# found in the second development batch (tests/data/values_dev23b.yml), each a class: "thing" words are no evidence,
# an intensifier left after another question's topic is no answer, "i'd say" opens an answer, "X X no" is not
# quite, a tail that adds nothing ("i poca cosa més") names no option
@pytest.mark.parametrize(("slot", "text", "value"), [
    ("financial_situation", "parlem d'una altra cosa", "refused"),
    ("financial_situation", "let's talk about something else", "refused"),
    ("collaboration_today", "molt poc pressupost", "refused"),
    ("collaboration_today", "very little money", "refused"),
    ("financial_situation", "i'd say tight", "tight"),
    ("financial_situation", "jo diria que justos", "tight"),
    ("rel_gains_own", "clar clar no", 2),
    ("factor_commitment", "segur segur no", 2),
    ("financial_situation", "estamos ahogados", "serious"),
    ("collaboration_today", "organitzem alguna jornada amb altres entitats i poca cosa més", "activities"),
    ("collaboration_today", "hacemos alguna fiesta con otras entidades y poco más", "activities"),
])
def test_second_batch_classes(reader, slot, text, value) -> None:
    assert read(reader, slot, text) == value
