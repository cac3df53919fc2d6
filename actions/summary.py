"""The end of the journey: store the assessment, draw the chart, sum it all up, offer a facilitator."""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from actions import services
from actions import verdict as verdict_rules
from actions.base import knowledge, language_of, squeeze, tr
from actions.classifier import UNCLEAR, is_hedge, tokenized
from actions.effects import once
from actions.handoff import refresh_open_lead
from actions.journey import (
    FACTOR_IDS,
    FACTOR_SLOTS,
    INTERVIEW_SLOTS,
    RELATIONSHIP_SLOTS,
    answered,
    bullets,
    join_words,
)
from actions.journey_chart import render_chart_soon
from actions.motivation import label, reasons
from actions.qualify import passes_thresholds
from actions.readiness import advice_text, bar, factor, factor_lines, score_readiness
from actions.relationship import assess_relationship, driven_by_need, flag_texts, indicator_lines
from bot.store import funnel
from bot.store.assessments import save_assessment
from bot.store.leads import OPEN
from bot.store.models import Conversation, Entity, Facilitator, Lead, MatchProfile

log = logging.getLogger(__name__)

# The entity's open lead and who has it, in one pre-built statement (the summary turn is the journey's
# heaviest; the ORM helpers in bot/store/leads.py take three queries for the same answer).
_LEAD, _ENTITY, _CONVERSATION, _FACILITATOR = (Lead.__table__, Entity.__table__, Conversation.__table__,
                                               Facilitator.__table__)
_OPEN_LEAD = (
    select(_LEAD.c.id, _FACILITATOR.c.name)
    .select_from(_LEAD.join(_ENTITY, _LEAD.c.entity_id == _ENTITY.c.id)
                 .join(_CONVERSATION, _ENTITY.c.conversation_id == _CONVERSATION.c.id)
                 .outerjoin(_FACILITATOR, _LEAD.c.assignee_id == _FACILITATOR.c.id))
    .where(_CONVERSATION.c.sender_id == bindparam("b_sender"), _LEAD.c.status.in_(OPEN))
    .order_by(_LEAD.c.id.desc()).limit(1))
# The entity's consent to "Busco soci" (issue 26), read in the same transaction: one statement, where a
# session of its own took three (the entity looked up twice, then its profile).
_MATCH = MatchProfile.__table__
_MATCH_CONSENT = (
    select(_ENTITY.c.id, _MATCH.c.consent_version)
    .select_from(_ENTITY.join(_CONVERSATION, _ENTITY.c.conversation_id == _CONVERSATION.c.id)
                 .outerjoin(_MATCH, _MATCH.c.entity_id == _ENTITY.c.id))
    .where(_CONVERSATION.c.sender_id == bindparam("b_sender"))
    .order_by(_ENTITY.c.id.desc()).limit(1))

# what qualify() reads to decide whether the closing offers a facilitator (as the handoff does)
QUALIFY_SLOTS = ("objective", "objective_other", "partner_in_mind", "motivation")

EXTRA_ANSWER_SLOTS = ("motivation_clarify", "motivation_feedback", "motivation_alternative")
DONT_KNOW = "dont_know"  # the stored value of a "No ho sé / No lo sé / Not sure" button (issue 14)
SURE_VIEWS = ("reactive", "proactive", "mixed")


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
    if driven_by_need(motivation, dominant):
        steps.append(tr(texts["reactive"], lang))
    if motivation == UNCLEAR:
        steps.append(tr(texts["clarify"], lang))
    steps.append(tr(texts["talk_partner" if partner else "find_partners"], lang))
    steps.append(tr(texts["share"], lang))
    return steps


def find_out(answers: dict[str, Any], lang: str) -> list[str]:
    """What the person said they don't know, in plain words: things to find out before going further."""
    topics = knowledge("journey")["find_out"]
    items = [tr(topics[slot], lang) for slot in topics if answers.get(slot) == DONT_KNOW]
    if answers.get("partner_in_mind") == "not_sure":
        items.append(tr(topics["partner_in_mind"], lang))
    items += [tr(factor(fid)["title"], lang) for fid in FACTOR_IDS if answers.get(f"factor_{fid}") == DONT_KNOW]
    for indicator in knowledge("relationship_indicators")["indicators"]:
        items += [tr(q.get("short"), lang) for q in indicator["questions"] if answers.get(f"rel_{q['id']}") == DONT_KNOW]
    return [i for i in dict.fromkeys(items) if i]


def summary_factor_lines(readiness: Any, answers: dict[str, Any], lang: str) -> str:
    """The self-check per factor; a don't-know shows as a dash, not as 'no answer'."""
    dash = str(knowledge("journey")["summary"].get("dont_know", "—"))
    lines = factor_lines(readiness, lang).split("\n")
    out = []
    for fid, line in zip(readiness.scores, lines, strict=False):
        if answers.get(f"factor_{fid}") == DONT_KNOW:
            line = f"{bar(None)} {tr(factor(fid)['title'], lang)} {dash}"
        out.append(line)
    return "\n".join(out)


def objective_text(answers: dict[str, Any], lang: str) -> str:
    """The chosen objective by its label; "other" in the person's own words when they gave them."""
    objective = answers.get("objective")
    if not answered(objective) or objective == DONT_KNOW:
        return ""
    spec = next((o for o in knowledge("objectives")["objectives"] if o["id"] == objective), None)
    if spec is None:
        return ""
    own = answers.get("objective_other")
    if objective == "other" and answered(own):
        return f"«{_clip(str(own))}»"
    return tr(spec["label"], lang)


def _quoted_already(words: str, reasons_text: str) -> bool:
    """Whether the reasons already quote the person's words (a clause of them, or nearly all): then not twice."""
    for a, b in re.findall(r"«([^»]+)»|\"([^\"]+)\"", reasons_text):
        if tokenized(a or b) and tokenized(a or b) in tokenized(words):
            return True
    said = tokenized(words).split()
    quoted = set(tokenized(reasons_text).split())
    return bool(said) and sum(w in quoted for w in said) >= 0.8 * len(said)


def _clip(text: str) -> str:
    limit = int(knowledge("journey")["summary"].get("words_max", 240))
    text = squeeze(text)
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"


def _items(items: list[str], lang: str, piece: str) -> str:
    return tr(knowledge("journey")["summary"][piece], lang).replace("{items}", join_words(items, lang)) if items else ""


def summary_points(readiness: Any, relationship: dict[str, Any], flags: list[str], lang: str) -> tuple[str, str]:
    """The risks and strengths of the summary, each named once in a few words (the advice is behind a button)."""
    risks = [verdict_rules.flag_short(f, lang) for f in flags]
    strengths = [tr(factor(fid)["title"], lang).lower() for fid in readiness.strongest]
    strengths += [verdict_rules.flag_short(f, lang) for f in relationship.get("strengths") or []]
    return _items([r for r in risks if r], lang, "risks"), _items([s for s in strengths if s], lang, "strengths")


class ActionSummarizeJourney(Action):
    def name(self) -> str:
        return "action_summarize_journey"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language_of(tracker)
        motivation = tracker.get_slot("motivation")
        dominant = tracker.get_slot("motivation_dominant")
        evidence = list(tracker.get_slot("motivation_evidence") or [])
        answers = collect_answers(tracker)
        readiness = score_readiness({s: tracker.get_slot(s) for s in FACTOR_SLOTS})
        flags = list(tracker.get_slot("flags") or [])
        relationship = tracker.get_slot("relationship") or {}
        verdict = verdict_rules.judge(answers, flags)
        assessment_id, lead, matching = await self._store(tracker, domain, lang=lang, readiness=readiness,
                                                          flags=flags)

        # Drawn in the background (tens of ms of CPU): the turn, and other chats, do not wait for it.
        chart = render_chart_soon(readiness=readiness.scores,
                                  scores=dict(tracker.get_slot("motivation_scores") or {}),
                                  lang=lang, entity_name=tracker.get_slot("entity_name"))
        # Four messages at most: the chart, the summary, the next steps, the closing (details behind its button).
        dispatcher.utter_message(response="utter_summary_chart", image=str(chart))
        self._utter_summary(dispatcher, tracker, lang=lang, motivation=motivation, dominant=dominant,
                            evidence=evidence, readiness=readiness, answers=answers, verdict=verdict,
                            relationship=relationship, flags=flags)
        # a "maybe" did the check about the kind of partner; the next step is still to find one
        partner = tracker.get_slot("partner_in_mind") == "yes"
        steps = next_steps(motivation=motivation, dominant=dominant, weakest=readiness.weakest,
                           partner=partner, level=readiness.level, lang=lang)
        steps_max = int(knowledge("journey")["summary"].get("steps_max", 3))
        if matching:  # "Busco soci" (issue 26) as a step: still 4 messages
            texts = knowledge("journey")["next_steps"]
            steps = [s for s in steps if s != tr(texts["find_partners"], lang)]  # the same point, said once
            steps = [*steps[: steps_max - 1], tr(texts["matching"], lang)]
        steps = steps[:steps_max]
        dispatcher.utter_message(response="utter_summary_next_steps", steps=bullets(steps))
        self._utter_closing(dispatcher, tracker, lead, crisis=verdict.crisis)
        return [SlotSet("assessment_id", assessment_id), SlotSet("journey_chart", str(chart))]

    def _utter_closing(self, dispatcher: CollectingDispatcher, tracker: Tracker, lead: tuple[Any, str | None] | None,
                       *, crisis: bool = False) -> None:
        """One closing message with one menu: the open lead's state, a facilitator offered, or resources.
        An entity in crisis is always offered a facilitator: its verdict says to talk to one this week."""
        if lead is not None:
            _lead, facilitator = lead
            if facilitator:
                dispatcher.utter_message(response="utter_summary_close_lead_claimed", facilitator_name=facilitator)
            else:
                dispatcher.utter_message(response="utter_summary_close_lead_open")
            return
        answers = {k: tracker.get_slot(k) for k in QUALIFY_SLOTS}
        answers["readiness_overall"] = score_readiness({s: tracker.get_slot(s) for s in FACTOR_SLOTS}).overall
        offer = crisis or passes_thresholds(answers, services.settings().handoff)
        dispatcher.utter_message(response="utter_summary_close_offer" if offer else "utter_summary_close")

    def _utter_summary(self, dispatcher: CollectingDispatcher, tracker: Tracker, *, lang: str,
                       motivation: str | None, dominant: str | None, evidence: list[dict[str, Any]],
                       readiness: Any, answers: dict[str, Any], verdict: Any, relationship: dict[str, Any],
                       flags: list[str]) -> None:
        pieces = knowledge("journey")["summary"]
        why = reasons(evidence, motivation, lang, dominant) if motivation else []
        views = knowledge("journey")["motivation_by_user"]
        disagreement = tracker.get_slot("motivation_disagreement")
        if disagreement in SURE_VIEWS:
            disagreement_text = tr(pieces["disagreement"], lang).replace("{view}", tr(views[disagreement], lang))
        elif disagreement:
            disagreement_text = tr(pieces["disagreement_unsure"], lang)
        else:
            disagreement_text = ""
        objective = objective_text(answers, lang)
        words = tracker.get_slot("why_partner")
        reasons_text = tr(pieces["because"], lang).replace("{reasons}", join_words(why, lang)) if why else ""
        own_words = (tr(pieces["own_words"], lang).replace("{words}", _clip(words))
                     if answered(words) and not is_hedge(words) and not _quoted_already(words, reasons_text) else "")
        risks, strengths = summary_points(readiness, relationship, flags, lang)
        unknown = find_out(answers, lang)  # listed once, on their own line (not counted again in the reason)
        dispatcher.utter_message(
            response="utter_summary",
            motivation_label=label(motivation, lang) if motivation else "-",
            reasons=reasons_text, disagreement=disagreement_text,
            objective=tr(pieces["objective"], lang).replace("{objective}", objective) if objective else "",
            own_words=own_words,
            verdict=verdict_rules.verdict_text(verdict.code, lang),
            # each point once: the motivation line says why it is urgent, the 🚩 line names the risks
            reason=verdict_rules.reason_line(verdict, lang, quote=False, named_risks=False, gaps=not unknown),
            risks=risks, strengths=strengths, find_out=_items(unknown, lang, "find_out"))

    async def _store(self, tracker: Tracker, domain: DomainDict, *, lang: str, readiness: Any,
                     flags: list[str]) -> tuple[int | None, tuple[Any, str | None] | None, bool]:
        """Store the assessment and, in the same transaction, look for the entity's open lead (and who has it)
        and whether to point to "Busco soci": an entity not on the list yet with the current wording of the
        opt-in."""
        entity = {"name": tracker.get_slot("entity_name"), "field": tracker.get_slot("field"),
                  "territory": tracker.get_slot("territory"), "size_staff": tracker.get_slot("size_staff"),
                  "size_volunteers": tracker.get_slot("size_volunteers"),
                  "budget_band": tracker.get_slot("budget_band")}
        readiness_record = {fid: readiness.scores.get(fid) for fid in FACTOR_IDS}
        try:
            async with once(tracker, self.name()) as effect:  # a re-run of this turn stores nothing again
                if not effect.done:
                    session = effect.session
                    assessment_id = await save_assessment(
                        session=session, sender_id=tracker.sender_id,
                        entity={k: v for k, v in entity.items() if answered(v)}, answers=collect_answers(tracker),
                        motivation=tracker.get_slot("motivation"),
                        confidence=tracker.get_slot("motivation_confidence"),
                        evidence=list(tracker.get_slot("motivation_evidence") or []), readiness=readiness_record,
                        readiness_overall=readiness.overall, flags=flags,
                        disagreement=tracker.get_slot("motivation_disagreement"), language=lang,
                        content_version=str(domain.get("content_version") or ""))
                    answers = {"objective": tracker.get_slot("objective"),
                               "partner_in_mind": tracker.get_slot("partner_in_mind"),
                               "readiness_overall": readiness.overall}
                    if passes_thresholds(answers, services.settings().handoff):
                        # The journey passed the thresholds: the funnel's "qualified", with the assessment.
                        await funnel.reach(session=session, step="qualified", sender_id=tracker.sender_id,
                                           language=lang,
                                           territory=tracker.get_slot("territory"),
                                           motivation=tracker.get_slot("motivation"), aim=answers["objective"])
                    row = (await session.execute(_OPEN_LEAD, {"b_sender": tracker.sender_id})).first()
                    if row is not None:  # its dossier follows the answers (a correction after the summary)
                        await refresh_open_lead(session, tracker, row[0], assessment_id)
                    consent = (await session.execute(_MATCH_CONSENT, {"b_sender": tracker.sender_id})).first()
                    current = services.settings().matching.consent_version
                    effect.result = {"assessment_id": assessment_id,
                                     "lead": [row[0], row[1]] if row is not None else None,
                                     "matching": consent is not None and consent[1] != current}
            lead = effect.result.get("lead")
            return (effect.result.get("assessment_id"), (tuple(lead) if lead else None),
                    bool(effect.result.get("matching")))
        except SQLAlchemyError:
            # The summary is still worth giving; the facilitator's dossier falls back to the slots.
            log.exception("assessment not stored")
            return None, None, False


class ActionShowSummaryDetails(Action):
    """Behind the closing's "More details": the advice for the weakest factors (urgent advice in a crisis) and,
    after the relationship check, how the entities fit and what each risk means."""

    def name(self) -> str:
        return "action_show_summary_details"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        lang = language_of(tracker)
        readiness = score_readiness({s: tracker.get_slot(s) for s in FACTOR_SLOTS})
        if readiness.weakest:
            crisis = verdict_rules.in_crisis(collect_answers(tracker))
            dispatcher.utter_message(response="utter_summary_advice",
                                     advice=advice_text(readiness, lang, crisis=crisis))
        else:
            dispatcher.utter_message(response="utter_summary_advice_none")
        answers = {k: v for k, v in tracker.current_slot_values().items() if k.startswith("rel_")}
        relationship = assess_relationship(answers, motivation=tracker.get_slot("motivation"),
                                           dominant=tracker.get_slot("motivation_dominant"))
        if any(v is not None for v in relationship.verdicts.values()):
            dispatcher.utter_message(response="utter_relationship_result", lines=indicator_lines(relationship, lang))
            texts = flag_texts(relationship.flags + relationship.strengths, lang)
            if texts:
                dispatcher.utter_message(response="utter_relationship_flags",
                                         flags="\n\n".join(f"• {t}" for t in texts))
        return []
