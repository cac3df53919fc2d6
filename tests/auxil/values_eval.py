"""Scoring the value reading (issue 23) on tests/data/values_dev23*.yml: what a text typed at a question leaves
stored, read the way the conversation reads it (bot/engine/forms.py `answer`, bot/engine/repair.py).

In order: "start again" typed (asked first, nothing stored); the act (only an answer can fill the question; a
plain yes or no said before small talk or a stop at the consent is its answer); the answer reader (refused:
nothing stored); a guess from a message that says it does not know is its "don't know"; a reading the
repair finds unsure is confirmed, not stored. A case typed while a confirmation waits (`at_confirm`) is first
read as the typed yes or no to it (bot/engine/engine.py `_offered_answer`): a yes keeps the waiting value, a
no asks the question again; anything else is read afresh.

Outcomes: ("stored", value), ("confirm", value), ("refused", reason) or ("act", kind).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from bot.content.domain import Domain
from bot.engine.acts import ANSWER, SMALLTALK, STOP, ActReader
from bot.engine.answers import AnswerReader, Refused, find_slot
from bot.engine.engine import IN_FORM_INTENT_FLOOR
from bot.engine.nlu import IntentMatcher
from bot.engine.repair import RESTART_FLOOR, RESTART_MAX_WORDS, Repair
from bot.engine.textnorm import normalize
from bot.engine.values import read_answer
from bot.engine.wording import lead_clause
from tests.auxil.nlu_eval import PerLanguageAndKind, Score

MAX_TEXT = 2000
ALIASES = {"none_option": "none"}


@dataclass
class ValueResult(PerLanguageAndKind):
    by: dict[tuple[str, str], Score] = field(default_factory=lambda: defaultdict(Score))
    stored_wrong: int = 0      # a value stored that the text did not give: the silent misreads
    over_confirmed: int = 0    # a clear answer confirmed instead of stored
    refused_clear: int = 0     # a clear answer refused (or taken for another act)
    misses: list[dict[str, Any]] = field(default_factory=list)


class Reader:
    """The conversation's reading of one typed text at one question, without a conversation."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        self.answers = AnswerReader(domain)
        self.acts = ActReader(domain, self.answers)
        self.intents = IntentMatcher(domain.intents)
        self.repair = SimpleNamespace(acts=self.acts, domain=domain)  # what Repair.unsure / doubt use

    def wants_restart(self, text: str) -> bool:
        if len(normalize(text).split()) > RESTART_MAX_WORDS:
            return False
        parsed = self.intents.match(text, threshold=IN_FORM_INTENT_FLOOR)
        return bool(parsed.intent == "restart" and parsed.confidence >= RESTART_FLOOR)

    def outcome(self, slot_name: str, text: str, question_name: str | None = None,
                at_confirm: Any = None) -> tuple[str, Any]:
        found = find_slot(self.domain, slot_name)
        assert found is not None, slot_name
        slot, question = found
        if question_name:
            question = self.domain.responses[question_name]
        if at_confirm is not None and not self.wants_restart(text):
            said = self.answers.yes_or_no(re.split(r"[,;.!?]", text, maxsplit=1)[0] or text)
            if said == "yes":
                return ("stored", at_confirm)
            if said == "no":
                return ("refused", "confirmation declined")
        if self.wants_restart(text):
            return ("act", STOP)
        act = self.acts.read(slot, question, text)
        if act.kind in (SMALLTALK, STOP) and slot.reads.get("explicit"):
            lead, rest = lead_clause(text)
            if rest and len(lead.split()) <= 3 and self.answers.yes_or_no(lead) is not None:
                text, act = lead, SimpleNamespace(kind=ANSWER)
        if act.kind != ANSWER:
            return ("act", act.kind)
        try:
            reading = read_answer(slot, question, text, from_button=False, max_text_length=MAX_TEXT,
                                  reader=self.answers)
            doubt = Repair.doubt(self.repair, slot, reading, text)  # type: ignore[arg-type]
            if doubt is not None:
                reading = read_answer(slot, question, doubt, from_button=False, max_text_length=MAX_TEXT,
                                      reader=self.answers)
        except Refused as refusal:
            return ("refused", refusal.reason)
        if Repair.unsure(self.repair, slot, reading, text):  # type: ignore[arg-type]
            return ("confirm", reading.value)
        return ("stored", reading.value)


def _same(expected: Any, got: Any) -> bool:
    expected = ALIASES.get(str(expected), expected)
    return str(expected) == str(got)


def evaluate(domain: Domain, cases: list[dict[str, Any]], reader: Reader | None = None) -> ValueResult:
    reader = reader or Reader(domain)
    result = ValueResult()
    for case in cases:
        expected = case["expect"]
        how, value = reader.outcome(str(case["slot"]), str(case["text"]), case.get("question"),
                                    case.get("at_confirm"))
        if expected == "none":
            kind, right = "none", how in ("refused", "act")
        elif expected == "confirm":
            wanted = case.get("confirm_value")
            kind = "confirm"
            right = how == "refused" or (how == "confirm" and (wanted is None or _same(wanted, value)))
        else:
            kind, right = "value", how == "stored" and _same(expected, value)
            result.over_confirmed += int(how == "confirm")
            result.refused_clear += int(how in ("refused", "act"))
        result.stored_wrong += int(how == "stored" and not (kind == "value" and _same(expected, value)))
        score = result.by[(str(case["lang"]), kind)]
        score.total += 1
        score.right += int(right)
        if not right:
            result.misses.append({**case, "got": how, "value": value})
    return result


def table(result: ValueResult) -> str:
    kinds = ("value", "none", "confirm")
    rows = ["| | " + " | ".join(kinds) + " | all |", "|---" * (len(kinds) + 2) + "|"]
    for lang in ("ca", "es", "en"):
        cells = [f"{result.rate(lang, k):.0%} ({result.count(lang, k)})" for k in kinds]
        rows.append(f"| {lang} | " + " | ".join(cells) + f" | {result.rate(lang):.1%} |")
    rows.append(f"overall {result.rate():.1%} of {result.count()}; stored but not given {result.stored_wrong}; "
                f"clear answers confirmed {result.over_confirmed}, refused {result.refused_clear}")
    return "\n".join(rows)
