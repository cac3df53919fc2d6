"""Log lines: text for a terminal, or one JSON object a line for a log collector (`logging.format`).

A JSON line has `time`, `level`, `logger`, `message` and, while an update is being handled, its
`update_id` (kept in a context variable set first thing for every update, so the lines of its turn,
its delivery and any error carry it). Messages are our own log calls, which name ids only: never a
message text or a contact detail (tests/engine/test_hostile_input.py, tests/web/test_ops_run.py).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

UPDATE_ID: ContextVar[int | None] = ContextVar("aliat_update_id", default=None)
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


async def remember_update_id(update: Any, _context: Any) -> None:
    """A python-telegram-bot TypeHandler callback, run before any other handler of an update."""
    UPDATE_ID.set(getattr(update, "update_id", None))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        update_id = getattr(record, "update_id", None)
        if update_id is None:
            update_id = UPDATE_ID.get()
        if update_id is not None:
            entry["update_id"] = update_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure(level: str, fmt: str) -> None:
    """The root logger's one handler on stderr, in the chosen format."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=level.upper(), handlers=[handler])


class Repeated:
    """One failure that may repeat every few seconds for as long as an outage lasts (the outbox's round, a
    lease renewal, a scrape): its first occurrence is logged with its traceback, then at most one line a
    minute with how many times it happened meanwhile, and one line when it stops.

        rounds = Repeated(log, "outbox round failed")
        try: ...; rounds.ok()
        except Exception as exc: rounds.failed(exc)
    """

    def __init__(self, logger: logging.Logger, what: str, *, every: float = 60.0, level: int = logging.ERROR,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.logger, self.what, self.every, self.level, self.clock = logger, what, every, level, clock
        self.since: float | None = None  # when this run of failures began
        self.last_line = 0.0
        self.unreported = 0  # failures since the last line
        self.total = 0

    def failed(self, exc: BaseException | None = None) -> None:
        now = self.clock()
        self.total += 1
        if self.since is None:
            self.since, self.last_line, self.unreported = now, now, 0
            self.logger.log(self.level, "%s (%s)", self.what, _summary(exc), exc_info=exc)
            return
        self.unreported += 1
        if now - self.last_line >= self.every:
            self.logger.log(self.level, "%s again, %s times in the last %.0f s (%s)", self.what, self.unreported,
                            now - self.last_line, _summary(exc))
            self.last_line, self.unreported = now, 0

    def ok(self) -> None:
        if self.since is not None:
            self.logger.warning("%s: over, after %s failures in %.0f s", self.what, self.total,
                                self.clock() - self.since)
            self.since, self.total, self.unreported = None, 0, 0


def _summary(exc: BaseException | None) -> str:
    if exc is None:
        return "no detail"
    words = " ".join(str(exc).split())[:200]
    return f"{type(exc).__name__}: {words}" if words else type(exc).__name__
