"""The relationship check with a partner in mind: objective indicators, and the flags they raise."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import knowledge, language_of, tr
from actions.classifier import MIXED, REACTIVE
from actions.journey import bullets, score_of
from actions.readiness import number_text


@dataclass
class Relationship:
    indicators: dict[str, float | None]          # indicator id -> mean of its 1-4 answers
    risks: list[str] = field(default_factory=list)  # indicator ids at the risky end
    flags: list[str] = field(default_factory=list)  # flag ids of knowledge/relationship_indicators.yml


def driven_by_need(motivation: str | None, dominant: str | None) -> bool:
    return motivation == REACTIVE or (motivation == MIXED and dominant == REACTIVE)


def assess_relationship(answers: dict[str, Any], *, motivation: str | None = None,
                        dominant: str | None = None) -> Relationship:
    """`answers` maps rel_<question id> slots (or bare ids) to 1-4."""
    rules = knowledge("journey")["relationship"]
    result = Relationship(indicators={})
    for indicator in knowledge("relationship_indicators")["indicators"]:
        values = [(score_of(answers.get(f"rel_{q['id']}", answers.get(q["id"]))), q.get("risk_when", "high"))
                  for q in indicator["questions"]]
        given = [(v, when) for v, when in values if v is not None]
        if not given:
            result.indicators[indicator["id"]] = None
            continue
        mean = round(sum(v for v, _ in given) / len(given), 2)
        result.indicators[indicator["id"]] = mean
        when = given[0][1]
        if (when == "high" and mean >= rules["risk_high_from"]) or (when == "low" and mean <= rules["risk_low_at_most"]):
            result.risks.append(indicator["id"])
    risks = set(result.risks)
    if "duplications" in risks and driven_by_need(motivation, dominant):
        result.flags.append("competition_risk")
    if "conflicts" in risks:
        result.flags.append("conflict_risk")
    if "gains" in risks:
        result.flags.append("unbalanced_gains")
    if "complementarities" in risks:
        result.flags.append("low_complementarity")
    complementary = result.indicators.get("complementarities")
    if not result.flags and complementary is not None and complementary >= rules["risk_high_from"]:
        result.flags.append("good_fit")
    return result


def flag_texts(flags: list[str], lang: str) -> list[str]:
    known = knowledge("relationship_indicators").get("flags", {})
    return [tr(known[f]["text"], lang) for f in flags if f in known]


def indicator_lines(relationship: Relationship, lang: str) -> str:
    journey = knowledge("journey")
    lines = []
    for indicator in knowledge("relationship_indicators")["indicators"]:
        mean = relationship.indicators.get(indicator["id"])
        if mean is None:
            status = tr(journey["chart"]["no_answer"], lang)
        else:
            kind = "risk" if indicator["id"] in relationship.risks else "ok"
            status = f"{number_text(mean, lang)}/4 {tr(journey['relationship']['status'][kind], lang)}"
        lines.append(f"{tr(indicator['title'], lang)}: {status}")
    return bullets(lines)


class ActionCheckRelationship(Action):
    def name(self) -> str:
        return "action_check_relationship"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language_of(tracker)
        answers = {k: v for k, v in tracker.current_slot_values().items() if k.startswith("rel_")}
        relationship = assess_relationship(answers, motivation=tracker.get_slot("motivation"),
                                           dominant=tracker.get_slot("motivation_dominant"))
        dispatcher.utter_message(response="utter_relationship_result", lines=indicator_lines(relationship, lang))
        texts = flag_texts(relationship.flags, lang)
        if texts:
            dispatcher.utter_message(response="utter_relationship_flags", flags="\n\n".join(f"• {t}" for t in texts))
        return [SlotSet("relationship", {"indicators": relationship.indicators, "risks": relationship.risks}),
                SlotSet("flags", relationship.flags), FollowupAction("action_summarize_journey")]
