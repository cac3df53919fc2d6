"""Turning an answer (a button payload or free text) into a slot value, by slot type."""

from __future__ import annotations

import re
from typing import Any

from bot.content.domain import CHOICES_DONE, FormSlot, Response
from bot.engine.ahead import email_in, phone_in
from bot.engine.amounts import read_amount
from bot.engine.answers import AnswerReader, Reading, Refused, options_of
from bot.engine.textnorm import normalize
from bot.engine.wording import fuzzy
from bot.text.numbers import parse_int

__all__ = ["Refused", "coerce", "choose", "choose_many", "options_of", "read_amount", "read_answer"]

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[a-z]{2,24}$", re.IGNORECASE)
_NUMBER = re.compile(r"-?\d+")
# where a typed list splits: commas, semicolons, slashes, "+", and "and" / "or" in the three languages
_LIST = re.compile(r"\s*(?:[,;/+&\n]|\s(?:i|y|e|and|o|or|u)\s)\s*", re.IGNORECASE)


def choose_many(slot: FormSlot, question: Response | None, text: str) -> list[str]:
    """A typed list for a `choices` slot ("local, voluntaris i la web", "1 i 3"): each part read as one
    option (number, title, synonym); the options found, in the buttons' order. Refused when none is."""
    options = [o for o in options_of(question) if o != CHOICES_DONE]
    found: set[str] = set()
    for part in _LIST.split(f" {text} "):
        if not normalize(part):
            continue
        try:
            found.add(choose(slot, question, part))
        except Refused:
            typo = fuzzy(_option_names(slot, question, options), normalize(part))  # "volunters"
            if typo is not None:
                found.add(typo)
    picked = [o for o in options if o in found]
    if not picked:
        raise Refused("choice")
    return picked


def choose(slot: FormSlot, question: Response | None, text: str) -> str:
    """Map free text to one option: its number, its id, a title in any language, or a synonym; on a
    choice of bands, a typed count picks its band."""
    options = options_of(question)
    norm = normalize(text)
    if not norm:
        raise Refused("empty")
    if slot.bands:
        return _choose_band(slot, question, options, norm, text)
    position = parse_int(norm)
    if position is not None and 1 <= position <= len(options):
        return options[position - 1]
    return _choose_by_name(slot, question, options, norm)


def _choose_band(slot: FormSlot, question: Response | None, options: list[str], norm: str, text: str) -> str:
    try:  # a title or synonym first ("més de 50", "cap")
        return _choose_by_name(slot, question, options, norm)
    except Refused:
        pass
    amount = read_amount(text)
    fitting = [(low, opt) for opt, low in slot.bands.items() if opt in options and amount is not None
               and low <= amount]
    if not fitting:
        raise Refused("choice")
    return max(fitting)[1]


def _option_names(slot: FormSlot, question: Response | None, options: list[str]) -> dict[str, set[str]]:
    """Each option's names: its id, its titles in every language, its synonyms (normalized)."""
    names: dict[str, set[str]] = {opt: {normalize(opt)} for opt in options}
    if question is not None:
        for button in question.buttons:
            if button.payload in names:
                names[button.payload].update(normalize(t) for t in button.title.values())
    for opt, per_lang in slot.synonyms.items():
        if opt in names:
            for words in (per_lang or {}).values():
                names[opt].update(normalize(w) for w in words or [])
    return names


def _choose_by_name(slot: FormSlot, question: Response | None, options: list[str], norm: str) -> str:
    names = _option_names(slot, question, options)
    exact = [opt for opt, words in names.items() if norm in words]
    if len(exact) == 1:
        return exact[0]
    padded = f" {norm} "
    contained = [opt for opt, words in names.items() if any(w and f" {w} " in padded for w in words)]
    if len(contained) == 1:
        return contained[0]
    raise Refused("choice")


def read_answer(slot: FormSlot, question: Response | None, value: str, *, from_button: bool,
                max_text_length: int, reader: AnswerReader | None = None) -> Reading:
    """`coerce` with how sure it is: what the conversation and `aliat nlu --slot` both call."""
    if reader is not None and not from_button and slot.type in ("choice", "scale") and (value or "").strip():
        return reader.read(slot, question, value.strip())
    if reader is not None and not from_button and slot.type == "text" and reader.is_a_nod(value or ""):
        # "si", "vale", "ok, yes" typed to "what is your organisation called?": a nod to what came before,
        # not a name (the question is asked again with how to answer it)
        raise Refused("text")
    if not from_button and slot.type == "text" and slot.name.endswith(("_name", "_role")) \
            and (phone_in(value or "", {}) or email_in(value or "", {})):
        # "per telèfon, el 612 345 678" typed at "what is your role?": a phone or an email is no name and no
        # role; it was kept as one and shown to the facilitator (the question is asked again; the contact
        # question that comes next keeps the phone)
        raise Refused("text")
    return Reading(coerce(slot, question, value, from_button=from_button, max_text_length=max_text_length),
                   1.0, "button" if from_button else "text")


def coerce(slot: FormSlot, question: Response | None, value: str, *, from_button: bool,
           max_text_length: int, reader: AnswerReader | None = None) -> Any:
    """The slot value for this answer, or Refused. With a `reader`, typed answers to choices and scales
    are read as people write them (bot/engine/answers.py); without, by number, title or synonym only."""
    kind = slot.type
    if kind == "choices":
        if from_button:
            if value not in options_of(question) or value == CHOICES_DONE:
                raise Refused("choice")
            return [value]
        return choose_many(slot, question, value or "")
    if from_button and kind in ("choice", "scale"):
        if value not in options_of(question):
            raise Refused("choice")
        number = parse_int(value, signed=True) if kind == "scale" else None
        return number if number is not None else value
    text = (value or "").strip()
    if not text:
        raise Refused("empty")
    if reader is not None and kind in ("choice", "scale"):
        return reader.read(slot, question, text).value
    if kind == "choice":
        return choose(slot, question, text)
    if kind == "scale":
        low, high = slot.min or 1, slot.max or 4
        norm = normalize(text)
        number = parse_int(norm, signed=True)
        if number is not None:
            if low <= number <= high:
                return number
            raise Refused("scale")
        picked = choose(slot, question, text)
        number = parse_int(picked, signed=True)
        return number if number is not None else picked
    if kind == "number":
        found = _NUMBER.search(text.replace(".", "").replace(" ", ""))
        if not found:
            raise Refused("number")
        number = parse_int(found.group(), signed=True)
        if number is None:
            raise Refused("number")
        if (slot.min is not None and number < slot.min) or (slot.max is not None and number > slot.max):
            raise Refused("number")
        return number
    if kind == "email":
        if not _EMAIL.match(text) or len(text) > 254:
            raise Refused("email")
        return text.lower()
    if kind == "phone":
        digits = re.sub(r"[\s().-]", "", text)
        if not re.fullmatch(r"\+?\d{9,15}", digits):
            raise Refused("phone")
        return digits
    cleaned = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    if not cleaned.strip():
        raise Refused("empty")
    return cleaned.strip()[:max_text_length]
