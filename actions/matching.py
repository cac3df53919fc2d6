"""Partner matching in the conversation: the opt-in (apart from the handoff's consent), the partner profile,
withdrawing with /nomatch, and the pointer to it after the summary. The scoring and the introductions are
bot/matching's; what is stored, bot/store/matching.py's."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import services
from actions.base import language_of
from bot.store import matching as store

log = logging.getLogger(__name__)
PROFILE_SLOTS = ("offers", "seeks", "groups_served")
WORKING_SLOTS = tuple(f"{s}_picked" for s in PROFILE_SLOTS)  # the form's ✓ so far (bot/engine/forms.py)


def _clear(*names: str) -> list[EventType]:
    return [SlotSet(name, None) for name in names]


def _items(value: Any) -> list[str]:
    """A `choices` answer: a list of ids; a skipped question is an empty list."""
    return [str(v) for v in value] if isinstance(value, list) else []


async def _profile(sender_id: str):
    """(has an entity, its matching profile or None)."""
    async with services.sessionmaker()() as session:
        entity_id = await store.entity_id_for_sender(session=session, sender_id=sender_id)
        profile = await store.profile_for_sender(session=session, sender_id=sender_id) if entity_id else None
        return entity_id is not None, profile


class ActionStartMatching(Action):
    """/partner ("Busco soci"): the opt-in and the profile; already in, change it or leave."""

    def name(self) -> str:
        return "action_start_matching"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        known, profile = await _profile(tracker.sender_id)
        if not known:
            dispatcher.utter_message(response="utter_matching_needs_journey")
            return []
        if profile is not None and profile.consent_version == services.settings().matching.consent_version:
            dispatcher.utter_message(response="utter_matching_already")
            return []
        # a new wording of the opt-in (or none yet): asked again, nothing kept from before
        return [*_clear("matching_consent", *PROFILE_SLOTS, *WORKING_SLOTS), FollowupAction("matching_form")]


class ActionUpdateMatching(Action):
    """"Change it": the three profile questions again, the opt-in kept."""

    def name(self) -> str:
        return "action_update_matching"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        _known, profile = await _profile(tracker.sender_id)
        if profile is None or profile.consent_version != services.settings().matching.consent_version:
            return [FollowupAction("action_start_matching")]
        return [SlotSet("matching_consent", "yes"), *_clear(*PROFILE_SLOTS, *WORKING_SLOTS),
                FollowupAction("matching_form")]


class ActionSaveMatchingProfile(Action):
    def name(self) -> str:
        return "action_save_matching_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        if tracker.get_slot("matching_consent") != "yes":
            async with services.sessionmaker()() as session, session.begin():
                await store.withdraw(session=session, sender_id=tracker.sender_id)
            dispatcher.utter_message(response="utter_matching_not_now")
            return _clear(*PROFILE_SLOTS, *WORKING_SLOTS)
        async with services.sessionmaker()() as session, session.begin():
            entity_id = await store.entity_id_for_sender(session=session, sender_id=tracker.sender_id)
            journey = await store.journey_of(session=session, entity_id=entity_id) if entity_id else {}
            saved = await store.save_profile(
                session=session, sender_id=tracker.sender_id,
                consent_version=services.settings().matching.consent_version, language=language_of(tracker),
                offers=_items(tracker.get_slot("offers")), seeks=_items(tracker.get_slot("seeks")),
                groups_served=_items(tracker.get_slot("groups_served")),
                objective=journey.get("objective"), motivation=journey.get("motivation"),
                readiness=journey.get("readiness"), fear_power=journey.get("fear_power"))
        if saved is None:
            dispatcher.utter_message(response="utter_matching_needs_journey")
            return []
        log.info("matching profile saved for entity %s", saved)
        dispatcher.utter_message(response="utter_matching_saved")
        return []


class ActionWithdrawMatching(Action):
    """/nomatch: out of the list at once, pending introductions cancelled."""

    def name(self) -> str:
        return "action_withdraw_matching"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        async with services.sessionmaker()() as session, session.begin():
            counts = await store.withdraw(session=session, sender_id=tracker.sender_id)
        dispatcher.utter_message(response="utter_matching_withdrawn" if counts["profiles"] else "utter_matching_not_in")
        return _clear("matching_consent", *PROFILE_SLOTS, *WORKING_SLOTS)
