"""What a word of a question means (issue 23): every question of the journey and of the handoff can be asked
about ("què vol dir això?") and is explained in a line or two from knowledge/ in ca, es and en; the words a
coordinator asks about ("paid staff", "xarxa o federació", "pressupost anual"...) are explained, then the same
question is asked again, and nothing is stored."""

from __future__ import annotations

import pytest

from bot.content.domain import FormSlot
from bot.engine.glossary import Glossary
from bot.engine.textnorm import normalize
from tests.auxil.paths import ROOT
from tests.auxil.runtime import Chat, load_domain_once

DOMAIN = load_domain_once(ROOT / "dialogues", ROOT / "knowledge")
GLOSSARY = Glossary(DOMAIN, "ca", (DOMAIN.acts.get("correction") or {}).get("targets") or {})
ASKED_OF = ("interview_form", "handoff_form", "factors_form", "relationship_form")
NO_WORDS = ("entity_name", "field", "why_partner", "objective_other", "contact_name", "contact_role",
            "contact_channel", "contact_email", "contact_phone", "handoff_consent")  # asked in plain words


def _slots() -> list[FormSlot]:
    return [s for name in ASKED_OF for s in DOMAIN.forms[name].slots if s.name not in NO_WORDS]


@pytest.mark.parametrize("slot", _slots(), ids=lambda s: s.name)
@pytest.mark.parametrize("lang", ["ca", "es", "en"])
def test_every_question_is_explained_in_every_language(slot: FormSlot, lang: str) -> None:
    said = GLOSSARY.meaning(normalize("que vol dir aixo"), slot, lang)
    assert said is not None, slot.name
    term, meaning = said
    assert term and 20 <= len(meaning) <= 300, (slot.name, lang, meaning)


# (language, the words asked about, the title of what is explained)
TERMS = [
    ("ca", "que vol dir personal contractat?", "Persones contractades"),
    ("es", "que es eso de personal contratado?", "Personas contratadas"),
    ("en", "what do you mean by paid staff?", "Paid staff"),
    ("ca", "que vol dir voluntariat", "Voluntariat"),
    ("en", "do volunteers count?", "Volunteers"),
    ("ca", "que vol dir pressupost anual?", "Pressupost anual"),
    ("es", "que entiendes por presupuesto anual?", "Presupuesto anual"),
    ("en", "what do you mean by annual budget?", "Annual budget"),
    ("ca", "que vol dir territori?", "On treballeu"),
    ("ca", "que vols dir amb xarxa o federacio?", "Xarxa o federació"),
    ("es", "que es una red o federacion?", "Red o federación"),
    ("en", "what do you mean by network or federation?", "Network or federation"),
    ("ca", "que es atencio integral?", "Atenció integral"),
    ("es", "que significa competitividad?", "Competitividad"),
    ("en", "what does joined-up care mean?", "Joined-up care"),
    ("ca", "que vol dir compromis?", "Compromís"),
    ("es", "que es eso de las duplicidades?", "Duplicidades"),
    ("en", "what do you mean by complementary strengths?", "Complementary strengths"),
    ("ca", "que vol dir reactiva?", "Reactiva"),
    ("es", "que significa replicar?", "Replicar o hacer crecer un proyecto"),
    ("en", "what do you mean by tensions?", "Tensions or competition"),
    ("ca", "que vol dir perdre poder?", "Perdre poder de decisió"),
]


@pytest.mark.parametrize(("lang", "text", "title"), TERMS, ids=[t[1] for t in TERMS])
def test_the_words_of_the_questions_are_explained(lang: str, text: str, title: str) -> None:
    said = GLOSSARY.meaning(normalize(text), FormSlot(name="", type="outside"), lang)
    assert said is not None and said[0] == title, said


@pytest.mark.parametrize(("lang", "question", "answers"), [
    ("ca", "que vol dir personal contractat?", ["Casal del Barri", "lleure amb infants", "girona"]),
    ("es", "que quiere decir personal contratado?", ["Casal del Barri", "ocio con niños", "girona"]),
    ("en", "what do you mean by paid staff?", ["Northside Youth Club", "youth work", "girona"]),
])
async def test_paid_staff_is_explained_and_asked_again_short(runtime, lang: str, question: str,
                                                             answers: list[str]) -> None:
    chat = Chat(runtime, sender_id=f"test:glossary:{lang}", language=lang)
    await chat.send("/start")
    await chat.send(payload="/explore")
    for said in answers:
        await chat.send(said)
    replies = await chat.send(question)
    assert [r.response for r in replies] == ["utter_repair_meaning", "utter_ask_size_staff"]
    assert "contract" in replies[0].text.lower() or "contrat" in replies[0].text.lower()
    assert (await chat.tracker()).slots.get("size_staff") is None
