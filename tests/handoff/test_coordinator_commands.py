"""Coordinators act on Telegram too (/reassign, /release, /reopen, /close with a reason), and closing without
an alliance is never one tap: the card's button explains how; /close needs the reason's number."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from bot.store import leads as store
from bot.store import staff
from bot.store.models import LeadEvent
from tests.auxil.runtime import ask_for_a_facilitator
from tests.auxil.telegram_bot import settle
from tests.auxil.updates import make_callback, make_command

GROUP = -100777
LAIA, PAU, NURIA, STRANGER = 7301, 7302, 7303, 4242


async def _lead(runtime, lead_id: int = 1):
    async with runtime.sessionmaker() as session:
        return await store.get_lead(session=session, lead_id=lead_id)


async def test_coordinators_act_on_telegram_and_closing_takes_a_reason(fake, bots) -> None:
    runtime = await bots.runtime()
    await ask_for_a_facilitator(runtime, "tg:5401", "Coop Reservada")
    async with runtime.sessionmaker() as session, session.begin():
        await store.add_facilitator(session=session, telegram_user_id=LAIA, name="Laia Vidal")
        await store.add_facilitator(session=session, telegram_user_id=PAU, name="Pau Soler")
        await staff.add_coordinator(session=session, telegram_user_id=NURIA, name="Núria", language="ca")
    s = runtime.settings
    runtime.settings = replace(s, telegram_token=fake.token, telegram_api_base_url=fake.base_url,
                               telegram=replace(s.telegram, rate_limit=False, polling_timeout_seconds=1,
                                                flood_max_per_minute=0))
    await bots.start(runtime.settings, runtime)
    # The lead's card goes out first, to each facilitator; the answers below are read after it (on a busy
    # machine the deliverer may send it after a quiet spell, so wait for the cards themselves).
    for facilitator in (LAIA, PAU):
        await fake.wait_for(lambda c, f=facilitator: c.ok and c.method == "sendMessage" and c.chat_id == f
                            and "Lead #1 ·" in (c.text or ""), timeout=15)
    await settle(fake)

    def answer_to(user: int):
        # an answer to a command, not a card or a reminder about the lead (they carry "Lead #1 ·")
        return lambda c: (c.ok and c.method == "sendMessage" and c.chat_id == user
                          and "Lead #1 ·" not in (c.text or ""))

    async def say(user: int, command: str, args: str = "") -> str:
        since = len(fake.calls)
        await fake.push_update(make_command(command, args, chat_id=user, user_id=user))
        reply = await fake.wait_for(answer_to(user), since=since)
        return reply[0].text

    # Only coordinators reassign and reopen.
    assert "coordinació del programa" in await say(LAIA, "reassign", "1 Pau")
    assert "facilitadors registrats" in await say(STRANGER, "reassign", "1 Pau")
    # Núria gives the lead to Pau by the start of his name, then to Laia by her number.
    assert "ara el té Pau Soler" in await say(NURIA, "reassign", "1 pau")
    assert (await _lead(runtime)).status == "claimed"
    assert "ara el té Laia Vidal" in await say(NURIA, "reassign", f"1 {LAIA}")
    assert "No trobo aquesta persona" in await say(NURIA, "reassign", "1 Jordi")

    # The card's "not pursued" button no longer closes: it says how, with the reasons.
    since = len(fake.calls)
    await fake.push_update(make_callback("lead:1:dropped", chat_id=GROUP, user_id=LAIA, message_id=1))
    answer = (await fake.wait_for("answerCallbackQuery", since=since))[0].params.get("text") or ""
    assert "cal dir per què" in answer
    how = await fake.wait_for(answer_to(LAIA), since=since)
    assert "/close 1 dropped" in how[0].text and "3 No responen" in how[0].text
    assert (await _lead(runtime)).status == "claimed"
    # /close without a reason: told how; with the reason's number: closed, the reason in the history.
    assert "/close 1 dropped" in await say(LAIA, "close", "1 dropped")
    assert (await _lead(runtime)).status == "claimed"
    assert "#1" in await say(LAIA, "close", "1 dropped 3 tres trucades sense resposta")
    lead = await _lead(runtime)
    assert lead.status == "closed" and lead.outcome == "not_pursued"
    async with runtime.sessionmaker() as session:
        notes = list(await session.scalars(select(LeadEvent.note).where(LeadEvent.action == "closed:not_pursued")))
    assert notes == ["[no_reply] tres trucades sense resposta"]

    # Núria reopens it (back with Laia, claimed) and releases it.
    assert "torna a estar obert" in await say(NURIA, "reopen", "1 han tornat a escriure")
    lead = await _lead(runtime)
    assert lead.status == "claimed" and lead.assignee_id is not None
    assert "torna a estar per agafar" in await say(NURIA, "release", "1")
    assert (await _lead(runtime)).status == "notified"
    assert "Ara no es pot" in await say(NURIA, "reopen", "1")  # it is open
