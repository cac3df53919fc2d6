"""The act evaluation (issue 23): what people type at a form question is read as what it is. The learnable
half (tests/data/acts_examples.yml), the held-out half written blind before the act reading existed
(tests/data/acts_heldout.yml, never tuned to), a fresh blind set and a third one (acts_fresh.yml,
acts_blind3.yml); each act in each language at 90 % at least on the blind sets (strict xfails while not
reached), floors at what they reached, and no text that is not an answer stored as one on the learnable half.
`python -m tests.engine.test_acts_eval` prints the table the README reports."""

from __future__ import annotations

import pytest

from bot.content.domain import load_domain
from bot.engine.acts import ACTS
from tests.auxil.acts_eval import ActResult, evaluate, load_cases
from tests.auxil.paths import DATA, ROOT

LANGS = ("ca", "es", "en")
HELD_OUT_FLOOR = 0.90
LEARNABLE_FLOOR = 0.95


@pytest.fixture(scope="module")
def domain():
    return load_domain(ROOT / "dialogues", ROOT / "knowledge")


@pytest.fixture(scope="module")
def scored(domain) -> dict[str, ActResult]:
    return {name: evaluate(domain, load_cases(DATA / f"acts_{name}.yml"))
            for name in ("examples", "heldout", "fresh", "blind3")}


def test_both_halves_cover_every_act_in_every_language() -> None:
    for name in ("examples", "heldout"):
        cases = load_cases(DATA / f"acts_{name}.yml")
        for lang in LANGS:
            for act in ACTS:
                assert sum(1 for c in cases if c["lang"] == lang and c["act"] == act) >= 8, (name, lang, act)


def test_learnable_half(scored) -> None:
    result = scored["examples"]
    for act in ACTS:
        assert result.rate(None, act) >= LEARNABLE_FLOOR, table(result)
    assert result.silent_misreads == 0, [m for m in result.misses if m["value"] is not None]


@pytest.mark.xfail(strict=True, reason=(
    "held-out half, scored first on 2026-12-07 15:19 UTC: 80.4 %; at 16:05: 88.7 %; at 19:37 after a second "
    "session's changes made without looking at its misses: 91.2 % (ca 92.6, es 91.2, en 89.7; human ca 75 %, "
    "correction es 62 %, stop 62-75 %, smalltalk en/es 88 %, abuse en 75 %): below the issue's 90 % on some acts "
    "(README, 'Conversation repair')"))
def test_held_out_half(scored) -> None:
    result = scored["heldout"]
    for lang in LANGS:
        for act in ACTS:
            assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)


@pytest.mark.xfail(strict=True, reason=(
    "fresh blind set, scored once on 2026-12-07 16:05 UTC: 88.2 %; at 19:37: 93.8 % (ca 95.8, es 95.8, en 89.6; "
    "smalltalk 50-67 %, human and correction en 83 %); four of its misses were named in the second session's brief "
    "and fixed, so it is no longer fully blind (README, 'Conversation repair')"))
def test_fresh_blind_set(scored) -> None:
    """Written blind after the held-out half was scored, before anything was changed to do better."""
    result = scored["fresh"]
    for lang in LANGS:
        for act in ACTS:
            assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)


@pytest.mark.xfail(strict=True, reason=(
    "third blind set (tests/data/acts_blind3.yml, 258 cases, written by the second session before it changed "
    "anything), scored once on 2026-12-07 19:37 UTC: 86.8 % (ca 86.0, es 90.7, en 83.7; question 64-82 %, "
    "smalltalk 60-80 %, abuse ca/en 60-70 %): below the issue's 90 % on several acts"))
def test_third_blind_set(scored) -> None:
    result = scored["blind3"]
    for lang in LANGS:
        for act in ACTS:
            assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)


# What the blind sets reached when scored (README, "Conversation repair"), held as floors so that a change
# that reads people worse fails here; the 90 % per act is the xfails above.
REACHED = {"heldout": {"all": 0.91, "lang": 0.89, "stored": 8}, "fresh": {"all": 0.93, "lang": 0.89, "stored": 2},
           # written before the second session changed anything, scored once at its end (19:37 UTC)
           "blind3": {"all": 0.86, "lang": 0.83, "stored": 15}}


@pytest.mark.parametrize("name", sorted(REACHED))
def test_blind_sets_hold_what_they_reached(scored, name) -> None:
    result, floor = scored[name], REACHED[name]
    assert result.rate() >= floor["all"], table(result)
    for lang in LANGS:
        assert result.rate(lang) >= floor["lang"], table(result)
    assert result.silent_misreads <= floor["stored"], table(result)


def table(result: ActResult) -> str:
    rows = ["| | " + " | ".join(ACTS) + " | all |", "|---" * (len(ACTS) + 2) + "|"]
    for lang in LANGS:
        cells = [f"{result.rate(lang, a):.0%} ({result.count(lang, a)})" for a in ACTS]
        rows.append(f"| {lang} | " + " | ".join(cells) + f" | {result.rate(lang):.1%} |")
    rows.append(f"overall {result.rate():.1%} of {result.count()} cases; "
                f"texts that are not answers stored as answers: {result.silent_misreads}")
    return "\n".join(rows)


if __name__ == "__main__":  # pragma: no cover - the README's tables
    loaded = load_domain(ROOT / "dialogues", ROOT / "knowledge")
    for half in ("examples", "heldout", "fresh", "blind3"):
        print(half)
        print(table(evaluate(loaded, load_cases(DATA / f"acts_{half}.yml"))))
