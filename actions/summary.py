"""The end of the journey: store the assessment, draw the chart, sum it all up, offer a facilitator."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions import services
from actions.base import knowledge, language_of, tr
from actions.chart import render_chart_soon
from actions.classifier import REACTIVE
from actions.journey import (
    FACTOR_IDS,
    FACTOR_SLOTS,
    INTERVIEW_SLOTS,
    RELATIONSHIP_SLOTS,
    answered,
    join_words,
)
from actions.motivation import label, reasons
from actions.qualify import qualify
from actions.readiness import factor, factor_lines, number_text, score_readiness
from actions.relationship import driven_by_need, flag_texts
from bot.store import funnel
from bot.store.assessments import save_assessment

log = logging.getLogger(__name__)

EXTRA_ANSWER_SLOTS = ("motivation_clarify", "motivation_feedback", "motivation_alternative")


def collect_answers(tracker: Tracker) -> dict[str, Any]:
    """Every answer of the journey that was given (skipped ones are kept as 'skipped')."""
    names = INTERVIEW_SLOTS + EXTRA_ANSWER_SLOTS + FACTOR_SLOTS + RELATIONSHIP_SLOTS
    return {name: tracker.get_slot(name) for name in names if tracker.get_slot(name) is not None}


def next_steps(*, motivation: str | None, dominant: str | None, weakest: list[str], partner: bool,
               level: str | None, lang: str) -> list[str]:
    texts = knowledge("journey")["next_steps"]
    steps = []
    if weakest:
        titles = join_words([tr(factor(fid)["title"], lang).lower() for fid in weakest], lang)
        steps.append(tr(texts["work_on"], lang).replace("{factors}", titles))
    if driven_by_need(motivation, dominant) or motivation == REACTIVE:
        steps.append(tr(texts["reactive"], lang))
    steps.append(tr(texts["talk_partner" if partner else "find_partners"], lang))
    steps.append(tr(texts["share"], lang))
    steps.append(tr(texts["facilitator"], lang))
    return steps


class ActionSummarizeJourney(Action):
    def name(self) -> str:
        return "action_summarize_journey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language_of(tracker)
        motivation = tracker.get_slot("motivation")
        dominant = tracker.get_slot("motivation_dominant")
        evidence = list(tracker.get_slot("motivation_evidence") or [])
        readiness = score_readiness({s: tracker.get_slot(s) for s in FACTOR_SLOTS})
        flags = list(tracker.get_slot("flags") or [])
        disagreement = tracker.get_slot("motivation_disagreement")
        assessment_id = await self._store(tracker, domain, lang=lang, readiness=readiness, flags=flags)

        # Drawn in the background (tens of ms of CPU): the turn, and other chats, do not wait for it.
        chart = render_chart_soon(readiness=readiness.scores,
                                  scores=dict(tracker.get_slot("motivation_scores") or {}),
                                  lang=lang, entity_name=tracker.get_slot("entity_name"))
        dispatcher.utter_message(response="utter_summary_chart", image=str(chart))
        self._utter_summary(dispatcher, tracker, lang=lang, motivation=motivation, evidence=evidence,
                            readiness=readiness, disagreement=disagreement)
        if flags:
            dispatcher.utter_message(response="utter_summary_flags",
                                     flags="\n".join(f"• {t}" for t in flag_texts(flags, lang)))
        steps = next_steps(motivation=motivation, dominant=dominant, weakest=readiness.weakest,
                           partner=tracker.get_slot("partner_in_mind") == "yes", level=readiness.level, lang=lang)
        dispatcher.utter_message(response="utter_summary_next_steps", steps="\n".join(f"• {s}" for s in steps))
        # The handoff decides what comes next: a facilitator for a qualified entity, resources otherwise.
        return [SlotSet("assessment_id", assessment_id), SlotSet("journey_chart", str(chart)),
                FollowupAction("action_offer_handoff_if_qualified")]

    def _utter_summary(self, dispatcher: CollectingDispatcher, tracker: Tracker, *, lang: str,
                       motivation: str | None, evidence: list[dict[str, Any]], readiness: Any,
                       disagreement: str | None) -> None:
        pieces = knowledge("journey")["summary"]
        why = reasons(evidence, motivation, lang) if motivation else []
        views = knowledge("journey")["motivation_by_user"]
        view = tr(views.get(disagreement), lang) if disagreement in views else ""
        dispatcher.utter_message(
            response="utter_summary",
            motivation_label=label(motivation, lang) if motivation else "-",
            reasons=tr(pieces["because"], lang).replace("{reasons}", join_words(why, lang)) if why else "",
            disagreement=tr(pieces["disagreement"], lang).replace("{view}", view) if disagreement else "",
            overall=number_text(readiness.overall, lang),
            level=tr(knowledge("journey")["readiness"]["level"].get(readiness.level), lang)
            if readiness.level else tr(pieces["no_readiness"], lang),
            readiness_lines=factor_lines(readiness, lang))

    async def _store(self, tracker: Tracker, domain: DomainDict, *, lang: str, readiness: Any,
                     flags: list[str]) -> int | None:
        entity = {"name": tracker.get_slot("entity_name"), "field": tracker.get_slot("field"),
                  "territory": tracker.get_slot("territory"), "size_staff": tracker.get_slot("size_staff"),
                  "size_volunteers": tracker.get_slot("size_volunteers"),
                  "budget_band": tracker.get_slot("budget_band")}
        readiness_record = {fid: readiness.scores.get(fid) for fid in FACTOR_IDS}
        try:
            async with services.sessionmaker()() as session, session.begin():
                assessment_id = await save_assessment(
                    session=session, sender_id=tracker.sender_id,
                    entity={k: v for k, v in entity.items() if answered(v)}, answers=collect_answers(tracker),
                    motivation=tracker.get_slot("motivation"), confidence=tracker.get_slot("motivation_confidence"),
                    evidence=list(tracker.get_slot("motivation_evidence") or []), readiness=readiness_record,
                    readiness_overall=readiness.overall, flags=flags,
                    disagreement=tracker.get_slot("motivation_disagreement"), language=lang,
                    content_version=str(domain.get("content_version") or ""))
                answers = {"objective": tracker.get_slot("objective"),
                           "partner_in_mind": tracker.get_slot("partner_in_mind"),
                           "readiness_overall": readiness.overall}
                if qualify(answers, services.settings().handoff).passes:
                    # The journey passed the thresholds: the funnel's "qualified", with the assessment.
                    await funnel.count(session=session, step="qualified", language=lang,
                                       territory=tracker.get_slot("territory"),
                                       motivation=tracker.get_slot("motivation"), aim=answers["objective"])
                return assessment_id
        except SQLAlchemyError:
            # The summary is still worth giving; the facilitator's dossier falls back to the slots.
            log.exception("assessment not stored")
            return None
