"""What the person already said answers some interview questions (issue 16: ask only what is needed).

The opening message and the "why a partnership" text are read by the motivation classifier
(actions/classifier.py); the cues it finds there, not negated, fill the answers that
knowledge/journey.yml `prefill` names, and a money cue turns the finances question into a one-line
confirmation (`financial_hint`). No cue list of its own: the mapping is from the classifier's cue ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from actions.base import knowledge, tr
from actions.classifier import classify, is_hedge

STAFF_SLOT = "size_staff"
STAFF_GAP = 2  # words that may come between the number and the staff word ("6 persones treballadores")
NEGATION_REACH = 3
_NEGATIONS = frozenset("no ni not never nunca mai sense sin without dont don t cap ningun ninguna".split())
HINT_SLOT = "financial_hint"
FILLED_SLOT = "prefilled_answers"  # which answers the text gave, so a rewritten text can take them back


@dataclass
class Understood:
    answers: dict[str, str] = field(default_factory=dict)  # slot -> value the text already gives
    hint: str | None = None  # the money topic the finances question names, if any


def _spec() -> dict[str, Any]:
    return knowledge("journey").get("prefill") or {}


def read_text(text: str | None, lang: str | None) -> Understood:
    """The answers a free text gives outright (un-negated cues only; a hedge gives nothing)."""
    if not text or not text.strip() or is_hedge(text):
        return Understood()
    found = {e.key for e in classify(text=text, lang=lang).evidence if e.source == "text" and not e.negated}
    spec = _spec()
    answers = {slot: str(rule["value"]) for slot, rule in (spec.get("fill") or {}).items()
               if found & set(rule.get("cues") or ()) and not found & set(rule.get("unless") or ())}
    hint = next((topic for topic, cues in (spec.get("financial_hint") or {}).items() if found & set(cues or ())),
                None)
    return Understood(answers, hint)


def prefill_slots(text: str | None, lang: str | None, current: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Slots to set (never over an answer the person gave) and, in the person's language, what was understood
    ("teniu serveis en perill"), to say back in one line. An answer an earlier text gave, which the new text
    (the "why" rewritten after ↩ Back) no longer gives, is taken back, unless the person has changed it."""
    understood = read_text(text, lang)
    said = knowledge("journey").get("said") or {}
    fills = _spec().get("fill") or {}
    current = dict(current)
    slots: dict[str, Any] = {}
    for slot in current.get(FILLED_SLOT) or ():
        if slot not in understood.answers and slot in fills and current.get(slot) == str(fills[slot]["value"]):
            slots[slot] = current[slot] = None
    lines: list[str] = []
    given: list[str] = []
    for slot, value in understood.answers.items():
        if current.get(slot) is not None:
            continue
        slots[slot] = value
        given.append(slot)
        line = tr((said.get(slot) or {}).get(value), lang or "ca")
        if line:
            lines.append(line)
    slots[FILLED_SLOT] = given
    if current.get("financial_situation") is None:
        slots[HINT_SLOT] = understood.hint
    return slots, lines


_CLAUSES = re.compile(r"[,;.!?]+|\s(?:and|but|i|y|pero|però|perquè|porque|because)\s", re.IGNORECASE)


def _folded_words(text: str) -> list[str]:
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return re.findall(r"[a-z0-9]+", folded)


def says_why(text: str | None, lang: str | None) -> bool:
    """Whether an opening says something of why ("ens han retallat la subvenció", "volem obrir un servei"),
    or only that they want a partnership ("volem col·laborar amb altres entitats"): then the reason is asked."""
    if not text or is_hedge(text):
        return False
    if any(e.source == "text" for e in classify(text=text, lang=lang).evidence):
        return True
    spec = _spec()
    # "we're a small youth charity and ...": who they are is no reason; the clauses that say it are set aside
    who = [tuple(_folded_words(str(t))) for texts in (spec.get("who_we_are") or {}).values() for t in texts or []]
    clauses = [_folded_words(c) for c in _CLAUSES.split(text)]
    text = " ".join(" ".join(c) for c in clauses if not any(tuple(c[:len(w)]) == w for w in who if w))
    generic = {w for texts in (spec.get("generic_opening") or {}).values() for t in texts or []
               for w in _folded_words(str(t))}
    staff = (spec.get("staff") or {})
    generic |= {w for texts in (staff.get("words") or {}).values() for t in texts or [] for w in _folded_words(str(t))}
    generic |= {str(w) for w in (staff.get("numbers") or {})}
    return any(len(w) > 3 and not w.isdigit() and w not in generic for w in _folded_words(text))


def staff_in(text: str | None) -> int | None:
    """A number of paid staff said outright ("som 6 treballadores", "we have 3 paid staff"), not negated."""
    spec = _spec().get("staff") or {}
    words = _folded_words(text or "")
    numbers = {str(k): int(v) for k, v in (spec.get("numbers") or {}).items()}
    staff = [tuple(_folded_words(str(w))) for texts in (spec.get("words") or {}).values() for w in texts or []]
    found: set[int] = set()
    for i, word in enumerate(words):
        count = int(word) if word.isdigit() and len(word) <= 4 else numbers.get(word)
        if count is None or any(w in _NEGATIONS for w in words[max(0, i - NEGATION_REACH):i]):
            continue
        for gap in range(STAFF_GAP + 1):
            start = i + 1 + gap
            if any(tuple(words[start:start + len(w)]) == w for w in staff if w):
                found.add(count)
                break
    return found.pop() if len(found) == 1 else None


def staff_band(count: int) -> str | None:
    bands = (_spec().get("staff") or {}).get("bands") or {}
    fitting = [(int(low), str(band)) for band, low in bands.items() if int(low) <= count]
    return max(fitting)[1] if fitting else None


def opening_staff(text: str | None, lang: str | None, current: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The staff band an opening gives (never over an answer), and the line that says it back."""
    count = staff_in(text)
    if count is None or current.get(STAFF_SLOT) is not None:
        return {}, []
    band = staff_band(count)
    if band is None:
        return {}, []
    said = tr((_spec().get("staff") or {}).get("said"), lang or "ca").replace("{count}", str(count))
    return {STAFF_SLOT: band}, [said]
