"""The programme's funnel: how far each conversation got, counted once, in the month it began.

One row per conversation (`funnel_journey`): the month of its first contact (its cohort), the furthest
step it reached and coarse dimensions (territory, language, motivation, objective). `reach()` is called in
the transaction of each funnel event (a first message, a finished interview, a reading, a qualified
journey, a lead, a claim, a contact, an alliance formed); it moves the row forward, never adds one, so a
redone journey is the same conversation and no step can exceed the one before it: a conversation counts
in every step up to the furthest it reached. Territory and the other dimensions are set when they become
known and apply to every step of that conversation; until then it sits apart, under "unknown".

Nothing in a row leads back to an entity: `/forget` and the retention purge cut its link to the
conversation (`conversation_id` set to NULL) and leave it counted, so last year's totals stay as reported.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.columns import table
from bot.store.models import Conversation, FunnelJourney

if TYPE_CHECKING:
    from sqlalchemy.dialects.postgresql import Insert as PostgresInsert
    from sqlalchemy.dialects.sqlite import Insert as SqliteInsert

STEPS = ("first_contact", "interview_finished", "reading", "qualified", "lead", "claimed", "contacted",
         "alliance_formed")
DIMENSIONS = ("territory", "language", "motivation", "aim")
MOTIVATIONS = ("reactive", "proactive", "mixed", "unclear")
DEFAULT_TIME_ZONE = "Europe/Madrid"
_SIZES = {"territory": 64, "language": 8, "motivation": 16, "aim": 32}

# The programme's time zone decides which month an event near midnight belongs to. Set once at start-up
# from `programme.time_zone` (bot.app.runtime); the store has no settings of its own.
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
    if value in (None, "", "skipped", "dont_know") or isinstance(value, bool | dict | list):
        return ""
    return str(value).strip()[:_SIZES[name]]


_J = table(FunnelJourney)


async def reach(*, session: AsyncSession, step: str, conversation_id: int | None = None,
                sender_id: str | None = None, when: datetime | None = None, territory: Any = None,
                language: Any = None, motivation: Any = None, aim: Any = None) -> bool:
    """The conversation reached `step`: its row moves forward to it (never back) and takes the dimensions
    given (an unknown one leaves what was known). A conversation with no row yet (it began before the
    funnel counted this way, or its person asked to be forgotten and began again) gets one, in the month
    of `when`. False when there is no conversation to count (already erased).

    One statement, on the turn's path (a journey's heaviest turns count a step): an upsert that finds the
    conversation by its sender when its id is not known. It was a look-up, an update and, for a new row, an
    insert (up to four round trips)."""
    if step not in STEPS:
        raise ValueError(f"unknown funnel step {step!r}")
    if conversation_id is None and not sender_id:
        return False
    values = {"cohort": period_of(when), "stage": STEPS.index(step),
              **{k: _clean(k, v) for k, v in
                 {"territory": territory, "language": language, "motivation": motivation, "aim": aim}.items()}}
    conn = await session.connection()
    if conversation_id is not None:
        statement, params = _upsert(conn.dialect.name, by_sender=False), {"conversation_id": conversation_id, **values}
    else:
        statement = _upsert(conn.dialect.name, by_sender=True)
        params = {"b_sender": sender_id, **{f"b_{k}": v for k, v in values.items()}}
    return bool((await conn.execute(statement, params)).rowcount)


_C = table(Conversation)
_COLUMNS = ["conversation_id", "cohort", "stage", *DIMENSIONS]


@functools.cache
def _upsert(dialect: str, *, by_sender: bool) -> PostgresInsert | SqliteInsert:
    """INSERT (the values, or the sender's conversation) ... ON CONFLICT (conversation_id) DO UPDATE: the stage
    moves forward only, a dimension changes only to a known value; the cohort stays the first contact's.
    Built once per database kind: building it per call cost more than running it."""
    statement: PostgresInsert | SqliteInsert
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgres_insert

        statement = postgres_insert(_J)  # its VALUES from the parameters' names
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(_J)
    if by_sender:
        source = select(_C.c.id, *(bindparam(f"b_{k}", type_=_J.c[k].type) for k in _COLUMNS[1:])).where(
            _C.c.sender_id == bindparam("b_sender"))
        statement = statement.from_select(_COLUMNS, source)
    new = statement.excluded
    return statement.on_conflict_do_update(index_elements=["conversation_id"], set_={
        "stage": case((_J.c.stage < new.stage, new.stage), else_=_J.c.stage),
        **{d: case((new[d] != "", new[d]), else_=_J.c[d]) for d in DIMENSIONS}})


async def step_back(*, session: AsyncSession, conversation_id: int | None, step: str) -> None:
    """A step undone (a closed lead reopened): the conversation's furthest step is `step` at most."""
    if conversation_id is None:
        return
    stage = STEPS.index(step)
    await session.execute(update(_J).where(_J.c.conversation_id == conversation_id, _J.c.stage > stage)
                          .values(stage=stage))


async def forget(*, session: AsyncSession, conversation_id: int) -> None:
    """Erasure: the row stays counted and no longer points to the conversation."""
    await session.execute(update(_J).where(_J.c.conversation_id == conversation_id).values(conversation_id=None))


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
    """The funnel of the conversations first seen in months first..last (YYYY-MM, both included; None:
    unbounded): each conversation counts once in every step up to the furthest it reached."""
    query = select(_J.c.cohort, _J.c.stage, _J.c.territory, _J.c.language, _J.c.motivation, _J.c.aim,
                   func.count())
    if first:
        query = query.where(_J.c.cohort >= first)
    if last:
        query = query.where(_J.c.cohort <= last)
    query = query.group_by(_J.c.cohort, _J.c.stage, _J.c.territory, _J.c.language, _J.c.motivation, _J.c.aim)
    result = Funnel(first=first, last=last, totals=dict.fromkeys(STEPS, 0))
    by: dict[str, dict[str, dict[str, int]]] = {d: defaultdict(lambda: dict.fromkeys(STEPS, 0)) for d in DIMENSIONS}
    months: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STEPS, 0))
    for cohort, stage, territory, language, motivation, aim, n in await session.execute(query):
        n = int(n or 0)
        reached = STEPS[:max(0, min(int(stage or 0), len(STEPS) - 1)) + 1]
        values = (territory, language, motivation, aim)
        for step in reached:
            result.totals[step] += n
            months[cohort][step] += n
            for name, value in zip(DIMENSIONS, values, strict=True):
                by[name][value or ""][step] += n
    result.by_month = dict(sorted(months.items()))
    result.by = {d: {v: dict(steps) for v, steps in sorted(values.items())} for d, values in by.items()}
    return result
