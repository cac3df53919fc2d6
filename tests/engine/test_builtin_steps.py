"""Built-in steps: one table, checked against the content at start-up and by `aliat check`; the engine
reaches the store only through its interface."""

from __future__ import annotations

import inspect
from dataclasses import replace

import pytest

from bot.commands.content_check import Checker
from bot.content.domain import ContentError, load_domain
from bot.engine import Engine
from bot.engine.actions_client import ActionRunner
from bot.engine.engine import BUILTINS
from bot.engine.ports import ConversationStorePort
from bot.store.conversations import ConversationStore
from tests.auxil.paths import ROOT
from tests.auxil.runtime import Chat, settings_for_tests

LANGUAGES = ("ca", "es", "en")


def _with_steps(intent: str, *steps: str):
    domain = load_domain(ROOT / "dialogues", ROOT / "knowledge")
    domain.rules[intent] = replace(domain.rules[intent], steps=steps)
    return domain


@pytest.mark.parametrize(("step", "says"), [
    ("set_langauge:en", "no built-in step 'set_langauge'"),
    ("set_language:fr", "set_language needs one of the languages ca, es, en"),
    ("set_language", "set_language needs one of the languages"),
    ("reset:all", "reset takes no argument"),
])
def test_a_wrong_built_in_step_stops_the_start_naming_its_file(step, says, sqlite_url) -> None:
    domain = _with_steps("greet", step, "utter_greet")
    with pytest.raises(ContentError) as raised:
        Engine(settings=settings_for_tests(sqlite_url), domain=domain, store=None, actions=ActionRunner())
    assert says in str(raised.value)
    assert domain.rules["greet"].source in str(raised.value)
    # and `aliat check` says so beforehand
    problems = Checker(domain, LANGUAGES, ActionRunner()).run()
    assert any(repr(step) in p and "rule for greet" in p for p in problems), problems


async def test_a_built_in_step_with_its_argument_runs(runtime) -> None:
    chat = Chat(runtime, language="ca")
    await chat.send("/start")
    runtime.engine.domain.rules["greet"] = replace(runtime.engine.domain.rules["greet"],
                                                   steps=("set_language:en", "utter_greet"))
    await chat.send(payload="/greet")
    assert (await chat.tracker()).language == "en"


def test_every_built_in_is_a_coroutine_of_the_engine() -> None:
    """Each built-in is a coroutine run with (the engine, the turn, the argument) (bot/engine/builtins.py)."""
    for name, builtin in BUILTINS.items():
        assert inspect.iscoroutinefunction(builtin.run), name
        assert list(inspect.signature(builtin.run).parameters) == ["engine", "turn", "arg"], name


def test_the_conversation_store_has_what_the_engine_asks_of_it() -> None:
    asked = {n for n, v in vars(ConversationStorePort).items() if callable(v) and not n.startswith("_")}
    assert asked == {"turn", "load", "save", "peek", "forget"}
    for name in asked:
        wanted = inspect.signature(getattr(ConversationStorePort, name))
        given = inspect.signature(getattr(ConversationStore, name))
        assert list(given.parameters) == list(wanted.parameters), name
        assert inspect.iscoroutinefunction(getattr(ConversationStore, name)) == (
            inspect.iscoroutinefunction(getattr(ConversationStorePort, name))), name
