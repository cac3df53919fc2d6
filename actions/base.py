"""Shared helpers for actions: the conversation's language and the knowledge files."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from rasa_sdk import Tracker

from actions import services
from bot.shared import yamlio

DEFAULT_LANGUAGE = "ca"


def knowledge(name: str) -> Any:
    """<paths.knowledge>/<name>.yml (config.yml), parsed once per process and folder."""
    return _knowledge(str(services.knowledge_dir()), name)


@lru_cache(maxsize=64)
def _knowledge(folder: str, name: str) -> Any:
    return yamlio.safe_load((Path(folder) / f"{name}.yml").read_text(encoding="utf-8")) or {}


def squeeze(value: Any) -> str:
    """A user's answer on one line, with single spaces."""
    return " ".join(str(value or "").split())


def checked_name(slot: str, value: Any, dispatcher: Any, wrong_response: str) -> dict[str, Any]:
    """A form's name answer (an organisation, a person): 2 to 200 characters once squeezed."""
    name = squeeze(value)
    if not 2 <= len(name) <= 200:
        dispatcher.utter_message(response=wrong_response)
        return {slot: None}
    return {slot: name}


def language_of(tracker: Tracker) -> str:
    return tracker.get_slot("language") or DEFAULT_LANGUAGE


def tr(texts: dict[str, str] | str | None, language: str) -> str:
    """The text for this language from a {ca, es, en} mapping."""
    if texts is None:
        return ""
    if isinstance(texts, str):
        return texts
    return texts.get(language) or texts.get(DEFAULT_LANGUAGE) or next(iter(texts.values()), "")
