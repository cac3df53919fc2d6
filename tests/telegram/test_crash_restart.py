"""Kill -9 `aliat run` at random points of scripted conversations, 4 times in `make test` (ALIAT_CRASH_KILLS=20
for the long run: each kill is a cold start of the bot, ~1-4 s, and most of the test's time); nothing is lost
or doubled.

After the last restart: every update was handled exactly once (processed_update), every conversation
is where a crash-free run leaves it (the same slots, form and question), every reply was delivered,
and the only repeats are the at-least-once window documented in the README (a reply sent just before
the kill and not yet marked as sent is sent again after the restart).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import Counter

from sqlalchemy import func, select

from bot.store.db import create_engine, make_sessionmaker
from bot.store.models import Outbox, ProcessedUpdate
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import ROOT, Chat, make_runtime

CHATS = (5101, 5102, 5103)
SCRIPT = ["/start", "/help", "hola", "/language", "/privacy", "explorar una aliança", "Entitat de prova",
          "3", "1", "/help", "2", "/restart", "gracies"]
KILLS = int(os.environ.get("ALIAT_CRASH_KILLS", "4"))


async def _reference(tmp_path) -> tuple[dict[int, list[str]], dict[int, tuple]]:
    """The same script with no crash, straight through the engine."""
    runtime = await make_runtime(f"sqlite+aiosqlite:///{tmp_path / 'reference.db'}")
    texts, states = {}, {}
    try:
        for chat_id in CHATS:
            chat = Chat(runtime, sender_id=f"tg:{chat_id}", language="ca")
            texts[chat_id] = []
            for line in SCRIPT:
                replies = await runtime.engine.handle(__import__("bot.engine", fromlist=["UserMessage"]).UserMessage(
                    sender_id=chat.sender_id, text=line, channel="telegram", language_hint="ca"))
                texts[chat_id] += [r.text for r in replies if r.text]
            tracker = await chat.tracker()
            states[chat_id] = (tracker.slots, tracker.active_form, tracker.requested_slot, tracker.question_seq)
    finally:
        await runtime.close()
    return texts, states


async def _start_bot(fake: FakeBotApi, env: dict[str, str]) -> asyncio.subprocess.Process:
    since = len(fake.calls)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        await fake.wait_for(lambda c: c.method == "deleteWebhook", timeout=30, since=since)
    except TimeoutError:
        proc.kill()
        _out, err = await proc.communicate()
        raise AssertionError(f"the bot did not start: {err.decode()[-3000:]}") from None
    return proc


async def test_kill_9_at_random_points_loses_and_doubles_nothing(tmp_path) -> None:
    rng = random.Random(20261127)
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    reference_texts, reference_states = await _reference(tmp_path)
    pending = [(chat_id, line) for i in range(len(SCRIPT)) for chat_id in CHATS for line in [SCRIPT[i]]]
    total = len(pending)
    async with FakeBotApi() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ALIAT_"))}
        env.update({"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
                    "ALIAT_DATABASE_URL": db_url, "ALIAT_TELEGRAM__POLLING_TIMEOUT_SECONDS": "1",
                    "PTB_TIMEDELTA": "true",
                    # The updates left after the kills arrive at once (13 a chat with no kill): that is
                    # not a flood to guard against here, where what is tested is crash safety.
                    "ALIAT_TELEGRAM__FLOOD_MAX_PER_MINUTE": "0"})
        kills = 0
        while kills < KILLS:
            proc = await _start_bot(fake, env)
            for _ in range(rng.randint(1, 4)):
                if pending:
                    chat_id, line = pending.pop(0)
                    await fake.push_update(U.make_message(line, chat_id=chat_id, user_id=chat_id))
            await asyncio.sleep(rng.uniform(0.0, 0.35))
            os.kill(proc.pid, signal.SIGKILL)
            await proc.wait()
            await proc.stderr.read()
            kills += 1
        proc = await _start_bot(fake, env)
        while pending:
            chat_id, line = pending.pop(0)
            await fake.push_update(U.make_message(line, chat_id=chat_id, user_id=chat_id))
        engine = create_engine(db_url)
        sessions = make_sessionmaker(engine)
        try:
            for _ in range(900):
                async with sessions() as session:
                    handled = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
                    unsent = await session.scalar(select(func.count()).select_from(Outbox).where(
                        Outbox.kind == "reply", Outbox.status != "sent"))
                if handled == total and unsent == 0:
                    break
                await asyncio.sleep(0.1)
            assert handled == total, f"{handled} of {total} updates handled"
            if unsent:
                async with sessions() as session:
                    stuck = (await session.execute(select(Outbox.status, Outbox.attempts, Outbox.last_error,
                                                          Outbox.locked_until, Outbox.next_attempt_at).where(
                        Outbox.kind == "reply", Outbox.status != "sent"))).all()
                raise AssertionError(f"{unsent} replies never delivered: {stuck}")
            runtime = await make_runtime(db_url)
            try:
                for chat_id in CHATS:
                    tracker = await runtime.engine.peek(f"tg:{chat_id}")
                    state = (tracker.slots, tracker.active_form, tracker.requested_slot, tracker.question_seq)
                    assert state == reference_states[chat_id], f"chat {chat_id} diverged after the crashes"
            finally:
                await runtime.close()
        finally:
            await engine.dispose()
            proc.send_signal(signal.SIGTERM)
            _out, err = await asyncio.wait_for(proc.communicate(), 20)
        duplicated = 0
        for chat_id in CHATS:
            sent = [c.text for c in fake.sent_messages(chat_id)]
            missing = Counter(reference_texts[chat_id]) - Counter(sent)
            assert not missing, f"chat {chat_id}: replies lost: {list(missing)[:3]}"
            duplicated += sum((Counter(sent) - Counter(reference_texts[chat_id])).values())
        # At-least-once: a kill can only repeat the reply that was in flight at that moment.
        assert duplicated <= KILLS * 3, f"{duplicated} repeated messages for {KILLS} kills"
        print(f"\n{KILLS} kills, {total} updates, {duplicated} message(s) re-sent in the at-least-once window")
