"""`aliat check` finds what a content editor may break, and names the file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.check import check_content
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
