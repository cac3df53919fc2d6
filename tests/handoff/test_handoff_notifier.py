"""The notifier: retries with backoff through a failing sender, one card per lead, resumes after a restart."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select, update

from bot.notifier import DeliveryError, Notifier
from bot.store import leads as store
from bot.store.models import Lead, Outbox
from bot.store.outbox import Relay
from tests.auxil.runtime import ask_for_a_facilitator


class FlakySender:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.sent: list[tuple[str, str]] = []
        self.edits: list[tuple[str, int]] = []

    async def send(self, address, text, buttons=None):
        if self.failures:
            self.failures -= 1
            raise DeliveryError("chat unreachable")
        self.sent.append((address, text))
        return len(self.sent)

    async def edit(self, address, message_id, text, buttons=None):
        self.edits.append((address, message_id))


async def _make_due(rt) -> None:
    async with rt.sessionmaker() as s, s.begin():
        await s.execute(update(Outbox).values(next_attempt_at=store.now_utc(), locked_until=None))


async def test_retries_then_one_card(runtime) -> None:
    chat = await ask_for_a_facilitator(runtime, "tg:801", "Coop Sud")
    settings = replace(runtime.settings, handoff=replace(runtime.settings.handoff, facilitator_chat_id="-100555"))
    sender = FlakySender(failures=2)
    notifier = Notifier(settings=settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker, sender=sender)
    assert await notifier.run_once() == 1
    async with runtime.sessionmaker() as s:
        row = await s.scalar(select(Outbox))
        assert row.status == "pending" and row.attempts == 1 and row.last_error
        assert row.next_attempt_at is not None
    assert await notifier.run_once() == 0  # backoff: not due yet
    await _make_due(runtime)
    await notifier.run_once()
    await _make_due(runtime)
    await notifier.run_once()
    assert len(sender.sent) == 1 and sender.sent[0][0] == "telegram:-100555" and "Coop Sud" in sender.sent[0][1]
    # A second request updates the lead: the card is edited, never sent again.
    await chat.send("/facilitator")
    # A "restarted" notifier (new object) finds nothing to send twice.
    again = Notifier(settings=settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker, sender=sender)
    await _make_due(runtime)
    await again.run_once()
    assert len(sender.sent) == 1 and sender.edits == [("telegram:-100555", 1)]
    async with runtime.sessionmaker() as s:
        lead = await s.scalar(select(Lead))
        assert lead.status == "notified" and lead.card_chat_id == -100555 and lead.card_message_id == 1
        assert {r.status for r in await s.scalars(select(Outbox))} == {"sent"}


async def test_partial_delivery_resumes_without_duplicates(runtime) -> None:
    await ask_for_a_facilitator(runtime, "tg:802", "Coop Sud")
    async with runtime.sessionmaker() as s, s.begin():
        await store.add_facilitator(session=s, telegram_user_id=9001, name="Laia")
        await store.add_facilitator(session=s, telegram_user_id=9002, name="Pau")

    class SecondFails(FlakySender):
        async def send(self, address, text, buttons=None):
            if address == "telegram:9002" and self.failures:
                self.failures -= 1
                raise DeliveryError("blocked")
            self.sent.append((address, text))
            return len(self.sent)

    sender = SecondFails(failures=1)
    notifier = Notifier(settings=runtime.settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker,
                        sender=sender)
    await notifier.run_once()
    await _make_due(runtime)
    await notifier.run_once()
    assert [a for a, _ in sender.sent] == ["telegram:9001", "telegram:9002"]


async def test_expired_lease_is_taken_again(runtime) -> None:
    async with runtime.sessionmaker() as s, s.begin():
        await store.add_outbox(session=s, payload=Relay(to="tg:5", text="hola"))
        await s.execute(update(Outbox).values(locked_until=store.now_utc()))  # a notifier died holding it
    sender = FlakySender(failures=0)
    notifier = Notifier(settings=runtime.settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker,
                        sender=sender)
    await notifier.run_once()
    assert sender.sent == [("tg:5", "hola")]


async def test_the_running_notifier_sends_a_reminder_not_on_every_check(runtime, monkeypatch) -> None:
    """The loop itself (not just the store logic): an unclaimed lead past its delay is announced again,
    and not again at the next checks (only after another delay)."""
    import asyncio

    from bot.notifier import notifier as notifier_module

    await ask_for_a_facilitator(runtime, "tg:803", "Coop Reminder")
    s = runtime.settings
    settings = replace(s, handoff=replace(s.handoff, facilitator_chat_id="-100556", reminder_unclaimed_hours=2 / 3600),
                       delivery=replace(s.delivery, poll_interval_seconds=0.05))
    monkeypatch.setattr(notifier_module, "REMINDER_CHECK_SECONDS", 0.2)
    sender = FlakySender(failures=0)
    notifier = Notifier(settings=settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker, sender=sender)
    notifier.start()
    try:
        for _ in range(160):  # the card, then (two seconds later, unclaimed) the reminder
            if len(sender.sent) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.8)  # four more reminder checks, within the next delay: nothing more
    finally:
        await notifier.stop()
    assert [a for a, _ in sender.sent] == ["telegram:-100556"] * 2
    card, reminder = (t for _, t in sender.sent)
    assert "Coop Reminder" in card and "Coop Reminder" in reminder and reminder != card
