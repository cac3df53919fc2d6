"""Silent misreads on the fifth blind journeys (issue 23): tests/data/silent_misread_blind5.yml, six whole
journeys (two per language) written by a helper who wrote nothing else, from the issue, the forms and the
formats only, and scored once by the coordinator at the end of the ninth session (02:00 UTC): on the code
before the session (7bafa51) 1 answer stored that nobody gave ("esto es eterno, no se acaba nunca o que" as
"don't know"), 1 answer not read, 3 journeys off their questions; after the session's helpers (74c6d4b) the
same 1 stored, 1 not read. Every step the bot asked must be the one the journey names; a skip wish may mark
its own question skipped. The set is seen since that scoring (README, "Conversation repair")."""

from __future__ import annotations

import pytest
import yaml

from tests.auxil.paths import DATA
from tests.journey.test_silent_misreads import run_journey

JOURNEYS = yaml.safe_load((DATA / "silent_misread_blind5.yml").read_text(encoding="utf-8"))["journeys"]
# "cap contractat, nomes la gent de la junta" is confirmed as «1 a 5» at the staff question (nothing stored,
# but a wrong reading offered), so the journey waits on the confirmation instead of going on
KNOWN = {1: "a staff answer with a clause about the board is confirmed as 1-5 instead of read as none"}


@pytest.mark.parametrize("number", range(len(JOURNEYS)), ids=[f"{j['lang']}{i}" for i, j in enumerate(JOURNEYS)])
async def test_no_answer_is_stored_that_was_not_given(runtime, request, number: int) -> None:
    if number in KNOWN:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN[number]))
    misreads, unread = await run_journey(runtime, number, JOURNEYS[number], sender="test:blind5",
                                       every_named=True)
    assert misreads == [], misreads
    assert unread == [], unread
