"""Long texts as messages a chat accepts: one splitter for replies, relays, `/reply` and dossiers.

Telegram refuses a message over 4,096 characters (counted as shown); a refused relay was dropped and its
facilitator told "✓ Sent" (issue 27). Every sender of long text cuts it here, at a blank line, a line end or
a space when one is near, so a piece never ends mid-word when it need not.
"""

from __future__ import annotations

# Telegram's limit (telegram.constants.MessageLimit.MAX_TEXT_LENGTH), the strictest channel's: the notifier
# and the facilitators' desk split at it without importing python-telegram-bot.
MAX_MESSAGE = 4096


def split_text(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Pieces of at most `limit` characters, cut at a blank line, a line end or a space when possible;
    none for a blank text."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = max(window.rfind("\n\n"), -1)
        if cut < limit // 2:
            cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    pieces.append(rest)
    return [p for p in pieces if p.strip()]
