"""Actions over HTTP: the same conversation through a real `python -m rasa_sdk --actions actions`."""

from __future__ import annotations

import pytest

from tests.auxil.action_server import action_server as run_action_server
from tests.auxil.action_server import free_port
from tests.auxil.runtime import Chat, make_runtime


@pytest.fixture(scope="module")
def action_server():
    with run_action_server("sqlite+aiosqlite:///:memory:") as url:
        yield url


async def test_conversation_through_action_server(action_server, sqlite_url) -> None:
    from bot.config import ActionsSettings

    runtime = await make_runtime(sqlite_url, actions=ActionsSettings(endpoint=action_server, timeout_seconds=10))
    try:
        chat = Chat(runtime, sender_id="http:1", language="en")
        await chat.send("/start")
        await chat.send(payload="/explore")
        replies = await chat.send("x")  # refused by validate_interview_form on the action server
        assert [r.response for r in replies] == ["utter_wrong_entity_name", "utter_ask_entity_name"]
        await chat.send("  Fundació   Pere  ")
        tracker = await chat.tracker()
        assert tracker.slots["entity_name"] == "Fundació Pere"  # cleaned by the remote action
        replies = await chat.send(payload="/factors")
        assert any("Trust" in r.text for r in replies)  # an action that reads knowledge/, run remotely
    finally:
        await runtime.close()


async def test_unreachable_action_server_is_a_polite_message(sqlite_url) -> None:
    from bot.config import ActionsSettings

    url = f"http://127.0.0.1:{free_port()}/webhook"
    runtime = await make_runtime(sqlite_url, actions=ActionsSettings(endpoint="", timeout_seconds=1))
    try:
        chat = Chat(runtime, sender_id="http:2", language="ca")
        await chat.send("/start")
        await chat.send(payload="/explore")  # the journey starts with the actions still in process
        runtime.actions.endpoint = url  # ... and then the action server goes away
        replies = await chat.send("Casal")
        assert "utter_something_went_wrong" in [r.response for r in replies]
        tracker = await chat.tracker()
        assert tracker.active_form == "interview_form"  # nothing lost: the question is still open
        assert tracker.requested_slot == "entity_name"
    finally:
        await runtime.close()


async def test_a_whole_journey_through_the_action_server_ends_with_its_chart(action_server, sqlite_url) -> None:
    """The summary's chart is drawn by the action server too (in a thread of its worker)."""
    from pathlib import Path

    from bot.config import ActionsSettings
    from bot.shared.chart_files import wait_for_chart
    from tests.journey.test_journey_storage import run_journey

    runtime = await make_runtime(sqlite_url, actions=ActionsSettings(endpoint=action_server, timeout_seconds=10))
    try:
        chat = Chat(runtime, sender_id="http:journey", language="ca")
        await run_journey(chat, feedback=["1"], factors=[2, 3, 4, 1, 3], relationship=[1, 1, 4, 4, 1, 1, 4, 4])
        names = [r.response for r in chat.last]
        assert "utter_something_went_wrong" not in names
        (image,) = [r.image for r in chat.last if r.image]
        assert await wait_for_chart(Path(image))
        assert Path(image).read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    finally:
        await runtime.close()
