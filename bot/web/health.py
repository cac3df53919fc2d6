"""Readiness: the database answers, its migrations are at head, Telegram was heard from lately, and
nothing has waited in the outbox too long. Each check says why it failed; an orchestrator or a
monitor reads the JSON, a person reads the same.

Liveness (/healthz) is the event loop answering at all; readiness (/readyz) is whether the bot can do
its job now. A database down for a moment makes the bot not ready, not dead: restarting it would not
help, so the container's HEALTHCHECK uses /healthz.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from bot.app.runtime import Runtime
from bot.store.clock import aware, now_utc
from bot.store.migrate import head_revision
from bot.store.models import Outbox

log = logging.getLogger(__name__)

TelegramSeen = Callable[[], float | None]  # time.monotonic() of the last word from Telegram, or None


class Readiness:
    """The checks of /readyz for one runtime; logs when the answer changes (not at every probe)."""

    def __init__(self, runtime: Runtime, *, telegram_seen: TelegramSeen | None = None) -> None:
        self.runtime = runtime
        self.telegram_seen = telegram_seen
        self.started = time.monotonic()  # "not heard from yet" counts from here
        self._was_ready: bool | None = None

    async def check(self) -> tuple[bool, dict[str, Any]]:
        checks = await self._database_checks()
        if self.telegram_seen is not None:
            checks["telegram"] = self._telegram_check()
        ready = all(c["ok"] for c in checks.values())
        if ready != self._was_ready:
            failed = sorted(name for name, c in checks.items() if not c["ok"])
            if ready:
                log.info("ready")
            else:
                log.warning("not ready: %s", ", ".join(failed))
            self._was_ready = ready
        return ready, {"status": "ok" if ready else "fail", "checks": checks}

    def _telegram_check(self) -> dict[str, Any]:
        assert self.telegram_seen is not None
        limit = self.runtime.settings.ops.telegram_seen_seconds
        seen = self.telegram_seen()
        age = time.monotonic() - (seen if seen is not None else self.started)
        check: dict[str, Any] = {"ok": age <= limit, "seconds_since": round(age, 1), "limit": limit}
        if seen is None:
            check["note"] = "not heard from since start-up"
        return check

    async def _database_checks(self) -> dict[str, Any]:
        ops = self.runtime.settings.ops
        if self._sqlite_file_missing():
            return {"database": {"ok": False, "error": "database file missing"}}
        try:
            versions, oldest = await asyncio.wait_for(self._facts(), ops.check_timeout_seconds)
        except TimeoutError:
            return {"database": {"ok": False, "error": f"no answer within {ops.check_timeout_seconds:g}s"}}
        except Exception as exc:
            return {"database": {"ok": False, "error": type(exc).__name__}}
        head = head_revision()
        age = 0.0 if oldest is None else max(0.0, (now_utc() - oldest).total_seconds())
        return {
            "database": {"ok": True},
            "migrations": {"ok": versions == [head], "current": versions, "head": head},
            "outbox": {"ok": age <= ops.outbox_oldest_seconds, "oldest_pending_seconds": round(age, 1),
                       "limit": ops.outbox_oldest_seconds},
        }

    async def _facts(self) -> tuple[list[str], Any]:
        async with self.runtime.sessionmaker() as session:
            versions = list((await session.execute(text("SELECT version_num FROM alembic_version"))).scalars())
            oldest = await session.scalar(select(func.min(Outbox.created_at)).where(Outbox.status == "pending"))
        return versions, aware(oldest)

    def _sqlite_file_missing(self) -> bool:
        """An SQLite file deleted or unmounted under a running bot: its open connections still work, on a
        file nobody will see again. Readiness says so before the data written meanwhile is lost."""
        url = make_url(self.runtime.settings.resolved_database_url())
        if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
            return False
        return not Path(url.database).exists()
