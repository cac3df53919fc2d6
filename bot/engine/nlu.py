"""Understanding free text outside a form: commands, button payloads, and intents from what people write."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from bot.engine.learn import TextClassifier
from bot.engine.textnorm import fold, normalize

__all__ = ["fold", "normalize", "Parse", "parse_intent_payload", "split_command"]

_PAYLOAD = re.compile(r"^/(?P<intent>[A-Za-z_][\w]*)(?P<entities>\{.*\})?$", re.DOTALL)


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
    """Free text -> intent, every language at once: an example typed as written (after folding case,
    accents and punctuation) wins outright; anything else goes to the classifier trained on the examples,
    which answers only when it is sure enough (`threshold`) and not torn between two intents (`margin`)."""

    def __init__(self, intents: dict[str, dict[str, list[str]]], threshold: float = 0.4,
                 margin: float = 0.1) -> None:
        self.threshold = threshold
        self.margin = margin
        self._intents = intents
        self._exact_phrases: dict[str, str | None] | None = None
        self.classifier = TextClassifier({intent: [t for texts in per_lang.values() for t in texts]
                                          for intent, per_lang in intents.items()})

    @property
    def _exact(self) -> dict[str, str | None]:
        """Every example as typed (folded); built at first use, off `aliat chat`'s start-up."""
        if self._exact_phrases is None:
            exact: dict[str, str | None] = {}
            for intent, per_lang in self._intents.items():
                for texts in per_lang.values():
                    for example in texts:
                        norm = normalize(example)
                        if norm:  # one phrase given to two intents is no evidence for either
                            exact[norm] = intent if exact.get(norm, intent) == intent else None
            self._exact_phrases = exact
        return self._exact_phrases

    def is_example(self, text: str) -> bool:
        return self._exact.get(normalize(text)) is not None

    def match(self, text: str, *, threshold: float | None = None) -> Parse:
        norm = normalize(text)
        if not norm:
            return Parse(intent=None)
        exact = self._exact.get(norm)
        if exact is not None:
            return Parse(intent=exact, confidence=1.0)
        guess = self.classifier.guess(text)
        floor = self.threshold if threshold is None else threshold
        if guess.label is not None and guess.confidence >= floor and guess.margin >= self.margin:
            return Parse(intent=guess.label, confidence=guess.confidence)
        return Parse(intent=None, confidence=guess.confidence)
