"""Handing an entity to a facilitator: consent, contact, the lead, and messages while a human is on it."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationResumed, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions import services
from actions import verdict as verdict_rules
from actions.base import checked_name, language_of, squeeze
from actions.effects import once
from actions.journey import INTERVIEW_SLOTS
from actions.qualify import qualify
from bot.shared.addresses import telegram_address, telegram_chat_id
from bot.store import leads as store
from bot.store import outbox
from bot.store.models import Assessment, Conversation, Facilitator, Lead
from bot.store.outbox import LeadRefresh
from bot.text.export_safe import strip_controls
from bot.text.numbers import parse_int

CONTACT_SLOTS = ("contact_name", "contact_role", "contact_channel", "contact_email", "contact_phone")
# What a lead carries from the conversation (beside the assessment's answers, when the journey got that far):
# the interview's answers and the journey's two results, each labelled on the card (dialogues/handoff.yml)
ANSWER_SLOTS = (*INTERVIEW_SLOTS, "motivation", "readiness_overall")

# Actions write leads and outbox rows and return events; they render nothing that is not a reply to this
# conversation. The facilitators' card (the console preview here) and the relays are rendered by the
# engine and the notifier from the ids in the row (import-linter's contracts in pyproject.toml).


def _filled(value: Any) -> bool:
    return value not in (None, "", "skipped")


def consent_is_current(tracker: Tracker) -> bool:
    return (tracker.get_slot("handoff_consent") == "yes"
            and tracker.get_slot("consent_version") == services.settings().handoff.consent_version
            and _filled(tracker.get_slot("consent_at")))


def has_contact(tracker: Tracker) -> bool:
    channel = tracker.get_slot("contact_channel")
    if channel == "telegram":
        return True
    return _filled(tracker.get_slot("contact_email")) or _filled(tracker.get_slot("contact_phone"))


class ActionStartHandoff(Action):
    """/facilitator from anywhere: ask consent and contact if missing, else hand over straight away."""

    def name(self) -> str:
        return "action_start_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if consent_is_current(tracker) and has_contact(tracker) and _filled(tracker.get_slot("entity_name")):
            return [FollowupAction("action_submit_handoff")]
        events: list[EventType] = []
        if not consent_is_current(tracker):
            # Consent is asked again (a new text version, or a "no" before); nothing personal is kept yet.
            events += [SlotSet("handoff_consent", None), SlotSet("consent_at", None), SlotSet("consent_version", None)]
            events += [SlotSet(name, None) for name in CONTACT_SLOTS]
        elif not has_contact(tracker):
            events += [SlotSet("contact_channel", None)]
        return [*events, FollowupAction("handoff_form")]


class ValidateHandoffForm(FormValidationAction):
    def name(self) -> str:
        return "validate_handoff_form"

    def validate_handoff_consent(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        if value == "yes":
            return {"handoff_consent": "yes", "consent_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "consent_version": services.settings().handoff.consent_version}
        return {"handoff_consent": value, "consent_at": None, "consent_version": None}

    def validate_contact_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        return checked_name("contact_name", value, dispatcher, "utter_wrong_contact_name")

    def validate_contact_role(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        """"soc la coordinadora", "I'm the chair": the role, without the words around it."""
        role = _ROLE_OPENING.sub("", squeeze(value)).strip()
        return {"contact_role": role or squeeze(value)}

    def validate_entity_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return checked_name("entity_name", value, dispatcher, "utter_wrong_entity_name")


_ROLE_OPENING = re.compile(r"^(?:(?:jo |yo )?(?:s[oó]c|soy)|i'?m|i am)\s+(?:(?:la|el|l'|una|un|the|a|an)\s*)?",
                           re.IGNORECASE)


def _sender_channel(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or ""


async def _assessment(session, tracker: Tracker) -> Assessment | None:
    assessment_id = tracker.get_slot("assessment_id")
    if not isinstance(assessment_id, int | float) or isinstance(assessment_id, bool):
        return None
    # Only this conversation's own assessment: a slot is no proof of ownership (issue 13: forged button data).
    return await session.scalar(select(Assessment).join(Conversation, Assessment.conversation_id == Conversation.id)
                                .where(Assessment.id == int(assessment_id),
                                       Conversation.sender_id == tracker.sender_id))


def _dossier(tracker: Tracker, assessment: Assessment | None) -> dict[str, Any]:
    answers = {k: tracker.get_slot(k) for k in ANSWER_SLOTS if _filled(tracker.get_slot(k))}
    dossier: dict[str, Any] = {
        # the size too: volunteers and budget are asked in the handoff form, after the journey saved the entity
        "entity": {k: answers.get(k) for k in ("name", "territory", "field", "size_staff", "size_volunteers",
                                               "budget_band") if answers.get(k)},
        "answers": answers,
        "motivation": tracker.get_slot("motivation"),
        "readiness_overall": tracker.get_slot("readiness_overall"),
        "channel": _sender_channel(tracker),
        "contact_channel": tracker.get_slot("contact_channel"),
    }
    dossier["entity"]["name"] = tracker.get_slot("entity_name")
    if assessment is not None:
        dossier["answers"] = {**(assessment.answers or {}), **answers}
        dossier["motivation"] = assessment.motivation or dossier["motivation"]
        dossier["motivation_reasons"] = list(assessment.evidence or [])
        dossier["readiness"] = dict(assessment.readiness or {})
        if assessment.readiness_overall is not None:
            dossier["readiness_overall"] = assessment.readiness_overall
        dossier["flags"] = list(assessment.flags or [])
        dossier["assessment_id"] = assessment.id
        if assessment.disagreement:
            dossier["disagreement"] = assessment.disagreement
    partner = tracker.get_slot("partner_name")  # the partner they named (slot added by issue 23), when given
    if _filled(partner):
        dossier["partner_name"] = str(partner)
    # issue 24: the facilitator reads urgency (with the quote), the readiness verdict and the gaps in words
    found = verdict_rules.urgency_of_answers(dossier["answers"])
    verdict = verdict_rules.judge(dossier["answers"], dossier.get("flags") or [], urgency=found)
    dossier["urgency"] = {"level": found.level, "quote": found.quote}
    dossier["verdict"] = verdict.record()
    dossier["gaps"] = [slot for slot, value in dossier["answers"].items() if value == verdict_rules.DONT_KNOW]
    if dossier["answers"].get("partner_in_mind") == "not_sure":
        dossier["gaps"].append("partner_in_mind")
    return dossier


async def refresh_open_lead(session, tracker: Tracker, lead_id: int, assessment_id: int | None) -> None:
    """A summary given again (an answer corrected after it, or the journey finished after a person was asked
    for): the open lead's dossier, priority and assessment follow the new answers, and its card is redrawn."""
    lead = await session.get(Lead, int(lead_id))
    if lead is None:
        return
    assessment = await session.get(Assessment, int(assessment_id)) if assessment_id is not None else None
    dossier = _dossier(tracker, assessment)
    q = qualify({**dossier["answers"], "motivation": dossier.get("motivation"),
                 "readiness_overall": dossier.get("readiness_overall")}, services.settings().handoff,
                asked_for_human=True)
    dossier["qualified"] = q.passes
    kept = {k: v for k, v in (lead.dossier or {}).items() if k in ("sender_id", "channel", "contact_channel")}
    lead.dossier = {**dossier, **{k: v for k, v in kept.items() if v is not None}}
    lead.priority, lead.priority_reasons, lead.updated_at = q.priority, list(q.reasons), store.now_utc()
    if assessment is not None:
        lead.assessment_id = assessment.id
        if assessment.entity_id is None:
            assessment.entity_id = lead.entity_id
    await session.flush()
    await store.add_lead_event(session=session, lead_id=lead.id, actor="entity", action="updated")
    await store.add_outbox(session=session, payload=LeadRefresh(lead_id=lead.id))


class ActionSubmitHandoff(Action):
    """Consent and a way to contact given: write the lead (or update the open one) and its outbox row."""

    def name(self) -> str:
        return "action_submit_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("handoff_consent") != "yes" or not consent_is_current(tracker):
            # asked for in the middle of the journey: its answers are kept, and going on is offered
            interrupted = tracker.get_slot("interrupted_form") and tracker.get_slot("assessment_id") is None
            dispatcher.utter_message(response="utter_handoff_no_consent_resume" if interrupted
                                     else "utter_handoff_no_consent")
            return [SlotSet(name, None) for name in CONTACT_SLOTS]
        if not has_contact(tracker):
            dispatcher.utter_message(response="utter_handoff_no_contact")
            return []
        settings = services.settings()
        language = language_of(tracker)
        channel = tracker.get_slot("contact_channel")
        async with once(tracker, self.name()) as effect:  # a re-run of this turn writes nothing again
            if not effect.done:
                effect.result = await self._store(effect.session, tracker, settings, language, channel)
        lead_id, created = effect.result["lead_id"], effect.result["created"]
        dispatcher.utter_message(response="utter_handoff_done" if created else "utter_handoff_updated",
                                 entity_name=tracker.get_slot("entity_name"), response_days=settings.handoff.response_days)
        if tracker.get_slot("interrupted_form") and tracker.get_slot("assessment_id") is None:
            # asked for in the middle of the journey: going on with it, meanwhile, is offered
            dispatcher.utter_message(response="utter_handoff_resume_offer")
        if _sender_channel(tracker) in ("console", "test"):
            # No facilitator sees a terminal: the engine shows the card that was queued (bot/engine/engine.py).
            dispatcher.utter_message(custom={"lead_preview": lead_id})
        outbox.wake()
        return [SlotSet("lead_id", lead_id)]


    @staticmethod
    async def _store(session, tracker: Tracker, settings, language: str, channel: Any) -> dict[str, Any]:
        """The entity, its lead and the card's outbox row; what the turn needs again: the lead's id."""
        assessment = await _assessment(session, tracker)
        dossier = _dossier(tracker, assessment)
        q = qualify({**dossier["answers"], "motivation": dossier.get("motivation"),
                     "readiness_overall": dossier.get("readiness_overall")}, settings.handoff,
                    asked_for_human=True)
        dossier["qualified"] = q.passes
        contact = {
            "contact_name": tracker.get_slot("contact_name"),
            "contact_role": tracker.get_slot("contact_role") if _filled(tracker.get_slot("contact_role")) else None,
            "contact_email": tracker.get_slot("contact_email") if channel in ("email", "email_phone") else None,
            "contact_phone": tracker.get_slot("contact_phone") if channel in ("phone", "email_phone") else None,
            "contact_telegram": channel == "telegram",
        }
        consent_at = datetime.fromisoformat(str(tracker.get_slot("consent_at")))
        result = await store.create_or_update_lead(
            session=session, sender_id=tracker.sender_id, entity=dossier["entity"], contact=contact,
            consent_at=consent_at, consent_version=str(tracker.get_slot("consent_version")),
            dossier=dossier, priority=q.priority, priority_reasons=q.reasons, language=language,
            assessment_id=assessment.id if assessment else None)
        return {"lead_id": result.lead.id, "created": result.created}


class ActionOfferHandoffIfQualified(Action):
    """After the journey: offer a facilitator when the answers pass the thresholds, else resources."""

    def name(self) -> str:
        return "action_offer_handoff_if_qualified"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        answers = {k: tracker.get_slot(k) for k in ANSWER_SLOTS}
        q = qualify(answers, services.settings().handoff)
        dispatcher.utter_message(response="utter_offer_handoff" if q.passes else "utter_handoff_resources")
        return []


def _language_of(facilitator) -> str:
    return facilitator.language or services.settings().default_language


async def _tell_facilitator(session, lead, facilitator, response: str, *,
                            extra: dict | None = None, **values) -> None:
    """Queue a message about this lead for its facilitator: the response and its values, rendered by the
    notifier in the facilitator's language when it delivers the relay."""
    entity_name = ((lead.dossier or {}).get("entity") or {}).get("name") or "?"
    await outbox.add_outbox(session=session, payload=outbox.Relay(
        to=telegram_address(facilitator.telegram_user_id), lead_id=lead.id, response=response,
        lang=_language_of(facilitator), values={"lead_id": lead.id, "entity_name": entity_name, **values},
        **(extra or {})))


def _attachment(tracker: Tracker) -> tuple[int, int] | None:
    """The Telegram chat and message to copy to the facilitator (a photo, a file, a voice note...), if any."""
    chat = telegram_chat_id(tracker.sender_id)
    message_id = ((tracker.latest_message or {}).get("metadata") or {}).get("message_id")
    number = parse_int(str(message_id or ""), max_digits=12)
    if chat is None or number is None:
        return None
    return chat, number


class ActionRelayToFacilitator(Action):
    """While a facilitator holds the lead, what the entity writes is queued for them (the bot stays quiet)."""

    def name(self) -> str:
        return "action_relay_to_facilitator"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        async with once(tracker, self.name()) as effect:  # a re-run of this turn relays nothing twice
            if not effect.done:
                effect.result = {"held": await self._relay(effect.session, tracker)}
        if not effect.result.get("held"):
            dispatcher.utter_message(response="utter_back_to_bot")
            return [ConversationResumed()]
        outbox.wake()
        return []

    @staticmethod
    async def _relay(session, tracker: Tracker) -> bool:
        """Queue the entity's message for the facilitator holding its lead; False when nobody holds it."""
        held = await store.held_lead_for_sender(session=session, sender_id=tracker.sender_id)
        if held is None:
            return False
        lead, facilitator = held
        text = tracker.latest_message.get("text") if tracker.latest_message else None
        text = strip_controls(str(text)) if text else text  # stored in the outbox: no control characters
        extra = None
        if not text or not str(text).strip():
            attachment = _attachment(tracker)
            if attachment is not None:  # the header, then a copy of the photo or file itself
                extra = {"text_response": "utter_relay_attachment", "copy": outbox.copy_request(*attachment)}
            else:
                extra = {"text_response": "utter_relay_non_text"}
            text = None
        await _tell_facilitator(session, lead, facilitator, "utter_relay_from_entity", text=text, extra=extra)
        # the lead's page shows the conversation in order; /forget wipes these notes with the rest
        await store.add_lead_event(session=session, lead_id=lead.id, actor="entity", action="relayed",
                                   note=text if text else None)
        return True


class ActionReturnToBot(Action):
    """/bot while a human is on it: the assistant answers again; the facilitator is told."""

    def name(self) -> str:
        return "action_return_to_bot"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        async with once(tracker, self.name()) as effect:  # a re-run of this turn tells the facilitator once
            held = None if effect.done else await store.held_lead_for_sender(session=effect.session,
                                                                              sender_id=tracker.sender_id)
            if held is not None:
                lead, facilitator = held
                await store.add_lead_event(session=effect.session, lead_id=lead.id, actor="entity",
                                           action="back_to_bot")
                await _tell_facilitator(effect.session, lead, facilitator, "utter_relay_entity_returned")
        dispatcher.utter_message(response="utter_back_to_bot")
        return [ConversationResumed()]


class ActionTellWhenContact(Action):
    """"When will they call?", at any time: who has the case and within what time (handoff.response_days)."""

    def name(self) -> str:
        return "action_tell_when_contact"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        days = services.settings().handoff.response_days
        async with services.sessionmaker()() as session:
            lead = await store.open_lead_for_sender(session=session, sender_id=tracker.sender_id)
            facilitator = await session.get(Facilitator, lead.assignee_id) if lead and lead.assignee_id else None
        if lead is None:
            dispatcher.utter_message(response="utter_when_contact_none", response_days=days)
        elif facilitator is None:
            dispatcher.utter_message(response="utter_when_contact_open", response_days=days)
        else:
            dispatcher.utter_message(response="utter_when_contact_contacted" if lead.status == "contacted"
                                     else "utter_when_contact_claimed", facilitator_name=facilitator.name,
                                     response_days=days)
        return []
