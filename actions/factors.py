"""The key success factors as a plain explainer, from knowledge/success_factors.yml, then the self-check offer."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.base import knowledge, language_of, tr


class ActionExplainSuccessFactors(Action):
    def name(self) -> str:
        return "action_explain_success_factors"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        lang = language_of(tracker)
        factors = knowledge("success_factors").get("factors", [])
        lines = [f"🔑 {tr(f['title'], lang)}\n{tr(f['explanation'], lang)}" for f in factors]
        dispatcher.utter_message(text="\n\n".join(lines))
        if not tracker.active_loop_name:
            dispatcher.utter_message(response="utter_factors_explained_offer")
        return []
