"""One parser for whole numbers that a person or a client typed (answers, /lead 12, button data).

`str.isdigit()` accepts digits of every script ("፩", "²") that `int()` then rejects or reads oddly, and
`int()` takes numbers of any length. Everything that turns text into an int goes through `parse_int`.
"""

from __future__ import annotations

import re
import unicodedata

MAX_DIGITS = 9


def parse_int(text: object, *, max_digits: int = MAX_DIGITS, signed: bool = False) -> int | None:
    """The int that `text` is, after NFKC (full-width digits become ASCII), or None: anything that is not
    only ASCII digits (an optional sign when `signed`), or longer than `max_digits` digits."""
    if not isinstance(text, str):
        return None
    norm = unicodedata.normalize("NFKC", text).strip()
    sign = "[+-]?" if signed else ""
    if not re.fullmatch(rf"{sign}[0-9]{{1,{max_digits}}}", norm, flags=re.ASCII):
        return None
    return int(norm)
