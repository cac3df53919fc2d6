"""/healthz and /readyz: ready when the database answers at head, Telegram was heard from and the
outbox moves; 503 naming the failed check otherwise, and ready again once the fault is gone."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.store.leads import now_utc
from bot.store.models import Outbox
from bot.web import create_app, start
from tests.auxil.ops import get, with_ops
from tests.auxil.runtime import PG_URL, make_runtime, reset_postgres
from tests.auxil.tcp_proxy import TcpProxy


class Clock:
    """What the poller would set: the time Telegram was last heard from."""

    def __init__(self) -> None:
        self.seen: float | None = time.monotonic()

    def __call__(self) -> float | None:
        return self.seen


async def _serve(runtime, seen=None):
    runtime.settings = with_ops(runtime.settings, metrics=False)
    runner = await start(create_app(runtime, telegram_seen=seen), "127.0.0.1", runtime.settings.ops.port)
    return runner, f"http://127.0.0.1:{runtime.settings.ops.port}"


async def _until(url: str, status: int, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while True:
        got, body = await get(url)
        if got == status or time.monotonic() > deadline:
            return got, body


async def test_ready_then_each_check_fails_alone_and_recovers(runtime) -> None:
    clock = Clock()
    runner, base = await _serve(runtime, clock)
    try:
        assert await get(f"{base}/healthz") == (200, {"status": "ok"})
        status, body = await get(f"{base}/readyz")
        assert status == 200 and body["status"] == "ok", body
        assert set(body["checks"]) == {"database", "migrations", "outbox", "telegram"}

        clock.seen = time.monotonic() - runtime.settings.ops.telegram_seen_seconds - 1  # the poller is stuck
        status, body = await get(f"{base}/readyz")
        assert status == 503 and not body["checks"]["telegram"]["ok"] and body["checks"]["database"]["ok"]
        clock.seen = time.monotonic()
        assert (await get(f"{base}/readyz"))[0] == 200

        async with runtime.sessionmaker() as session:  # a lead card waiting for two hours
            session.add(Outbox(kind="lead_card", dedup_key="stuck", payload={}, status="pending",
                               next_attempt_at=now_utc(), created_at=now_utc() - timedelta(hours=2)))
            await session.commit()
        status, body = await get(f"{base}/readyz")
        assert status == 503 and not body["checks"]["outbox"]["ok"]
        assert body["checks"]["outbox"]["oldest_pending_seconds"] >= 7200
        async with runtime.sessionmaker() as session:
            await session.execute(text("UPDATE outbox SET status = 'sent' WHERE dedup_key = 'stuck'"))
            await session.commit()
        assert (await get(f"{base}/readyz"))[0] == 200

        async with runtime.sessionmaker() as session:  # a database from an older release, not migrated
            await session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
            await session.commit()
        status, body = await get(f"{base}/readyz")
        assert status == 503 and body["checks"]["migrations"] == {
            "ok": False, "current": ["older"], "head": body["checks"]["migrations"]["head"]}
    finally:
        await runner.cleanup()


async def test_without_a_telegram_clock_telegram_is_not_checked(runtime) -> None:
    runner, base = await _serve(runtime)
    try:
        status, body = await get(f"{base}/readyz")
        assert status == 200 and "telegram" not in body["checks"]
    finally:
        await runner.cleanup()


async def test_sqlite_file_gone_is_not_ready_and_ready_when_it_returns(runtime) -> None:
    """The file deleted or its volume unmounted under the running bot: the open connections would go on
    writing to a file nobody sees again."""
    path = make_url(runtime.settings.database_url).database
    runner, base = await _serve(runtime, Clock())
    try:
        assert (await get(f"{base}/readyz"))[0] == 200
        os.rename(path, f"{path}.away")
        status, body = await get(f"{base}/readyz")
        assert status == 503 and body["checks"]["database"] == {"ok": False, "error": "database file missing"}
        os.rename(f"{path}.away", path)
        assert (await get(f"{base}/readyz"))[0] == 200
    finally:
        await runner.cleanup()


async def test_sqlite_not_answering_in_time_is_not_ready(runtime, monkeypatch) -> None:
    """A database that hangs (a disk stalled, a lock never released) counts as down after
    ops.check_timeout_seconds, and the probe itself does not hang."""
    from bot.web import health

    real = health.Readiness._facts

    async def stalled(self):
        await asyncio.sleep(30)

    runner, base = await _serve(runtime, Clock())
    runtime.settings = replace(runtime.settings, ops=replace(runtime.settings.ops, check_timeout_seconds=0.3))
    try:
        monkeypatch.setattr(health.Readiness, "_facts", stalled)
        started = time.monotonic()
        status, body = await get(f"{base}/readyz")
        assert status == 503 and body["checks"]["database"] == {"ok": False, "error": "no answer within 0.3s"}
        assert time.monotonic() - started < 3
        monkeypatch.setattr(health.Readiness, "_facts", real)
        assert (await get(f"{base}/readyz"))[0] == 200
    finally:
        await runner.cleanup()


@pytest.mark.skipif(not PG_URL, reason="ALIAT_TEST_DATABASE_URL not set (PostgreSQL)")
async def test_postgresql_down_is_not_ready_and_ready_when_it_returns() -> None:
    url = make_url(PG_URL)
    await reset_postgres(PG_URL)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    runtime = await make_runtime(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    runner, base = await _serve(runtime, Clock())
    try:
        assert (await get(f"{base}/readyz"))[0] == 200
        proxy.cut()  # every pooled connection dies
        proxy.accepting = False  # and the server cannot be reached
        status, body = await get(f"{base}/readyz")
        assert status == 503 and not body["checks"]["database"]["ok"], body
        assert set(body["checks"]) == {"database", "telegram"}
        proxy.accepting = True  # back
        status, body = await _until(f"{base}/readyz", 200)
        assert status == 200, body
    finally:
        await runner.cleanup()
        await runtime.close()
        await proxy.stop()
