"""Log lines: text for a terminal, or one JSON object a line for a log collector (`logging.format`).

A JSON line has `time`, `level`, `logger`, `message` and, while an update is being handled, its
`update_id` (kept in a context variable set first thing for every update, so the lines of its turn,
its delivery and any error carry it). Messages are our own log calls, which name ids only: never a
message text or a contact detail (tests/engine/test_hostile_input.py, tests/web/test_ops_run.py).
"""

from __future__ import annotations

import json
import logging
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
