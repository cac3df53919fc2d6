"""Scoring the understanding layer on a set of cases (tests/data/nlu_*.yml), per language and kind.

The same code the conversation runs reads each case: the engine's intent matcher for opening messages,
`read_answer` with the engine's answer reader for answers. A case whose slot or value does not exist in
the content (a mistake of its writer) is dropped and counted, never edited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.domain import Domain
from bot.engine.answers import DONT_KNOW, NOT_SURE, AnswerReader, Refused, find_slot, options_of
from bot.engine.nlu import IntentMatcher
from bot.engine.values import read_answer

MAX_TEXT = 2000


@dataclass
class Score:
    right: int = 0
    total: int = 0

    @property
    def rate(self) -> float:
        return self.right / self.total if self.total else 0.0


class PerLanguageAndKind:
    """Rates of a `by` table of scores keyed (language, kind), for the evaluations that share it."""

    by: dict[tuple[str, str], Score]

    def rate(self, lang: str | None = None, kind: str | None = None) -> float:
        picked = [s for (lg, k), s in self.by.items() if lang in (None, lg) and kind in (None, k)]
        right, total = sum(s.right for s in picked), sum(s.total for s in picked)
        return right / total if total else 0.0

    def count(self, lang: str | None = None, kind: str | None = None) -> int:
        return sum(s.total for (lg, k), s in self.by.items() if lang in (None, lg) and kind in (None, k))


@dataclass
class Result(PerLanguageAndKind):
    by: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    dropped: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)


def load_cases(path: Path) -> list[dict[str, Any]]:
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases") or [])


def _valid_value(domain: Domain, case: dict[str, Any]) -> bool:
    found = find_slot(domain, str(case.get("slot")))
    if found is None:
        return False
    slot, question = found
    value = case.get("value")
    if value == DONT_KNOW:
        return True
    if slot.type == "scale":
        return isinstance(value, int) and (slot.min or 1) <= value <= (slot.max or 4)
    return str(value) in options_of(question)


def _same(slot_options: list[str], expected: Any, got: Any) -> bool:
    if expected == got:
        return True
    # a question whose own "not sure" option stands for don't-know stores that option
    dont_know = {DONT_KNOW, NOT_SURE} if NOT_SURE in slot_options and DONT_KNOW not in slot_options else set()
    return expected in dont_know and got in dont_know


def evaluate(domain: Domain, cases: list[dict[str, Any]], *, matcher: IntentMatcher | None = None,
             reader: AnswerReader | None = None, keep_misses: bool = False) -> Result:
    matcher = matcher or IntentMatcher(domain.intents)
    reader = reader or AnswerReader(domain)
    result = Result()
    for case in cases:
        lang, kind, text = str(case.get("lang")), str(case.get("kind")), str(case.get("text") or "")
        if "intent" in case:
            if case["intent"] not in domain.intents and case["intent"] is not None:
                result.dropped += 1
                continue
            got: Any = matcher.match(text).intent
            right = got == case["intent"]
        else:
            if not _valid_value(domain, case):
                result.dropped += 1
                continue
            slot, question = find_slot(domain, str(case["slot"]))  # type: ignore[misc]
            try:
                got = read_answer(slot, question, text, from_button=False, max_text_length=MAX_TEXT,
                                  reader=reader).value
            except Refused:
                got = None
            right = _same(options_of(question), case["value"], got)
        score = result.by[(lang, kind)]
        score.total += 1
        score.right += int(right)
        if keep_misses and not right:
            result.misses.append({**case, "got": got})
    return result
