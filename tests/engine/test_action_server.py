"""Actions over HTTP: the same conversation through a real `python -m rasa_sdk --actions actions`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.auxil.cli import ROOT, cli_env
from tests.auxil.runtime import Chat, make_runtime


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def action_server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "--port", str(port)],
        cwd=ROOT, env=cli_env("sqlite+aiosqlite:///:memory:"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as resp:
                if resp.status == 200:
                    break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("action server did not start")
    yield f"http://127.0.0.1:{port}/webhook"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.stderr.close()


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

    url = f"http://127.0.0.1:{_free_port()}/webhook"
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

    from bot.charts import wait_for_chart
    from bot.config import ActionsSettings
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
