"""Responses from dialogues/ rendered in the conversation's language."""

from __future__ import annotations

import re
from typing import Any

from bot.content import Button, Domain
from bot.engine.messages import BotMessage

_VAR = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
# {k:file.key.id.field}: a text taken from knowledge/<file>.yml, so facts are written once.
_KNOWLEDGE_REF = re.compile(r"\{k:([A-Za-z0-9_.-]+)\}")


def pick(texts: dict[str, str], language: str, default: str) -> str:
    """The text in this language, else the default language, else any."""
    return texts.get(language) or texts.get(default) or next(iter(texts.values()), "")


def fill(template: str, values: dict[str, Any]) -> str:
    """Replace {name} placeholders; unknown names become empty, other braces stay as they are."""

    def sub(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return "" if value is None else str(value)

    return _VAR.sub(sub, template)


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


def knowledge_refs(template: str) -> list[str]:
    """The knowledge paths a text refers to with {k:...}."""
    return _KNOWLEDGE_REF.findall(template)


class Renderer:
    def __init__(self, domain: Domain, default_language: str) -> None:
        self.domain = domain
        self.default = default_language

    def expand(self, template: str, language: str) -> str:
        """Replace {k:...} references with knowledge texts in this language (unknown ones become empty)."""
        if "{k:" not in template:
            return template
        return _KNOWLEDGE_REF.sub(
            lambda m: knowledge_text(self.domain.knowledge, m.group(1), language, self.default) or "", template)

    def _fill(self, texts: dict[str, str], language: str, values: dict[str, Any] | None) -> str:
        return fill(self.expand(pick(texts, language, self.default), language), values or {})

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
