"""The words of an answer: its first clause and the rest, numbers said in words, option names matched with a
letter or two wrong or by a shared word, counts and amounts for the questions answered in bands. What
bot/engine/answers.py reads an answer with; no state of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.content.domain import FormSlot, Response
from bot.engine.amounts import read_amount
from bot.engine.textnorm import normalize
from bot.text.numbers import parse_int

FUZZY_RATIO = 84     # "ninguno" for "Ninguna", "taragona": one or two letters off
CONTENT_WORD = 5  # letters a word needs to say something about an option on its own
# what, after a comma, turns the first clause round: "sí, però poc", "no, but some are"
TURNS_ROUND = frozenset("pero però but sino sinó aunque tampoc tampoco".split())
CLAUSE = re.compile(r"\s*(?:[,;:!?]|\.(?!\d)|\s-\s)+\s*")

NUMBER_WORDS = {
    "1": "u un una one",
    "2": "dos dues two",
    "3": "tres three",
    "4": "quatre cuatro four",
}
NUMBER_OF = {w: int(n) for n, words in NUMBER_WORDS.items() for w in words.split()}
# "un 3", "3/4" ("3 4" once folded), "3 de 4", "3 out of 4", "nota 3", "diria un 3"
SCALE_NUMBER = re.compile(r"^(?:(?:jo |yo |i )?(?:diria|diria que|pondria|posaria|say|would say|i d say)\s)?"
                           r"(?:un |una |el |la |a |an |nota |puntuacio |score )?(\d{1,2})"
                           r"(?:\s(?:de|sobre|out of|of|over)?\s?4)?$")


class Refused(Exception):
    """The answer does not fit the question; `reason` picks the explanation to give."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Reading:
    value: Any
    confidence: float
    how: str  # number, dont_know, name, fuzzy, classifier, motivation
    clause: str | None = None  # the first clause it was read from, when the rest was a comment


def lead_clause(text: str) -> tuple[str, str]:
    """The first clause of a message and the rest ("un 3", "tot i que costa"); the rest is "" for one clause."""
    parts = [p for p in CLAUSE.split(text.strip(), maxsplit=1)]
    if len(parts) < 2 or not normalize(parts[0]) or not normalize(parts[1]):
        return text, ""
    return parts[0], parts[1]


def turns_round(rest: str) -> bool:
    words = normalize(rest).split()
    return bool(words) and words[0] in {normalize(w) for w in TURNS_ROUND}


def typed(slot: FormSlot, option: str) -> Any:
    if slot.type == "scale":
        number = parse_int(option)
        return number if number is not None else option
    return option


def option_by_emoji(question: Response | None, options: list[str], text: str) -> str | None:
    """The one option whose button title starts with exactly this emoji (variation selectors aside)."""
    if question is None:
        return None
    typed = text.strip().replace("\ufe0f", "")
    found = set()
    for button in question.buttons:
        if button.payload not in options:
            continue
        for title in button.title.values():
            first = (title.split() or [""])[0].replace("\ufe0f", "")
            if first and first == typed and not any(ch.isalnum() for ch in first):
                found.add(button.payload)
    return found.pop() if len(found) == 1 else None


def title_names(title: str) -> str:
    """A button's title without its emoji or its "3 · " number: "🟡 Anem justos" -> "anem justos"."""
    norm = normalize(title)
    return re.sub(r"^\d+ ", "", norm) if re.match(r"^\d+ \D", norm) else norm


def fuzzy(names: dict[str, set[str]], norm: str) -> str | None:
    """An option named with a letter or two wrong, as a whole answer or as one of its words."""
    from rapidfuzz import fuzz

    tokens = norm.split()
    scored: dict[str, float] = {}
    for opt, words in names.items():
        for word in words:
            if len(word) < 4:
                continue
            candidates = [norm]
            if " " not in word and len(word) >= 5:
                candidates += [t for t in tokens if len(t) >= 5]
            score = max(fuzz.ratio(word, c) for c in candidates)
            if score >= FUZZY_RATIO:
                scored[opt] = max(scored.get(opt, 0.0), score)
    if not scored:
        return None
    best = max(scored.values())
    winners = [opt for opt, s in scored.items() if s == best]
    return winners[0] if len(winners) == 1 else None


# Counts and amounts said in words, for the questions answered in bands ("una desena", "half a million").
_COUNT_WORDS = {
    "2": "dos dues two", "3": "tres three", "4": "quatre cuatro four", "5": "cinc cinco five",
    "6": "sis seis six", "7": "set siete seven", "8": "vuit ocho eight", "9": "nou nueve nine",
    "10": "deu diez ten desena decena", "12": "dotze doce twelve dotzena docena dozen", "15": "quinze quince fifteen",
    "20": "vint veinte twenty vintena veintena", "30": "trenta treinta thirty trentena treintena",
    "40": "quaranta cuarenta forty", "50": "cinquanta cincuenta fifty cinquantena cincuentena",
    "100": "cent cien hundred centenar centenars cientos hundreds", "500000": "mig medio half",
}
_COUNT_OF = {w: n for n, words in _COUNT_WORDS.items() for w in words.split()}


def digits_for_words(text: str) -> str:
    words = normalize(text).split()
    if any(w in ("milio", "millon", "million", "milions", "millones", "millions") for w in words):
        text = normalize(text).replace("mig milio", "500000").replace("medio millon", "500000") \
            .replace("half a million", "500000")
        return text
    return " ".join(_COUNT_OF.get(w, w) for w in words)


def shared_words(names: dict[str, set[str]], norm: str) -> str | None:
    """Last resort for a choice: the one option whose names share a long word with the answer, give or
    take an ending ("fem alguna activitat junts" -> "Activitats puntuals", "guanyar concursos" ->
    "concursos públics")."""
    from rapidfuzz import fuzz

    tokens = [t for t in norm.split() if len(t) >= CONTENT_WORD]
    counts: dict[str, int] = {}
    for opt, words in names.items():
        vocabulary = {w for name in words for w in name.split() if len(w) >= CONTENT_WORD}
        hits = sum(1 for t in tokens if any(fuzz.ratio(t, w) >= FUZZY_RATIO for w in vocabulary))
        if hits:
            counts[opt] = hits
    if not counts:
        return None
    best = max(counts.values())
    winners = [opt for opt, n in counts.items() if n == best]
    return winners[0] if len(winners) == 1 else None


def band(slot: FormSlot, options: list[str], text: str) -> str | None:
    amount = read_amount(text)
    if amount is None:
        amount = read_amount(digits_for_words(text))
    fitting = [(low, opt) for opt, low in slot.bands.items() if opt in options and amount is not None
               and low <= amount]
    return max(fitting)[1] if fitting else None


_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_ELIDED = re.compile(r"\b([ld]) (?=[aeiouh])")
_PARTICLES = frozenset("de del dels d la les el els l i y en a of the".split())


def typed_words(text: str, name: str) -> str | None:
    """The words of `text` that `name` (folded, as the option names are) matched, as the person typed them:
    "som de terrassa" and "terrassa" give "Terrassa"; "a l'hospitalet" and "l hospitalet" give
    "L'Hospitalet". Written in lower case, a place is given its capitals back."""
    tokens = [(m.start(), m.end(), normalize(m.group())) for m in _WORD.finditer(text)]
    wanted = name.split()
    if not wanted:
        return None
    for i in range(len(tokens) - len(wanted) + 1):
        if [t[2] for t in tokens[i:i + len(wanted)]] == wanted:
            said = text[tokens[i][0]:tokens[i + len(wanted) - 1][1]]
            if said != said.lower():
                return said
            said = _ELIDED.sub(r"\1'", said)  # "l hospitalet": the apostrophe a phone left out
            return _WORD.sub(lambda m: m.group() if m.start() and m.group() in _PARTICLES
                             else m.group()[:1].upper() + m.group()[1:], said)
    return None
