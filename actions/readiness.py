"""The key success factors self-check: readiness per factor and overall, advice for the weakest."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import knowledge, language_of, tr
from actions.journey import FACTOR_IDS, bullets, score_of
from actions.verdict import judge, verdict_text
from bot.text.formats import decimal


@dataclass
class Readiness:
    scores: dict[str, int | None]          # factor id -> 1..4, None when not answered
    overall: float | None                   # mean of the answered factors
    level: str | None                       # low, medium, high
    weakest: list[str] = field(default_factory=list)
    strongest: list[str] = field(default_factory=list)


def score_readiness(answers: dict[str, Any]) -> Readiness:
    """`answers` maps factor_<id> slots (or bare ids) to 1-4; thresholds from knowledge/journey.yml."""
    rules = knowledge("journey")["readiness"]
    scores = {fid: score_of(answers.get(f"factor_{fid}", answers.get(fid))) for fid in FACTOR_IDS}
    given = {fid: s for fid, s in scores.items() if s is not None}
    if not given:
        return Readiness(scores, None, None)
    overall = round(sum(given.values()) / len(given), 2)
    level = "high" if overall >= rules["high_from"] else "medium" if overall >= rules["medium_from"] else "low"
    order = sorted(given, key=lambda fid: (given[fid], FACTOR_IDS.index(fid)))
    weakest = [fid for fid in order if given[fid] <= rules["weak_at_most"]][: rules["max_advice"]]
    if not weakest and given[order[0]] < 4:
        weakest = [order[0]]  # even a well prepared entity hears where to look first
    strongest = [fid for fid in FACTOR_IDS if given.get(fid) == 4]
    return Readiness(scores, overall, level, weakest, strongest)


def factor(fid: str) -> dict[str, Any]:
    return next(f for f in knowledge("success_factors")["factors"] if f["id"] == fid)


def bar(score: int | None) -> str:
    return "⬜⬜⬜⬜" if score is None else "🟩" * score + "⬜" * (4 - score)


def factor_lines(readiness: Readiness, lang: str) -> str:
    no_answer = tr(knowledge("journey")["chart"]["no_answer"], lang)
    return "\n".join(
        f"{bar(s)} {tr(factor(fid)['title'], lang)}" + (f" ({no_answer})" if s is None else f" {s}/4")
        for fid, s in readiness.scores.items())


def advice_text(readiness: Readiness, lang: str, *, crisis: bool) -> str:
    """The advice for the weakest factors; in a crisis, a factor's urgent advice where it has one (trust
    "takes time", but an entity about to close has none)."""
    def advice(fid: str) -> str:
        spec = factor(fid)
        return tr(spec.get("advice_urgent") if crisis and spec.get("advice_urgent") else spec["advice"], lang)

    return "\n\n".join(f"• {tr(factor(fid)['title'], lang)}: {advice(fid)}" for fid in readiness.weakest)


def number_text(value: float | None, lang: str) -> str:
    """2.6 as '2,6' in Catalan and Spanish, '2.6' in English; whole numbers without decimals."""
    if value is None:
        return "-"
    return decimal(value, lang, "0.#")


def answers_of(tracker: Tracker) -> dict[str, Any]:
    """The factor answers and what the verdict reads besides them (the interview's, when there was one)."""
    names = [f"factor_{fid}" for fid in FACTOR_IDS] + ["why_partner", "financial_situation", "services_threatened"]
    return {name: tracker.get_slot(name) for name in names}


def readiness_slots(readiness: Readiness) -> list[EventType]:
    return [SlotSet("readiness", readiness.scores), SlotSet("readiness_overall", readiness.overall),
            SlotSet("readiness_level", readiness.level)]


class ActionScoreReadiness(Action):
    """After the self-check: where the entity stands, advice for the weakest factors, then the next part."""

    def name(self) -> str:
        return "action_score_readiness"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language_of(tracker)
        readiness = score_readiness({f"factor_{fid}": tracker.get_slot(f"factor_{fid}") for fid in FACTOR_IDS})
        in_journey = tracker.get_slot("motivation") is not None
        if not in_journey:
            # The self-check on its own: the result and the advice here. In the journey the summary says it
            # once, and the advice per factor is behind its button (actions/summary.py, at most 4 messages).
            if readiness.overall is None:
                dispatcher.utter_message(response="utter_readiness_none")
            else:
                dispatcher.utter_message(
                    response="utter_readiness_result", lines=factor_lines(readiness, lang),
                    overall=number_text(readiness.overall, lang),
                    # the one verdict rule (knowledge/verdict.yml): a self-check alone has no interview, no crisis
                    overall_text=verdict_text(judge(answers_of(tracker)).code, lang))
                if readiness.weakest:
                    dispatcher.utter_message(response="utter_readiness_advice",
                                             advice=advice_text(readiness, lang, crisis=False))
                if readiness.strongest:
                    dispatcher.utter_message(response="utter_readiness_strengths", strengths=bullets(
                        [tr(factor(fid)["strength"], lang) for fid in readiness.strongest[:2]]))
        events = readiness_slots(readiness)
        if not in_journey:
            # The self-check on its own, from the menu: no interview, so no summary to store.
            dispatcher.utter_message(response="utter_self_check_next")
            return events
        partner = tracker.get_slot("partner_in_mind")
        if partner == "yes":
            return [*events, FollowupAction("relationship_form")]
        if partner == "not_sure":  # "maybe": the check (about the kind of partner) is offered, not imposed
            offered = tracker.get_slot("relationship_check")
            if offered == "yes":  # a factor corrected after the check: its answers stand, the summary is redone
                return [*events, FollowupAction("relationship_form")]
            if offered == "no":  # ... or after it was declined: not offered again
                return [*events, FollowupAction("action_summarize_journey")]
            return [*events, FollowupAction("relationship_offer_form")]
        return [*events, FollowupAction("action_summarize_journey")]
