"""Actions' writes happen once per turn, even when the turn is run again (issue 27, "actions exactly once").

Actions commit their own transaction before the turn commits. The fault injected here is a crash between the
two commits: every turn fails once after its actions ran (the tracker, processed_update and replies rolled
back), and the same message is handled again, as a redelivered update is. Before, the re-run wrote again: a
second relay to the facilitator, a second assessment, funnel steps counted twice, the lead "updated" (and the
entity told so) instead of made. Now each action claims a key derived from the turn and the action
(bot/engine/turn.py, actions/effects.py): the end state is a crash-free run's, in process and on a rasa-sdk
action server alike.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from bot.config import ActionsSettings
from bot.engine import UserMessage
from bot.store import leads as store
from bot.store.models import Assessment, FunnelCount, Lead, LeadEvent, Outbox
from tests.auxil.action_server import action_server as run_action_server
from tests.auxil.runtime import Chat, ask_for_a_facilitator, make_runtime
from tests.journey.test_journey_storage import run_journey


class Crash(Exception):
    """The process dying after the actions committed, before the turn did."""


async def _crash(session, tracker, replies) -> None:
    raise Crash


def crash_every_turn_once(runtime) -> None:
    """Each message is handled twice: first crashing between the actions' commit and the turn's, then for good."""
    handle = runtime.engine.handle

    async def crash_then_redeliver(message: UserMessage, **options):
        with pytest.raises(Crash):
            await handle(message, in_transaction=_crash)
        return await handle(message, **options)

    runtime.engine.handle = crash_then_redeliver


async def _state(runtime) -> dict:
    """What the programme would see: leads, their history, assessments, funnel counts, queued messages."""
    async with runtime.sessionmaker() as s:
        funnel = sorted((f.step, f.motivation, f.count) for f in await s.scalars(select(FunnelCount)))
        return {
            "leads": len((await s.scalars(select(Lead))).all()),
            "events": Counter(e.action for e in await s.scalars(select(LeadEvent))),
            "assessments": len((await s.scalars(select(Assessment))).all()),
            "funnel": funnel,
            "outbox": Counter(o.kind for o in await s.scalars(select(Outbox))),
        }


async def _journey_and_handoff(runtime, sender_id: str) -> list[str]:
    chat = Chat(runtime, sender_id=sender_id, language="ca")
    await run_journey(chat, feedback=["2", "2"], factors=[3, 2, 2, 1, 2], relationship=[1, 2, 3, 3, 4, 4, 3, 4])
    said = [r.response for r in chat.last]
    for answer in ["/facilitator", "1", "Marta", "/skip", "/skip", "/skip", "2", "marta@riuviu.cat"]:
        await chat.send(answer)
    return [*said, *[r.response for r in chat.last]]


async def test_a_journey_and_handoff_whose_every_turn_crashed_once_end_as_without_crashes(any_runtime,
                                                                                        sqlite_url) -> None:
    crash_every_turn_once(any_runtime)
    said = await _journey_and_handoff(any_runtime, "test:crashy")
    calm = await make_runtime(sqlite_url.replace("aliat.db", "calm.db"))
    try:
        calm_said = await _journey_and_handoff(calm, "test:crashy")
        expected = await _state(calm)
    finally:
        await calm.close()
    state = await _state(any_runtime)
    assert state == expected
    assert state["leads"] == 1 and state["assessments"] == 1 and state["events"] == Counter(created=1)
    assert said == calm_said and "utter_handoff_done" in said  # not "updated": the retry made no second write


async def test_a_relayed_message_reaches_the_facilitator_once(any_runtime) -> None:
    await ask_for_a_facilitator(any_runtime, "tg:5501", "Coop Sud")
    async with any_runtime.sessionmaker() as s, s.begin():
        laia = await store.add_facilitator(session=s, telegram_user_id=7401, name="Laia")
        assert (await store.claim_lead(session=s, lead_id=1, facilitator=laia)).ok
    crash_every_turn_once(any_runtime)
    for update_id, text in [(901, "Podem parlar dijous?"), (902, "O divendres, si us va millor")]:
        await any_runtime.engine.handle(UserMessage(sender_id="tg:5501", text=text, channel="telegram",
                                                    metadata={"update_id": f"1:{update_id}"}))
    async with any_runtime.sessionmaker() as s:
        relays = [o.payload["values"]["text"] for o in await s.scalars(
            select(Outbox).where(Outbox.kind == "relay").order_by(Outbox.id))]
    assert relays == ["Podem parlar dijous?", "O divendres, si us va millor"]


@pytest.fixture
def action_server_on(sqlite_url):
    """A real `python -m rasa_sdk --actions actions` writing to the test's database."""
    with run_action_server(sqlite_url) as url:
        yield url


async def test_on_an_action_server_too(sqlite_url, action_server_on) -> None:
    runtime = await make_runtime(sqlite_url, actions=ActionsSettings(endpoint=action_server_on, timeout_seconds=10))
    try:
        crash_every_turn_once(runtime)
        chat = Chat(runtime, sender_id="http:once", language="ca")
        for said in ["/start", "/facilitator", "1", "Coop Remota", "Marta", "/skip", "/skip", "/skip", "2"]:
            await chat.send(said)
        replies = await chat.send("marta@remota.cat")
        assert replies[0].response == "utter_handoff_done"
        state = await _state(runtime)
        assert state["leads"] == 1 and state["events"] == Counter(created=1)
        assert state["outbox"] == Counter(lead_card=1)
    finally:
        await runtime.close()


async def test_one_update_handled_by_two_workers_at_once_is_relayed_once(any_runtime, database_url) -> None:
    """Two workers given the same update at the same moment (a load balancer retrying): their turns run one
    after the other on the conversation's lock, each with its actions; the relay is written once."""
    import asyncio

    await ask_for_a_facilitator(any_runtime, "tg:5601", "Coop Doble")
    async with any_runtime.sessionmaker() as s, s.begin():
        laia = await store.add_facilitator(session=s, telegram_user_id=7501, name="Laia")
        assert (await store.claim_lead(session=s, lead_id=1, facilitator=laia)).ok
    other = await make_runtime(database_url)
    try:
        message = UserMessage(sender_id="tg:5601", text="Us truco demà", channel="telegram",
                              metadata={"update_id": "1:911"})
        await asyncio.gather(any_runtime.engine.handle(message), other.engine.handle(message))
    finally:
        await other.close()
    async with any_runtime.sessionmaker() as s:
        relays = [o.payload["values"]["text"] for o in await s.scalars(select(Outbox).where(Outbox.kind == "relay"))]
    assert relays == ["Us truco demà"]
