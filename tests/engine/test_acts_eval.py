"""The act evaluation (issue 23): what people type at a form question is read as what it is. The learnable
half (tests/data/acts_examples.yml), the held-out half written blind before the act reading existed
(tests/data/acts_heldout.yml, never tuned to), a fresh blind set and a third one (acts_fresh.yml,
acts_blind3.yml), the fourth blind set (acts_blind4.yml) and the development sets (acts_dev23a.yml,
acts_dev23b*.yml); each act in each language at 90 % at least (the issue's bar, reached on all of them: they are
all seen now), floors at what they reached, and no text that is not an answer stored as one on the learnable
half and the development sets.
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
            for name in ("examples", "heldout", "fresh", "blind3", "blind4", "blind5")}


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


# The three older sets, each once a strict xfail at the issue's 90 % per act and language, reached it on
# 2026-12-07 at 22:10 UTC (helper 23a). They are no longer blind: their misses were named to it, or read by it
# as development data (README, "Conversation repair"); only a new blind set says how new people are read.
@pytest.mark.parametrize("name", ["heldout", "fresh", "blind3"])
def test_seen_sets_reach_the_issues_bar(scored, name) -> None:
    result = scored[name]
    for lang in LANGS:
        for act in ACTS:
            assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)


# The fourth blind set (tests/data/acts_blind4.yml, 288 cases, 12 per act per language), written at 21:10 UTC
# by a helper who wrote nothing else, from the issue and the forms' options only (not the reader, its rules,
# its examples or the other sets' cases), committed alone (bbc0580) before any of the eighth session's
# changes landed, scored once by the coordinator at the end (22:30 UTC): 85.8 % before the session's changes
# (7c37a2c), 91.0 % after (87f0368), 21 -> 11 non-answers stored; 92.0 %, 9 stored, after two fixes. Below the
# issue's bar then: corrections 58/75/92 %, abuse 83/83/83 %, stop 92/83/92 %. It is SEEN since: helper a23
# (ninth session) read its misses as development data, with classes of phrasing of its own (acts_dev23b*.yml),
# and it reached the bar on 2026-12-08 at 00:10 UTC (99.7 %, 0 stored). A figure on a seen set: only the fifth
# blind set says how new people are read.
def test_fourth_set_reaches_the_issues_bar(scored) -> None:
    result = scored["blind4"]
    for lang in LANGS:
        for act in ACTS:
            assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)


# The development sets: acts_dev23a.yml (helper 23a: phrases of each weak act, questions back, small talk,
# abuse, and answers holding their words); acts_dev23b.yml and acts_dev23b2.yml (helper a23, ninth session:
# corrections named by the question's topic, contempt and sarcasm with no insult word, stops that leave, pause,
# cancel or postpone, and answers holding those words). Each batch was scored once before it was tuned to, the
# honest estimate for new phrasing: dev23b 53.9 % (ca 56.4, es 56.4, en 49.1; corrections 29 %, abuse 31 %,
# stops 50 %; 37 stored) on 7bafa51; dev23b2 69.2 % (ca 69.8, es 66.0, en 71.7; abuse 39 %, stops 61 %,
# corrections 75 %; 19 stored) after the first round (d319c20); dev23b3 74.4 % (ca 74.4, es 72.1, en 76.7;
# abuse 25 %, stops 67 %, corrections 75 %, every answer right; 13 stored) after the second (ee3af03); dev23b4
# 72.2 % (72.2 in each language; corrections and answers 100 %, abuse 50 %, stops 60 %; 3 stored) after the
# third (23f69b8). Tuned to since: they hold the reading there.
@pytest.mark.parametrize("name", ["dev23a", "dev23b", "dev23b2", "dev23b3", "dev23b4"])
def test_development_set(domain, name) -> None:
    result = evaluate(domain, load_cases(DATA / f"acts_{name}.yml"))
    for lang in LANGS:
        for act in ACTS:
            if result.count(lang, act):
                assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)
    assert result.silent_misreads == 0, [m for m in result.misses if m["value"] is not None]


# What the blind sets reached when scored (README, "Conversation repair"), held as floors so that a change
# that reads people worse fails here; the issue's 90 % per act is the xfails above.
REACHED = {"heldout": {"all": 0.99, "lang": 0.99, "stored": 0}, "fresh": {"all": 0.99, "lang": 0.99, "stored": 0},
           # written before the second session changed anything, scored once at its end (19:37 UTC: 86.8 %, 15
           # stored); then read as development data by helper 23a (22:10 UTC)
           "blind3": {"all": 0.99, "lang": 0.99, "stored": 0},
           # scored once at the end of the eighth session (22:30 UTC): 91.0 %, ca 88.5, es 90.6, en 93.8, 11 stored;
           # then read as development data by helper a23 (00:10 UTC: 99.7 %, 0 stored)
           "blind4": {"all": 0.99, "lang": 0.98, "stored": 0},
           # scored once at the end of the ninth session (01:45 UTC): 90.6 % before it (7bafa51, 16 stored), 92.0 %
           # after its helpers (74c6d4b: ca 96.9, es 90.6, en 88.5; 14 stored); then, seen, cues of the classes it
           # showed (apologies for a delay, a person asked for by phone, "not very bright", postponing): 97.6 %, 2
           "blind5": {"all": 0.975, "lang": 0.965, "stored": 2}}


# The fifth blind set (tests/data/acts_blind5.yml, 288 cases, written by helper b5a, who wrote nothing else, and
# committed alone (7b0f237) before any of the ninth session's changes landed). Scored once at 92.0 %, below
# the bar for corrections (es/en 83 %), small talk (es 75 %, en 83 %), human, stop and abuse (en 83 %); after
# the fixes made once it was seen, corrections of a contact's email and of a place typed at another question
# are still read as answers (es/en corrections 83 %).
@pytest.mark.xfail(strict=True, reason="issue #23's bar on the fifth blind set: corrections es/en 83 %")
def test_fifth_blind_set_reaches_the_issues_bar(scored) -> None:
    result = scored["blind5"]
    for lang in LANGS:
        for act in ACTS:
            assert result.rate(lang, act) >= HELD_OUT_FLOOR, table(result)


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
    for half in ("examples", "heldout", "fresh", "blind3", "blind4", "blind5", "dev23a", "dev23b", "dev23b2", "dev23b3",
                 "dev23b4"):
        print(half)
        print(table(evaluate(loaded, load_cases(DATA / f"acts_{half}.yml"))))
