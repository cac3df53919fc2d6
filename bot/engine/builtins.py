"""The steps the engine runs itself (`reset`, `back`, `skip`, `forget`...), named in rules as any step is, and the
start-up check of the steps that name them. Each takes the engine (bot/engine/engine.py), the turn and the
argument after a colon (`set_language:ca`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from bot.content.domain import INTERVIEW_FORM, ContentError, Domain
from bot.engine.forms import end_form
from bot.engine.turn import Turn

# the form a rule ended half-way (a person asked for in the middle of the interview, the menu): its answers
# stay, and `reopen_interrupted` (what /explore does then) goes back into it where it was
INTERRUPTED_SLOT = "interrupted_form"


async def _reset(engine: Any, turn: Turn, arg: str) -> None:
    turn.tracker.reset()

async def _end_form(engine: Any, turn: Turn, arg: str) -> None:
    end_form(turn.tracker)

async def _back(engine: Any, turn: Turn, arg: str) -> None:
    await engine.forms.back(turn)

async def _skip(engine: Any, turn: Turn, arg: str) -> None:
    await engine.forms.skip(turn)

async def _ask(engine: Any, turn: Turn, arg: str) -> None:
    await engine.forms.ask(turn)

async def _pause(engine: Any, turn: Turn, arg: str) -> None:
    turn.tracker.paused = True

async def _resume(engine: Any, turn: Turn, arg: str) -> None:
    turn.tracker.paused = False

async def _set_language(engine: Any, turn: Turn, arg: str) -> None:
    if arg in engine.settings.languages:
        turn.tracker.language = arg

async def _confirm_reading(engine: Any, turn: Turn, arg: str) -> None:
    await engine.repair.confirmed(turn)

async def _reopen_interrupted(engine: Any, turn: Turn, arg: str) -> None:
    """Back into the form a rule left half-way, at its next unanswered question, without its introduction
    and with its progress ("(5/13)"); with none, the interview from its start."""
    tracker = turn.tracker
    name = str(tracker.slots.get(INTERRUPTED_SLOT) or "")
    tracker.set_slot(INTERRUPTED_SLOT, None)
    form = engine.domain.forms.get(name)
    if form is None:
        await engine.forms.activate(turn, engine.domain.forms[INTERVIEW_FORM])
        return
    engine.utter(turn, "utter_journey_resumed")
    await engine.forms.reopen(turn, form)

async def _edit_answer(engine: Any, turn: Turn, arg: str) -> None:
    """A "✏️" button under the answers listed: that answer is asked again (and what follows from it redone)."""
    entities = turn.tracker.latest_message.get("entities") or []
    target = next((str(e.get("value")) for e in entities if e.get("entity") == "target"), "")
    await engine.repair.edit(turn, target)

async def _hold(engine: Any, turn: Turn, arg: str) -> None:
    """The pending question is not asked again after this rule (its buttons, e.g. the languages,
    stay the latest ones); the next answer to them asks it again."""

async def _forget(engine: Any, turn: Turn, arg: str) -> None:
    """Erase this sender's personal data in the turn's own transaction, and start afresh."""
    from bot.shared.chart_files import delete_chart

    tracker = turn.tracker
    if turn.erase_sender is not None:
        await turn.erase_sender()
    for value in tracker.slots.values():  # a chart drawn for this entity shows its name
        delete_chart(value)
    tracker.slots = {}
    tracker.events = []
    tracker.latest_message = {}
    tracker.paused = False
    end_form(tracker)
    tracker.misunderstandings = 0


@dataclass(frozen=True)
class Builtin:
    """A step the engine runs itself; everything else is a form, a response or an action."""

    run: Callable[[Any, Turn, str], Awaitable[None]]  # (the engine, the turn, the argument)
    # it takes care of the form's pending question (asks it, or leaves it be): the rule does not ask it again
    keeps_question: bool = False
    takes_language: bool = False  # "set_language:ca"; no other built-in takes an argument


BUILTINS: dict[str, Builtin] = {
    "reset": Builtin(_reset),
    "reopen_interrupted": Builtin(_reopen_interrupted, keeps_question=True),
    "end_form": Builtin(_end_form),
    "back": Builtin(_back, keeps_question=True),
    "skip": Builtin(_skip, keeps_question=True),
    "ask": Builtin(_ask, keeps_question=True),
    "hold": Builtin(_hold, keeps_question=True),
    "confirm_reading": Builtin(_confirm_reading, keeps_question=True),
    "edit_answer": Builtin(_edit_answer, keeps_question=True),
    "pause": Builtin(_pause),
    "resume": Builtin(_resume),
    "set_language": Builtin(_set_language, takes_language=True),
    "forget": Builtin(_forget),
}
BUILTIN_STEPS = tuple(BUILTINS)


def keeps_question(step: str) -> bool:
    builtin = BUILTINS.get(step)
    return builtin is not None and builtin.keeps_question


def step_problem(step: str, languages: tuple[str, ...] | list[str]) -> str | None:
    """What is wrong with a step that names a built-in, or None. Only built-ins take an argument
    (`name:argument`), so a step with a colon is one, and a misspelt built-in is caught here."""
    name, colon, arg = step.partition(":")
    builtin = BUILTINS.get(name)
    if builtin is None:
        return f"step {step!r}: no built-in step {name!r} (built-ins: {', '.join(BUILTINS)})" if colon else None
    if builtin.takes_language and arg not in languages:
        return f"step {step!r}: {name} needs one of the languages {', '.join(languages)} (`{name}:{languages[0]}`)"
    if not builtin.takes_language and colon:
        return f"step {step!r}: {name} takes no argument"
    return None


def check_steps(domain: Domain, languages: tuple[str, ...] | list[str]) -> None:
    """At start-up: every step that names a built-in names one that exists, with a valid argument
    (a step naming a form, a response or an action is `aliat check`'s to find)."""
    named = [(rule.source or "dialogues", step) for rule in domain.rules.values() for step in rule.steps]
    named += [(form.source or "dialogues", step) for form in domain.forms.values() for step in form.on_complete]
    if domain.settings.get("paused_action"):
        named.append(("dialogues settings: paused_action", str(domain.settings["paused_action"])))
    problems = [f"{where}: {problem}" for where, step in named
                if (problem := step_problem(step, languages)) is not None]
    if problems:
        raise ContentError("\n".join(dict.fromkeys(problems)))
