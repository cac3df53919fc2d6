"""Readings found wrong by playing the conversation (ninth session), each failing on the code before it."""

from __future__ import annotations

import pytest

from actions.classifier import classify


@pytest.mark.parametrize(("lang", "text"), [
    # the premises taken away, told with the premises first ("el local ens el treuen"): it was unclear
    ("ca", "hola, som una entitat petita de lleure i estem pensant en ajuntar-nos amb una altra pq el local ens "
           "el treuen al juny"),
    ("es", "somos una asociacion pequeña y el local nos lo quitan en junio"),
])
def test_premises_taken_away_told_premises_first_are_a_threat(lang, text) -> None:
    reading = classify(text, lang=lang)
    assert reading.motivation == "reactive"
    assert any(e.source == "text" and "local" in str(e.value) for e in reading.evidence), reading.evidence
