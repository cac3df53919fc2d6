"""The programme's funnel as anonymous monthly counts that outlive erasure.

`count()` is called in the transaction of each funnel event (a first message, a finished interview, a
reading, a qualified journey, a lead, a claim, a contact, an alliance formed), so a count exists exactly
when its event was committed. A row holds a month, a step and coarse dimensions (territory, language,
motivation, the alliance's aim): nothing that leads back to an entity, so `/forget` and the retention
purge leave it alone and last year's totals stay as they were reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.models import FunnelCount

STEPS = ("first_contact", "interview_finished", "reading", "qualified", "lead", "claimed", "contacted",
         "alliance_formed")
DIMENSIONS = ("territory", "language", "motivation", "aim")
MOTIVATIONS = ("reactive", "proactive", "mixed", "unclear")
DEFAULT_TIME_ZONE = "Europe/Madrid"
_SIZES = {"territory": 64, "language": 8, "motivation": 16, "aim": 32}

# The programme's time zone decides which month an event near midnight belongs to. Set once at start-up
# from `programme.time_zone` (bot.runtime); the store has no settings of its own.
_zone = ZoneInfo(DEFAULT_TIME_ZONE)


def set_time_zone(name: str) -> None:
    global _zone
    _zone = ZoneInfo(name)


def time_zone() -> ZoneInfo:
    return _zone


def period_of(moment: datetime | None = None, zone: ZoneInfo | None = None) -> str:
    """YYYY-MM of a moment (now by default) in the programme's time zone; naive datetimes are UTC."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone or _zone).strftime("%Y-%m")


def _clean(name: str, value: Any) -> str:
    if value in (None, "", "skipped") or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()[:_SIZES[name]]


_TABLE = FunnelCount.__table__
_KEY = ["period", "step", *DIMENSIONS]


def _upsert(dialect: str):
    # The dialects' inserts are imported on first use: the PostgreSQL one alone costs ~0.1 s of
    # `aliat chat`'s start-up on SQLite.
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(_TABLE).values(period=bindparam("period"), step=bindparam("step"),
                                 territory=bindparam("territory"), language=bindparam("language"),
                                 motivation=bindparam("motivation"), aim=bindparam("aim"),
                                 count=bindparam("n"))
    return stmt.on_conflict_do_update(index_elements=_KEY, set_={"count": _TABLE.c.count + stmt.excluded.count})


_UPSERTS: dict[str, Any] = {}


async def count(*, session: AsyncSession, step: str, when: datetime | None = None, n: int = 1,
                territory: Any = None, language: Any = None, motivation: Any = None, aim: Any = None) -> None:
    """Add `n` to a step's count for its month and dimensions, in the caller's transaction."""
    if step not in STEPS:
        raise ValueError(f"unknown funnel step {step!r}")
    conn = await session.connection()
    values = {"territory": territory, "language": language, "motivation": motivation, "aim": aim}
    dialect = conn.dialect.name
    if dialect not in _UPSERTS:
        _UPSERTS[dialect] = _upsert(dialect)
    await conn.execute(_UPSERTS[dialect], {
        "period": period_of(when), "step": step, "n": n, **{k: _clean(k, v) for k, v in values.items()}})


def lead_dimensions(dossier: dict[str, Any] | None, language: str | None, territory: str | None = None
                    ) -> dict[str, Any]:
    """The funnel dimensions of a lead, read from its dossier (what the entity answered)."""
    dossier = dossier or {}
    answers = dossier.get("answers") or {}
    entity = dossier.get("entity") or {}
    return {"territory": territory or entity.get("territory") or answers.get("territory"),
            "language": language, "motivation": dossier.get("motivation"),
            "aim": dossier.get("alliance_aim") or answers.get("objective")}


# ------------------------------------------------------------------ reading the counts
@dataclass
class Funnel:
    """Counts per step for a range of months, with the breakdowns the dashboard and report show."""

    first: str | None
    last: str | None
    totals: dict[str, int] = field(default_factory=dict)
    by_month: dict[str, dict[str, int]] = field(default_factory=dict)
    by: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)  # dimension -> value -> step -> n

    def conversions(self) -> list[tuple[str, int, float | None]]:
        """(step, count, share of the previous step) in funnel order."""
        out: list[tuple[str, int, float | None]] = []
        previous: int | None = None
        for step in STEPS:
            n = self.totals.get(step, 0)
            out.append((step, n, (n / previous) if previous else None))
            previous = n
        return out


async def read(*, session: AsyncSession, first: str | None = None, last: str | None = None) -> Funnel:
    """The funnel for months first..last (YYYY-MM, both included; None: unbounded)."""
    query = select(_TABLE.c.period, _TABLE.c.step, _TABLE.c.territory, _TABLE.c.language,
                   _TABLE.c.motivation, _TABLE.c.aim, func.sum(_TABLE.c.count))
    if first:
        query = query.where(_TABLE.c.period >= first)
    if last:
        query = query.where(_TABLE.c.period <= last)
    query = query.group_by(*(_TABLE.c[k] for k in _KEY))
    result = Funnel(first=first, last=last, totals={s: 0 for s in STEPS})
    by: dict[str, dict[str, dict[str, int]]] = {d: defaultdict(lambda: defaultdict(int)) for d in DIMENSIONS}
    months: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STEPS, 0))
    for period, step, territory, language, motivation, aim, n in await session.execute(query):
        n = int(n or 0)
        if step not in result.totals:
            continue
        result.totals[step] += n
        months[period][step] += n
        for name, value in zip(DIMENSIONS, (territory, language, motivation, aim), strict=True):
            by[name][value][step] += n
    result.by_month = dict(sorted(months.items()))
    result.by = {d: {v: dict(steps) for v, steps in sorted(values.items())} for d, values in by.items()}
    return result
