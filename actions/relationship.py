"""The relationship check with a partner in mind (or the kind of partner): objective indicators, and the flags
they raise. Bands are defined once, in knowledge/journey.yml `relationship.bands`; every verdict and every
flag comes from them, so a flag always agrees with the answers it names."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import knowledge, tr
from actions.classifier import MIXED, REACTIVE
from actions.journey import bullets, score_of

FINE, WATCH, RISK = "fine", "watch", "risk"
ORDER = {FINE: 0, WATCH: 1, RISK: 2}


@dataclass
class Relationship:
    indicators: dict[str, float | None]          # indicator id -> mean of its 1-4 answers (as answered)
    verdicts: dict[str, str | None] = field(default_factory=dict)  # indicator id -> fine / watch / risk
    answers_risk: dict[str, int] = field(default_factory=dict)     # question id -> risk 1-4 (None: no score)
    risks: list[str] = field(default_factory=list)  # indicator ids whose verdict is risk
    flags: list[str] = field(default_factory=list)  # flag ids of knowledge/relationship_indicators.yml (risks)
    strengths: list[str] = field(default_factory=list)  # good_fit


def driven_by_need(motivation: str | None, dominant: str | None) -> bool:
    return motivation == REACTIVE or (motivation == MIXED and dominant == REACTIVE)


def bands() -> dict[str, Any]:
    return knowledge("journey")["relationship"]["bands"]


def band_of_mean(mean_risk: float) -> str:
    b = bands()
    return RISK if mean_risk >= b["risk_from"] else FINE if mean_risk < b["fine_below"] else WATCH


def band_of_answer(risk: int) -> str:
    b = bands()
    return RISK if risk >= b["risk_single"] else WATCH if risk >= b["watch_single"] else FINE


def assess_relationship(answers: dict[str, Any], *, motivation: str | None = None,
                        dominant: str | None = None) -> Relationship:
    """`answers` maps rel_<question id> slots (or bare ids) to 1-4; a don't-know or a skip is no score."""
    result = Relationship(indicators={})
    for indicator in knowledge("relationship_indicators")["indicators"]:
        given: list[tuple[int, int]] = []  # (answer, risk)
        for q in indicator["questions"]:
            value = score_of(answers.get(f"rel_{q['id']}", answers.get(q["id"])))
            if value is None:
                continue
            risk = value if q.get("risk_when", "high") == "high" else 5 - value
            result.answers_risk[q["id"]] = risk
            given.append((value, risk))
        if not given:
            result.indicators[indicator["id"]] = None
            result.verdicts[indicator["id"]] = None
            continue
        result.indicators[indicator["id"]] = round(sum(v for v, _ in given) / len(given), 2)
        verdict = band_of_mean(sum(r for _, r in given) / len(given))
        for _, risk in given:
            if ORDER[band_of_answer(risk)] > ORDER[verdict]:
                verdict = band_of_answer(risk)
        result.verdicts[indicator["id"]] = verdict
        if verdict == RISK:
            result.risks.append(indicator["id"])

    def risk_of(question: str) -> int:
        return result.answers_risk.get(question, 0)

    watch_from = bands()["watch_single"]
    conflicts_at_risk = result.verdicts.get("conflicts") == RISK
    if conflicts_at_risk and risk_of("conflicts_power") >= watch_from:
        result.flags.append("power_risk")
    if conflicts_at_risk and risk_of("conflicts_history") >= watch_from:
        result.flags.append("conflict_risk")
    # the seed: reactive motivations often bring competition and a hard time accepting a loss of power;
    # with need as the driver, much overlap or that fear is enough
    overlap = max(risk_of("duplications_services"), risk_of("duplications_territory"))
    if driven_by_need(motivation, dominant) and (overlap >= watch_from or risk_of("conflicts_power") >= watch_from):
        result.flags.append("competition_risk")
    if "gains" in result.risks:
        result.flags.append("unbalanced_gains")
    if "complementarities" in result.risks:
        result.flags.append("low_complementarity")
    answered = [v for v in result.verdicts.values() if v is not None]
    if answered and all(v == FINE for v in answered) and result.verdicts.get("complementarities") == FINE:
        result.strengths.append("good_fit")
    return result


def flag_texts(flags: list[str], lang: str) -> list[str]:
    known = knowledge("relationship_indicators").get("flags", {})
    return [tr(known[f]["text"], lang) for f in flags if f in known]


def _scale_word(value: int, lang: str) -> str:
    return tr(knowledge("relationship_indicators")["scale"].get(value), lang).lower()


def indicator_lines(relationship: Relationship, lang: str) -> str:
    """One line per indicator: its verdict, and the answers that set it when it is not fine."""
    journey = knowledge("journey")
    lines = []
    for indicator in knowledge("relationship_indicators")["indicators"]:
        verdict = relationship.verdicts.get(indicator["id"])
        if verdict is None:
            lines.append(f"{tr(indicator['title'], lang)}: {tr(journey['chart']['no_answer'], lang)}")
            continue
        line = f"{tr(indicator['title'], lang)}: {tr(journey['relationship']['status'][verdict], lang)}"
        if verdict != FINE:
            named = []
            for q in indicator["questions"]:
                risk = relationship.answers_risk.get(q["id"])
                if risk is not None and risk >= bands()["watch_single"]:
                    value = risk if q.get("risk_when", "high") == "high" else 5 - risk
                    named.append(f"{tr(q.get('short'), lang)}: {_scale_word(value, lang)}")
            if named:
                line += f" ({'; '.join(named)})"
        lines.append(line)
    return bullets(lines)


def relationship_record(relationship: Relationship) -> dict[str, Any]:
    return {"indicators": relationship.indicators, "verdicts": relationship.verdicts, "risks": relationship.risks,
            "strengths": relationship.strengths}


class ActionCheckRelationship(Action):
    def name(self) -> str:
        return "action_check_relationship"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        answers = {k: v for k, v in tracker.current_slot_values().items() if k.startswith("rel_")}
        relationship = assess_relationship(answers, motivation=tracker.get_slot("motivation"),
                                           dominant=tracker.get_slot("motivation_dominant"))
        # said in the summary (its risks, once) and behind its button (the table): not here too
        return [SlotSet("relationship", relationship_record(relationship)),
                SlotSet("flags", relationship.flags), FollowupAction("action_summarize_journey")]


class ActionAfterRelationshipOffer(Action):
    """A "maybe" partner chose: the relationship check (about the kind of partner), or straight to the summary."""

    def name(self) -> str:
        return "action_after_relationship_offer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("relationship_check") == "yes":
            dispatcher.utter_message(response="utter_relationship_maybe_partner")
            return [FollowupAction("relationship_form")]
        return [FollowupAction("action_summarize_journey")]
