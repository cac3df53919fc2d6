"""What the person already said answers some interview questions (issue 16: ask only what is needed).

The opening message and the "why a partnership" text are read by the motivation classifier
(actions/classifier.py); the cues it finds there, not negated, fill the answers that
knowledge/journey.yml `prefill` names, and a money cue turns the finances question into a one-line
confirmation (`financial_hint`). No cue list of its own: the mapping is from the classifier's cue ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from actions.base import knowledge, tr
from actions.classifier import classify, is_hedge

HINT_SLOT = "financial_hint"
FILLED_SLOT = "prefilled_answers"  # which answers the text gave, so a rewritten text can take them back


@dataclass
class Understood:
    answers: dict[str, str] = field(default_factory=dict)  # slot -> value the text already gives
    hint: str | None = None  # the money topic the finances question names, if any


def _spec() -> dict[str, Any]:
    return knowledge("journey").get("prefill") or {}


def read_text(text: str | None, lang: str | None) -> Understood:
    """The answers a free text gives outright (un-negated cues only; a hedge gives nothing)."""
    if not text or not text.strip() or is_hedge(text):
        return Understood()
    found = {e.key for e in classify(text=text, lang=lang).evidence if e.source == "text" and not e.negated}
    spec = _spec()
    answers = {slot: str(rule["value"]) for slot, rule in (spec.get("fill") or {}).items()
               if found & set(rule.get("cues") or ()) and not found & set(rule.get("unless") or ())}
    hint = next((topic for topic, cues in (spec.get("financial_hint") or {}).items() if found & set(cues or ())),
                None)
    return Understood(answers, hint)


def prefill_slots(text: str | None, lang: str | None, current: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Slots to set (never over an answer the person gave) and, in the person's language, what was understood
    ("teniu serveis en perill"), to say back in one line. An answer an earlier text gave, which the new text
    (the "why" rewritten after ↩ Back) no longer gives, is taken back, unless the person has changed it."""
    understood = read_text(text, lang)
    said = knowledge("journey").get("said") or {}
    fills = _spec().get("fill") or {}
    current = dict(current)
    slots: dict[str, Any] = {}
    for slot in current.get(FILLED_SLOT) or ():
        if slot not in understood.answers and slot in fills and current.get(slot) == str(fills[slot]["value"]):
            slots[slot] = current[slot] = None
    lines: list[str] = []
    given: list[str] = []
    for slot, value in understood.answers.items():
        if current.get(slot) is not None:
            continue
        slots[slot] = value
        given.append(slot)
        line = tr((said.get(slot) or {}).get(value), lang or "ca")
        if line:
            lines.append(line)
    slots[FILLED_SLOT] = given
    if current.get("financial_situation") is None:
        slots[HINT_SLOT] = understood.hint
    return slots, lines
