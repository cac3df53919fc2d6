"""Issue 16: ask only what is needed. The journey's length is measured over the journey conversation scripts
(tests/journey/conversations/journey_*.yml): answers from the message that starts the journey to the motivation reading,
and to the summary. The opening message counts as an answer when it tells the situation (it is kept as the
"why" answer); the bare "Explore" button does not. Refused answers, ↩ Back and /skip count: they are turns too."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from actions.prefill import prefill_slots, read_text
from bot.shared import yamlio
from tests.auxil.paths import CONVERSATIONS

SCRIPTS = sorted(CONVERSATIONS.glob("journey_*.yml"))
READING = {"utter_motivation_reading", "utter_motivation_still_unclear"}


def answers_to(path: Path) -> tuple[int | None, int | None]:
    steps = yamlio.safe_load(path.read_text(encoding="utf-8"))["steps"]
    started, count, reading = False, 0, None
    for step in steps:
        message = step.get("user", step.get("payload"))
        if message is None:
            continue
        names = set(step.get("responses") or []) | set(step.get("includes") or [])
        if not started:
            if message == "/explore" or "utter_interview_intro" in names:
                started, count = True, 0 if message == "/explore" else 1
            continue
        count += 1
        if reading is None and names & READING:
            reading = count
        if "utter_summary" in names:
            return reading, count
    return reading, None


def test_the_counter_counts_a_known_script() -> None:
    # journey_short_ca: the opening message, 10 answers to the reading; feedback, 5 factors and the offer
    assert answers_to(CONVERSATIONS / "journey_short_ca.yml") == (11, 18)


def test_median_answers_to_the_reading_and_to_the_summary() -> None:
    counts = [answers_to(p) for p in SCRIPTS]
    readings = [r for r, _ in counts if r is not None]
    summaries = [s for _, s in counts if s is not None]
    assert len(readings) >= 15 and len(summaries) >= 15
    assert statistics.median(readings) <= 12, readings
    assert statistics.median(summaries) <= 20, summaries


@pytest.mark.parametrize("lang", ["ca", "es", "en"])
def test_the_shorter_scripts_reach_the_reading_in_twelve(lang: str) -> None:
    reading, summary = answers_to(CONVERSATIONS / f"journey_short_{lang}.yml")
    assert reading is not None and reading <= 12
    assert summary is not None


@pytest.mark.parametrize(("text", "lang", "answers", "hint"), [
    ("ens han retallat la subvencio i el servei de menjador esta en perill", "ca",
     {"services_threatened": "yes"}, "cut"),
    ("si no trobem diners haurem de tancar", "ca", {"services_threatened": "yes"}, "closing"),
    ("l'ajuntament no ens escolta", "ca", {"need_voice": "yes"}, None),
    ("queremos llevar nuestro proyecto a otros barrios sin abrir sede propia", "es", {"replicate_expand": "yes"}, None),
    ("we want to start a new delivery service with another charity", "en", {"new_idea": "yes"}, None),
    # the number before "more": "dos pobles mes", "tres barrios mas"
    ("volem ser a dos pobles mes amb el mateix projecte", "ca", {"replicate_expand": "yes"}, None),
    ("queremos llegar a tres barrios mas con lo que ya hacemos", "es", {"replicate_expand": "yes"}, None),
    # negated: nothing assumed
    ("no tenim cap servei en perill", "ca", {}, None),
    # a new service and a project that works elsewhere share words: neither is assumed
    ("volem obrir un servei nou i sols no podem", "ca", {}, None),
    # a hedge says nothing
    ("no ho se", "ca", {}, None),
    ("money is tight", "en", {}, "money"),
    ("Econòmicament estem bé, sense problemes", "ca", {}, None),  # reassured: no money hint
])
def test_what_a_text_answers(text: str, lang: str, answers: dict[str, str], hint: str | None) -> None:
    understood = read_text(text, lang)
    assert understood.answers == answers
    assert understood.hint == hint


def test_an_answer_already_given_is_not_overwritten_and_is_said_back() -> None:
    slots, said = prefill_slots("l'ajuntament no ens escolta i tenim serveis en perill", "ca",
                                {"services_threatened": "no", "financial_situation": None})
    assert "services_threatened" not in slots
    assert slots["need_voice"] == "yes"
    assert said == ["necessiteu visibilitat i pes davant l'administració"]
    # the finances answered already: no hint to change its question
    slots, _ = prefill_slots("ens han retallat la subvencio", "ca", {"financial_situation": "tight"})
    assert "financial_hint" not in slots


def test_a_rewritten_text_takes_back_what_it_no_longer_says() -> None:
    first, _ = prefill_slots("volem portar el nostre projecte a altres comarques", "ca", {})
    assert first["replicate_expand"] == "yes" and first["prefilled_answers"] == ["replicate_expand"]
    # ↩ Back to the "why" question, and a text about money instead: the replicate answer is taken back
    current = {**first, "financial_situation": None}
    again, said = prefill_slots("anem molt justos de diners", "ca", current)
    assert again["replicate_expand"] is None and again["financial_hint"] == "money"
    assert again["prefilled_answers"] == [] and said == []
    # ... unless the person changed it themselves
    again, _ = prefill_slots("anem molt justos de diners", "ca", {**current, "replicate_expand": "no"})
    assert "replicate_expand" not in again
