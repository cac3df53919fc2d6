"""Scoring the act reading (issue 23) on tests/data/acts_*.yml, per act and language.

A case is read as the conversation reads it: `ActReader.read` at the case's question, then, for an answer,
`read_answer`. An answer case with a `value` is right when that value is read; one without (a name, a
description) when something is kept; every other act is right when it is read as that act, so nothing is
stored. A "silent misread" is a case that is not an answer whose text would have been stored as one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.content.domain import Domain
from bot.engine.acts import ANSWER, ActReader
from bot.engine.answers import AnswerReader, Refused, find_slot
from bot.engine.values import read_answer
from tests.auxil.nlu_eval import Score, _same

MAX_TEXT = 2000


@dataclass
class ActResult:
    by: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    silent_misreads: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)

    def rate(self, lang: str | None = None, act: str | None = None) -> float:
        picked = [s for (lg, a), s in self.by.items() if lang in (None, lg) and act in (None, a)]
        right, total = sum(s.right for s in picked), sum(s.total for s in picked)
        return right / total if total else 0.0

    def count(self, lang: str | None = None, act: str | None = None) -> int:
        return sum(s.total for (lg, a), s in self.by.items() if lang in (None, lg) and act in (None, a))


def load_cases(path: Path) -> list[dict[str, Any]]:
    return list((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases") or [])


def evaluate(domain: Domain, cases: list[dict[str, Any]], *, reader: AnswerReader | None = None,
             acts: ActReader | None = None) -> ActResult:
    reader = reader or AnswerReader(domain)
    acts = acts or ActReader(domain, reader)
    result = ActResult()
    for case in cases:
        lang, expected, text = str(case["lang"]), str(case["act"]), str(case["text"])
        found = find_slot(domain, str(case["slot"]))
        assert found is not None, case
        slot, question = found
        act = acts.read(slot, question, text)
        value: Any = None
        if act.kind == ANSWER:
            try:
                value = read_answer(slot, question, text, from_button=False, max_text_length=MAX_TEXT,
                                    reader=reader).value
            except Refused:
                value = None
        if expected == ANSWER:
            from bot.engine.answers import options_of
            right = act.kind == ANSWER and (
                _same(options_of(question), case["value"], value) if "value" in case else value is not None)
        else:
            right = act.kind == expected
            result.silent_misreads += int(value is not None)
        score = result.by[(lang, expected)]
        score.total += 1
        score.right += int(right)
        if not right:
            result.misses.append({**case, "got": act.kind, "how": act.how, "value": value})
    return result
