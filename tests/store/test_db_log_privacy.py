"""A database error never carries the values being written into the logs (issue 27, item 4).

SQLAlchemy puts a failed statement's parameters in its exception's text, which `log.exception` and the
outbox's `last_error` keep: a contact's name or a message's text landed in the logs. The engine is built
with `hide_parameters`.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy.exc import DBAPIError

from bot.store.models import Entity

SECRET = "Joana Secreta Puig"


async def test_a_failed_write_logs_no_parameters(any_runtime, caplog) -> None:
    log = logging.getLogger("bot.store")
    with pytest.raises(DBAPIError) as raised:
        async with any_runtime.sessionmaker() as s, s.begin():
            # a conversation that does not exist: the foreign key refuses the row, on both databases
            s.add(Entity(conversation_id=987654, name="Coop", contact_name=SECRET, contact_email="joana@secret.cat"))
            await s.flush()
    with caplog.at_level(logging.DEBUG):
        log.error("write failed", exc_info=raised.value)
    assert "conversation" in caplog.text.lower() or "foreign" in caplog.text.lower()  # the error is there
    assert SECRET not in caplog.text and "joana@secret.cat" not in caplog.text
    assert SECRET not in str(raised.value)


def test_libraries_that_would_log_what_people_wrote_stay_at_warning() -> None:
    """Checked the other loggers too: SQL parameters, HTTP bodies, and rasa-sdk's dump of an ignored event."""
    from bot.app.runtime import quiet_third_party_loggers

    quiet_third_party_loggers()
    for name in ("sqlalchemy.engine", "asyncpg", "aiosqlite", "httpx", "rasa_sdk.executor", "rasa_sdk.endpoint"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
