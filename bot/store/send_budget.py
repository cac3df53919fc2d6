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

# The chat's or group's row locked and its earliest time read (its next free time less its burst), then
# the bot's slot given not before it (GCRA: from the overall row's next free time less its burst), then
# the chat's or group's row moved on from the slot actually given: a call held back by the overall budget
# must not leave its group's next slot where it would have been.
_BOTH = text("""
WITH first AS (
    SELECT tat - make_interval(secs => :tau1) AS earliest FROM send_budget WHERE key = :key FOR UPDATE
), overall AS (
    UPDATE send_budget AS b
    SET tat = GREATEST(b.tat, statement_timestamp(), (SELECT earliest FROM first)) + make_interval(secs => :t0)
    WHERE key = :overall
    RETURNING GREATEST(statement_timestamp(), b.tat - make_interval(secs => CAST(:t0 AS float8) + CAST(:tau0 AS float8)),
                       (SELECT earliest FROM first)) AS slot
), moved AS (
    UPDATE send_budget AS b SET tat = GREATEST(b.tat, overall.slot) + make_interval(secs => :t1)
    FROM overall WHERE b.key = :key
)
SELECT GREATEST(0.0, EXTRACT(EPOCH FROM slot - statement_timestamp())::float8) AS wait,
       EXTRACT(EPOCH FROM slot)::float8 AS slot
FROM overall
""")

_OVERALL = text("""
UPDATE send_budget AS b SET tat = GREATEST(b.tat, statement_timestamp()) + make_interval(secs => :t0)
WHERE key = :overall
RETURNING GREATEST(0.0, EXTRACT(EPOCH FROM b.tat - statement_timestamp())::float8 - CAST(:t0 AS float8) - CAST(:tau0 AS float8)) AS wait,
          GREATEST(EXTRACT(EPOCH FROM statement_timestamp())::float8,
                   EXTRACT(EPOCH FROM b.tat)::float8 - CAST(:t0 AS float8) - CAST(:tau0 AS float8)) AS slot
""")

# A chat's or group's row is made once before its first slot, so that two first messages at once both wait
# for its lock (a row that is not there yet locks nothing).
_MAKE = text("INSERT INTO send_budget (key, tat) VALUES (:key, '-infinity') ON CONFLICT (key) DO NOTHING")
KNOWN_KEYS = 50_000  # rows this process knows are there; forgotten all at once past this (made again: harmless)


class SendBudget:
    """Reserves slots in the shared budgets; the caller sleeps for the seconds returned, then sends."""

    def __init__(self, engine: AsyncEngine, *, overall_interval: float, overall_burst: int = 1,
                 first_reserve: int = 0) -> None:
        self.engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self.overall_interval = overall_interval
        self.overall_tolerance = overall_interval * (overall_burst - 1)
        # A first message of an answer may go `first_reserve` slots further ahead than the rest (GCRA with a
        # larger tolerance): the reserve of the in-process limiter, kept in the shared budget too. The
        # bound for any second is then 1 + (1 s + the first messages' tolerance) / interval.
        self.first_tolerance = self.overall_tolerance + overall_interval * first_reserve
        self._known: set[str] = set()

    async def reserve(self, key: str | None = None, *, interval: float = 0.0, burst: int = 1,
                      first: bool = False) -> float:
        """Seconds to wait before sending: in `key`'s budget (one call every `interval`, `burst` at once)
        when given, and in the bot's overall one."""
        wait, _slot = await self.reserve_slot(key, interval=interval, burst=burst, first=first)
        return wait

    async def reserve_slot(self, key: str | None = None, *, interval: float = 0.0,
                           burst: int = 1, first: bool = False) -> tuple[float, float]:
        """(seconds to wait, the slot's time on the database's clock, in epoch seconds)."""
        overall = {"overall": OVERALL, "t0": self.overall_interval,
                   "tau0": self.first_tolerance if first else self.overall_tolerance}
        async with self.engine.connect() as connection:
            for made in (OVERALL, key[:64] if key is not None else None):
                if made is not None and made not in self._known:
                    await connection.execute(_MAKE, {"key": made})
                    if len(self._known) >= KNOWN_KEYS:
                        self._known.clear()
                    self._known.add(made)
            if key is None:
                result = await connection.execute(_OVERALL, overall)
            else:
                result = await connection.execute(_BOTH, {"key": key[:64], "t1": interval,
                                                          "tau1": interval * (burst - 1), **overall})
            wait, slot = result.one()
            return float(wait), float(slot)


def shared(engine: AsyncEngine) -> bool:
    """Budgets are shared where several workers can share the database: PostgreSQL."""
    return engine.dialect.name == "postgresql"
