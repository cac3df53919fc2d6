"""The act evaluation (issue 23): what people type at a form question is read as what it is. The learnable
half (tests/data/acts_examples.yml) and the held-out half written blind before the act reading existed
(tests/data/acts_heldout.yml, never tuned to); each act in each language at 90 % at least on the held-out
half, and no text that is not an answer stored as one on the learnable half.
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
    return {name: evaluate(domain, load_cases(DATA / f"acts_{name}.yml")) for name in ("examples", "heldout", "fresh")}


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
    "held-out half, scored first on 2026-12-07 15:19 UTC: 80.4 % (correction 54 %, stop 42 %, smalltalk 75 %, "
    "abuse 83 %); again at 16:05 after changes made without looking at its misses: 88.7 % (ca 89.7 %, es 89.7 %, "
    "en 86.8 %; correction 67 %, stop 71 %, human 88 %, smalltalk 88 %); below the issue's 90 % on some acts "
    "(README, 'Conversation repair')"))
def test_held_out_half(scored) -> None:
    result = scored["heldout"]
    for lang in LANGS:
        for act in ACTS:
            assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)


@pytest.mark.xfail(strict=True, reason=(
    "fresh blind set, scored once on 2026-12-07 16:05 UTC: 88.2 % (answers, stop, abuse, language 100 %, human 94 %, "
    "question 83 %, correction 72 %, smalltalk 56 %); below the issue's 90 % on three acts (README, "
    "'Conversation repair')"))
def test_fresh_blind_set(scored) -> None:
    """Written blind after the held-out half was scored, before anything was changed to do better."""
    result = scored["fresh"]
    for lang in LANGS:
        for act in ACTS:
            assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)


# What both blind sets reached when scored (README, "Conversation repair"), held as floors so that a change
# that reads people worse fails here; the 90 % per act is the xfails above.
REACHED = {"heldout": {"all": 0.88, "lang": 0.86, "stored": 11}, "fresh": {"all": 0.88, "lang": 0.85, "stored": 10}}


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
    for half in ("examples", "heldout", "fresh"):
        print(half)
        print(table(evaluate(loaded, load_cases(DATA / f"acts_{half}.yml"))))
