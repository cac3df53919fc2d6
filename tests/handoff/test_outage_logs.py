"""During an outage a failure repeats every few seconds: the log gets its first occurrence (with the
traceback), then one line a minute with a count, and a line when it is over; never a traceback per try."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from bot.config import load_settings
from bot.notifier.deliverer import OutboxDeliverer
from bot.shared.logs import Repeated
from bot.store.db import create_engine, make_sessionmaker
from bot.store.outbox import OutboxKind
from tests.auxil.telegram_bot import free_port


def test_a_repeated_failure_is_one_line_a_minute_with_a_count(caplog) -> None:
    now = [0.0]
    log = logging.getLogger("test.repeated")
    repeated = Repeated(log, "thing failed", clock=lambda: now[0])
    caplog.set_level(logging.INFO, "test.repeated")
    for _ in range(150):  # every second for two and a half minutes
        repeated.failed(ConnectionRefusedError("connection refused"))
        now[0] += 1.0
    lines = [r.getMessage() for r in caplog.records]
    assert lines == ["thing failed (ConnectionRefusedError: connection refused)",
                     "thing failed again, 60 times in the last 60 s (ConnectionRefusedError: connection refused)",
                     "thing failed again, 60 times in the last 60 s (ConnectionRefusedError: connection refused)"]
    assert caplog.records[0].exc_info and not any(r.exc_info for r in caplog.records[1:])
    repeated.ok()
    assert caplog.records[-1].getMessage() == "thing failed: over, after 150 failures in 150 s"
    repeated.ok()  # nothing more while all is well
    repeated.failed(TimeoutError())  # a new outage starts a new run, with its traceback
    assert len(caplog.records) == 5 and caplog.records[-1].getMessage() == "thing failed (TimeoutError)"


async def test_the_outbox_during_a_database_outage_logs_once_not_every_round(caplog) -> None:
    settings = load_settings()
    settings = replace(settings, delivery=replace(settings.delivery, poll_interval_seconds=0.02))
    db = create_engine(f"postgresql+asyncpg://aliat@127.0.0.1:{free_port()}/aliat")  # nobody listens there
    sessions = make_sessionmaker(db)
    tries = []

    def counting_sessionmaker():
        tries.append(1)
        return sessions()

    deliverer = OutboxDeliverer(settings=settings, sessionmaker=counting_sessionmaker)  # type: ignore[arg-type]

    async def deliver(_row, _payload) -> None:  # never reached: nothing can be leased
        raise AssertionError

    deliverer.register(OutboxKind.REPLY, deliver)
    caplog.set_level(logging.INFO, "bot.notifier.deliverer")
    task = asyncio.create_task(deliverer.run_forever())
    try:
        await asyncio.sleep(1.5)
    finally:
        deliverer._stop.set()
        deliverer._wake.set()
        await asyncio.wait_for(task, 10)
        await db.dispose()
    assert len(tries) >= 10  # it kept trying, every poll interval
    lines = [r for r in caplog.records if "outbox round failed" in r.getMessage()]
    assert len(lines) == 1 and lines[0].exc_info, [r.getMessage() for r in caplog.records]
    assert "ConnectionRefusedError" in lines[0].getMessage() or "OSError" in lines[0].getMessage()
