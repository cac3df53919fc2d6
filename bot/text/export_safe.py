"""Text leaving the assistant for other programs: spreadsheet cells and an administrator's terminal.

What entities and facilitators typed ends up in `aliat leads export --csv` (opened in a spreadsheet)
and in `aliat leads list|show` (printed to a terminal). A cell starting with = + - @ (or a tab or a
carriage return) is a formula to Excel, LibreOffice and Google Sheets (`=HYPERLINK(...)`,
`=cmd|' /C calc'!A0`); a control character is a command to a terminal (`ESC ]0;title BEL`). Both are
neutralised here, once, for every export (OWASP "CSV injection").
"""

from __future__ import annotations

import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> str:
    """The cell's text; one that a spreadsheet would read as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Bidirectional overrides and isolates: they reorder what a terminal or a spreadsheet shows.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")


def strip_controls(text: str, *, keep: str = "\n\t") -> str:
    """`text` without control characters (C0, DEL, C1: escape sequences, bells), bidi overrides and
    unpaired surrogates; newlines and tabs stay (unless `keep` says otherwise), and so do the joiners that
    hold emoji together."""
    return "".join(ch for ch in text if ch in keep or (
        unicodedata.category(ch) not in ("Cc", "Cs") and ch not in BIDI_CONTROLS))


def terminal_safe(value: object) -> str:
    """For printing to a terminal: no escape sequences, no bell, no bidi overrides; newlines kept."""
    return strip_controls("" if value is None else str(value))
