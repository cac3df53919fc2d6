"""Validation of the interview answers."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict


class ValidatePartnershipForm(FormValidationAction):
    def name(self) -> str:
        return "validate_partnership_form"

    def validate_entity_name(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker,
                             domain: DomainDict) -> dict[str, Any]:
        name = " ".join(str(value or "").split())
        if not 2 <= len(name) <= 200:
            dispatcher.utter_message(response="utter_wrong_entity_name")
            return {"entity_name": None}
        return {"entity_name": name}
