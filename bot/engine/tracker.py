"""A Rasa-style tracker: slots, active form, requested slot and a bounded list of recent events."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

SKIPPED = "skipped"


@dataclass
class Tracker:
    sender_id: str
    language: str
    slots: dict[str, Any] = field(default_factory=dict)
    active_form: str | None = None
    requested_slot: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    question_seq: int = 0
    refusals: dict[str, int] = field(default_factory=dict)
    misunderstandings: int = 0
    # a human is on the conversation; kept by the store beside the state (a facilitator's claim pauses a
    # conversation without loading it), not in it
    paused: bool = False
    history: list[str] = field(default_factory=list)
    # answers the form found already given (the opening message, what it said) and passed without asking:
    # they are not counted in the "(3/10)" progress
    prefilled: list[str] = field(default_factory=list)
    latest_message: dict[str, Any] = field(default_factory=dict)
    # the yes/no buttons of the bot's latest message ({"yes": payload, "no": payload}), so a typed
    # "sí" or "vale" presses them as on Telegram
    offered: dict[str, str] = field(default_factory=dict)
    # a reading waiting for its ✅ ({"slot", "value", "seq"}: bot/engine/repair.py), and how many messages in a
    # row were written in another language ({"es": 1})
    pending_reading: dict[str, Any] = field(default_factory=dict)
    language_streak: dict[str, int] = field(default_factory=dict)
    version: int = 0
    conversation_id: int | None = None

    def get_slot(self, name: str) -> Any:
        return self.slots.get(name)

    def set_slot(self, name: str, value: Any) -> None:
        self.slots[name] = value
        self.add_event({"event": "slot", "name": name, "value": value})

    def add_event(self, event: dict[str, Any]) -> None:
        event.setdefault("timestamp", time.time())
        self.events.append(event)

    def trim(self, max_events: int) -> None:
        if len(self.events) > max_events:
            del self.events[: len(self.events) - max_events]

    def reset(self, keep: tuple[str, ...] = ("language",)) -> None:
        """Forget the journey (slots, form, counters) but not the language."""
        self.slots = {k: v for k, v in self.slots.items() if k in keep}
        self.active_form = None
        self.requested_slot = None
        self.refusals = {}
        self.misunderstandings = 0
        self.history = []
        self.prefilled = []
        self.add_event({"event": "restart"})

    def to_state(self) -> dict[str, Any]:
        return {
            "slots": self.slots,
            "active_form": self.active_form,
            "requested_slot": self.requested_slot,
            "events": self.events,
            "question_seq": self.question_seq,
            "refusals": self.refusals,
            "misunderstandings": self.misunderstandings,
            "history": self.history,
            "prefilled": self.prefilled,
            "latest_message": self.latest_message,
            "offered": self.offered,
            "pending_reading": self.pending_reading,
            "language_streak": self.language_streak,
        }

    @classmethod
    def from_state(cls, sender_id: str, language: str, state: dict[str, Any], version: int = 0,
                   conversation_id: int | None = None, paused: bool = False) -> Tracker:
        return cls(
            sender_id=sender_id,
            language=language,
            slots=dict(state.get("slots") or {}),
            active_form=state.get("active_form"),
            requested_slot=state.get("requested_slot"),
            events=list(state.get("events") or []),
            question_seq=int(state.get("question_seq") or 0),
            refusals=dict(state.get("refusals") or {}),
            misunderstandings=int(state.get("misunderstandings") or 0),
            paused=paused,
            history=list(state.get("history") or []),
            prefilled=list(state.get("prefilled") or []),
            latest_message=dict(state.get("latest_message") or {}),
            offered=dict(state.get("offered") or {}),
            pending_reading=dict(state.get("pending_reading") or {}),
            language_streak=dict(state.get("language_streak") or {}),
            version=version,
            conversation_id=conversation_id,
        )

    def rasa_dict(self, all_slots: list[str]) -> dict[str, Any]:
        """The tracker as a Rasa server sends it to an action server."""
        slots: dict[str, Any] = dict.fromkeys(all_slots)
        slots.update(self.slots)
        slots["requested_slot"] = self.requested_slot
        slots["language"] = self.language
        return {
            "sender_id": self.sender_id,
            "slots": slots,
            "latest_message": self.latest_message,
            "events": self.events,
            "paused": self.paused,
            "followup_action": None,
            "active_loop": {"name": self.active_form} if self.active_form else {},
            "latest_action_name": None,
        }
