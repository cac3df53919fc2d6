"""Two `aliat run` processes in webhook mode on one PostgreSQL database, updates spread over both (as a
reverse proxy would), some delivered to both: each update handled once, no conversation corrupted."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
from collections import Counter

import aiohttp
import pytest
from sqlalchemy import func, select

from bot.engine import UserMessage
from bot.store.db import create_engine, make_sessionmaker
from bot.store.models import Outbox, ProcessedUpdate
from tests.auxil import updates as U
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.runtime import PG_URL, ROOT, make_runtime, reset_postgres
from tests.auxil.telegram_bot import WEBHOOK_SECRET, free_port

pytestmark = pytest.mark.skipif(not PG_URL, reason="ALIAT_TEST_DATABASE_URL not set (PostgreSQL)")
CHATS = (7201, 7202, 7203, 7204)
SCRIPT = ["/start", "/help", "hola", "explorar una aliança", "Casal Obert", "2", "3", "/back", "1", "/privacy"]


async def _reference() -> tuple[dict[int, list[str]], dict[int, tuple]]:
    await reset_postgres(PG_URL)
    runtime = await make_runtime(PG_URL)
    texts, states = {}, {}
    try:
        for chat_id in CHATS:
            texts[chat_id] = []
            for line in SCRIPT:
                replies = await runtime.engine.handle(UserMessage(sender_id=f"ref:{chat_id}", text=line,
                                                                  channel="telegram", language_hint="ca"))
                texts[chat_id] += [r.text for r in replies if r.text]
            t = await runtime.engine.peek(f"ref:{chat_id}")
            states[chat_id] = (t.slots, t.active_form, t.requested_slot, t.question_seq)
    finally:
        await runtime.close()
    await reset_postgres(PG_URL)
    return texts, states


async def _worker(fake: FakeBotApi, port: int) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ALIAT_"))}
    env.update({"TELEGRAM_BOT_TOKEN": fake.token, "TELEGRAM_API_BASE_URL": fake.base_url,
                "ALIAT_DATABASE_URL": PG_URL, "ALIAT_WEBHOOK_URL": f"http://127.0.0.1:{port}/tg",
                "ALIAT_WEBHOOK_SECRET": WEBHOOK_SECRET, "ALIAT_TELEGRAM__WEBHOOK_LISTEN": "127.0.0.1",
                "ALIAT_TELEGRAM__WEBHOOK_PORT": str(port), "ALIAT_TELEGRAM__WEBHOOK_PATH": "tg",
                "ALIAT_TELEGRAM__RATE_LIMIT": "false", "PTB_TIMEDELTA": "true"})
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=ROOT, env=env,
                                                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)


async def _wait_healthy(http: aiohttp.ClientSession, port: int, proc) -> None:
    for _ in range(300):
        if proc.returncode is not None:
            raise AssertionError((await proc.stderr.read()).decode()[-2000:])
        try:
            async with http.get(f"http://127.0.0.1:{port}/healthz") as resp:
                if resp.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("worker did not start")


async def test_two_webhook_workers_share_one_postgresql(tmp_path) -> None:
    reference_texts, reference_states = await _reference()
    rng = random.Random(11)
    async with FakeBotApi() as fake, aiohttp.ClientSession() as http:
        ports = [free_port(), free_port()]
        procs = [await _worker(fake, port) for port in ports]
        try:
            await asyncio.gather(*(_wait_healthy(http, port, proc) for port, proc in zip(ports, procs, strict=True)))
            headers = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            next_id = iter(range(500_000, 600_000))
            duplicates_posted = 0

            async def post(port: int, update: dict) -> int:
                async with http.post(f"http://127.0.0.1:{port}/tg", json=update, headers=headers) as resp:
                    return resp.status

            async def play(chat_id: int) -> None:
                nonlocal duplicates_posted
                for line in SCRIPT:
                    update = U.make_message(line, chat_id=chat_id, user_id=chat_id, update_id=next(next_id))
                    if rng.random() < 0.3:  # delivered to both workers at once
                        duplicates_posted += 1
                        statuses = await asyncio.gather(post(ports[0], update), post(ports[1], update))
                    else:
                        statuses = [await post(rng.choice(ports), update)]
                    assert all(s == 200 for s in statuses), statuses

            await asyncio.gather(*(play(chat_id) for chat_id in CHATS))
            assert duplicates_posted > 0
            engine = create_engine(PG_URL)
            try:
                for _ in range(200):
                    async with make_sessionmaker(engine)() as session:
                        unsent = await session.scalar(select(func.count()).select_from(Outbox).where(
                            Outbox.kind == "reply", Outbox.status != "sent"))
                        handled = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
                    if unsent == 0:
                        break
                    await asyncio.sleep(0.1)
                assert unsent == 0
                assert handled == len(CHATS) * len(SCRIPT)
            finally:
                await engine.dispose()
            runtime = await make_runtime(PG_URL)
            try:
                for chat_id in CHATS:
                    t = await runtime.engine.peek(f"tg:{chat_id}")
                    assert (t.slots, t.active_form, t.requested_slot, t.question_seq) == reference_states[chat_id]
            finally:
                await runtime.close()
            for chat_id in CHATS:
                sent = [c.text for c in fake.sent_messages(chat_id)]
                assert Counter(sent) == Counter(reference_texts[chat_id]), f"chat {chat_id}"
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                _out, err = await asyncio.wait_for(proc.communicate(), 20)
                assert proc.returncode == 0, err.decode()[-2000:]
