"""A motivation told in the person's own words, read at the motivation questions for bot/engine/answers.py
(whose AnswerReader is `reader`: its classifiers and option mapping)."""

from __future__ import annotations

from typing import Any

from bot.content.domain import FormSlot
from bot.engine.negation import clauses_of, negated, positions, ranked_second
from bot.engine.textnorm import normalize
from bot.engine.wording import Reading, Refused


def read_motivation(reader: Any, slot: FormSlot, options: list[str], names: dict[str, set[str]],
                    text: str) -> Reading:
    """A motivation in the person's words, negation-aware: what they deny ("no estem en una situació
    difícil"), or rank second ("més un projecte que una necessitat"), does not count as claimed.
    Evidence: the options' names, then the motivation classifier's cues (actions/classifier.py), then
    the examples of `answers: motivation` in dialogues/nlu.yml."""
    from actions.classifier import MIXED, PROACTIVE, REACTIVE, classify

    norm = normalize(text)
    tokens, clauses = norm.split(), clauses_of(text)
    second = ranked_second(tokens, clauses)
    claimed: set[str] = set()
    denied: set[str] = set()

    def weigh(option: str, start: int, name: str) -> None:
        if start in second or negated(tokens, start, name, clauses):
            denied.add(option)
        else:
            claimed.add(option)

    for opt, words in names.items():
        for word in words:
            for start in positions(tokens, word.split()):
                weigh(opt, start, word)
    for e in classify(text=text, answers={}, lang=None).evidence:
        if e.source == "text" and e.direction in (REACTIVE, PROACTIVE):
            for start in positions(tokens, normalize(str(e.value)).split()):
                weigh(e.direction, start, "")
    claimed -= denied
    both = reader._mapped(slot, options).get(MIXED)
    settled = [opt for opt in claimed if opt not in (REACTIVE, PROACTIVE)]  # "les dues", "no ho sé"
    value: Any = None
    if len(settled) == 1:
        value = settled[0]
    elif {REACTIVE, PROACTIVE} <= claimed and both:
        value = both
    elif len(claimed) == 1:
        value = next(iter(claimed))
    elif not claimed and "motivation" in reader._kinds:
        guessed: Reading | None = reader._classified(slot, options, "motivation", text)
        if guessed is not None and guessed.value not in denied:
            return guessed
    if value is None and not claimed and len(denied & {REACTIVE, PROACTIVE}) == 1:
        value = PROACTIVE if REACTIVE in denied else REACTIVE  # "it isn't X": the other one
    if value is None or value not in options:
        raise Refused("choice")
    return Reading(value, 0.8, "motivation")
