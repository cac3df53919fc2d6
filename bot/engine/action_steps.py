"""Running an action (in process, or on a rasa-sdk action server) for the engine, and what its reply does: the
slots it sets, the responses it asks for (rendered here, previews expanded), the steps that follow. A part of
Engine (bot/engine/engine.py), kept apart for size."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.content.domain import Domain
from bot.engine.actions_client import ActionError, ActionRunner
from bot.engine.forms import end_form
from bot.engine.messages import BotMessage
from bot.engine.render import Renderer
from bot.engine.tracker import Tracker
from bot.engine.turn import Turn

log = logging.getLogger("bot.engine.engine")


class ActionSteps:
    """The engine's actions; the engine sets these attributes and supplies the methods below."""

    actions: ActionRunner
    renderer: Renderer
    domain: Domain
    _rasa_domain: dict[str, Any]
    _slot_names: list[str]
    previews: dict[str, Callable[[Any, str], Awaitable[str | None]]]

    def utter(self, turn: Turn, name: str, values: dict[str, Any] | None = None) -> None:
        raise NotImplementedError

    async def run_step(self, turn: Turn, step: str) -> None:
        raise NotImplementedError

    def _set_slot(self, tracker: Tracker, name: str, value: Any) -> None:
        raise NotImplementedError

    def _remember_offer(self, tracker: Tracker, name: str | None) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ actions
    async def run_action(self, turn: Turn, name: str,
                          candidate: tuple[str, Any] | None = None) -> list[dict[str, Any]] | None:
        tracker = turn.tracker
        payload = tracker.rasa_dict(self._slot_names)
        if candidate is not None:
            payload["slots"][candidate[0]] = candidate[1]
        turn.actions_run += 1  # the key lets the action write once however often this turn runs
        latest = dict(payload.get("latest_message") or {})
        latest["metadata"] = {**(latest.get("metadata") or {}), "effect_key": turn.effect_key()}
        payload["latest_message"] = latest
        try:
            result = await self.actions.run(name, payload, self._rasa_domain)
        except (ActionError, Exception):  # an action's bug must not end the conversation
            log.exception("action %s failed", name)
            self.utter(turn, "utter_something_went_wrong")
            return None
        events = list(result.get("events") or [])
        for response in result.get("responses") or []:
            await self._expand_preview(turn, response)
            self._render_action_response(turn, response)
        followups: list[str] = []
        for event in events:
            kind = event.get("event")
            if kind == "slot":
                if candidate is not None and event.get("name") == candidate[0]:
                    continue  # the engine accepts or refuses the candidate itself
                self._set_slot(tracker, event["name"], event.get("value"))
            elif kind in ("reset_slots", "restart"):
                tracker.reset()
            elif kind == "followup" and event.get("name"):
                followups.append(event["name"])
            elif kind == "active_loop":
                if event.get("name") in self.domain.forms:
                    followups.append(event["name"])
                else:
                    end_form(tracker)
            elif kind == "pause":
                tracker.paused = True
            elif kind == "resume":
                tracker.paused = False
        for step in followups:
            await self.run_step(turn, step)
        return events

    async def _expand_preview(self, turn: Turn, response: dict[str, Any]) -> None:
        """An action asks for a preview ({"lead_preview": id}: the card a facilitator would get, for the
        terminal, where no facilitator is); the function the runtime registered renders it. Actions
        render no cards themselves (they sit below the channels: pyproject.toml's contracts)."""
        custom = response.get("custom")
        if not isinstance(custom, dict) or len(custom) != 1:
            return
        (kind, key), = custom.items()
        show = self.previews.get(kind)
        if show is None:
            return
        try:
            text = await show(key, turn.tracker.language)
        except Exception:  # a preview is a courtesy: never the end of the turn
            log.exception("preview %s failed", kind)
            text = None
        response["custom"] = {"console": text} if text else None

    def _render_action_response(self, turn: Turn, response: dict[str, Any]) -> None:
        tracker = turn.tracker
        name = response.get("response") or response.get("template")
        standard = {"text", "buttons", "elements", "custom", "template", "response", "image",
                    "attachment", "json_message", "recipient_id"}
        extra = {k: v for k, v in response.items() if k not in standard}
        if name:
            message = self.renderer.response(name, tracker.language, {**tracker.slots, **extra},
                                              seq=tracker.question_seq)
        else:
            message = BotMessage(text=response.get("text") or "", seq=tracker.question_seq)
        if response.get("buttons"):
            message.buttons = [(b.get("title", ""), b.get("payload", "")) for b in response["buttons"]]
        if response.get("image"):
            message.image = response["image"]
        if response.get("custom"):
            message.custom = response["custom"]
        if message.text or message.buttons or message.image or message.custom:
            turn.out.append(message)
            tracker.add_event({"event": "bot", "metadata": {"response": name}})
            self._remember_offer(tracker, name)
