"""The situation interview: starting (or resuming) the journey and validating the free-text answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.base import checked_name, language_of, squeeze
from actions.journey import JOURNEY_SLOTS
from actions.prefill import opening_staff, prefill_slots, says_why

FIELD_MAX = 300


def _says_something(text: str) -> bool:
    """A free-text answer worth keeping: three characters or more, some of them letters."""
    return len(text) >= 3 and any(ch.isalpha() for ch in text)


class ActionStartJourney(Action):
    """/explore: a finished journey starts afresh; an unfinished one resumes where it was left."""

    def name(self) -> str:
        return "action_start_journey"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = []
        # what the person wrote to start ("we run a food bank and want to...") came as an entity
        given = {e.get("entity") for e in tracker.latest_message.get("entities") or []}
        if tracker.get_slot("assessment_id") is not None:
            events = [SlotSet(name, None) for name in JOURNEY_SLOTS
                      if tracker.get_slot(name) is not None and name not in given]
        opening = tracker.get_slot("why_partner") if "why_partner" in given else None
        if not events and not opening and tracker.get_slot("interrupted_form"):
            # left half-way for a person or the menu: back where it was (bot/engine/builtins.py)
            return [FollowupAction("reopen_interrupted")]
        if opening:
            lang = language_of(tracker)
            reset = {e["name"] for e in events}
            current = {name: None if name in reset else tracker.get_slot(name) for name in JOURNEY_SLOTS}
            staff, staff_said = opening_staff(opening, lang, current)
            if says_why(opening, lang):
                slots, understood = prefill_slots(opening, lang, current)
                understood += staff_said
                if understood:
                    dispatcher.utter_message(response="utter_why_partner_kept_understood", understood=understood)
                else:
                    dispatcher.utter_message(response="utter_why_partner_kept")
                events += [SlotSet(name, value) for name, value in slots.items()]
            else:
                # "volem col·laborar amb altres entitats": no reason in it, so the reason is asked, not assumed
                events.append(SlotSet("why_partner", None))
                if staff_said:
                    dispatcher.utter_message(response="utter_opening_understood", understood=staff_said)
            events += [SlotSet(name, value) for name, value in staff.items()]
        return [*events, FollowupAction("interview_form")]


class ValidateInterviewForm(FormValidationAction):
    def name(self) -> str:
        return "validate_interview_form"

    def validate_entity_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        return checked_name("entity_name", value, dispatcher, "utter_wrong_entity_name")

    def validate_field(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                       domain: DomainDict) -> dict[str, Any]:
        text = squeeze(value)
        if not _says_something(text):
            dispatcher.utter_message(response="utter_wrong_field")
            return {"field": None}
        return {"field": text[:FIELD_MAX]}

    def validate_why_partner(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        text = squeeze(value)
        if not _says_something(text):
            dispatcher.utter_message(response="utter_wrong_why_partner")
            return {"why_partner": None}
        current = {name: tracker.get_slot(name) for name in JOURNEY_SLOTS}
        slots, understood = prefill_slots(text, language_of(tracker), current)
        if understood:
            dispatcher.utter_message(response="utter_understood_from_text", understood=understood)
        return {"why_partner": text, **slots}
