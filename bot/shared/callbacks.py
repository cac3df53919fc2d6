"""Button data, one codec for every kind the bot makes: `q<seq>:<payload>` (a conversation's question),
`lead:<id>:<action>` (a facilitator's card), `ws:<act>:<args>` (a workshop), `m:<id>:<answer>` (an entity's
answer to an introduction, partner matching).

Telegram gives a button at most 64 bytes of data, and sends back whatever a client puts there: every
`parse_*` treats the data as forged until proven otherwise (None when it is not one of ours), and reads
numbers with `bot.text.numbers.parse_int`. The handlers match on `PATTERN[prefix]` (python-telegram-bot's
`CallbackQueryHandler(pattern=...)`), then parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from bot.text.numbers import parse_int

_DIGITS = re.compile(r"\d+")
MAX_BYTES = 64  # Telegram's limit on callback_data, UTF-8


class Prefix(StrEnum):
    QUESTION = "q"
    LEAD = "lead"
    WORKSHOP = "ws"
    MATCH = "m"


PATTERN = {Prefix.QUESTION: r"^q\d+:", Prefix.LEAD: r"^lead:", Prefix.WORKSHOP: r"^ws:", Prefix.MATCH: r"^m:"}


class CardAction(StrEnum):
    """The buttons of a lead card."""

    CLAIM = "claim"
    DETAILS = "details"
    RELEASE = "release"
    CONTACTED = "contacted"
    FORMED = "formed"
    DROPPED = "dropped"


class WorkshopAct(StrEnum):
    """The buttons of a workshop: a trainer's programme, Next and End; a participant's rating."""

    PROGRAMME = "p"
    NEXT = "n"
    END = "e"
    RATE = "r"


class CallbackDataTooLong(ValueError):
    """Data the bot made would not fit in a button (a bug: ids and names here are short)."""


def fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_BYTES


def _checked(data: str) -> str:
    if not fits(data):
        raise CallbackDataTooLong(f"{len(data.encode('utf-8'))} bytes: {data[:20]}…")
    return data


# ---------------------------------------------------------------------- q: a conversation's question
@dataclass(frozen=True)
class Pressed:
    """A conversation button: the question it was shown with (its seq) and what it answers."""

    seq: int
    payload: str


def question(seq: int, payload: str) -> str | None:
    """`q<seq>:<payload>`, or None when it would not fit (the renderer then leaves the button out)."""
    data = f"{Prefix.QUESTION}{seq}:{payload}"
    return data if fits(data) else None


def parse_question(data: str | None) -> Pressed | None:
    if not data or not data.startswith(Prefix.QUESTION):
        return None
    seq_text, colon, payload = data[len(Prefix.QUESTION):].partition(":")
    seq = parse_int(seq_text) if colon and _DIGITS.fullmatch(seq_text) else None
    if seq is None:  # forged: digits of another script, or endless
        return None
    return Pressed(seq=seq, payload=payload)


# ---------------------------------------------------------------------- lead: a facilitator's card
@dataclass(frozen=True)
class LeadButton:
    lead_id: int
    action: CardAction


def lead(lead_id: int, action: CardAction) -> str:
    return _checked(f"{Prefix.LEAD}:{lead_id}:{action.value}")


def parse_lead(data: str | None) -> LeadButton | None:
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != Prefix.LEAD or parts[2] not in CardAction.__members__.values():
        return None
    lead_id = parse_int(parts[1]) if parts[1].isascii() and parts[1].isdigit() else None
    return LeadButton(lead_id=lead_id, action=CardAction(parts[2])) if lead_id is not None else None


# ---------------------------------------------------------------------- ws: a workshop
@dataclass(frozen=True)
class WorkshopButton:
    act: WorkshopAct
    args: tuple[str, ...]

    def number(self, index: int) -> int:
        """The argument at `index` as a number; ValueError (or IndexError) when it is missing or not one."""
        value = parse_int(self.args[index])
        if value is None:
            raise ValueError(self.args[index])
        return value


def workshop(act: WorkshopAct, *args: object) -> str:
    return _checked(":".join([Prefix.WORKSHOP, act.value, *map(str, args)]))


def parse_workshop(data: str | None) -> WorkshopButton | None:
    parts = (data or "").split(":")
    if len(parts) < 2 or parts[0] != Prefix.WORKSHOP or parts[1] not in WorkshopAct.__members__.values():
        return None
    return WorkshopButton(act=WorkshopAct(parts[1]), args=tuple(parts[2:]))


# ---------------------------------------------------------------------- m: an answer to an introduction
class IntroAnswer(StrEnum):
    """The buttons of an introduction an entity receives (their titles: dialogues/matching.yml)."""

    ACCEPT = "accept"
    DECLINE = "decline"


@dataclass(frozen=True)
class MatchButton:
    intro_id: int
    answer: IntroAnswer


def match(intro_id: int, answer: IntroAnswer | str) -> str:
    return _checked(f"{Prefix.MATCH}:{intro_id}:{IntroAnswer(answer).value}")


def parse_match(data: str | None) -> MatchButton | None:
    parts = (data or "").split(":")
    if len(parts) != 3 or parts[0] != Prefix.MATCH or parts[2] not in IntroAnswer.__members__.values():
        return None
    intro_id = parse_int(parts[1]) if parts[1].isascii() and parts[1].isdigit() else None
    return MatchButton(intro_id=intro_id, answer=IntroAnswer(parts[2])) if intro_id is not None else None
