"""Understanding free text: normalisation and a small multilingual example matcher."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w]*)(?P<entities>\{.*\})?$", re.DOTALL)


def fold(text: str) -> str:
    """Lower case, no accents; punctuation kept."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Lower case, no accents, punctuation folded to single spaces."""
    return _NON_WORD.sub(" ", fold(text)).replace("_", " ").strip()


@dataclass
class Parse:
    intent: str | None
    confidence: float = 0.0
    entities: dict[str, Any] = field(default_factory=dict)


def parse_intent_payload(payload: str) -> Parse | None:
    """`/intent` or `/intent{"slot": "value"}` as in Rasa; None when it is not one."""
    match = _PAYLOAD.match(payload.strip())
    if not match:
        return None
    entities: dict[str, Any] = {}
    if match.group("entities"):
        try:
            loaded = json.loads(match.group("entities"))
        except ValueError:
            return None
        if not isinstance(loaded, dict):
            return None
        entities = loaded
    return Parse(intent=match.group("intent"), confidence=1.0, entities=entities)


def split_command(text: str) -> tuple[str, str] | None:
    """'/start@bot arg' -> ('start', 'arg'); None when the text is not a command."""
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, rest = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not re.fullmatch(r"[a-z0-9_]{1,32}", name):
        return None
    return name, rest.strip()


class IntentMatcher:
    """Scores an utterance against example phrases of every language at once."""

    def __init__(self, intents: dict[str, dict[str, list[str]]], threshold: float = 0.3) -> None:
        self.threshold = threshold
        self._examples: list[tuple[str, str, re.Pattern[str]]] = []
        for intent, per_lang in intents.items():
            seen: set[str] = set()
            for examples in per_lang.values():
                for example in examples:
                    norm = normalize(example)
                    if norm and norm not in seen:
                        seen.add(norm)
                        self._examples.append((intent, norm, re.compile(rf"(?:^| ){re.escape(norm)}(?: |$)")))

    def match(self, text: str) -> Parse:
        norm = normalize(text)
        if not norm:
            return Parse(intent=None)
        best: tuple[float, str | None] = (0.0, None)
        for intent, example, pattern in self._examples:
            if example == norm:
                return Parse(intent=intent, confidence=1.0)
            if len(example) < len(norm) and pattern.search(norm):
                score = len(example) / len(norm)
                if score > best[0]:
                    best = (score, intent)
        if best[1] is not None and best[0] >= self.threshold:
            return Parse(intent=best[1], confidence=round(best[0], 3))
        return Parse(intent=None, confidence=best[0])
