"""Texts over Telegram's 4,096 characters arrive whole, in pieces (issue 27, items 2 and 3).

Before, a relay (its header plus a long paste) or a long `/reply` was refused by the Bot API ("message is too
long") and dropped, while the facilitator had been told "✓ Sent"; a dossier with long notes was never sent by
Details or `/lead N` (the facilitator was told to open a private chat with the bot).
"""

from __future__ import annotations

from dataclasses import replace

from bot.notifier import Notifier
from bot.store import leads as store
from bot.telegram.deliver import TelegramTransport
from bot.telegram.sender import Sender
from bot.text.textsplit import MAX_MESSAGE, split_text
from tests.auxil.runtime import ask_for_a_facilitator
from tests.auxil.telegram_bot import deliver_until
from tests.auxil.updates import make_callback, make_command, make_message

GROUP = -100778
ENTITY = 1101
LAIA = 7101


def _lines(prefix: str, total: int) -> tuple[str, list[str]]:
    """A text of about `total` characters in numbered lines, and the lines (to find them all, in order)."""
    lines, size = [], 0
    while size < total:
        line = f"{prefix} {len(lines):03d}: el projecte comú de les tres entitats del barri"
        lines.append(line)
        size += len(line) + 1
    text = "\n".join(lines)[:total]
    return text, [line for line in lines if line in text]


def _in_order(received: str, lines: list[str]) -> bool:
    at = 0
    for line in lines:
        at = received.find(line, at)
        if at < 0:
            return False
    return True


async def _started(fake, bots):
    runtime = await bots.runtime()
    s = runtime.settings
    settings = replace(s, telegram_token=fake.token, telegram_api_base_url=fake.base_url,
                       telegram=replace(s.telegram, rate_limit=False, polling_timeout_seconds=1,
                                        flood_max_per_minute=0),
                       handoff=replace(s.handoff, facilitator_chat_id=str(GROUP)))
    runtime.settings = settings
    async with runtime.sessionmaker() as session, session.begin():
        await store.add_facilitator(session=session, telegram_user_id=LAIA, name="Laia")
    await ask_for_a_facilitator(runtime, f"tg:{ENTITY}", "Coop Llarga")
    app = await bots.start(settings, runtime)
    notifier = Notifier(settings=settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker,
                        sender=TelegramTransport(app.bot, Sender(max_retries=2, pace=False)))
    return runtime, notifier



async def test_a_long_paste_and_a_long_reply_arrive_whole(fake, bots) -> None:
    runtime, notifier = await _started(fake, bots)
    async with runtime.sessionmaker() as session, session.begin():
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
        assert (await store.claim_lead(session=session, lead_id=1, facilitator=laia)).ok

    # The entity pastes a text as long as Telegram lets anyone send: with the relay's header, it is longer.
    paste, lines = _lines("Línia", MAX_MESSAGE)
    since = len(fake.calls)
    await fake.push_update(make_message(paste, chat_id=ENTITY, user_id=ENTITY))
    await fake.wait_updates_consumed()

    def to_laia() -> str:
        return "\n".join(c.text or "" for c in fake.calls[since:]
                         if c.ok and c.method == "sendMessage" and c.chat_id == LAIA)

    await deliver_until(notifier, lambda: _in_order(to_laia(), lines))
    assert _in_order(to_laia(), lines), "the paste did not reach the facilitator whole"
    assert "Coop Llarga" in to_laia()
    assert not [c for c in fake.calls[since:] if c.chat_id == LAIA and not c.ok]

    # The facilitator answers at length with /reply: the entity gets all of it, and "✓" only once it is queued.
    answer, answer_lines = _lines("Resposta", 4000)
    since = len(fake.calls)
    await fake.push_update(make_command("reply", f"1 {answer}", chat_id=LAIA, user_id=LAIA))

    def to_entity() -> str:
        return "\n".join(c.text or "" for c in fake.calls[since:]
                         if c.ok and c.method == "sendMessage" and c.chat_id == ENTITY)

    await deliver_until(notifier, lambda: _in_order(to_entity(), answer_lines))
    assert _in_order(to_entity(), answer_lines), "the /reply did not reach the entity whole"
    assert "Laia" in to_entity()
    assert not [c for c in fake.calls[since:] if c.chat_id == ENTITY and not c.ok]


async def test_a_long_dossier_reaches_the_facilitator_by_details_and_by_lead(fake, bots) -> None:
    runtime, notifier = await _started(fake, bots)
    note, note_lines = _lines("Nota", 1500)
    async with runtime.sessionmaker() as session, session.begin():
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
        for _ in range(4):  # 6,000 characters of notes: the dossier is well over one message
            assert await store.add_note(session=session, lead_id=1, facilitator=laia, note=note)

    def private_since(since: int) -> str:
        return "\n".join(c.text or "" for c in fake.calls[since:]
                         if c.ok and c.method == "sendMessage" and c.chat_id == LAIA)

    # Details on the card in the group: the dossier goes to the facilitator's private chat, whole.
    since = len(fake.calls)
    await fake.push_update(make_callback("lead:1:details", chat_id=GROUP, user_id=LAIA, message_id=1))
    answer = (await fake.wait_for("answerCallbackQuery", since=since))[0]
    assert "Obre primer" not in (answer.params.get("text") or "")  # not "open a private chat with me first"
    received = private_since(since)
    assert "Coop Llarga" in received and received.count(note_lines[-1]) == 4
    assert not [c for c in fake.calls[since:] if c.chat_id == LAIA and not c.ok]

    # `/lead 1` in the group: the same.
    since = len(fake.calls)
    await fake.push_update(make_command("lead", "1", chat_id=GROUP, user_id=LAIA, chat_type="supergroup"))
    await fake.wait_updates_consumed()
    await deliver_until(notifier, lambda: private_since(since).count(note_lines[-1]) == 4)
    assert private_since(since).count(note_lines[-1]) == 4
    assert not [c for c in fake.calls[since:] if c.chat_id == LAIA and not c.ok]


def test_the_splitter_keeps_every_line_and_the_limit() -> None:
    text, lines = _lines("Línia", 3 * MAX_MESSAGE)
    pieces = split_text(text)
    assert len(pieces) == 4 and all(len(p) <= MAX_MESSAGE for p in pieces)
    assert _in_order("\n".join(pieces), lines)
    assert all(p.split("\n")[-1] in lines for p in pieces[:-1])  # cut at a line's end, never mid-line


async def test_a_reply_that_can_never_arrive_is_reported_to_its_facilitator(fake, bots) -> None:
    """"✓ Sent" is said when the words are queued; if the entity's chat refuses them for good, the
    facilitator hears it, instead of believing they arrived."""
    runtime, notifier = await _started(fake, bots)
    async with runtime.sessionmaker() as session, session.begin():
        laia = await store.get_facilitator(session=session, telegram_user_id=LAIA)
        assert (await store.claim_lead(session=session, lead_id=1, facilitator=laia)).ok
    await deliver_until(notifier, lambda: any(c.chat_id == ENTITY for c in fake.sent_messages()))
    fake.block(ENTITY)
    since = len(fake.calls)
    await fake.push_update(make_command("reply", "1 Ens veiem dijous a les 10", chat_id=LAIA, user_id=LAIA))

    def told() -> bool:
        return any("no ha arribat" in (c.text or "") for c in fake.sent_messages(LAIA) if fake.calls.index(c) >= since)

    await deliver_until(notifier, told)
    assert told()
