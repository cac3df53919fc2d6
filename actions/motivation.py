"""The reading of the motivation: classify the answers, say why, its risks and what to do; let the user disagree."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import services
from actions.base import knowledge, language_of, squeeze, tr
from actions.classifier import MIXED, PROACTIVE, REACTIVE, UNCLEAR, classify
from actions.journey import CUE_SLOTS, answered, bullets, join_words
from bot.store import funnel

log = logging.getLogger(__name__)

# A clarifying answer is the user's own word on it: it decides, with a modest confidence.
CLARIFIED = {"reactive": (REACTIVE, (REACTIVE,)), "proactive": (PROACTIVE, (PROACTIVE,)),
             "both": (MIXED, (REACTIVE, PROACTIVE))}
CLARIFIED_CONFIDENCE = 0.6
CLARIFY_WEIGHT = 1.0
QUOTE_MAX = 80


@dataclass
class Reading:
    motivation: str
    confidence: float
    dominant: str | None
    scores: dict[str, float]
    evidence: list[dict[str, Any]] = field(default_factory=list)


def read_motivation(*, answers: dict[str, Any], text: str | None, lang: str, clarify: str | None = None) -> Reading:
    """The classifier's result, settled by the clarifying answer when the classifier could not tell."""
    result = classify(text=text or None, answers={k: answers.get(k) for k in CUE_SLOTS}, lang=lang)
    reading = Reading(result.motivation, result.confidence, result.dominant, dict(result.scores),
                      [e.to_dict() for e in result.evidence])
    if reading.motivation == UNCLEAR and clarify in CLARIFIED:
        motivation, directions = CLARIFIED[clarify]
        reading.motivation, reading.confidence, reading.dominant = motivation, CLARIFIED_CONFIDENCE, None
        for direction in directions:
            reading.scores[direction] = round(reading.scores.get(direction, 0.0) + CLARIFY_WEIGHT, 3)
            reading.evidence.append({"source": "answer", "key": "motivation_clarify", "value": clarify,
                                     "direction": direction, "weight": CLARIFY_WEIGHT, "negated": False})
    return reading


def reasons(evidence: list[dict[str, Any]], motivation: str, lang: str) -> list[str]:
    """The strongest evidence for this motivation, said back in plain words ("you told me that ...")."""
    said = knowledge("journey")["said"]
    directions = (REACTIVE, PROACTIVE) if motivation in (MIXED, UNCLEAR) else (motivation,)
    useful = [e for e in evidence if not e.get("negated") and e.get("direction") in directions]
    useful.sort(key=lambda e: -float(e.get("weight") or 0))
    out: list[str] = []
    seen: set[tuple[str, str]] = set()
    for e in useful:
        key = (str(e.get("key")), str(e.get("value")))
        if key in seen:
            continue
        seen.add(key)
        if e.get("source") == "text":
            quote = squeeze(e.get("value"))
            if len(quote) > QUOTE_MAX:
                quote = quote[: QUOTE_MAX - 1].rstrip() + "…"
            phrase = tr(said["text"], lang).replace("{quote}", quote) if quote else ""
        else:
            phrase = tr((said.get(key[0]) or {}).get(key[1]), lang)
        if phrase and phrase not in out:
            out.append(phrase)
        if len(out) >= int(said.get("max_reasons", 3)):
            break
    return out


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
        dispatcher.utter_message(response="utter_motivation_still_unclear", meaning=text)
    else:
        why = reasons(reading.evidence, reading.motivation, lang)
        dispatcher.utter_message(response="utter_motivation_reading" if why else "utter_motivation_reading_no_reasons",
                                 label=label(reading.motivation, lang).lower(), reasons=join_words(why, lang),
                                 meaning=text)
    dispatcher.utter_message(response="utter_motivation_risks_advice",
                             risks=bullets([tr(r, lang) for r in spec.get("risks", [])]),
                             advice=bullets([tr(a, lang) for a in spec.get("advice", [])]))


async def _count(tracker: Tracker, steps: list[str], lang: str, motivation: str) -> None:
    """The funnel's "interview finished" (the interview's first reading) and "reading" (one was given)."""
    if not steps:
        return
    try:
        async with services.sessionmaker()() as session, session.begin():
            for step in steps:
                await funnel.count(session=session, step=step, language=lang, motivation=motivation,
                                   territory=tracker.get_slot("territory"))
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
