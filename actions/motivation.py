"""The reading of the motivation: classify the answers, say why, its risks and what to do; let the user disagree."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.base import knowledge, language_of, squeeze, tr
from actions.classifier import MIXED, PROACTIVE, REACTIVE, UNCLEAR, background, classify, is_hedge, tokenized
from actions.effects import once
from actions.journey import CUE_SLOTS, answered, bullets
from bot.store import funnel

log = logging.getLogger(__name__)

# A clarifying answer is the user's own word on it: it decides, with a modest confidence.
CLARIFIED = {"reactive": (REACTIVE, (REACTIVE,)), "proactive": (PROACTIVE, (PROACTIVE,)),
             "both": (MIXED, (REACTIVE, PROACTIVE))}
CLARIFIED_CONFIDENCE = 0.6
CLARIFY_WEIGHT = 1.0
QUOTE_MAX = 120
QUOTE_SHARE = 0.6  # a clause is quoted as a reason when it weighs at least this share of the strongest one
CLAUSE = "clause"  # evidence source of a whole clause quoted back (the cues' own evidence is "text")


@dataclass
class Reading:
    motivation: str
    confidence: float
    dominant: str | None
    scores: dict[str, float]
    evidence: list[dict[str, Any]] = field(default_factory=list)


@lru_cache(maxsize=1)
def _split_words() -> tuple[tuple[str, ...], ...]:
    """Connectors that start a new clause ("però", "pero también", "but"), longest first, normalised."""
    words = knowledge("journey")["said"]["clause_connectors"]
    phrases = {tuple(tokenized(w).split()) for lang in words for w in words[lang]}
    return tuple(sorted((p for p in phrases if p), key=len, reverse=True))


@lru_cache(maxsize=4096)
def _norm_word(word: str) -> str:
    return tokenized(word)


@lru_cache(maxsize=1)
def _greetings() -> tuple[tuple[str, ...], ...]:
    """Greetings that may open a quoted text ("hola", "hi there"), longest first, normalised."""
    words = knowledge("journey")["said"].get("greetings") or {}
    phrases = {tuple(tokenized(w).split()) for lang in words for w in words[lang]}
    return tuple(sorted((p for p in phrases if p), key=len, reverse=True))


def _without_greeting(clause: str) -> str:
    words = clause.split()
    normal = [_norm_word(w) for w in words[:4]]
    hit = next((g for g in _greetings() if tuple(normal[:len(g)]) == g), None)
    if hit and len(words) > len(hit) + 1:
        return " ".join(words[len(hit):]).lstrip(" ,!-–—")
    return clause


def _connector_at(normal: list[str], i: int) -> tuple[str, ...] | None:
    return next((c for c in _split_words() if tuple(normal[i:i + len(c)]) == c), None)


def clauses(text: str) -> list[str]:
    """The person's text cut into clauses: at punctuation and before a connector, each as written."""
    out: list[str] = []
    for piece in re.split(r"[.;:!?\n()]+|,\s", text or ""):
        words = piece.split()
        normal = [_norm_word(w) for w in words]
        start, i = 0, 1
        while i < len(words):
            hit = _connector_at(normal, i)
            if hit and i - start >= 2:
                out.append(" ".join(words[start:i]))
                start = i
                i += len(hit)
                continue
            i += 1
        out.append(" ".join(words[start:]))
    return [c.strip(" ,-–—\"'«»“”") for c in out if len(c.split()) >= 2]


def _without_connector(clause: str) -> str:
    words = clause.split()
    hit = _connector_at([_norm_word(w) for w in words[:3]], 0)
    if hit and len(words) > len(hit) + 1:
        return " ".join(words[len(hit):])
    return clause


def _quote(clause: str) -> str:
    quote = _without_connector(_without_greeting(squeeze(clause)))
    if len(quote) > QUOTE_MAX:
        quote = quote[: QUOTE_MAX - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"
    return quote


def clause_evidence(text: str | None, lang: str) -> list[dict[str, Any]]:
    """Each clause of the free text that reads one way (or both), quoted whole, with its weight."""
    if not text or is_hedge(text):
        return []
    found: list[dict[str, Any]] = []
    parts = clauses(text) or [text]
    aside = background(text, lang)  # what they deny, a crisis that is over, what "the real reason" outweighs
    at = 0
    for part in parts:
        start = text.find(part, at)
        if start >= 0:
            at = start + len(part)
            if any(lo <= start and start + len(part) <= hi for lo, hi in aside):
                continue  # not the clause that says why
            # a clause that opens with what does not say why ("volem optimitzar recursos | perquè el finançament
            # ha caigut"): quote from where the reason starts
            cut = max((hi for lo, hi in aside if lo <= start < hi < start + len(part)), default=start)
            if cut > start and len(text[cut : start + len(part)].split()) >= 2:
                part = text[cut : start + len(part)].strip(" ,;")
        result = classify(text=part, lang=lang)  # text alone: the clause's own reading
        if result.motivation == UNCLEAR:
            continue
        directions = (REACTIVE, PROACTIVE) if result.motivation == MIXED else (result.motivation,)
        for direction in directions:
            found.append({"source": CLAUSE, "key": CLAUSE, "value": _quote(part), "direction": direction,
                          "weight": round(float(result.scores[direction]), 3), "negated": False})
    # a clause of context that happens to lean one way is not a reason: keep those near the strongest
    best = {d: max((e["weight"] for e in found if e["direction"] == d), default=0.0) for d in (REACTIVE, PROACTIVE)}
    found = [e for e in found if e["weight"] >= QUOTE_SHARE * best[e["direction"]]]
    if not found and len(parts) > 1:
        # no single clause says it, the whole text does: quote it whole
        result = classify(text=text, lang=lang)
        if result.motivation in (REACTIVE, PROACTIVE):
            found.append({"source": CLAUSE, "key": CLAUSE, "value": _quote(text), "direction": result.motivation,
                          "weight": round(float(result.scores[result.motivation]), 3), "negated": False})
    return found


def read_motivation(*, answers: dict[str, Any], text: str | None, lang: str, clarify: str | None = None) -> Reading:
    """The classifier's result, settled by the clarifying answer when the classifier could not tell."""
    result = classify(text=text or None, answers={k: answers.get(k) for k in CUE_SLOTS}, lang=lang)
    reading = Reading(result.motivation, result.confidence, result.dominant, dict(result.scores),
                      [e.to_dict() for e in result.evidence] + clause_evidence(text, lang))
    if reading.motivation == UNCLEAR and clarify in CLARIFIED:
        motivation, directions = CLARIFIED[clarify]
        reading.motivation, reading.confidence, reading.dominant = motivation, CLARIFIED_CONFIDENCE, None
        for direction in directions:
            reading.scores[direction] = round(reading.scores.get(direction, 0.0) + CLARIFY_WEIGHT, 3)
            reading.evidence.append({"source": "answer", "key": "motivation_clarify", "value": clarify,
                                     "direction": direction, "weight": CLARIFY_WEIGHT, "negated": False})
    return reading


def _phrase(e: dict[str, Any], said: dict[str, Any], lang: str) -> str:
    if e.get("source") == CLAUSE:
        quote = squeeze(e.get("value"))
        return tr(said["text"], lang).replace("{quote}", quote) if quote else ""
    return tr((said.get(str(e.get("key"))) or {}).get(str(e.get("value"))), lang)


def reasons(evidence: list[dict[str, Any]], motivation: str, lang: str, dominant: str | None = None) -> list[str]:
    """Why, in words the person recognises: whole clauses they wrote and their button answers in plain
    words; for a mixed reading, both sides (the heavier one first). Nothing for an unclear reading."""
    if motivation not in (REACTIVE, PROACTIVE, MIXED):
        return []
    said = knowledge("journey")["said"]
    limit = int(said.get("max_reasons", 3))
    if motivation == MIXED:
        first = dominant if dominant in (REACTIVE, PROACTIVE) else REACTIVE
        directions: tuple[str, ...] = (first, PROACTIVE if first == REACTIVE else REACTIVE)
    else:
        directions = (motivation,)
    # cue fragments ("text") are the classifier's bookkeeping; the person hears whole clauses
    useful = [e for e in evidence if not e.get("negated") and e.get("direction") in directions
              and e.get("source") in (CLAUSE, "answer")]
    useful.sort(key=lambda e: (e.get("source") != CLAUSE, -float(e.get("weight") or 0)))
    picked: list[dict[str, Any]] = []
    for direction in directions:  # the best of each side first, so a mixed reading names both
        best = next((e for e in useful if e.get("direction") == direction), None)
        if best is not None:
            picked.append(best)
    picked += [e for e in useful if e not in picked]
    out: list[str] = []
    for e in picked:
        phrase = _phrase(e, said, lang)
        if phrase and phrase not in out:
            out.append(phrase)
        if len(out) >= limit:
            break
    return out


def strength(motivation: str, confidence: float | None, label_text: str, lang: str) -> str:
    """'is clearly reactive' or 'looks mainly reactive': the wording follows the confidence."""
    spec = knowledge("journey")["strength"]
    if motivation == MIXED:
        key = "mixed"
    else:
        key = "clear" if (confidence or 0.0) >= float(spec["clear_from"]) else "likely"
    return tr(spec[key], lang).replace("{label}", label_text)


def meaning(motivation: str, dominant: str | None, lang: str) -> str:
    spec = knowledge("motivations")["motivations"][motivation]
    if motivation == MIXED and dominant:
        return tr(spec.get(f"meaning_dominant_{dominant}") or spec["meaning"], lang)
    return tr(spec["meaning"], lang)


def label(motivation: str, lang: str) -> str:
    return tr(knowledge("motivations")["motivations"][motivation]["label"], lang)


def _utter_reading(dispatcher: CollectingDispatcher, reading: Reading, lang: str, *, still_unclear: bool) -> None:
    spec = knowledge("motivations")["motivations"][reading.motivation]
    text = meaning(reading.motivation, reading.dominant, lang)
    if still_unclear:
        # They could not say either: say so, with what helps to find out; no reactive or proactive risks.
        dispatcher.utter_message(response="utter_motivation_still_unclear", meaning=text,
                                 advice=bullets([tr(a, lang) for a in spec.get("advice", [])]))
        return
    why = reasons(reading.evidence, reading.motivation, lang, reading.dominant)
    dispatcher.utter_message(response="utter_motivation_reading" if why else "utter_motivation_reading_no_reasons",
                             reading=strength(reading.motivation, reading.confidence,
                                              label(reading.motivation, lang).lower(), lang),
                             reasons=why, meaning=text)
    dispatcher.utter_message(response="utter_motivation_risks_advice",
                             risks=bullets([tr(r, lang) for r in spec.get("risks", [])]),
                             advice=bullets([tr(a, lang) for a in spec.get("advice", [])]))


async def _count(tracker: Tracker, steps: list[str], lang: str, motivation: str) -> None:
    """The funnel's "interview finished" (the interview's first reading) and "reading" (one was given)."""
    if not steps:
        return
    try:
        async with once(tracker, "action_read_motivation") as effect:  # a re-run of the turn counts nothing again
            for step in [] if effect.done else steps:
                await funnel.reach(session=effect.session, step=step, sender_id=tracker.sender_id, language=lang,
                                   motivation=motivation, territory=tracker.get_slot("territory"),
                                   aim=tracker.get_slot("objective"))
    except SQLAlchemyError:
        log.exception("funnel count not stored")  # the reading is still worth giving


class ActionReadMotivation(Action):
    """After the interview: the motivation and why; unclear gets one clarifying question first."""

    def name(self) -> str:
        return "action_read_motivation"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
                  ) -> list[EventType]:
        lang = language_of(tracker)
        answers = {k: tracker.get_slot(k) for k in CUE_SLOTS}
        text = tracker.get_slot("why_partner")
        clarify = tracker.get_slot("motivation_clarify")
        reading = read_motivation(answers=answers, text=text if answered(text) else None, lang=lang,
                                  clarify=clarify if answered(clarify) else None)
        events: list[EventType] = [
            SlotSet("motivation", reading.motivation), SlotSet("motivation_confidence", reading.confidence),
            SlotSet("motivation_dominant", reading.dominant), SlotSet("motivation_scores", reading.scores),
            SlotSet("motivation_evidence", reading.evidence),
        ]
        steps = ["interview_finished"] if clarify is None else []
        if reading.motivation == UNCLEAR and clarify is None:
            await _count(tracker, steps, lang, reading.motivation)
            dispatcher.utter_message(response="utter_motivation_unclear")
            return [*events, FollowupAction("clarify_form")]
        await _count(tracker, [*steps, "reading"], lang, reading.motivation)
        if reading.motivation == UNCLEAR:
            # They told us they are not sure: no second question, and nothing to disagree with.
            _utter_reading(dispatcher, reading, lang, still_unclear=True)
            return [*events, FollowupAction("factors_form")]
        _utter_reading(dispatcher, reading, lang, still_unclear=False)
        return [*events, FollowupAction("feedback_form")]


class ActionRecordMotivationFeedback(Action):
    """'That's right' or 'I don't think so' (and how they see it): kept for the assessment and the facilitator."""

    def name(self) -> str:
        return "action_record_motivation_feedback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("motivation_feedback") == "disagree":
            alternative = tracker.get_slot("motivation_alternative")
            disagreement = alternative if answered(alternative) else "disagree"
            dispatcher.utter_message(response="utter_motivation_disagreement_noted")
        else:
            disagreement = None
            dispatcher.utter_message(response="utter_motivation_agreed")
        return [SlotSet("motivation_disagreement", disagreement), FollowupAction("factors_form")]
