"""Housekeeping that runs inside `aliat run` (hourly) and on demand: retention and pruning."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete

from bot.app.runtime import Runtime
from bot.shared.chart_files import purge_charts
from bot.store.db import checkpoint
from bot.store.models import ActionEffect, ProcessedUpdate
from bot.store.outbox import purge_sent
from bot.store.privacy import purge_expired
from bot.store.workshops import end_abandoned_workshops, purge_workshops

log = logging.getLogger(__name__)
# Sent outbox rows hold message texts; they are kept only long enough to answer a retry question.
KEEP_SENT_MESSAGES = timedelta(days=7)
# Charts are sent right after they are drawn; a day covers a delivery retried after an outage.
KEEP_CHARTS = timedelta(days=1)
# Telegram does not redeliver updates older than a day; a week is ample.
KEEP_PROCESSED_UPDATES = timedelta(days=7)
# A workshop is a session of an hour or two; one still running after this was left without an End.
ABANDONED_WORKSHOP = timedelta(hours=12)


async def run_maintenance(runtime: Runtime, *, now: datetime | None = None) -> dict[str, int]:
    """Purge what is past retention; each part in its own transaction so one failure does not stop the rest."""
    now = now or datetime.now(UTC)
    done: dict[str, int] = {}
    retention = runtime.settings.retention
    async with runtime.sessionmaker() as session:
        done["conversations"] = await purge_expired(session=session, older_than_days=retention.conversation_days,
                                                    now=now)
        await session.commit()
    async with runtime.sessionmaker() as session:
        done["abandoned_workshops"] = await end_abandoned_workshops(session=session,
                                                                    started_before=now - ABANDONED_WORKSHOP)
        done["workshops"] = await purge_workshops(session=session, older_than_days=retention.workshop_days, now=now)
        await session.commit()
    done["sent_messages"] = await purge_sent(sessionmaker=runtime.sessionmaker, now=now,
                                             older_than_days=KEEP_SENT_MESSAGES.total_seconds() / 86400)
    async with runtime.sessionmaker() as session:
        result = await session.execute(delete(ProcessedUpdate).where(
            ProcessedUpdate.handled_at < now - KEEP_PROCESSED_UPDATES))
        done["processed_updates"] = result.rowcount or 0
        # an action's effect key is needed as long as its update could come again
        result = await session.execute(delete(ActionEffect).where(
            ActionEffect.created_at < now - KEEP_PROCESSED_UPDATES))
        done["action_effects"] = result.rowcount or 0
        await session.commit()
    await checkpoint(runtime.db)  # SQLite: no copy of what was purged stays in the -wal file
    done["charts"] = purge_charts(older_than_seconds=KEEP_CHARTS.total_seconds(), now=now.timestamp())
    return done


def start_maintenance(runtime: Runtime, interval_seconds: float = 3600) -> asyncio.Task[None]:
    async def loop() -> None:
        while True:
            try:
                done = await run_maintenance(runtime)
                log.info("maintenance: %s", done)
            except Exception:  # housekeeping must never take the bot down
                log.exception("maintenance failed")
            await asyncio.sleep(interval_seconds)

    return asyncio.get_running_loop().create_task(loop(), name="aliat-maintenance")


async def stop_maintenance(task: asyncio.Task[None] | None) -> None:
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
