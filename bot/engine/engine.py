"""One turn: load the tracker, understand the message, run rules, forms and actions, save, reply."""

from __future__ import annotations

import asyncio
import logging
import random
import time
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.content import Domain, Form, FormSlot, rule_key
from bot.engine.actions_client import ActionError, ActionRunner
from bot.engine.answers import AnswerReader
from bot.engine.messages import BotMessage, UserMessage
from bot.engine.nlu import IntentMatcher, Parse, parse_intent_payload, split_command
from bot.engine.payloads import checked as checked_payload
from bot.engine.render import Renderer
from bot.engine.tracker import SKIPPED, Tracker
from bot.engine.values import Refused, read_answer
from bot.keyed_locks import KeyedLocks
from bot.store.conversations import ConcurrentTurn, ConversationStore

log = logging.getLogger(__name__)

# Step names the engine runs itself; everything else is a response, a form or an action.
BUILTIN_STEPS = ("reset", "end_form", "back", "skip", "ask", "pause", "resume", "set_language", "forget", "hold")
# Inside a form, typed text that is not an answer is taken as a request (help, a human...) only when
# the classifier is this sure: an answer it could not read should be refused and asked again, not
# turned into a detour.
IN_FORM_INTENT_FLOOR = 0.7
# An opening message with at least this many words, read as `explore`, describes the situation: it is
# kept as the answer to "why are you thinking about a partnership?".
OPENING_MIN_WORDS = 4
OPENING_SLOT = "why_partner"
MAX_FOLLOWUPS = 20
MAX_TURN_ATTEMPTS = 20

InTransaction = Callable[[AsyncSession, Tracker, list[BotMessage]], Awaitable[None]]
SkipIf = Callable[[AsyncSession], Awaitable[bool]]



def _only_emoji(text: str) -> bool:
    """Pictographs (and their joiners, skin tones, variation selectors) and spaces only: no word, no digit."""
    chars = [ch for ch in text if not ch.isspace()]
    return bool(chars) and any(unicodedata.category(ch) == "So" for ch in chars) and all(
        unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf") for ch in chars)

@dataclass
class Turn:
    tracker: Tracker
    message: UserMessage
    out: list[BotMessage] = field(default_factory=list)
    depth: int = 0
    session: AsyncSession | None = None


class Engine:
    """Channel-neutral: channels call `handle` and render the BotMessages it returns."""

    def __init__(self, *, settings: Settings, domain: Domain, store: ConversationStore,
                 actions: ActionRunner) -> None:
        self.settings = settings
        self.domain = domain
        self.store = store
        self.actions = actions
        self.renderer = Renderer(domain, settings.default_language)
        self.matcher = IntentMatcher(domain.intents)
        self.reader = AnswerReader(domain)
        self._rasa_domain = domain.rasa_domain()
        self._slot_names = sorted(set(domain.slots) | {s.name for f in domain.forms.values() for s in f.slots})
        self._locks = KeyedLocks()  # one turn at a time per sender in this process
        self._paused_action = str(domain.settings.get("paused_action") or "")
        # Called after every turn with (channel, outcome, seconds) when metrics are on (bot/web/metrics.py).
        self.turn_observers: list[Callable[[str, str, float], None]] = []
        # Previews an action may ask for by name (custom {"lead_preview": 12}), set by the runtime:
        # (key, language) -> the text shown in the terminal.
        self.previews: dict[str, Callable[[Any, str], Awaitable[str | None]]] = {}

    # ----------------------------------------------------------------- the turn
    async def handle(self, message: UserMessage, *, in_transaction: InTransaction | None = None,
                     skip_if: SkipIf | None = None, channel: str | None = None) -> list[BotMessage]:
        """Handle one message; the tracker and whatever `in_transaction` writes commit together.

        `skip_if(session)`, asked first inside the turn's transaction (and, on PostgreSQL, under the
        conversation's lock), can drop the message: no turn, no replies (e.g. an update already handled).
        """
        if not self.turn_observers:
            return await self._handle_locked(message, in_transaction, skip_if, channel)
        return await self._handle_observed(message, in_transaction, skip_if, channel or message.channel)

    async def _handle_observed(self, message: UserMessage, in_transaction: InTransaction | None,
                               skip_if: SkipIf | None, channel: str) -> list[BotMessage]:
        """The turn, timed, its outcome (ok, skipped, error) told to the observers (metrics)."""
        skipped = False

        async def noting_skip(session: AsyncSession) -> bool:
            nonlocal skipped
            skipped = bool(skip_if is not None and await skip_if(session))
            return skipped

        started = time.perf_counter()
        outcome = "error"
        try:
            replies = await self._handle_locked(message, in_transaction, noting_skip, channel)
            outcome = "skipped" if skipped else "ok"
            return replies
        finally:
            for observe in self.turn_observers:
                observe(channel, outcome, time.perf_counter() - started)

    async def _handle_locked(self, message: UserMessage, in_transaction: InTransaction | None,
                             skip_if: SkipIf | None, channel: str | None) -> list[BotMessage]:
        async with self._locks.hold(message.sender_id):
            # Another process saved the conversation meanwhile (only possible without PostgreSQL's
            # advisory lock, i.e. two processes on one SQLite file): run the turn again on fresh state.
            for attempt in range(MAX_TURN_ATTEMPTS):
                try:
                    return await self._handle_once(message, in_transaction, skip_if,
                                                   channel or message.channel)
                except ConcurrentTurn:
                    log.info("conversation saved elsewhere meanwhile; turn retried (attempt %s)", attempt + 1)
                    await asyncio.sleep(random.uniform(0, 0.01 * (attempt + 1)))
            raise ConcurrentTurn(message.sender_id)

    async def _handle_once(self, message: UserMessage, in_transaction: InTransaction | None,
                           skip_if: SkipIf | None, channel: str) -> list[BotMessage]:
        async with self.store.turn(message.sender_id) as session:
            if skip_if is not None and await skip_if(session):
                return []
            tracker = await self.store.load(session, message.sender_id)
            if tracker is None:
                tracker = Tracker(sender_id=message.sender_id, language=self._first_language(message))
            turn = Turn(tracker=tracker, message=message, session=session)
            await self._process(turn)
            tracker.trim(self.settings.conversation.max_events)
            await self.store.save(session, tracker, channel=channel)
            if in_transaction is not None:
                await in_transaction(session, tracker, turn.out)
            await session.commit()
            return turn.out

    def warm(self) -> None:
        """Load the understanding models now (trained once, in a child process, after the examples
        change): a long-running bot, so the first person to type after a start does not wait for them."""
        self.matcher.classifier.warm()
        self.reader.warm()

    async def peek(self, sender_id: str) -> Tracker | None:
        """The stored tracker, read only (for channels and tests)."""
        async with self.store.sessionmaker() as session:
            return await self.store.load(session, sender_id)

    def _first_language(self, message: UserMessage) -> str:
        hint = (message.language_hint or "").lower()[:2]
        return hint if hint in self.settings.languages else self.settings.default_language

    # ------------------------------------------------------------ understanding
    async def _process(self, turn: Turn) -> None:
        msg, tracker = turn.message, turn.tracker
        offered, tracker.offered = tracker.offered, {}  # an offer stands for the very next message only
        text = msg.text
        if text is not None:
            text = text[: self.settings.conversation.max_text_length * 2]
        parse: Parse | None = None
        if msg.payload is not None:
            parse = parse_intent_payload(msg.payload)
            if parse is None:
                self._user_event(turn, msg.payload, None)
                await self._button_answer(turn, msg.payload)
                return
            parse = checked_payload(self.domain, parse)  # client-written: only what our buttons offer
        elif text is not None and text.strip().startswith("/"):
            command = split_command(text.strip())
            intent = self.domain.commands.get(command[0]) if command else None
            parse = Parse(intent=intent or "unknown_command", confidence=1.0,
                          entities={"args": command[1]} if command and command[1] else {})
        elif text is None or not text.strip():
            kind = msg.kind if text is None else "empty"
            parse = Parse(intent=f"non_text_{kind}" if f"non_text_{kind}" in self._intents() else "non_text",
                          confidence=1.0)
            if kind == "contact" and tracker.active_form and msg.metadata.get("phone_number"):
                slot = self._current_slot(tracker)
                if slot is not None and slot.type == "phone":
                    self._user_event(turn, None, None)
                    await self._form_answer(turn, str(msg.metadata["phone_number"]), from_button=False)
                    return
        elif not tracker.active_form and _only_emoji(text) and "non_text_sticker" in self._intents():
            # "👍", "🙂🙂" outside a question: answered as the sticker it is, not as a misunderstanding
            parse = Parse(intent="non_text_sticker", confidence=1.0)
        self._user_event(turn, text if msg.payload is None else msg.payload, parse)
        if parse is not None:
            await self._handle_intent(turn, parse)
            return
        assert text is not None
        if tracker.paused and self._paused_action:
            await self._run_step(turn, self._paused_action)
            return
        if await self._offered_answer(turn, text, offered):
            return
        if tracker.active_form:
            await self._form_answer(turn, text, from_button=False)
            return
        parsed = self.matcher.match(text)
        tracker.latest_message["intent"] = {"name": parsed.intent, "confidence": parsed.confidence}
        if parsed.intent is not None and self._rule_for(tracker, parsed.intent):
            self._keep_opening(parsed, text)
            tracker.latest_message["entities"] = [{"entity": k, "value": v} for k, v in parsed.entities.items()]
            await self._handle_intent(turn, parsed)
        else:
            await self._fallback(turn)

    async def _offered_answer(self, turn: Turn, text: str, offered: dict[str, str]) -> bool:
        """A typed yes or no to the yes/no buttons of the bot's latest message presses that button."""
        if not offered:
            return False
        said = self.reader.yes_or_no(text)
        payload = offered.get(said or "")
        parse = parse_intent_payload(payload) if payload else None
        if parse is None or not self._rule_for(turn.tracker, str(parse.intent)):
            return False
        turn.tracker.latest_message["intent"] = {"name": parse.intent, "confidence": 1.0}
        await self._handle_intent(turn, parse)
        return True

    def _keep_opening(self, parsed: Parse, text: str) -> None:
        """'We run a food bank and want to open in two more towns': the journey starts with that as
        its first answer, instead of throwing away the best description the person will give."""
        if parsed.intent != "explore" or self.matcher.is_example(text) or len(text.split()) < OPENING_MIN_WORDS:
            return
        kept = " ".join(text.split())[: self.settings.conversation.max_text_length]
        parsed.entities[OPENING_SLOT] = kept

    def _intents(self) -> set[str]:
        return {r.intent for r in self.domain.rules.values()}

    def _user_event(self, turn: Turn, text: str | None, parse: Parse | None) -> None:
        latest = {
            "text": text,
            "intent": {"name": parse.intent, "confidence": parse.confidence} if parse else {},
            "entities": [{"entity": k, "value": v} for k, v in (parse.entities if parse else {}).items()],
        }
        if message_id := turn.message.metadata.get("message_id"):  # the channel's id of a photo, file...
            latest["metadata"] = {"message_id": str(message_id)}
        turn.tracker.latest_message = latest
        turn.tracker.add_event({"event": "user", "text": text, "parse_data": latest,
                                "input_channel": turn.message.channel})

    def _rule_for(self, tracker: Tracker, intent: str, args: str = ""):
        """The rule for an intent; a command's words after it (`/start ws`) pick a rule of their own
        when there is one."""
        rules = self.domain.rules
        if args:
            found = rules.get(rule_key(intent, " ".join(args.split()), tracker.paused))
            if found is not None:
                return found
        return rules.get(rule_key(intent, paused=tracker.paused))

    async def _handle_intent(self, turn: Turn, parse: Parse) -> None:
        tracker = turn.tracker
        assert parse.intent is not None
        rule = self._rule_for(tracker, parse.intent, str(parse.entities.get("args") or ""))
        if rule is None and tracker.paused and self._paused_action:
            await self._run_step(turn, self._paused_action)
            return
        if rule is None:
            await self._fallback(turn)
            return
        tracker.misunderstandings = 0
        for name, value in parse.entities.items():
            if name in self._slot_names or name == "language":
                self._set_slot(tracker, name, value)
        form_before = tracker.active_form
        if rule.ends_form:
            self._end_form(tracker)
        for step in rule.steps:
            await self._run_step(turn, step)
        reasks = form_before and tracker.active_form == form_before and not rule.ends_form
        if reasks and not any(step in ("ask", "back", "skip", "hold") or step in self.domain.forms
                              for step in rule.steps):
            await self._ask(turn)

    async def _fallback(self, turn: Turn) -> None:
        tracker = turn.tracker
        tracker.misunderstandings += 1
        if tracker.misunderstandings >= self.settings.conversation.offer_human_after_misunderstandings:
            tracker.misunderstandings = 0
            self._utter(turn, "utter_offer_human")
        else:
            self._utter(turn, "utter_fallback")

    # -------------------------------------------------------------------- steps
    async def _run_step(self, turn: Turn, step: str) -> None:
        turn.depth += 1
        if turn.depth > MAX_FOLLOWUPS:
            log.error("too many follow-up steps in one turn; stopped at %s", step)
            return
        tracker = turn.tracker
        name, _, arg = step.partition(":")
        if name in BUILTIN_STEPS:
            await self._builtin(turn, name, arg)
        elif step in self.domain.forms:
            await self._activate_form(turn, self.domain.forms[step])
        elif step in self.domain.responses:
            self._utter(turn, step)
        elif self.actions.known(step):
            await self._run_action(turn, step)
        else:
            log.error("unknown step %s (run `aliat check`)", step)
        tracker.add_event({"event": "action", "name": step})

    async def _builtin(self, turn: Turn, name: str, arg: str) -> None:
        tracker = turn.tracker
        if name == "reset":
            tracker.reset()
        elif name == "end_form":
            self._end_form(tracker)
        elif name == "back":
            await self._back(turn)
        elif name == "skip":
            await self._skip(turn)
        elif name == "ask":
            await self._ask(turn)
        elif name == "pause":
            tracker.paused = True
        elif name == "resume":
            tracker.paused = False
        elif name == "set_language" and arg in self.settings.languages:
            tracker.language = arg
        elif name == "forget":
            await self._forget(turn)
        # "hold": the pending question is not asked again after this rule (its buttons, e.g. the
        # languages, stay the latest ones); the next answer to them asks it again

    async def _forget(self, turn: Turn) -> None:
        """Erase this sender's personal data in the turn's own transaction, and start afresh."""
        from bot.charts import delete_chart
        from bot.store.privacy import forget_sender

        tracker = turn.tracker
        if turn.session is not None:
            await forget_sender(session=turn.session, sender_id=tracker.sender_id)
        for value in tracker.slots.values():  # a chart drawn for this entity shows its name
            delete_chart(value)
        tracker.slots = {}
        tracker.events = []
        tracker.latest_message = {}
        tracker.paused = False
        self._end_form(tracker)
        tracker.misunderstandings = 0

    def _utter(self, turn: Turn, name: str, values: dict[str, Any] | None = None) -> None:
        tracker = turn.tracker
        merged = {**tracker.slots, **(values or {})}
        turn.out.append(self.renderer.response(name, tracker.language, merged, seq=tracker.question_seq))
        tracker.add_event({"event": "bot", "metadata": {"response": name}})
        self._remember_offer(tracker, name)

    def _remember_offer(self, tracker: Tracker, name: str | None) -> None:
        """The yes/no buttons of the latest message with buttons, for a typed "sí" or "vale"."""
        response = self.domain.responses.get(name or "")
        if response is not None and response.buttons:
            tracker.offered = {b.means: b.payload for b in response.buttons if b.means}

    def _set_slot(self, tracker: Tracker, name: str, value: Any) -> None:
        if name == "requested_slot":
            return
        if name == "language":
            if value in self.settings.languages:
                tracker.language = value
            return
        tracker.set_slot(name, value)

    # -------------------------------------------------------------------- forms
    def _end_form(self, tracker: Tracker) -> None:
        tracker.active_form = None
        tracker.requested_slot = None
        tracker.history = []
        tracker.prefilled = []
        tracker.refusals = {}

    async def _activate_form(self, turn: Turn, form: Form) -> None:
        tracker = turn.tracker
        tracker.active_form = form.name
        tracker.requested_slot = None
        tracker.history = []
        tracker.prefilled = []
        tracker.refusals = {}
        tracker.add_event({"event": "active_loop", "name": form.name})
        if form.intro:
            self._utter(turn, form.intro, self._progress_values(tracker, form, None))
        await self._ask(turn)

    def _applies(self, tracker: Tracker, slot: FormSlot) -> bool:
        return self._holds(tracker, slot.ask_if)

    def _question(self, tracker: Tracker, slot: FormSlot) -> str:
        """The question's wording: the first `ask_as` whose condition holds, else the plain question."""
        return next((name for cond, name in slot.ask_as if self._holds(tracker, cond)), slot.question)

    @staticmethod
    def _holds(tracker: Tracker, cond: dict[str, Any] | None) -> bool:
        if not cond:
            return True
        value = tracker.slots.get(str(cond.get("slot")))
        if "in" in cond:
            return value in (cond["in"] or [])
        if "not_in" in cond:
            return value not in (cond["not_in"] or [])
        if "equals" in cond:
            return value == cond["equals"]
        return value not in (None, SKIPPED)

    def _pending(self, tracker: Tracker, form: Form) -> list[FormSlot]:
        return [s for s in form.slots if self._applies(tracker, s)]

    def _current_slot(self, tracker: Tracker) -> FormSlot | None:
        form = self.domain.forms.get(tracker.active_form or "")
        if form is None or tracker.requested_slot is None:
            return None
        return next((s for s in form.slots if s.name == tracker.requested_slot), None)

    def _progress_values(self, tracker: Tracker, form: Form, slot: FormSlot | None) -> dict[str, Any]:
        # the questions actually asked: not the answers found already given, passed or still ahead
        applicable = [s for s in self._pending(tracker, form) if s is slot or not (
            s.name in tracker.prefilled
            or (s.name not in tracker.history and tracker.slots.get(s.name) not in (None, SKIPPED)))]
        total = len(applicable)
        current = applicable.index(slot) + 1 if slot in applicable else 0
        return {"step": current, "total": total}

    async def _ask(self, turn: Turn, *, reask_only: bool = False) -> None:
        """Ask the next unanswered question of the active form, or complete it."""
        tracker = turn.tracker
        form = self.domain.forms.get(tracker.active_form or "")
        if form is None:
            return
        slot = next((s for s in self._pending(tracker, form) if tracker.slots.get(s.name) is None), None)
        if slot is None:
            self._end_form(tracker)
            tracker.add_event({"event": "active_loop", "name": None})
            for step in form.on_complete:
                await self._run_step(turn, step)
            return
        self._note_prefilled(tracker, form, slot)
        tracker.requested_slot = slot.name
        tracker.offered = {}
        tracker.question_seq += 1
        values = {**tracker.slots, **self._progress_values(tracker, form, slot)}
        question = self._question(tracker, slot)
        message = self.renderer.response(question, tracker.language, values, seq=tracker.question_seq)
        message.slot = slot.name
        if reask_only:
            # after a refusal, the question alone: not the whole explanation card again
            message.text = message.text.rsplit("\n\n", 1)[-1]
        if form.progress and "progress" in self.domain.settings:
            prefix = self.renderer.text(str(self.domain.settings["progress"]), tracker.language, values)
            message.text = f"{prefix} {message.text}".strip()
        refused = tracker.refusals.get(slot.name, 0)
        if slot.skippable or refused >= self.settings.conversation.max_refusals_per_question:
            message.buttons.append((self.renderer.text("utter_button_skip", tracker.language), "/skip"))
        if tracker.history:
            message.buttons.append((self.renderer.text("utter_button_back", tracker.language), "/back"))
        turn.out.append(message)
        tracker.add_event({"event": "bot", "metadata": {"response": question}})

    def _note_prefilled(self, tracker: Tracker, form: Form, asked: FormSlot) -> None:
        """Answers given before their question (the opening message, a name the journey already has)
        join the history as the form passes them, so ↩ / /back reaches them like any other answer."""
        for slot in self._pending(tracker, form):
            if slot is asked:
                break
            if tracker.slots.get(slot.name) not in (None, SKIPPED) and slot.name not in tracker.history:
                tracker.history.append(slot.name)
                tracker.prefilled.append(slot.name)

    async def _button_answer(self, turn: Turn, payload: str) -> None:
        tracker = turn.tracker
        msg = turn.message
        stale = msg.button_seq is not None and msg.button_seq != tracker.question_seq
        if tracker.active_form is None or tracker.paused or stale:
            self._utter(turn, "utter_question_closed")
            if tracker.active_form and not tracker.paused:
                await self._ask(turn)
            return
        await self._form_answer(turn, payload, from_button=True)

    async def _form_answer(self, turn: Turn, value: str, *, from_button: bool) -> None:
        tracker = turn.tracker
        slot = self._current_slot(tracker)
        if slot is None:
            await self._ask(turn)
            return
        question = self.domain.responses.get(self._question(tracker, slot))
        try:
            coerced = read_answer(slot, question, value, from_button=from_button,
                                  max_text_length=self.settings.conversation.max_text_length,
                                  reader=self.reader).value
        except Refused as refusal:
            if not from_button and refusal.reason not in ("empty", "range"):
                parsed = self.matcher.match(value, threshold=IN_FORM_INTENT_FLOOR)
                if parsed.intent and parsed.intent != "explore" and self._rule_for(tracker, parsed.intent):
                    await self._handle_intent(turn, parsed)
                    return
            await self._refuse(turn, slot, refusal.reason, uttered=False)
            return
        validator = f"validate_{tracker.active_form}"
        if self.actions.known(validator):
            tracker.add_event({"event": "slot", "name": slot.name, "value": coerced})
            before = len(turn.out)
            events = await self._run_action(turn, validator, candidate=(slot.name, coerced))
            if events is None:
                return
            validated = {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}
            if slot.name in validated and validated[slot.name] is None:
                await self._refuse(turn, slot, slot.type, uttered=len(turn.out) > before)
                return
            coerced = validated.get(slot.name, coerced)
        self._accept(tracker, slot, coerced)
        if slot.keep_text and not from_button:
            tracker.set_slot(slot.keep_text, " ".join(value.split())[: self.settings.conversation.max_text_length])
        await self._ask(turn)

    def _accept(self, tracker: Tracker, slot: FormSlot, value: Any) -> None:
        tracker.set_slot(slot.name, value)
        tracker.refusals.pop(slot.name, None)
        tracker.history.append(slot.name)

    async def _refuse(self, turn: Turn, slot: FormSlot, reason: str, *, uttered: bool) -> None:
        tracker = turn.tracker
        tracker.refusals[slot.name] = tracker.refusals.get(slot.name, 0) + 1
        if not uttered:
            kind = self.reader.kind_of(slot) if reason in ("choice", "scale", "unclear") else None
            names = [f"utter_wrong_{slot.name}", f"utter_wrong_{kind}" if kind else "", f"utter_wrong_{reason}",
                     "utter_wrong_answer"]
            question = self.domain.responses.get(slot.question)
            values = {"count": len([b for b in question.buttons if not b.payload.startswith("/")])
                      if question else 0, "low": slot.min or 1, "high": slot.max or 4}
            for name in names:
                if name in self.domain.responses:
                    self._utter(turn, name, values)
                    break
        if tracker.refusals[slot.name] >= self.settings.conversation.max_refusals_per_question:
            self._utter(turn, "utter_offer_skip")
        await self._ask(turn, reask_only=True)

    async def _back(self, turn: Turn) -> None:
        tracker = turn.tracker
        if not tracker.active_form:
            self._utter(turn, "utter_cannot_go_back")
            return
        if not tracker.history:
            self._utter(turn, "utter_cannot_go_back")
        else:
            previous = tracker.history.pop()
            tracker.set_slot(previous, None)
            if previous in tracker.prefilled:
                tracker.prefilled.remove(previous)
        await self._ask(turn)

    async def _skip(self, turn: Turn) -> None:
        tracker = turn.tracker
        slot = self._current_slot(tracker)
        if slot is None:
            self._utter(turn, "utter_question_closed")
            return
        allowed = slot.skippable or tracker.refusals.get(slot.name, 0) >= (
            self.settings.conversation.max_refusals_per_question)
        if not allowed:
            self._utter(turn, "utter_cannot_skip")
        else:
            self._accept(tracker, slot, SKIPPED)
        await self._ask(turn)

    # ------------------------------------------------------------------ actions
    async def _run_action(self, turn: Turn, name: str,
                          candidate: tuple[str, Any] | None = None) -> list[dict[str, Any]] | None:
        tracker = turn.tracker
        payload = tracker.rasa_dict(self._slot_names)
        if candidate is not None:
            payload["slots"][candidate[0]] = candidate[1]
        try:
            result = await self.actions.run(name, payload, self._rasa_domain)
        except (ActionError, Exception):  # an action's bug must not end the conversation
            log.exception("action %s failed", name)
            self._utter(turn, "utter_something_went_wrong")
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
                    self._end_form(tracker)
            elif kind == "pause":
                tracker.paused = True
            elif kind == "resume":
                tracker.paused = False
        for step in followups:
            await self._run_step(turn, step)
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
