"""Responses from dialogues/ rendered in the conversation's language."""

from __future__ import annotations

import re
from typing import Any

from bot.content.domain import Button, Domain
from bot.engine.messages import BotMessage
from bot.text import grammar
from bot.text.formats import DEFAULT_TIME_ZONE

# {name}, or {filter:name} with a filter of bot/text/grammar.py: {de:entity_name}, {a:..}, {per:..}, {list:..}
FILTERS = (*grammar.PREPOSITIONS, "list")
_VAR = re.compile(r"\{(?:(" + "|".join(FILTERS) + r"):)?([a-z_][a-z0-9_]*)\}")
# {k:file.key.id.field}: a text taken from knowledge/<file>.yml, so facts are written once.
_KNOWLEDGE_REF = re.compile(r"\{k:([A-Za-z0-9_.-]+)\}")


def pick(texts: dict[str, str], language: str, default: str) -> str:
    """The text in this language, else the default language, else any."""
    return texts.get(language) or texts.get(default) or next(iter(texts.values()), "")


def fill(template: str, values: dict[str, Any], language: str = "ca") -> str:
    """Replace {name} and {filter:name} placeholders; unknown names become empty, other braces stay."""

    def sub(match: re.Match[str]) -> str:
        how, value = match.group(1), values.get(match.group(2))
        if value is None or value == "":
            return ""
        if how == "list":
            return grammar.join_list(value if isinstance(value, list | tuple) else [value], language)
        if how:
            return grammar.with_preposition(how, str(value), language)
        return str(value)

    return _VAR.sub(sub, template)


def placeholders(template: str) -> list[tuple[str, str]]:
    """The (filter, name) pairs of a text's placeholders; filter is "" for a plain {name}."""
    return [(m.group(1) or "", m.group(2)) for m in _VAR.finditer(template)]


def knowledge_text(knowledge: dict[str, Any], path: str, language: str, default: str) -> str | None:
    """The text at `path` in the knowledge files: dict keys, or list items by their `id`; None if absent."""
    node: Any = knowledge
    for part in path.split("."):
        if isinstance(node, dict):
            key: Any = part
            if key not in node and part.lstrip("-").isdigit():
                key = int(part)
            if key not in node:
                return None
            node = node[key]
        elif isinstance(node, list):
            node = next((item for item in node if isinstance(item, dict) and str(item.get("id")) == part), None)
            if node is None:
                return None
        else:
            return None
    if isinstance(node, dict) and node and all(isinstance(v, str) for v in node.values()):
        return pick(node, language, default)
    return str(node) if isinstance(node, str | int | float) and not isinstance(node, bool) else None


def expand_knowledge(knowledge: dict[str, Any], template: str, language: str, default: str) -> str:
    """Replace {k:...} references with knowledge texts in this language (unknown ones become empty)."""
    if "{k:" not in template:
        return template
    return _KNOWLEDGE_REF.sub(lambda m: knowledge_text(knowledge, m.group(1), language, default) or "", template)


def knowledge_refs(template: str) -> list[str]:
    """The knowledge paths a text refers to with {k:...}."""
    return _KNOWLEDGE_REF.findall(template)


class Renderer:
    def __init__(self, domain: Domain, default_language: str, time_zone: str = DEFAULT_TIME_ZONE) -> None:
        self.domain = domain
        self.default = default_language
        self.time_zone = time_zone  # the programme's (config programme.time_zone), for dates in texts

    def expand(self, template: str, language: str) -> str:
        """Replace {k:...} references with knowledge texts in this language (unknown ones become empty)."""
        return expand_knowledge(self.domain.knowledge, template, language, self.default)

    def _fill(self, texts: dict[str, str], language: str, values: dict[str, Any] | None) -> str:
        return fill(self.expand(pick(texts, language, self.default), language), values or {}, language)

    def text(self, name: str, language: str, values: dict[str, Any] | None = None) -> str:
        response = self.domain.responses.get(name)
        if response is None:
            return ""
        return self._fill(response.text, language, values)

    def buttons(self, buttons: tuple[Button, ...] | list[Button], language: str,
                values: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        return [(self._fill(b.title, language, values), b.payload) for b in buttons]

    def response(self, name: str, language: str, values: dict[str, Any] | None = None,
                 seq: int = 0) -> BotMessage:
        response = self.domain.responses.get(name)
        if response is None:
            return BotMessage(text=name, seq=seq, response=name)
        return BotMessage(
            text=self._fill(response.text, language, values),
            buttons=self.buttons(response.buttons, language, values),
            image=response.image,
            seq=seq,
            response=name,
        )
