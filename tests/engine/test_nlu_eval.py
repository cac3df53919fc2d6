"""The understanding layer's evaluation: the learnable half (tests/data/nlu_examples.yml) and the held-out
half written blind by someone else (tests/data/nlu_heldout.yml, never tuned to). Fails below 90 % on the
held-out half, the issue's floor. `python -m tests.engine.test_nlu_eval` prints the table the README reports."""

from __future__ import annotations

from collections import Counter

import pytest

from bot.content.domain import load_domain
from tests.auxil.nlu_eval import Result, evaluate, load_cases
from tests.auxil.paths import DATA, ROOT

LANGS = ("ca", "es", "en")
HELD_OUT_FLOOR = 0.90
LEARNABLE_FLOOR = 0.95
REQUIRED_INTENTS = ("explore", "about_programme", "factors", "human", "greet", "help", "privacy", "out_of_scope",
                    "restart", "thanks", "bye")


@pytest.fixture(scope="module")
def domain():
    return load_domain(ROOT / "dialogues", ROOT / "knowledge")


@pytest.fixture(scope="module")
def scored(domain) -> dict[str, Result]:
    from bot.engine.answers import AnswerReader
    from bot.engine.nlu import IntentMatcher

    matcher, reader = IntentMatcher(domain.intents), AnswerReader(domain)
    return {name: evaluate(domain, load_cases(DATA / f"nlu_{name}.yml"), matcher=matcher, reader=reader)
            for name in ("examples", "heldout")}


def test_training_examples_per_intent_and_language(domain) -> None:
    for intent in REQUIRED_INTENTS:
        for lang in LANGS:
            assert len(domain.intents[intent][lang]) >= 40, (intent, lang, len(domain.intents[intent][lang]))


def test_both_halves_are_big_enough() -> None:
    for name in ("examples", "heldout"):
        cases = load_cases(DATA / f"nlu_{name}.yml")
        openings = Counter(c["lang"] for c in cases if c["kind"] == "opening")
        answers = Counter(c["lang"] for c in cases if c["kind"] != "opening")
        for lang in LANGS:
            assert openings[lang] >= 20, (name, lang, openings)
            assert answers[lang] >= 30, (name, lang, answers)


def test_learnable_half(scored) -> None:
    result = scored["examples"]
    assert result.dropped == 0  # ours: every slot and value exists
    assert result.rate() >= LEARNABLE_FLOOR, table(result)


def test_held_out_half(scored) -> None:
    result = scored["heldout"]
    # a case naming a slot or value that does not exist is dropped, never edited; few may be
    assert result.dropped <= 0.05 * (result.count() + result.dropped), result.dropped
    assert result.rate() >= HELD_OUT_FLOOR, table(result)


def table(result: Result) -> str:
    kinds = sorted({k for _, k in result.by})
    rows = ["| | " + " | ".join(kinds) + " | all |", "|---" * (len(kinds) + 2) + "|"]
    for lang in LANGS:
        cells = [f"{result.rate(lang, k):.0%} ({result.count(lang, k)})" for k in kinds]
        rows.append(f"| {lang} | " + " | ".join(cells) + f" | {result.rate(lang):.1%} |")
    rows.append(f"overall {result.rate():.1%} of {result.count()} cases; dropped {result.dropped}")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover - the README's table
    from bot.engine.answers import AnswerReader
    from bot.engine.nlu import IntentMatcher

    loaded = load_domain(ROOT / "dialogues", ROOT / "knowledge")
    for half in ("examples", "heldout"):
        print(half)
        print(table(evaluate(loaded, load_cases(DATA / f"nlu_{half}.yml"), matcher=IntentMatcher(loaded.intents),
                             reader=AnswerReader(loaded))))
