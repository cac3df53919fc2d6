"""bench/trace.py patches the bot's classes to stamp each stage of a reply (the tail bench's breakdown); a
refactor once broke it silently (issue 29). Cheap checks, no benchmark run: the names it patches still exist
with the parameters its wrappers pass, and a traced turn through the real Application (rate limiter and chat
pacer on, as in the bench) records every span, which `per_turn` reads back."""

from __future__ import annotations

import importlib
import time

import pytest

from bench import trace
from tests.auxil.updates import make_message

CHAT = 5301


@pytest.fixture
def restored(monkeypatch):
    """The patched methods put back after the test (instrument patches classes for the whole process)."""
    for module, cls, method, _params in trace.PATCHED:
        owner = getattr(importlib.import_module(module), cls)
        monkeypatch.setattr(owner, method, getattr(owner, method))


def test_the_names_it_patches_still_exist_with_their_parameters(restored) -> None:
    trace.check()
    trace.instrument([])
    for module, cls, method, _params in trace.PATCHED:  # the list is what instrument patches, no more, no less
        assert hasattr(getattr(getattr(importlib.import_module(module), cls), method), "__wrapped__"), method


def test_check_names_a_method_a_refactor_renamed(restored, monkeypatch) -> None:
    from bot.telegram.sender import ChatPacer

    monkeypatch.delattr(ChatPacer, "wait")
    with pytest.raises(RuntimeError, match="ChatPacer.wait"):
        trace.check()


async def test_a_traced_turn_records_its_spans(fake, bots, restored) -> None:
    stamps: list[tuple[str, int, float]] = []
    trace.instrument(stamps)
    await bots.start(rate_limit=True)
    since = len(fake.calls)
    pushed = time.monotonic()
    await fake.push_update(make_message("/start", chat_id=CHAT, user_id=CHAT))
    await fake.wait_for(lambda c: c.ok and c.method == "sendMessage" and c.chat_id == CHAT, since=since)
    first = time.monotonic()
    await fake.wait_updates_consumed()
    seen = {name for name, chat, _at in stamps if chat == CHAT}
    assert set(trace.POINTS[1:-1]) <= seen | {"http_out"}, set(trace.POINTS[1:-1]) - seen
    assert {"turn_out", "http_out"} <= seen
    [row] = trace.per_turn([list(s) for s in stamps], [(CHAT, pushed, first)])
    assert row["engine"] > 0 and row["http"] > 0 and row["before_engine"] >= 0
    assert abs(sum(row[s] for s in trace.STAGES) - row["total"]) < 1e-6  # every moment in one stage
