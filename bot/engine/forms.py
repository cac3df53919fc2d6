"""The form loop: ask a form's questions in order, read and validate the answers, go back, skip, finish.

A module of its own, as rasa_sdk/forms.py is: the engine (bot/engine/engine.py) decides which rule runs;
this decides what the pending question is and what an answer does to it. It asks of the engine it runs
in (FormHost) to say a response, to run a step or an action (the form's validator), and whether a typed
text that is no answer is a request instead (help, a human...).
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.config import Settings
from bot.content.domain import CHOICES_DONE, Domain, Form, FormSlot
from bot.engine.answers import AnswerReader
from bot.engine.negation import NEGATIONS
from bot.engine.render import Renderer
from bot.engine.textnorm import normalize
from bot.engine.tracker import SKIPPED, Tracker
from bot.engine.turn import Turn
from bot.engine.values import Refused, choose, read_answer

# the words that open an answer saying there is none ("no one in mind yet", "res de res", "nada concreto")
NOTHING = NEGATIONS | frozenset("cap ningu ningun ninguna nadie nada res none nobody nothing".split())


class FormHost(Protocol):
    def utter(self, turn: Turn, name: str, values: dict[str, Any] | None = None) -> None: ...

    async def run_step(self, turn: Turn, step: str) -> None: ...

    def has_action(self, name: str) -> bool: ...

    async def run_action(self, turn: Turn, name: str,
                         candidate: tuple[str, Any] | None = None) -> list[dict[str, Any]] | None: ...

    async def taken_as_request(self, turn: Turn, text: str) -> bool:
        """Handle a typed text that is not an answer as the request it is, if it is one."""
        ...

    async def handle_intent(self, turn: Turn, parse: Any) -> None: ...

    def typed_intent(self, text: str) -> Any:
        """What the intent classifier reads in a typed text (a Parse), for what repair must catch first."""
        ...


class FormRepair(Protocol):
    """What the form asks of conversation repair (bot/engine/repair.py)."""

    async def handled(self, turn: Turn, slot: FormSlot, question: Any, text: str) -> bool: ...

    def unsure(self, slot: FormSlot, reading: Any, text: str = "") -> bool: ...

    def doubt(self, slot: FormSlot, reading: Any, text: str) -> str | None: ...

    def confirm(self, turn: Turn, slot: FormSlot, question: Any, reading: Any) -> None: ...

    def keep_ahead(self, turn: Turn, slot: FormSlot, value: Any, text: str) -> None: ...

    async def kept_elsewhere(self, turn: Turn, slot: FormSlot, text: str) -> bool: ...


def picked_slot(slot: FormSlot) -> str:
    """Where a `choices` question keeps the options pressed so far (✓), until ✅ keeps them."""
    return f"{slot.name}_picked"


def end_form(tracker: Tracker) -> None:
    """The form ends; what it found already given stays known as such (`prefilled`, each form's own names), so
    going back into it later (a correction, the interview resumed after a person was asked for) counts the
    same questions as before: "(3/12)" stays "(3/12)", not "(3/13)"."""
    tracker.active_form = None
    tracker.requested_slot = None
    tracker.history = []
    tracker.refusals = {}


def keep_given_ahead(tracker: Tracker, form: Form) -> None:
    """A form left half-way: its answers given before their question (the opening message, an answer that said
    it along) and not passed yet join `prefilled`, so the form resumed counts them as it did (not asked)."""
    for slot in pending(tracker, form):
        if tracker.slots.get(slot.name) not in (None, SKIPPED) and slot.name not in tracker.history \
                and slot.name not in tracker.prefilled:
            tracker.prefilled.append(slot.name)


def holds(tracker: Tracker, cond: dict[str, Any] | None) -> bool:
    """An `ask_if`/`ask_as` condition on the slots: in, not_in, equals, or (alone) answered."""
    if not cond:
        return True
    value = tracker.slots.get(str(cond.get("slot")))
    if "in" in cond:
        return value in (cond["in"] or [])
    if "not_in" in cond:
        return value not in (cond["not_in"] or [])
    if "equals" in cond:
        return bool(value == cond["equals"])
    return value not in (None, SKIPPED)


def question_of(tracker: Tracker, slot: FormSlot) -> str:
    """The question's wording: the first `ask_as` whose condition holds, else the plain question."""
    return next((name for cond, name in slot.ask_as if holds(tracker, cond)), slot.question)


def pending(tracker: Tracker, form: Form) -> list[FormSlot]:
    """The form's questions that apply to this conversation, in order."""
    return [s for s in form.slots if holds(tracker, s.ask_if)]


def accept(tracker: Tracker, slot: FormSlot, value: Any) -> None:
    tracker.set_slot(slot.name, value)
    tracker.refusals.pop(slot.name, None)
    tracker.history.append(slot.name)


def progress_values(tracker: Tracker, form: Form, slot: FormSlot | None) -> dict[str, Any]:
    """{step, total} for "(3/10)": the questions actually asked, not the answers found already given,
    passed or still ahead."""
    applicable = [s for s in pending(tracker, form) if s is slot or not (
        s.name in tracker.prefilled
        or (s.name not in tracker.history and tracker.slots.get(s.name) not in (None, SKIPPED)))]
    total = len(applicable)
    current = applicable.index(slot) + 1 if slot in applicable else 0
    return {"step": current, "total": total}


def note_prefilled(tracker: Tracker, form: Form, asked: FormSlot) -> None:
    """Answers given before their question (the opening message, a name the journey already has)
    join the history as the form passes them, so ↩ / /back reaches them like any other answer."""
    for slot in pending(tracker, form):
        if slot is asked:
            break
        if tracker.slots.get(slot.name) not in (None, SKIPPED) and slot.name not in tracker.history:
            tracker.history.append(slot.name)
            tracker.prefilled.append(slot.name)


def _typed_done(slot: FormSlot, question: Any, value: str) -> bool:
    """'fet', 'ja està', 'res més' typed to a `choices` question: keep what is ticked."""
    try:
        return choose(slot, question, value) == CHOICES_DONE
    except Refused:
        return False


class FormLoop:
    def __init__(self, *, settings: Settings, domain: Domain, renderer: Renderer, reader: AnswerReader,
                 host: FormHost) -> None:
        self.settings = settings
        self.domain = domain
        self.renderer = renderer
        self.reader = reader
        self.host = host
        self.repair: FormRepair | None = None  # set by the engine: what a typed text that is no answer does

    def current_slot(self, tracker: Tracker) -> FormSlot | None:
        form = self.domain.forms.get(tracker.active_form or "")
        if form is None or tracker.requested_slot is None:
            return None
        return next((s for s in form.slots if s.name == tracker.requested_slot), None)

    async def activate(self, turn: Turn, form: Form) -> None:
        tracker = turn.tracker
        end_form(tracker)
        tracker.active_form = form.name
        tracker.add_event({"event": "active_loop", "name": form.name})
        # a form whose questions are all answered already (a correction re-running the journey's end) goes
        # straight to its end, without introducing questions it will not ask
        if form.intro and any(tracker.slots.get(s.name) is None for s in pending(tracker, form)):
            self.host.utter(turn, form.intro, progress_values(tracker, form, None))
        await self.ask(turn)

    async def reopen(self, turn: Turn, form: Form) -> None:
        """Go back into a form already finished, without its introduction: it asks what is now unanswered."""
        tracker = turn.tracker
        end_form(tracker)
        tracker.active_form = form.name
        tracker.add_event({"event": "active_loop", "name": form.name})
        # its answers are the form's history again: the progress reads "(2/5)", not "(1/1)", and ↩ reaches them
        tracker.history = [s.name for s in pending(tracker, form) if tracker.slots.get(s.name) is not None]
        await self.ask(turn)

    async def ask(self, turn: Turn, *, reask_only: bool = False) -> None:
        """Ask the next unanswered question of the active form, or complete it."""
        tracker = turn.tracker
        form = self.domain.forms.get(tracker.active_form or "")
        if form is None:
            return
        slot = next((s for s in pending(tracker, form) if tracker.slots.get(s.name) is None), None)
        if slot is None:
            end_form(tracker)
            tracker.add_event({"event": "active_loop", "name": None})
            for step in form.on_complete:
                await self.host.run_step(turn, step)
            return
        note_prefilled(tracker, form, slot)
        tracker.requested_slot = slot.name
        tracker.offered = {}
        tracker.question_seq += 1
        values = {**tracker.slots, **progress_values(tracker, form, slot)}
        question = question_of(tracker, slot)
        message = self.renderer.response(question, tracker.language, values, seq=tracker.question_seq)
        message.slot = slot.name
        if reask_only and f"{question}_short" in self.domain.responses:
            # asked again after a question back: its short wording (the consent's, without the whole text)
            message.text = self.renderer.text(f"{question}_short", tracker.language, values)
        elif reask_only:
            # after a refusal, the question alone: not the whole explanation card again
            message.text = message.text.rsplit("\n\n", 1)[-1]
        if slot.type == "choices":
            picked = set(tracker.slots.get(picked_slot(slot)) or [])
            message.buttons = [(f"✓ {title}" if payload in picked else title, payload)
                               for title, payload in message.buttons]
        if form.progress and "progress" in self.domain.settings:
            prefix = self.renderer.text(str(self.domain.settings["progress"]), tracker.language, values)
            message.text = f"{prefix} {message.text}".strip()
        refused = tracker.refusals.get(slot.name, 0)
        if slot.skippable or (refused >= self.settings.conversation.max_refusals_per_question
                              and not slot.reads.get("explicit")):  # consent is given or not, never skipped
            message.buttons.append((self.renderer.text("utter_button_skip", tracker.language), "/skip"))
        if tracker.history:
            message.buttons.append((self.renderer.text("utter_button_back", tracker.language), "/back"))
        turn.out.append(message)
        tracker.add_event({"event": "bot", "metadata": {"response": question}})

    async def button_answer(self, turn: Turn, payload: str) -> None:
        """A pressed answer button: taken if its question is still the pending one."""
        tracker = turn.tracker
        msg = turn.message
        stale = msg.button_seq is not None and msg.button_seq != tracker.question_seq
        if tracker.active_form is None or tracker.paused or stale:
            self.host.utter(turn, "utter_question_closed")
            if tracker.active_form and not tracker.paused:
                await self.ask(turn)
            return
        await self.answer(turn, payload, from_button=True)

    async def answer(self, turn: Turn, value: str, *, from_button: bool) -> None:
        """Read, validate (the form's `validate_<form>` action) and keep an answer, then ask on."""
        tracker = turn.tracker
        slot = self.current_slot(tracker)
        if slot is None:
            await self.ask(turn)
            return
        question = self.domain.responses.get(question_of(tracker, slot))
        tracker.pending_reading = {}
        if slot.type == "choices" and (from_button or _typed_done(slot, question, value)):
            await self._press_choice(turn, slot, CHOICES_DONE if not from_button else value)
            return
        if not from_button and self.repair is not None and await self.repair.handled(turn, slot, question, value):
            return  # a question back, a person asked for, a correction...: nothing is stored
        try:
            reading = read_answer(slot, question, value, from_button=from_button,
                                  max_text_length=self.settings.conversation.max_text_length, reader=self.reader)
            doubt = None if from_button or self.repair is None else self.repair.doubt(slot, reading, value)
            if doubt is not None:  # a guess from a message that says it does not know: its "no ho sé" is read
                reading = read_answer(slot, question, doubt, from_button=False,
                                      max_text_length=self.settings.conversation.max_text_length, reader=self.reader)
            coerced = reading.value
            if not from_button and self.repair is not None and self.repair.unsure(slot, reading, value):
                self.repair.confirm(turn, slot, question, reading)
                return
        except Refused as refusal:
            if (not from_button and refusal.reason not in ("empty", "range")
                    and await self.host.taken_as_request(turn, value)):
                return
            if not from_button and self.repair is not None and await self.repair.kept_elsewhere(turn, slot, value):
                return  # "som 5 treballadores" at "where do you work?": kept for its own question, said back
            if (from_button or refusal.reason in ("empty", "range") or slot.otherwise is None
                    or not self._says_something_else(slot, value)):
                await self._refuse(turn, slot, refusal.reason, uttered=False)
                return
            coerced = slot.otherwise["value"]  # (checked by _says_something_else)
            tracker.set_slot(slot.otherwise["keep_in"],
                             " ".join(value.split())[: self.settings.conversation.max_text_length])
        if slot.type == "choices":  # typed: the list it names, with what was pressed before
            already = list(tracker.slots.get(picked_slot(slot)) or [])
            coerced = [*already, *[v for v in coerced if v not in already]]
        await self._validate_and_keep(turn, slot, coerced, value, from_button=from_button)

    async def keep(self, turn: Turn, slot: FormSlot, value: Any) -> None:
        """A reading confirmed with ✅ that no button carries ("no ho sé" to a yes/no question): validated and kept."""
        await self._validate_and_keep(turn, slot, value, str(value), from_button=True)

    async def _press_choice(self, turn: Turn, slot: FormSlot, payload: str) -> None:
        """A `choices` button: an option toggles its ✓ and the question is shown again; ✅ keeps the ticked
        ones (none ticked: refused, as an empty answer)."""
        tracker = turn.tracker
        picked = list(tracker.slots.get(picked_slot(slot)) or [])
        if payload == CHOICES_DONE:
            if not picked:
                await self._refuse(turn, slot, "empty", uttered=False)
                return
            await self._validate_and_keep(turn, slot, picked, payload, from_button=True)
            return
        question = self.domain.responses.get(question_of(tracker, slot))
        if payload not in [b.payload for b in (question.buttons if question else ())]:
            await self._refuse(turn, slot, "choice", uttered=False)
            return
        picked = [p for p in picked if p != payload] if payload in picked else [*picked, payload]
        tracker.set_slot(picked_slot(slot), picked)
        await self.ask(turn, reask_only=True)

    async def _validate_and_keep(self, turn: Turn, slot: FormSlot, coerced: Any, value: str, *,
                                 from_button: bool) -> None:
        tracker = turn.tracker
        validator = f"validate_{tracker.active_form}"
        if self.host.has_action(validator):
            tracker.add_event({"event": "slot", "name": slot.name, "value": coerced})
            before = len(turn.out)
            events = await self.host.run_action(turn, validator, candidate=(slot.name, coerced))
            if events is None:
                return
            validated = {e["name"]: e.get("value") for e in events if e.get("event") == "slot"}
            if slot.name in validated and validated[slot.name] is None:
                await self._refuse(turn, slot, slot.type, uttered=len(turn.out) > before)
                return
            coerced = validated.get(slot.name, coerced)
        accept(tracker, slot, coerced)
        if slot.type == "choices":
            tracker.slots.pop(picked_slot(slot), None)
        if not from_button and self.repair is not None:
            self.repair.keep_ahead(turn, slot, coerced, value)
        if slot.keep_text and not from_button:
            tracker.set_slot(slot.keep_text, " ".join(value.split())[: self.settings.conversation.max_text_length])
        await self.ask(turn)

    def _says_something_else(self, slot: FormSlot, value: str) -> bool:
        """A typed answer to a choice with an `otherwise` option that is none of the options but a real
        answer: a few words with letters, not a nod, not a don't-know."""
        if not slot.otherwise:
            return False
        words = value.split()
        folded = normalize(value).split()
        # "no one in mind yet" typed at "what do you want to achieve?" was kept as another objective: what opens
        # with a negation says what they do not have, not another option
        return (len(words) >= 2 and any(ch.isalpha() for ch in value) and not self.reader.is_a_nod(value)
                and not self.reader.says_dont_know(normalize(value)) and folded[:1] != [] and folded[0] not in NOTHING)

    async def refuse(self, turn: Turn, slot: FormSlot, reason: str = "unclear") -> None:
        """Not an answer, and nothing else either: the question asked again with how to answer it."""
        await self._refuse(turn, slot, reason, uttered=False)

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
                    self.host.utter(turn, name, values)
                    break
        if tracker.refusals[slot.name] >= self.settings.conversation.max_refusals_per_question \
                and not slot.reads.get("explicit"):
            self.host.utter(turn, "utter_offer_skip")
        await self.ask(turn, reask_only=True)

    def clear_answer(self, tracker: Tracker, name: str) -> bool:
        """Forget one answer so that its question is asked again (a correction); True when that question
        comes after the pending one (it is asked when the form gets there)."""
        tracker.set_slot(name, None)
        for kept in (tracker.history, tracker.prefilled):
            if name in kept:
                kept.remove(name)
        form = self.domain.forms.get(tracker.active_form or "")
        if form is None:
            return False
        names = [s.name for s in pending(tracker, form)]
        current = tracker.requested_slot
        return name in names and current in names and names.index(name) > names.index(current)

    async def back(self, turn: Turn) -> None:
        """Forget the latest answer and ask its question again."""
        tracker = turn.tracker
        if not tracker.active_form:
            self.host.utter(turn, "utter_cannot_go_back")
            return
        if not tracker.history:
            self.host.utter(turn, "utter_cannot_go_back")
        else:
            previous = tracker.history.pop()
            tracker.set_slot(previous, None)
            if previous in tracker.prefilled:
                tracker.prefilled.remove(previous)
        await self.ask(turn)

    async def skip(self, turn: Turn) -> None:
        """Pass the pending question, if it may be passed (skippable, or refused often enough)."""
        tracker = turn.tracker
        slot = self.current_slot(tracker)
        if slot is None:
            self.host.utter(turn, "utter_question_closed")
            return
        allowed = slot.skippable or (tracker.refusals.get(slot.name, 0) >= (
            self.settings.conversation.max_refusals_per_question) and not slot.reads.get("explicit"))
        if not allowed:
            self.host.utter(turn, "utter_cannot_skip")
        else:
            accept(tracker, slot, SKIPPED)
        await self.ask(turn)
