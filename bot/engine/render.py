"""Responses from dialogues/ rendered in the conversation's language."""

from __future__ import annotations

import re
from typing import Any

from bot.content import Button, Domain
from bot.engine.messages import BotMessage

_VAR = re.compile(r"\{([a-z_][a-z0-9_]*)\}")


def pick(texts: dict[str, str], language: str, default: str) -> str:
    """The text in this language, else the default language, else any."""
    return texts.get(language) or texts.get(default) or next(iter(texts.values()), "")


def fill(template: str, values: dict[str, Any]) -> str:
    """Replace {name} placeholders; unknown names become empty, other braces stay as they are."""

    def sub(match: re.Match[str]) -> str:
        value = values.get(match.group(1))
        return "" if value is None else str(value)

    return _VAR.sub(sub, template)


class Renderer:
    def __init__(self, domain: Domain, default_language: str) -> None:
        self.domain = domain
        self.default = default_language

    def text(self, name: str, language: str, values: dict[str, Any] | None = None) -> str:
        response = self.domain.responses.get(name)
        if response is None:
            return ""
        return fill(pick(response.text, language, self.default), values or {})

    def buttons(self, buttons: tuple[Button, ...] | list[Button], language: str,
                values: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        return [(fill(pick(b.title, language, self.default), values or {}), b.payload) for b in buttons]

    def response(self, name: str, language: str, values: dict[str, Any] | None = None,
                 seq: int = 0) -> BotMessage:
        response = self.domain.responses.get(name)
        if response is None:
            return BotMessage(text=name, seq=seq, response=name)
        return BotMessage(
            text=fill(pick(response.text, language, self.default), values or {}),
            buttons=self.buttons(response.buttons, language, values),
            image=response.image,
            seq=seq,
            response=name,
        )
