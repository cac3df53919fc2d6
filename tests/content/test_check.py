"""`aliat check` finds what a content editor may break, and names the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.commands.content_check import check_content
from bot.content.domain import INTERVIEW_FORM, load_domain
from tests.auxil.cli import ROOT, aliat
from tests.auxil.runtime import settings_for_tests


@pytest.fixture
def content(tmp_path) -> tuple[Path, Path]:
    dialogues, knowledge = tmp_path / "dialogues", tmp_path / "knowledge"
    shutil.copytree(ROOT / "dialogues", dialogues)
    shutil.copytree(ROOT / "knowledge", knowledge)
    return dialogues, knowledge


def problems(content) -> list[str]:
    dialogues, knowledge = content
    return check_content(settings_for_tests("sqlite+aiosqlite:///:memory:"), dialogues=dialogues, knowledge=knowledge)


def test_shipped_content_is_valid(sqlite_url) -> None:
    result = aliat("check", database_url=sqlite_url)
    assert result.returncode == 0, result.stderr


def test_broken_yaml_names_the_file(content) -> None:
    (content[0] / "broken.yml").write_text("responses:\n  utter_x: [\n")
    found = problems(content)
    assert len(found) == 1 and "broken.yml" in found[0] and "YAML" in found[0]


def test_a_key_given_twice_is_reported_with_its_file_and_line(content) -> None:
    # YAML keeps the second `buttons:` and drops the first without a word: a response loses its buttons.
    (content[0] / "twice.yml").write_text(
        "responses:\n  utter_twice:\n    text: {ca: 'Hola', es: 'Hola', en: 'Hello'}\n"
        "    buttons: []\n    buttons: []\n")
    found = [p for p in problems(content) if "twice.yml" in p]
    assert found == [f"{content[0] / 'twice.yml'}: line 5: 'buttons' given twice"]


def test_missing_language_is_reported(content) -> None:
    (content[0] / "extra.yml").write_text(
        "responses:\n  utter_extra:\n    text: {ca: 'Hola', es: 'Hola'}\n")
    assert any("extra.yml" in p and "utter_extra" in p and "en" in p for p in problems(content))


def test_unknown_step_response_and_long_payload(content) -> None:
    (content[0] / "extra.yml").write_text(
        "rules:\n  - intent: extra\n    steps: [utter_nowhere]\n"
        "forms:\n  extra_form:\n    slots: [{name: colour, type: choice}]\n"
        "responses:\n  utter_long:\n    text: {ca: a, es: a, en: a}\n    buttons:\n"
        f"      - payload: '/help{{\"x\": \"{'é' * 40}\"}}'\n        title: {{ca: a, es: a, en: a}}\n")
    found = "\n".join(problems(content))
    assert "utter_nowhere" in found
    assert "question 'utter_ask_colour' does not exist" in found
    assert "bytes" in found and "64-byte" in found


def test_bands_name_existing_options_of_a_choice(content) -> None:
    (content[0] / "extra.yml").write_text(
        "forms:\n  extra_form:\n    slots:\n"
        "      - {name: size, type: choice, bands: {small: 0, huge: 100}}\n"
        "      - {name: note, type: text, bands: {small: 0}}\n"
        "responses:\n  utter_ask_size:\n    text: {ca: a, es: a, en: a}\n    buttons:\n"
        "      - {payload: small, title: {ca: a, es: a, en: a}}\n"
        "  utter_ask_note:\n    text: {ca: a, es: a, en: a}\n")
    found = "\n".join(problems(content))
    assert "slot size: bands for unknown option 'huge'" in found
    assert "slot size: bands for unknown option 'small'" not in found
    assert "slot note: bands are for choice slots" in found


def test_duplicate_names_and_missing_knowledge_language(content) -> None:
    (content[0] / "dup.yml").write_text("responses:\n  utter_greet:\n    text: {ca: a, es: a, en: a}\n")
    found = problems(content)
    assert any("dup.yml" in p and "utter_greet" in p and "already defined" in p for p in found)
    (content[0] / "dup.yml").unlink()
    (content[1] / "extra.yml").write_text("items:\n  - title: {ca: 'Un', es: 'Uno'}\n")
    assert any("extra.yml" in p and "items[0].title" in p and "en" in p for p in problems(content))


def test_check_exits_non_zero_on_problems(tmp_path, sqlite_url) -> None:
    dialogues = tmp_path / "d"
    shutil.copytree(ROOT / "dialogues", dialogues)
    (dialogues / "ui.yml").unlink()
    result = aliat("check", "--dialogues", str(dialogues), database_url=sqlite_url)
    assert result.returncode == 1
    assert "utter_button_skip" in result.stderr


def test_a_name_after_a_preposition_needs_the_grammar_filter(content) -> None:
    (content[0] / "names.yml").write_text(
        "responses:\n"
        "  utter_plain:\n    text: {ca: 'El cas de {entity_name}', es: 'Escribe a {entity_name}', en: 'Case of {entity_name}'}\n"
        "  utter_elided:\n    text: {ca: \"El cas d'{entity_name}\", es: 'El caso {de:entity_name}', en: 'x {entity_name}'}\n"
        "  utter_good:\n    text: {ca: 'El cas {de:entity_name}, des del {claimed_at}', es: 'El caso {de:entity_name}, "
        "desde el {claimed_at}', en: 'The case of {entity_name}, since {claimed_at}'}\n")
    found = [p for p in problems(content) if "names.yml" in p]
    assert any("utter_plain" in p and "(ca)" in p and "{de:entity_name}" in p for p in found)
    assert any("utter_plain" in p and "(es)" in p and "{a:entity_name}" in p for p in found)
    assert any("utter_elided" in p and "(ca)" in p and "grammar filter" in p for p in found)
    assert not any("utter_good" in p for p in found), found
    assert not any("(en)" in p for p in found), found
    # knowledge texts are filled by actions with plain replacements: no filter is asked of them
    (content[1] / "quoted.yml").write_text("said:\n  one: {ca: 'el cas de {quote}', es: 'el caso de {quote}', "
                                           "en: 'the case of {quote}'}\n")
    assert not any("quoted.yml" in p for p in problems(content))


def test_register_markers_of_the_other_form_are_reported(content) -> None:
    (content[0] / "register.yml").write_text(
        "responses:\n"
        "  utter_mixed:\n    text: {ca: 'La teva entitat ho té clar?', es: 'Hable con usted.', en: 'Is your entity ready?'}\n"
        "  utter_advice:\n    text: {ca: \"Parla amb l'altra entitat. Acordeu qui fa què.\", "
        "es: \"• Acordad qui fa què.\", en: 'Agree who does what.'}\n"
        "  utter_fine:\n    text: {ca: 'Què feu a la vostra entitat? Teniu temps?', "
        "es: '¿Qué hacéis en vuestra entidad?', en: 'What does your organisation do?'}\n")
    (content[1] / "extra.yml").write_text("tips:\n  one: {ca: 'Mireu on us solapeu.', es: 'Mira dónde os solapáis.', "
                                          "en: 'See where you overlap.'}\n")
    found = problems(content)
    mine = [p for p in found if "register.yml" in p]
    for response, lang, word in (("utter_mixed", "ca", "teva entitat"), ("utter_mixed", "es", "usted"),
                                 ("utter_mixed", "en", "your entity"), ("utter_advice", "ca", "Acordeu"),
                                 ("utter_advice", "es", "Acordad")):
        assert any(response in p and f"({lang})" in p and word.lower() in p.lower() and "register" in p
                   for p in mine), (response, lang, mine)
    assert not any("utter_fine" in p for p in mine), mine
    assert any("extra.yml" in p and "tips.one" in p and "Mireu" in p for p in found)


def test_placeholders_must_match_between_languages(content) -> None:
    (content[0] / "places.yml").write_text(
        "responses:\n"
        "  utter_diff:\n    text: {ca: 'Hola {name}', es: 'Hola {nombre}', en: 'Hi {name}'}\n"
        "  utter_filters_differ:\n    text: {ca: 'el cas {de:entity_name}', es: 'el caso {de:entity_name}', "
        "en: 'the case of {entity_name}'}\n")
    found = [p for p in problems(content) if "places.yml" in p]
    assert any("utter_diff" in p and "different placeholders" in p and "nombre" in p for p in found), found
    # a filter is grammar, not a different value: the same placeholder in each language
    assert not any("utter_filters_differ" in p for p in found), found


def test_otherwise_names_an_option_and_a_slot(content) -> None:
    (content[0] / "extra.yml").write_text(
        "forms:\n  extra_form:\n    slots:\n"
        "      - {name: aim, type: choice, otherwise: {value: else, keep_in: aim_words}}\n"
        "      - {name: aim_words, type: text}\n"
        "      - {name: goal, type: choice, otherwise: {value: small, keep_in: nowhere}}\n"
        "responses:\n  utter_ask_aim:\n    text: {ca: a, es: a, en: a}\n    buttons:\n"
        "      - {payload: small, title: {ca: a, es: a, en: a}}\n"
        "  utter_ask_goal:\n    text: {ca: a, es: a, en: a}\n    buttons:\n"
        "      - {payload: small, title: {ca: a, es: a, en: a}}\n"
        "  utter_ask_aim_words:\n    text: {ca: a, es: a, en: a}\n")
    found = "\n".join(problems(content))
    assert "slot aim: otherwise needs a choice with option 'else'" in found
    assert "slot goal: otherwise keeps the words in unknown slot 'nowhere'" in found
    assert "slot goal: otherwise needs" not in found


# --- the interview: one source (its form) for its answers, their questions and their labels --------------
NEW_QUESTION = ("      - name: volunteers_trained\n        type: text\n        skippable: true\n"
                "      - name: partner_in_mind\n")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_interview_question_without_its_declaration_question_or_label_is_reported(content) -> None:
    _edit(content[0] / "journey" / "interview.yml", "      - name: partner_in_mind\n", NEW_QUESTION)
    found = [p for p in problems(content) if "volunteers_trained" in p]
    assert len(found) == 3, found
    assert all("interview.yml: form interview_form" in p for p in found), found
    assert any("not declared under `slots:`" in p for p in found), found
    assert any("question 'utter_ask_volunteers_trained' does not exist" in p for p in found), found
    assert any("no label utter_label_volunteers_trained" in p for p in found), found


def test_an_interview_question_with_all_it_needs_is_one_of_its_answers(content) -> None:
    dialogues, knowledge = content
    _edit(dialogues / "journey" / "interview.yml", "      - name: partner_in_mind\n", NEW_QUESTION)
    (dialogues / "trained.yml").write_text(
        "slots:\n  volunteers_trained: {type: text}\n"
        "responses:\n"
        "  utter_ask_volunteers_trained:\n    text: {ca: 'Formeu el voluntariat?', es: '¿Formáis al voluntariado?',"
        " en: 'Do you train your volunteers?'}\n"
        "  utter_label_volunteers_trained:\n    text: {ca: 'Formació', es: 'Formación', en: 'Training'}\n",
        encoding="utf-8")
    assert problems(content) == []
    answers = load_domain(dialogues, knowledge).forms[INTERVIEW_FORM].answers
    # in the form's order, the kept slots after the questions
    assert answers.index("volunteers_trained") == answers.index("partner_in_mind") - 1
    assert answers[-3:] == ("size_volunteers", "budget_band", "partner_name")


def test_a_label_missing_or_short_of_a_language_is_reported(content) -> None:
    handoff = content[0] / "handoff.yml"
    _edit(handoff, '  utter_label_partner_name:\n    text: {ca: "Soci que tenen al cap", es: "Socio que tienen en '
                   'mente", en: "Partner they have in mind"}\n', "")
    _edit(handoff, ', en: "Yearly budget"}', "}")
    found = problems(content)
    # a kept slot (filled by the acts, not asked by the form) needs its label as much as a question does
    assert any("form interview_form" in p and "no label utter_label_partner_name" in p for p in found), found
    assert any("response utter_label_budget_band" in p and "missing text in en" in p for p in found), found


def test_the_interview_keeps_only_declared_slots_it_does_not_ask(content) -> None:
    _edit(content[0] / "journey" / "interview.yml", "keeps: [size_volunteers, budget_band, partner_name]",
          "keeps: [size_volunteers, budget_band, partner_name, parnter_name, objective]")
    found = "\n".join(problems(content))
    assert "keeps unknown slot 'parnter_name'" in found
    assert "keeps 'objective', which the form asks already" in found


def test_the_actions_lists_come_from_the_interview_form() -> None:
    from actions.handoff import ANSWER_SLOTS
    from actions.journey import INTERVIEW_SLOTS, JOURNEY_SLOTS

    answers = load_domain(ROOT / "dialogues", ROOT / "knowledge").forms[INTERVIEW_FORM].answers
    assert INTERVIEW_SLOTS == answers
    assert set(answers) <= set(JOURNEY_SLOTS) and set(answers) <= set(ANSWER_SLOTS)
