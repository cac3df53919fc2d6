"""Hostile and random input at the engine: no exception, every message answered, no forbidden change."""

from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import UserMessage
from tests.auxil.runtime import Chat

NASTY = st.sampled_from([
    "'; DROP TABLE conversation; --", "<script>alert(1)</script>", "<b>bold</b> & *md* _x_ `y`",
    "\u202eevil\u202c", "\u200b\u200b\u200b", "𝕳𝖊𝖑𝖑𝖔", "🙂" * 500, "\x00\x01\x02\x1b[31m", "a" * 10_000,
    "/start@other_bot", "/" + "x" * 40, "{not json}", "/set_language{\"language\":\"xx\"}",
    '/set_language{"language": ["ca"]}', "/explore{", "%s%s%n", "../../etc/passwd", "\r\n\r\n",
])
TEXTS = st.one_of(NASTY, st.text(min_size=0, max_size=300))
PAYLOADS = st.one_of(NASTY, st.text(min_size=0, max_size=70),
                     st.sampled_from(["/forget_confirm", "/skip", "/back", "/menu", "innovation", "9", "/human"]))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(st.tuples(st.booleans(), TEXTS, PAYLOADS, st.integers(-2, 50)), min_size=1, max_size=6))
async def test_random_messages_are_always_answered(runtime, steps) -> None:
    chat = Chat(runtime, sender_id="fuzz:1", language="ca")
    await chat.send(payload="/explore")
    for as_payload, text, payload, seq in steps:
        if as_payload:
            replies = await chat.send(payload=payload, seq=seq)
        else:
            replies = await chat.send(text)
        assert replies, f"no answer to {(text if not as_payload else payload)!r}"
        assert all(isinstance(r.text, str) for r in replies)
        tracker = await chat.tracker()
        assert tracker.language in ("ca", "es", "en")
        assert len(tracker.events) <= runtime.settings.conversation.max_events


async def test_logs_never_contain_message_texts(runtime, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "Maria Puig maria.puig@example.org 600111222 ens ofeguem"
    chat = Chat(runtime, sender_id="log:1", language="ca")
    await chat.send("/start")
    await chat.send(secret)
    await chat.send(payload="/explore")
    await chat.send(secret)
    await chat.send(secret)
    await chat.send(payload=f'/set_language{{"language":"{secret}"}}')
    for record in caplog.records:
        rendered = record.getMessage() + (record.exc_text or "")
        for fragment in ("Maria Puig", "maria.puig", "600111222", "ofeguem"):
            assert fragment not in rendered, f"log leaks {fragment!r}: {record.name}"


async def test_forged_payload_cannot_set_unknown_slots(runtime) -> None:
    chat = Chat(runtime, sender_id="forge:1", language="ca")
    await chat.send("/start")
    await chat.send(payload='/help{"paused": true, "requested_slot": "x", "question_seq": 99, "is_admin": true}')
    tracker = await chat.tracker()
    assert tracker.paused is False
    assert "is_admin" not in tracker.slots and tracker.requested_slot is None
    await runtime.engine.handle(UserMessage(sender_id="forge:1", payload="/set_language{\"language\":\"zz\"}"))
    assert (await chat.tracker()).language == "ca"
