"""The quiz no longer gives its answers away: its cases come shuffled (knowledge lists six reactive, six
proactive, then four mixed), and a trainer picks how many and which kinds (/workshop ca 6 reactives mixtes)."""

from __future__ import annotations

import random

from bot.content.domain import load_domain
from bot.shared import callbacks
from bot.workshop.session import (
    Programme,
    decode_choice,
    encode_choice,
    initial_state,
    item_kind,
    pick_cases,
    quiz_choice,
)
from tests.auxil.paths import ROOT


def _knowledge() -> dict:
    return load_domain(ROOT / "dialogues", ROOT / "knowledge").knowledge


def _runs(answers: list[str]) -> int:
    """The longest stretch of the same answer in a row."""
    longest = run = 1
    for before, now in zip(answers, answers[1:], strict=False):
        run = run + 1 if now == before else 1
        longest = max(longest, run)
    return longest


def test_every_case_is_shown_once_in_a_shuffled_order() -> None:
    knowledge = _knowledge()
    listed = [s["id"] for s in knowledge["scenarios"]["scenarios"]]
    listed_answers = [s["answer"] for s in knowledge["scenarios"]["scenarios"]]
    assert _runs(listed_answers) >= 4  # as written: a run of one kind, which the old order showed as is
    orders = set()
    for seed in range(20):
        state = initial_state(Programme.BOTH, knowledge, rng=random.Random(seed))
        cases = [i for i in state["items"] if item_kind(i["id"]) == "s"]
        assert sorted(c["id"].split(":", 1)[1] for c in cases) == sorted(listed)  # all of them, once each
        assert [item_kind(i["id"]) for i in state["items"]][-5:] == ["f"] * 5  # then the factor cards
        orders.add(tuple(c["id"] for c in cases))
    assert len(orders) == 20  # a different order each time
    assert tuple(f"s:{i}" for i in listed) not in orders


def test_a_trainer_picks_how_many_and_which_kinds() -> None:
    knowledge = _knowledge()
    six = pick_cases(knowledge, count=6, rng=random.Random(1))
    assert len(six) == 6 and sorted(s["answer"] for s in six).count("mixed") == 2  # two of each kind
    assert {s["answer"] for s in six} == {"reactive", "proactive", "mixed"}
    some = pick_cases(knowledge, count=4, kinds=["reactive", "mixed"], rng=random.Random(2))
    assert len(some) == 4 and {s["answer"] for s in some} == {"reactive", "mixed"}
    assert len(pick_cases(knowledge, count=99, rng=random.Random(3))) == len(knowledge["scenarios"]["scenarios"])
    # what the trainer types after /workshop, through the programme button's data and back
    count, kinds = quiz_choice(["ca", "6", "reactives", "mixtes"])
    assert (count, kinds) == (6, ["reactive", "mixed"])
    data = callbacks.workshop(callbacks.WorkshopAct.PROGRAMME, "both", "ca", *encode_choice(count, kinds))
    assert data == "ws:p:both:ca:6:rm" and callbacks.fits(data)
    assert decode_choice(callbacks.parse_workshop(data).args[2:]) == (6, ["reactive", "mixed"])
    assert encode_choice(*quiz_choice(["es"])) == []  # nothing chosen: every case, as before (shuffled)
    assert decode_choice(()) == (None, [])
