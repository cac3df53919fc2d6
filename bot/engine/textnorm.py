"""Text as the understanding layer compares it: lower case, no accents, no punctuation."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_REPEATS = re.compile(r"([^\W\d_])\1{2,}", re.UNICODE)  # "siiii", "noooo", "muuucho": typed emphasis


def fold(text: str) -> str:
    """Lower case, no accents; punctuation kept."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize(text: str) -> str:
    """Lower case, no accents, letters typed three times or more once, punctuation folded to single spaces."""
    return _REPEATS.sub(r"\1", _NON_WORD.sub(" ", fold(text)).replace("_", " ")).strip()
