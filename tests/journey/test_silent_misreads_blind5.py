"""Silent misreads on the fifth blind journeys (issue 23): tests/data/silent_misread_blind5.yml, six whole
journeys (two per language) written by a helper who wrote nothing else, from the issue, the forms and the
formats only, and scored once by the coordinator at the end of the ninth session (02:00 UTC): on the code
before the session (7bafa51) 1 answer stored that nobody gave ("esto es eterno, no se acaba nunca o que" as
"don't know"), 1 answer not read, 3 journeys off their questions; after the session's helpers (74c6d4b) the
same 1 stored, 1 not read. Every step the bot asked must be the one the journey names; a skip wish may mark
its own question skipped. The set is seen since that scoring (README, "Conversation repair")."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from tests.auxil.paths import DATA
from tests.auxil.runtime import Chat
from tests.journey.test_silent_misreads import WATCHED

JOURNEYS = yaml.safe_load((DATA / "silent_misread_blind5.yml").read_text(encoding="utf-8"))["journeys"]
MISSING = object()
# "cap contractat, nomes la gent de la junta" is confirmed as «1 a 5» at the staff question (nothing stored,
# but a wrong reading offered), so the journey waits on the confirmation instead of going on
KNOWN = {1: "a staff answer with a clause about the board is confirmed as 1-5 instead of read as none"}


async def misreads_of(runtime, number: int, journey: dict[str, Any]) -> tuple[list[str], list[str]]:
    steps = journey["steps"]
    watched = set(WATCHED) | {s["at"] for s in steps} | {k for s in steps for k in (s.get("also") or {})}
    chat = Chat(runtime, sender_id=f"test:blind5:{number}", language=journey["lang"])
    await chat.send("/start")
    await chat.send(payload="/explore")
    misreads: list[str] = []
    unread: list[str] = []
    for step in steps:
        tracker = await chat.tracker()
        assert tracker.requested_slot == step["at"], (step, tracker.requested_slot, unread)
        before = {k: tracker.slots.get(k) for k in watched}
        await chat.send(step["text"])
        after = {k: (await chat.tracker()).slots.get(k) for k in watched}
        given = dict(step.get("also") or {})
        if "value" in step:
            given[step["at"]] = step["value"]
            if after[step["at"]] != step["value"]:
                unread.append(f"{step['at']} <- {step['text']!r}: {after[step['at']]!r}")
        for name, value in after.items():
            skipped = value == "skipped" and name == step["at"]
            if value is not None and value != before[name] and given.get(name, MISSING) != value and not skipped:
                misreads.append(f"{name} = {value!r} <- {step['text']!r} (at {step['at']})")
    return misreads, unread


@pytest.mark.parametrize("number", range(len(JOURNEYS)), ids=[f"{j['lang']}{i}" for i, j in enumerate(JOURNEYS)])
async def test_no_answer_is_stored_that_was_not_given(runtime, request, number: int) -> None:
    if number in KNOWN:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN[number]))
    misreads, unread = await misreads_of(runtime, number, JOURNEYS[number])
    assert misreads == [], misreads
    assert unread == [], unread
