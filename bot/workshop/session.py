"""What a workshop shows, in which order, and what its votes add up to. No Telegram, no database.

A workshop's state (JSON in the workshop row) holds everything needed to go on after a restart:
``items`` (the programme, snapshot at the start, each with its right answer), ``step`` (index of the
item on screen), ``polls`` (quiz poll id -> item id), ``control`` (message id of the tally with the
Next/End buttons), ``poll_message`` (message id of the current quiz) and, while it runs, ``salt``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Programme(StrEnum):
    SCENARIOS = "scenarios"
    FACTORS = "factors"
    BOTH = "both"


SCENARIO = "s"
FACTOR = "f"
RATINGS = ("1", "2", "3", "4")


def item_id(kind: str, ident: str) -> str:
    return f"{kind}:{ident}"


def item_kind(item: str) -> str:
    return item.split(":", 1)[0]


def item_ident(item: str) -> str:
    return item.split(":", 1)[-1]


def answer_options(knowledge: dict[str, Any]) -> list[str]:
    """The quiz options in the order the poll shows them (reactive, proactive, mixed)."""
    return list((knowledge.get("scenarios") or {}).get("options") or {})


def pick_cases(knowledge: dict[str, Any], *, count: int | None = None, kinds: list[str] | None = None,
               rng: random.Random | None = None) -> list[dict[str, Any]]:
    """The quiz's cases, shuffled: only the kinds asked for (all by default), `count` of them (all by
    default) taken in turns from each kind so a short quiz still mixes them. Knowledge lists them by kind
    (six reactive, six proactive, four mixed): shown in that order, the answers gave themselves away."""
    rng = rng or random.SystemRandom()
    scenarios = list((knowledge.get("scenarios") or {}).get("scenarios") or [])
    wanted = [k for k in (kinds or []) if k in answer_options(knowledge)]
    if wanted:
        scenarios = [s for s in scenarios if s.get("answer") in wanted]
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for scenario in scenarios:
        by_kind.setdefault(scenario.get("answer", ""), []).append(scenario)
    for cases in by_kind.values():
        rng.shuffle(cases)
    limit = len(scenarios) if not count or count <= 0 else min(count, len(scenarios))
    chosen: list[dict[str, Any]] = []
    queues = [cases for _, cases in sorted(by_kind.items())]
    rng.shuffle(queues)
    while len(chosen) < limit:
        for cases in queues:
            if cases and len(chosen) < limit:
                chosen.append(cases.pop())
    rng.shuffle(chosen)
    return chosen


def programme_items(programme: Programme | str, knowledge: dict[str, Any], *, count: int | None = None,
                    kinds: list[str] | None = None, rng: random.Random | None = None) -> list[dict[str, str]]:
    """The items of a programme: the quiz's cases (shuffled; how many and which kinds as the trainer
    chose, each with its right answer) first, then the factor cards."""
    programme = Programme(programme)
    items: list[dict[str, str]] = []
    if programme in (Programme.SCENARIOS, Programme.BOTH):
        for scenario in pick_cases(knowledge, count=count, kinds=kinds, rng=rng):
            items.append({"id": item_id(SCENARIO, scenario["id"]), "answer": scenario["answer"]})
    if programme in (Programme.FACTORS, Programme.BOTH):
        for factor in (knowledge.get("success_factors") or {}).get("factors") or []:
            items.append({"id": item_id(FACTOR, factor["id"])})
    return items


def initial_state(programme: Programme | str, knowledge: dict[str, Any], *, count: int | None = None,
                  kinds: list[str] | None = None, rng: random.Random | None = None) -> dict[str, Any]:
    return {"items": programme_items(programme, knowledge, count=count, kinds=kinds, rng=rng), "step": 0,
            "polls": {}, "control": None, "poll_message": None}


# What a trainer may type after /workshop to choose the quiz's kinds (the options' ids, and their words)
KIND_WORDS = {"reactive": "reactive", "reactiva": "reactive", "reactivo": "reactive", "reactives": "reactive",
              "reactivas": "reactive", "reactivos": "reactive",
              "proactive": "proactive", "proactiva": "proactive", "proactivo": "proactive", "proactives": "proactive",
              "proactivas": "proactive", "proactivos": "proactive",
              "mixed": "mixed", "mixta": "mixed", "mixto": "mixed", "mixtes": "mixed", "mixtas": "mixed",
              "mixtos": "mixed"}
KIND_LETTERS = {"reactive": "r", "proactive": "p", "mixed": "m"}


def quiz_choice(words: list[str]) -> tuple[int | None, list[str]]:
    """/workshop's words after the language: a number (how many cases) and kinds ("reactives mixtes")."""
    count, kinds = None, []
    for word in words:
        folded = word.strip().lower().rstrip(".,;")
        if folded.isdigit() and folded.isascii() and 0 < len(folded) <= 3:
            count = int(folded) or None
        elif folded in KIND_WORDS and KIND_WORDS[folded] not in kinds:
            kinds.append(KIND_WORDS[folded])
    return count, kinds


def encode_choice(count: int | None, kinds: list[str]) -> list[str]:
    """The choice as callback data pieces: ["8", "rm"] (an empty piece: all; nothing when all of both)."""
    pieces = [str(count or ""), "".join(KIND_LETTERS[k] for k in kinds if k in KIND_LETTERS)]
    return pieces if any(pieces) else []


def decode_choice(pieces: tuple[str, ...] | list[str]) -> tuple[int | None, list[str]]:
    count = int(pieces[0]) if pieces and pieces[0].isdigit() and len(pieces[0]) <= 3 else None
    letters = {v: k for k, v in KIND_LETTERS.items()}
    kinds = [letters[ch] for ch in (pieces[1] if len(pieces) > 1 else "") if ch in letters]
    return count or None, kinds


def scenario_by_id(knowledge: dict[str, Any], ident: str) -> dict[str, Any] | None:
    for scenario in (knowledge.get("scenarios") or {}).get("scenarios") or []:
        if scenario.get("id") == ident:
            return scenario
    return None


def factor_by_id(knowledge: dict[str, Any], ident: str) -> dict[str, Any] | None:
    for factor in (knowledge.get("success_factors") or {}).get("factors") or []:
        if factor.get("id") == ident:
            return factor
    return None


def position(items: list[dict[str, str]], step: int) -> tuple[int, int]:
    """(number, total) of the item at `step` among the items of its own kind, counted from 1."""
    kind = item_kind(items[step]["id"])
    same = [i for i, item in enumerate(items) if item_kind(item["id"]) == kind]
    return same.index(step) + 1, len(same)


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class ScenarioResult:
    item: str
    number: int
    answer: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def right_share(self) -> float | None:
        return self.counts.get(self.answer, 0) / self.total if self.total else None


@dataclass(frozen=True)
class FactorResult:
    item: str
    number: int
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def mean(self) -> float | None:
        if not self.total:
            return None
        return sum(int(value) * count for value, count in self.counts.items()) / self.total


@dataclass(frozen=True)
class Results:
    workshop_id: int
    language: str
    participants: int
    options: list[str]
    scenarios: list[ScenarioResult] = field(default_factory=list)
    factors: list[FactorResult] = field(default_factory=list)

    @property
    def right_share(self) -> float | None:
        """Right answers over all quiz answers."""
        total = sum(s.total for s in self.scenarios)
        return sum(s.counts.get(s.answer, 0) for s in self.scenarios) / total if total else None


def build_results(*, workshop_id: int, language: str, state: dict[str, Any], tallies: dict[str, dict[str, int]],
                  participants: int, options: list[str], shown_only: bool = True) -> Results:
    """Results of the items the room saw (up to the current step), from the vote tallies."""
    items = state.get("items") or []
    last = min(int(state.get("step", 0)), len(items) - 1) if shown_only else len(items) - 1
    scenarios: list[ScenarioResult] = []
    factors: list[FactorResult] = []
    for item in items[: last + 1]:
        counts = tallies.get(item["id"], {})
        if item_kind(item["id"]) == SCENARIO:
            scenarios.append(ScenarioResult(item["id"], len(scenarios) + 1, item.get("answer", ""),
                                            {o: counts.get(o, 0) for o in options}))
        else:
            factors.append(FactorResult(item["id"], len(factors) + 1, {r: counts.get(r, 0) for r in RATINGS}))
    return Results(workshop_id=workshop_id, language=language, participants=participants, options=options,
                   scenarios=scenarios, factors=factors)
