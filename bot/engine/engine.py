"""One turn: load the tracker, understand the message, run rules, forms and actions, save, reply."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
import unicodedata
from collections.abc import Awaitable, Callable
from typing import Any, Generic

from bot.config import Settings
from bot.content.domain import Domain, Rule, rule_key
from bot.engine.action_steps import ActionSteps
from bot.engine.actions_client import ActionRunner
from bot.engine.acts import ActReader
from bot.engine.answers import AnswerReader
from bot.engine.builtins import (
    BUILTIN_STEPS,
    BUILTINS,
    INTERRUPTED_SLOT,
    check_steps,
    keeps_question,
    step_problem,
)
from bot.engine.forms import FormLoop, end_form, keep_given_ahead
from bot.engine.messages import BotMessage, UserMessage
from bot.engine.nlu import IntentMatcher, Parse, parse_intent_payload, split_command
from bot.engine.payloads import checked as checked_payload
from bot.engine.ports import ConcurrentTurn, ConversationStorePort, InTransaction, SkipIf, Work
from bot.engine.render import Renderer
from bot.engine.repair import HANDOFF_FORM, Repair
from bot.engine.textnorm import normalize
from bot.engine.tracker import Tracker
from bot.engine.turn import Turn
from bot.shared.keyed_locks import KeyedLocks

log = logging.getLogger(__name__)

__all__ = ["BUILTINS", "BUILTIN_STEPS", "Engine", "Turn", "check_steps", "step_problem"]

# Inside a form, typed text that is not an answer is taken as a request (help, a human...) only when
# the classifier is this sure: an answer it could not read should be refused and asked again, not
# turned into a detour.
IN_FORM_INTENT_FLOOR = 0.7
# An opening message with at least this many words, read as `explore`, describes the situation: it is
# kept as the answer to "why are you thinking about a partnership?".
OPENING_MIN_WORDS = 4
OPENING_SLOT = "why_partner"
MAX_FOLLOWUPS = 20
# a typed yes or no to the latest buttons is a short first clause ("sí, esborra-ho", "yes please", "vale, d'acord")
OFFER_MAX_WORDS = 5
MAX_TURN_ATTEMPTS = 20


def _only_emoji(text: str) -> bool:
    """Pictographs (and their joiners, skin tones, variation selectors) and spaces only: no word, no digit."""
    chars = [ch for ch in text if not ch.isspace()]
    return bool(chars) and any(unicodedata.category(ch) == "So" for ch in chars) and all(
        unicodedata.category(ch) in ("So", "Sk", "Mn", "Cf") for ch in chars)


class Engine(ActionSteps, Generic[Work]):
    """Channel-neutral: channels call `handle` and render the BotMessages it returns. `Work` is the store's
    unit of work (bot/engine/ports.py), handed to the channel's `in_transaction` and `skip_if`."""

    def __init__(self, *, settings: Settings, domain: Domain, store: ConversationStorePort[Work],
                 actions: ActionRunner) -> None:
        check_steps(domain, settings.languages)
        self.settings = settings
        self.domain = domain
        self.store = store
        self.actions = actions
        self.renderer = Renderer(domain, settings.default_language)
        self.matcher = IntentMatcher(domain.intents)
        self.reader = AnswerReader(domain)
        self.forms = FormLoop(settings=settings, domain=domain, renderer=self.renderer, reader=self.reader,
                              host=self)
        self.acts = ActReader(domain, self.reader)
        self.repair = Repair(domain=domain, renderer=self.renderer, acts=self.acts, forms=self.forms, host=self,
                             languages=settings.languages)
        self.forms.repair = self.repair
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
    async def handle(self, message: UserMessage, *, in_transaction: InTransaction[Work] | None = None,
                     skip_if: SkipIf[Work] | None = None, channel: str | None = None) -> list[BotMessage]:
        """Handle one message; the tracker and whatever `in_transaction` writes commit together.

        `skip_if(work)`, asked first inside the turn's transaction (and, on PostgreSQL, under the
        conversation's lock), can drop the message: no turn, no replies (e.g. an update already handled).
        """
        if not self.turn_observers:
            return await self._handle_locked(message, in_transaction, skip_if, channel)
        return await self._handle_observed(message, in_transaction, skip_if, channel or message.channel)

    async def _handle_observed(self, message: UserMessage, in_transaction: InTransaction[Work] | None,
                               skip_if: SkipIf[Work] | None, channel: str) -> list[BotMessage]:
        """The turn, timed, its outcome (ok, skipped, error) told to the observers (metrics)."""
        skipped = False

        async def noting_skip(work: Work) -> bool:
            nonlocal skipped
            skipped = bool(skip_if is not None and await skip_if(work))
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

    async def _handle_locked(self, message: UserMessage, in_transaction: InTransaction[Work] | None,
                             skip_if: SkipIf[Work] | None, channel: str | None) -> list[BotMessage]:
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

    async def _handle_once(self, message: UserMessage, in_transaction: InTransaction[Work] | None,
                           skip_if: SkipIf[Work] | None, channel: str) -> list[BotMessage]:
        async with self.store.turn(message.sender_id) as work:
            if skip_if is not None and await skip_if(work):
                return []
            tracker = await self.store.load(work, message.sender_id)
            if tracker is None:
                tracker = Tracker(sender_id=message.sender_id, language=self._first_language(message))
            turn = Turn(tracker=tracker, message=message,
                        erase_sender=lambda: self.store.forget(work, message.sender_id))
            await self._process(turn)
            tracker.trim(self.settings.conversation.max_events)
            await self.store.save(work, tracker, channel=channel)
            if in_transaction is not None:
                await in_transaction(work, tracker, turn.out)
            await work.commit()
            return turn.out

    def warm(self) -> None:
        """Load the understanding models now (trained once, in a child process, after the examples
        change): a long-running bot, so the first person to type after a start does not wait for them."""
        self.matcher.classifier.warm()
        self.reader.warm()
        self.acts.warm()
        self.repair.warm()

    async def peek(self, sender_id: str) -> Tracker | None:
        """The stored tracker, read only (for channels and tests)."""
        return await self.store.peek(sender_id)

    def _first_language(self, message: UserMessage) -> str:
        hint = (message.language_hint or "").lower()[:2]
        return hint if hint in self.settings.languages else self.settings.default_language

    # ------------------------------------------------------------ understanding
    async def _process(self, turn: Turn) -> None:
        msg, tracker = turn.message, turn.tracker
        offered, tracker.offered = tracker.offered, {}  # an offer stands for the very next message only
        text = msg.text
        if text is not None and not tracker.paused:  # a paused chat's words go to a person: all of them
            text = text[: self.settings.conversation.max_text_length * 2]
        parse: Parse | None = None
        if msg.payload is not None:
            parse = parse_intent_payload(msg.payload)
            if parse is None:
                self._user_event(turn, msg.payload, None)
                await self.forms.button_answer(turn, msg.payload)
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
                slot = self.forms.current_slot(tracker)
                if slot is not None and slot.type == "phone":
                    self._user_event(turn, None, None)
                    await self.forms.answer(turn, str(msg.metadata["phone_number"]), from_button=False)
                    return
        elif not tracker.active_form and _only_emoji(text) and "non_text_sticker" in self._intents():
            # "👍", "🙂🙂" outside a question: answered as the sticker it is, not as a misunderstanding
            parse = Parse(intent="non_text_sticker", confidence=1.0)
        self._user_event(turn, text if msg.payload is None else msg.payload, parse)
        if parse is not None:
            await self._handle_intent(turn, parse)
            return
        assert text is not None
        # before the relay: a typed "yes" to a question the bot asked while paused (/forget's) answers it
        if await self._offered_answer(turn, text, offered):
            return
        if await self._resumed_with(turn, text, offered):
            return
        if tracker.paused and self._paused_action:
            await self.run_step(turn, self._paused_action)
            return
        if tracker.active_form:
            await self.forms.answer(turn, text, from_button=False)
            return
        parsed = self.matcher.match(text)
        tracker.latest_message["intent"] = {"name": parsed.intent, "confidence": parsed.confidence}
        known = parsed.intent if parsed.intent is not None and self._rule_for(tracker, parsed.intent) else None
        if await self.repair.outside_form(turn, text, known):
            return
        if parsed.intent is not None and self._rule_for(tracker, parsed.intent):
            self._keep_opening(parsed, text)
            tracker.latest_message["entities"] = [{"entity": k, "value": v} for k, v in parsed.entities.items()]
            await self._handle_intent(turn, parsed)
        else:
            await self._fallback(turn)

    async def _offered_answer(self, turn: Turn, text: str, offered: dict[str, str]) -> bool:
        """A typed yes or no to the yes/no buttons of the bot's latest message presses that button."""
        if not offered or self.repair.wants_restart(text):  # "start again" is no yes to the latest buttons
            return False
        # its first clause says it: "sí, esborra-ho" is a yes; "thanks, that was useful" is none (read whole, a yes)
        lead = re.split(r"[,;.!?]", text, maxsplit=1)[0] or text
        if len(lead.split()) > OFFER_MAX_WORDS:
            # "we do joint projects with the library", typed after "would you like to talk to a person?", is no
            # yes: a sentence that says something else is read as what it says
            return False
        said = self.reader.yes_or_no(lead)
        payload = offered.get(said or "")
        parse = parse_intent_payload(payload) if payload else None
        if parse is None or not self._rule_for(turn.tracker, str(parse.intent)):
            return False
        turn.tracker.latest_message["intent"] = {"name": parse.intent, "confidence": 1.0}
        await self._handle_intent(turn, parse)
        return True

    async def _resumed_with(self, turn: Turn, text: str, offered: dict[str, str]) -> bool:
        """Typed at the offer to go on with a form left half-way ("shall we carry on where we left off?"), neither
        a yes nor a no: the person carries on by answering ("3", "the partner is wrong, it's X", "not much, a 2"
        were met with the menu). The form goes on and the message is read at its question, which it answers."""
        tracker = turn.tracker
        if offered.get("yes") != "/explore" or tracker.active_form or not tracker.slots.get(INTERRUPTED_SLOT) \
                or tracker.paused:
            return False
        parse = parse_intent_payload("/explore")
        if parse is None or not self._rule_for(tracker, str(parse.intent)):
            return False
        tracker.latest_message["intent"] = {"name": parse.intent, "confidence": 1.0}
        start = len(turn.out)
        await self._handle_intent(turn, parse)
        if tracker.active_form:
            del turn.out[start:]  # the question asked again: this very message answers it
            await self.forms.answer(turn, text, from_button=False)
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

    def _rule_for(self, tracker: Tracker, intent: str, args: str = "") -> Rule | None:
        """The rule for an intent; a command's words after it (`/start ws`) pick a rule of their own
        when there is one."""
        rules = self.domain.rules
        if args:
            found = rules.get(rule_key(intent, " ".join(args.split()), tracker.paused))
            if found is not None:
                return found
        return rules.get(rule_key(intent, paused=tracker.paused))

    async def handle_intent(self, turn: Turn, parse: Parse) -> None:
        """Run the rule for an intent (what the repair of a form question asks for: a person...)."""
        await self._handle_intent(turn, parse)

    async def _handle_intent(self, turn: Turn, parse: Parse) -> None:
        tracker = turn.tracker
        assert parse.intent is not None
        rule = self._rule_for(tracker, parse.intent, str(parse.entities.get("args") or ""))
        if rule is None and tracker.paused and self._paused_action:
            await self.run_step(turn, self._paused_action)
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
            if form_before and form_before != HANDOFF_FORM and tracker.requested_slot:
                # a person asked for, the menu...: the form left half-way is remembered, and /explore reopens it
                # where it was (bot/engine/builtins.py `reopen_interrupted`)
                tracker.set_slot(INTERRUPTED_SLOT, form_before)
                keep_given_ahead(tracker, self.domain.forms[form_before])
            end_form(tracker)
        for step in rule.steps:
            await self.run_step(turn, step)
        reasks = form_before and tracker.active_form == form_before and not rule.ends_form
        if reasks and not any(keeps_question(step) or step in self.domain.forms for step in rule.steps):
            await self.forms.ask(turn)

    def typed_intent(self, text: str) -> Parse:
        return self.matcher.match(text, threshold=IN_FORM_INTENT_FLOOR)

    async def taken_as_request(self, turn: Turn, text: str) -> bool:
        """Inside a form, a typed text the form could not read as an answer: a request (help, a human...)
        when the classifier is sure enough and a rule answers it; else the form refuses it and asks again.
        A bare "no" or "vale" is an answer that did not fit, never a request (the classifier, asked anyway,
        took "no, encara no" for a call for help)."""
        if self.reader.is_a_nod(text) or self.reader.says_dont_know(normalize(text)):
            return False  # "no sé" to the consent is a doubt about it, not a call for /help
        parsed = self.matcher.match(text, threshold=IN_FORM_INTENT_FLOOR)
        if parsed.intent and parsed.intent != "explore" and self._rule_for(turn.tracker, parsed.intent):
            await self._handle_intent(turn, parsed)
            return True
        return False

    async def _fallback(self, turn: Turn) -> None:
        tracker = turn.tracker
        tracker.misunderstandings += 1
        if tracker.misunderstandings >= self.settings.conversation.offer_human_after_misunderstandings:
            tracker.misunderstandings = 0
            self.utter(turn, "utter_offer_human")
        else:
            self.utter(turn, "utter_fallback")

    # -------------------------------------------------------------------- steps
    async def run_step(self, turn: Turn, step: str) -> None:
        """A rule's step: a built-in (BUILTINS), a form, a response or an action, looked up in that order."""
        turn.depth += 1
        if turn.depth > MAX_FOLLOWUPS:
            log.error("too many follow-up steps in one turn; stopped at %s", step)
            return
        name, _, arg = step.partition(":")
        builtin = BUILTINS.get(name)
        if builtin is not None:
            await builtin.run(self, turn, arg)
        elif step in self.domain.forms:
            await self.forms.activate(turn, self.domain.forms[step])
        elif step in self.domain.responses:
            self.utter(turn, step)
        elif self.actions.known(step):
            await self.run_action(turn, step)
        else:
            log.error("unknown step %s (run `aliat check`)", step)
        turn.tracker.add_event({"event": "action", "name": step})

    def has_action(self, name: str) -> bool:
        return self.actions.known(name)

    def utter(self, turn: Turn, name: str, values: dict[str, Any] | None = None) -> None:
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
