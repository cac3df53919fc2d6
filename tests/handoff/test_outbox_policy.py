"""One retry policy for every row of the outbox, and one deliverer that leases only the kinds it can send."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from bot.notifier import ConsoleSender, DeliveryError, Notifier
from bot.shared.backoff import Backoff
from bot.store import outbox
from bot.store.clock import now_utc
from bot.store.models import Outbox


@dataclass
class Policy:
    retry_base_seconds: float = 2
    retry_max_seconds: float = 600
    max_attempts: int = 0


def test_backoff_doubles_up_to_the_maximum_and_never_gives_up_by_default() -> None:
    delays = [outbox.retry_policy(Policy(), attempts) for attempts in (1, 2, 3, 10, 1000)]
    assert delays == [(False, 2.0), (False, 4.0), (False, 8.0), (False, 600.0), (False, 600.0)]


def test_telegram_s_wait_a_limit_and_a_permanent_failure() -> None:
    assert outbox.retry_policy(Policy(), 3, retry_after=17) == (False, 17.0)
    assert outbox.retry_policy(Policy(max_attempts=3), 2) == (False, 4.0)
    assert outbox.retry_policy(Policy(max_attempts=3), 3)[0] is True
    assert outbox.retry_policy(Policy(), 1, permanent=True)[0] is True


async def test_a_deliverer_without_telegram_leaves_the_replies_to_the_bot(runtime) -> None:
    async with runtime.sessionmaker() as s, s.begin():
        await outbox.add_outbox(session=s, payload=outbox.Reply(chat_id=5))
        await outbox.add_outbox(session=s, payload=outbox.Relay(to="tg:5", text="hola"))
    out = io.StringIO()
    notifier = Notifier.from_runtime(runtime, ConsoleSender(out))
    assert "reply" not in notifier.kinds
    assert await notifier.run_once() == 1 and "hola" in out.getvalue()
    async with runtime.sessionmaker() as s:
        statuses = {r.kind: r.status for r in await s.scalars(select(Outbox))}
    assert statuses == {"reply": "pending", "relay": "sent"}


async def test_a_permanent_failure_gives_up_a_relay_at_once(runtime) -> None:
    class Blocked(ConsoleSender):
        async def send(self, address, text, buttons=None):
            raise DeliveryError("forbidden", permanent=True)

    async with runtime.sessionmaker() as s, s.begin():
        await outbox.add_outbox(session=s, payload=outbox.Relay(to="tg:5", text="hola"))
    notifier = Notifier.from_runtime(runtime, Blocked(io.StringIO()))
    await notifier.run_once()
    async with runtime.sessionmaker() as s, s.begin():
        row = await s.scalar(select(Outbox))
        assert row.status == "failed" and row.attempts == 1
        await s.execute(update(Outbox).values(next_attempt_at=now_utc()))
    assert await notifier.run_once() == 0  # given up: never taken again


async def test_sent_rows_are_purged_after_a_while_but_a_lead_card_stays(runtime) -> None:
    async with runtime.sessionmaker() as s, s.begin():
        for payload in (outbox.Relay(to="tg:5"), outbox.LeadCard(lead_id=1), outbox.Relay(to="tg:6")):
            await outbox.add_outbox(session=s, payload=payload)
        rows = list(await s.scalars(select(Outbox).order_by(Outbox.id)))
        long_ago = now_utc().replace(year=2020)
        await s.execute(update(Outbox).where(Outbox.id.in_([r.id for r in rows[:2]]))
                        .values(status="sent", sent_at=long_ago))
    assert await outbox.purge_sent(sessionmaker=runtime.sessionmaker, older_than_days=7) == 1
    async with runtime.sessionmaker() as s:
        assert [r.kind for r in await s.scalars(select(Outbox).order_by(Outbox.id))] == ["lead_card", "relay"]


def test_one_backoff_doubles_up_to_its_cap_with_jitter_inside_its_bounds() -> None:
    plain = Backoff(0.5, 30)
    assert [plain.delay(n) for n in (1, 2, 3, 7, 8, 5000)] == [0.5, 1.0, 2.0, 30, 30, 30]  # never an overflow
    jittered = Backoff(1, 8, jitter=0.5)
    assert jittered.delay(1, rng=lambda: 0.0) == 0.5 and jittered.delay(4, rng=lambda: 0.999) < 12
    assert jittered.delay(10, rng=lambda: 0.5) == 8  # the middle of the draw is the plain wait


def test_the_outbox_vocabulary_keeps_the_stored_kinds_and_loses_nothing_of_a_payload() -> None:
    # the kinds' values are the strings rows were written with before the enum: no data migration
    assert {k.value for k in outbox.OutboxKind} == {
        "reply", "lead_card", "lead_reminder", "lead_refresh", "assignee_reminder", "coordinator_alert",
        "follow_up_reminder", "relay", "entity_message", "match_intro", "match_contacts", "match_notice"}
    assert set(outbox.PAYLOADS) == set(outbox.OutboxKind) and outbox.OutboxKind.RELAY == "relay"
    # a facilitator's words, as a row stores them ("from" is not a Python name), and back, with a key this
    # version does not know kept as it was
    stored = {"to": "tg:5", "text": "Hola", "from": "tg:9", "from_lang": "es", "copy": {"from_chat_id": 5,
              "message_id": 7}, "delivered": [{"to": "tg:5", "message_id": 3, "lang": ""}], "someday": 1}
    message = outbox.EntityMessage.from_dict(stored)
    assert message.from_address == "tg:9" and message.copy == {"from_chat_id": 5, "message_id": 7}
    assert message.extra == {"someday": 1} and message.to_dict() == stored
    assert outbox.LeadRefresh(lead_id=3).to_dict() == {"lead_id": 3}  # defaults are not written
    with pytest.raises(TypeError):
        outbox.LeadCard.from_dict({"why": "unclaimed"})  # a row without its lead fails like a delivery
    # a reply always carries how far it went: readers of the stored row count on `done`
    assert outbox.Reply(chat_id=5, update_id=1).to_dict() == {
        "chat_id": 5, "update_id": 1, "edit": None, "done": 0, "edit_done": False, "messages": []}
