"""Amounts as people type them (a budget band from "250.000", "1,5 milions" or "300k")."""

from __future__ import annotations

import re

from bot.engine.textnorm import fold

# A typed amount: 3, 12, 250.000, 250,000, 1 200, 1,5 milions, 300k, 2M, 200 mil. ASCII digits only
# (digits of other scripts are not amounts), at most 12 of them, and never one right after a minus sign.
_AMOUNT = re.compile(
    r"(?<![0-9.,-])([0-9]{1,3}(?:([.,' ])[0-9]{3})(?:\2[0-9]{3})*(?![0-9])|[0-9]{1,12}(?![0-9]))(?:[.,]([0-9]+))?\s*"
    r"(k|mil|m|milions?|milio|millones?|millon|millions?)?(?![a-z])")
_SCALE = {"k": 1e3, "mil": 1e3}


def read_amount(text: str) -> float | None:
    """The first number in a typed answer, with its thousands separators and k / mil / million words."""
    found = _AMOUNT.search(fold(text))
    if found is None:
        return None
    whole, separator, decimals, scale = found.groups()
    number = float(whole.replace(separator, "") if separator else whole)
    if decimals:
        number += float(f"0.{decimals}")
    return number * (_SCALE.get(scale, 1e6) if scale else 1)
