"""The motivation labels and the two directions a cue can push."""

from __future__ import annotations

from bot.text.languages import SUPPORTED_LANGUAGES

REACTIVE = "reactive"
PROACTIVE = "proactive"
MIXED = "mixed"
UNCLEAR = "unclear"
DIRECTIONS = (REACTIVE, PROACTIVE)
LANGS = SUPPORTED_LANGUAGES


def other(direction: str) -> str:
    """The other direction."""
    return PROACTIVE if direction == REACTIVE else REACTIVE
