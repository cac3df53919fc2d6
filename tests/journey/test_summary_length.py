"""Issue 24: the summary is short. Every journey script (tests/journey/conversations/journey_*.yml) is
replayed; the turn that gives the summary has at most 4 messages (the chart one of them) and 1,500
characters of text in all, says each point once, quotes whole clauses, and never "well prepared" in crisis."""

from __future__ import annotations

import re

import pytest

from bot.shared import yamlio
from tests.auxil.paths import CONVERSATIONS
from tests.auxil.runtime import Chat

SCRIPTS = sorted(CONVERSATIONS.glob("journey_*.yml"))
MAX_MESSAGES, MAX_CHARS = 4, 1500


async def summary_turn(runtime, path) -> list | None:
    """The bot's messages in the turn that gives the summary (the first one), or None if there is none."""
    spec = yamlio.safe_load(path.read_text(encoding="utf-8"))
    chat = Chat(runtime, sender_id=f"test:len:{path.stem}", language=spec.get("lang", "ca"))
    for step in spec["steps"]:
        if "payload" in step:
            replies = await chat.send(payload=step["payload"])
        else:
            replies = await chat.send(str(step["user"]) if step.get("user") is not None else None)
        if any(r.response == "utter_summary" for r in replies):
            return replies
    return None


@pytest.mark.parametrize("script", SCRIPTS, ids=[p.stem for p in SCRIPTS])
async def test_the_summary_is_short(script, runtime) -> None:
    replies = await summary_turn(runtime, script)
    if replies is None:
        assert "utter_summary" not in script.read_text(encoding="utf-8"), "the script expects a summary"
        return
    texts = [r.text or "" for r in replies]
    names = [r.response or "text" for r in replies]
    assert len(replies) <= MAX_MESSAGES, f"{len(replies)} messages: {names}"
    assert sum(len(t) for t in texts) <= MAX_CHARS, f"{sum(len(t) for t in texts)} characters:\n" + "\n---\n".join(texts)
    assert sum(1 for r in replies if r.image) == 1, "the chart is one of the messages"
    whole = "\n".join(texts)
    # each point once: no line twice, no quote twice
    lines = [line.strip() for line in whole.split("\n") if len(line.strip()) > 12]
    assert len(lines) == len(set(lines)), whole
    quotes = re.findall(r"«([^»]+)»|\"([^\"]+)\"", whole)
    quoted = [a or b for a, b in quotes]
    assert len(quoted) == len(set(quoted)), quoted
    # whole clauses: a quote never ends on a cut word with an ellipsis when it is short
    assert not any(q.endswith("…") and len(q) < 100 for q in quoted), quoted
    # details are behind buttons: the closing offers them ("More details")
    titles = [t for r in replies for t, _ in r.buttons]
    payloads = [p for r in replies for _, p in r.buttons]
    assert "/summary_details" in payloads, titles


def test_there_are_journey_scripts_with_a_summary() -> None:
    assert sum("utter_summary" in p.read_text(encoding="utf-8") for p in SCRIPTS) >= 18
