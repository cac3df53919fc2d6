"""Telegram's sending budgets shared by every worker on one PostgreSQL database: the bot's 30 messages a
second, a group's 20 a minute, a private chat's one a second after a short burst.

Each budget is a row holding its next free time (a "theoretical arrival time", as the generic cell rate
algorithm keeps it: one timestamp, no tokens to refill). A call reserves its slot with one statement,
which moves the row on by the budget's interval and says how long to wait; the chat's or group's slot
first, then the bot's overall slot not before it. PostgreSQL's own clock, so the workers' clocks may
differ. One statement per message sent, in autocommit: about a millisecond at 30 messages a second
(bench `scale`), against the 429s that per-process budgets add up to with two workers or more.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

OVERALL = "overall"

# The chat's or group's earliest time (its last slot's, less its burst), then the bot's overall slot not
# before it, then the chat's or group's row moved on from the slot actually given: a call held back by
# the overall budget must not leave its group's next slot where it would have been.
_BOTH = text("""
WITH first AS (
    SELECT tat FROM send_budget WHERE key = :key FOR UPDATE
), overall AS (
    INSERT INTO send_budget AS b (key, tat)
    VALUES (:overall, GREATEST(statement_timestamp(), COALESCE((SELECT tat FROM first) - make_interval(secs => :tau1),
                                                               statement_timestamp())) + make_interval(secs => :t0))
    ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat + make_interval(secs => :t0), EXCLUDED.tat)
    RETURNING b.tat - make_interval(secs => :t0) AS slot
), moved AS (
    INSERT INTO send_budget AS b (key, tat) SELECT :key, overall.slot + make_interval(secs => :t1) FROM overall
    ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat + make_interval(secs => :t1), EXCLUDED.tat)
)
SELECT GREATEST(0.0, EXTRACT(EPOCH FROM slot - statement_timestamp())::float8) AS wait,
       EXTRACT(EPOCH FROM slot)::float8 AS slot
FROM overall
""")

_OVERALL = text("""
INSERT INTO send_budget AS b (key, tat) VALUES (:overall, statement_timestamp() + make_interval(secs => :t0))
ON CONFLICT (key) DO UPDATE SET tat = GREATEST(b.tat, statement_timestamp()) + make_interval(secs => :t0)
RETURNING GREATEST(0.0, EXTRACT(EPOCH FROM b.tat - statement_timestamp())::float8 - :t0) AS wait,
          EXTRACT(EPOCH FROM b.tat)::float8 - :t0 AS slot
""")


# A chat's or group's row is made once before its first slot, so that two first messages at once both wait
# for its lock (a row that is not there yet locks nothing).
_MAKE = text("INSERT INTO send_budget (key, tat) VALUES (:key, '-infinity') ON CONFLICT (key) DO NOTHING")
KNOWN_KEYS = 50_000  # rows this process knows are there; forgotten all at once past this (made again: harmless)


class SendBudget:
    """Reserves slots in the shared budgets; the caller sleeps for the seconds returned, then sends."""

    def __init__(self, engine: AsyncEngine, *, overall_interval: float) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.overall_interval = overall_interval
        self._known: set[str] = set()

    async def reserve(self, key: str | None = None, *, interval: float = 0.0, burst: int = 1) -> float:
        """Seconds to wait before sending: in `key`'s budget (one call every `interval`, `burst` at once)
        when given, and in the bot's overall one."""
        wait, _slot = await self.reserve_slot(key, interval=interval, burst=burst)
        return wait

    async def reserve_slot(self, key: str | None = None, *, interval: float = 0.0,
                           burst: int = 1) -> tuple[float, float]:
        """(seconds to wait, the slot's time on the database's clock, in epoch seconds)."""
        async with self.engine.connect() as connection:
            if key is None:
                result = await connection.execute(_OVERALL, {"overall": OVERALL, "t0": self.overall_interval})
            else:
                key = key[:64]
                if key not in self._known:
                    await connection.execute(_MAKE, {"key": key})
                    if len(self._known) >= KNOWN_KEYS:
                        self._known.clear()
                    self._known.add(key)
                result = await connection.execute(_BOTH, {
                    "key": key, "t1": interval, "tau1": interval * (burst - 1), "overall": OVERALL,
                    "t0": self.overall_interval})
            wait, slot = result.one()
            return float(wait), float(slot)


def shared(engine: AsyncEngine) -> bool:
    """Budgets are shared where several workers can share the database: PostgreSQL."""
    return engine.dialect.name == "postgresql"
