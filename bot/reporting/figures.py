"""The programme's figures in the reader's language: the funnel, leads, alliances against the target.

One place for what the dashboard shows, what it exports and what `aliat report` prints, so a number
reads the same everywhere. Labels come from dialogues/web.yml and knowledge/ (objectives, factors).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.content.domain import Domain
from bot.engine.render import Renderer, knowledge_text
from bot.reporting.exports import Table, local_time
from bot.store import alliances, funnel
from bot.store.clock import now_utc
from bot.store.leads import Seer, filter_leads, overdue, queue_key, readiness_of, urgency_level, waiting_hours
from bot.store.models import Assessment, Entity, Facilitator, Lead, LeadEvent
from bot.text import formats
from bot.text.languages import SUPPORTED_LANGUAGES

AIMS = alliances.AIMS
PERIODS = ("month", "quarter", "year", "all")


class Labels:
    """Texts of dialogues/web.yml and names of territories, aims, factors, in a language."""

    def __init__(self, domain: Domain, default_language: str) -> None:
        self.domain = domain
        self.r = Renderer(domain, default_language)
        self.default = default_language

    def t(self, key: str, lang: str, /, **values: Any) -> str:
        return self.r.text(f"utter_web_{key}", lang, values) or key

    def step(self, step: str, lang: str) -> str:
        return self.t(f"step_{step}", lang)

    def unknown(self, lang: str) -> str:
        return self.t("unknown", lang)

    def territory(self, code: str | None, lang: str) -> str:
        if not code:
            return self.unknown(lang)
        response = self.domain.responses.get("utter_ask_territory")
        for button in response.buttons if response else ():
            if button.payload == code:
                return self.r.buttons([button], lang)[0][0]
        return code

    def aim(self, code: str | None, lang: str) -> str:
        """A programme aim (alliance_target's four) or an interview objective, by its name."""
        if not code:
            return self.unknown(lang)
        if code in AIMS:
            return self.t(f"aim_{code}", lang)
        return self.objective(code, lang)

    def objective(self, code: str | None, lang: str) -> str:
        """An interview objective (knowledge/objectives.yml) by its button's name."""
        if not code:
            return self.unknown(lang)
        return knowledge_text(self.domain.knowledge, f"objectives.objectives.{code}.label", lang,
                              self.default) or code

    def factor(self, code: str, lang: str) -> str:
        return knowledge_text(self.domain.knowledge, f"success_factors.factors.{code}.title", lang,
                              self.default) or code

    def motivation(self, code: str | None, lang: str) -> str:
        return self.t(f"motivation_{code}", lang) if code in funnel.MOTIVATIONS else self.unknown(lang)

    def language(self, code: str | None, lang: str) -> str:
        return self.t(f"language_{code}", lang) if code in SUPPORTED_LANGUAGES else self.unknown(lang)

    def status(self, status: str, outcome: str | None, assignee: str | None, lang: str) -> str:
        name = f"utter_status_closed_{outcome or 'not_pursued'}" if status == "closed" else f"utter_status_{status}"
        return self.r.text(name, lang, {"assignee": assignee or "?"})

    def priority(self, priority: str, lang: str) -> str:
        return self.r.text(f"utter_priority_{priority}", lang) or priority


# ------------------------------------------------------------------ periods
def month_range(period: str, today: date) -> tuple[str | None, str | None]:
    """First and last month (YYYY-MM) of the current month, quarter or year; (None, None) for all."""
    if period == "month":
        first = last = f"{today.year:04d}-{today.month:02d}"
    elif period == "quarter":
        start = (today.month - 1) // 3 * 3 + 1
        first, last = f"{today.year:04d}-{start:02d}", f"{today.year:04d}-{start + 2:02d}"
    elif period == "year":
        first, last = f"{today.year:04d}-01", f"{today.year:04d}-12"
    else:
        first = last = None
    return first, last


def today_in(zone: ZoneInfo) -> date:
    return datetime.now(UTC).astimezone(zone).date()


def parse_month(value: str | None) -> str | None:
    """YYYY-MM (or YYYY-MM-DD, whose month is taken); None if empty; ValueError if not a month."""
    if not value:
        return None
    parsed = datetime.strptime(value[:7], "%Y-%m")
    return parsed.strftime("%Y-%m")


# ------------------------------------------------------------------ the funnel
def funnel_rows(result: funnel.Funnel, labels: Labels, lang: str) -> list[tuple[str, str, int, str]]:
    """(step, label, count, conversion from the step before as the language writes it, "67 %", or "")."""
    return [(step, labels.step(step, lang), n, "" if share is None else formats.percent(share, lang))
            for step, n, share in result.conversions()]


def funnel_json(result: funnel.Funnel) -> dict[str, Any]:
    """The funnel for machines (`aliat report funnel --json`): steps with counts and conversions (0-1),
    and the same by month of first contact, territory and language ("" = not known)."""
    def steps(counts: dict[str, int]) -> list[dict[str, Any]]:
        out, previous = [], None
        for step in funnel.STEPS:
            n = int(counts.get(step, 0))
            out.append({"step": step, "count": n,
                        "conversion": round(n / previous, 4) if previous else None})
            previous = n
        return out
    return {"from": result.first, "to": result.last, "unit": "conversation", "steps": steps(result.totals),
            "by_month": {m: steps(c) for m, c in result.by_month.items()},
            **{f"by_{d}": {v: steps(c) for v, c in result.by.get(d, {}).items()}
               for d in ("territory", "language", "motivation")}}


def funnel_tables(result: funnel.Funnel, labels: Labels, lang: str) -> list[Table]:
    """The funnel as sheets: by month (with a total row), by territory, by language, by aim."""
    steps = [labels.step(s, lang) for s in funnel.STEPS]
    by_month = Table(labels.t("sheet_funnel", lang), [labels.t("col_month", lang), *steps])
    for month, counts in result.by_month.items():
        by_month.rows.append([month, *(counts.get(s, 0) for s in funnel.STEPS)])
    by_month.rows.append([labels.t("sheet_total", lang), *(result.totals.get(s, 0) for s in funnel.STEPS)])
    tables = [by_month]
    for dimension, title, name in (("territory", "by_territory", labels.territory),
                                   ("language", "by_language", labels.language),
                                   ("aim", "col_aim", labels.objective)):
        table = Table(labels.t(title, lang), [labels.t(f"col_{'aim' if dimension == 'aim' else dimension}", lang),
                                              *steps])
        for value, counts in result.by.get(dimension, {}).items():
            table.rows.append([name(value, lang), *(counts.get(s, 0) for s in funnel.STEPS)])
        tables.append(table)
    return tables


# ------------------------------------------------------------------ leads
@dataclass
class LeadRow:
    id: int
    status: str
    outcome: str | None
    priority: str
    entity: str | None
    territory: str | None
    language: str
    motivation: str | None
    aim: str | None
    assignee_id: int | None
    assignee: str | None
    created_at: datetime | None
    claimed_at: datetime | None
    contacted_at: datetime | None
    closed_at: datetime | None
    urgency: str = "normal"            # urgent / normal (stated time pressure, knowledge/verdict.yml)
    readiness: float | None = None     # 1-4, None without the self-check
    waiting_hours: float | None = None
    overdue: str | None = None         # unclaimed / no_contact past config.yml handoff's reminder times


def lead_query(*, status: str | None = None, territory: str | None = None, assignee_id: int | None = None,
               unassigned: bool = False, priority: str | None = None, visible_to: Seer):
    """Leads with their entity and assignee, filtered; `visible_to`: who is looking, always said
    (`store.may_see`'s rule: a facilitator sees unassigned leads and their own, staff and the operator all)."""
    query = (select(Lead, Entity.name, Entity.territory, Facilitator.name)
             .outerjoin(Entity, Lead.entity_id == Entity.id)
             .outerjoin(Facilitator, Lead.assignee_id == Facilitator.id))
    query = filter_leads(query, status=status, territory=territory, assignee_id=assignee_id, unassigned=unassigned,
                         priority=priority, visible_to=visible_to)
    return query.order_by(Lead.id.desc())


async def lead_rows(session: AsyncSession, *, visible_to: Seer, claim_hours: float | None = None,
                    contact_days: float | None = None, **filters: Any) -> list[LeadRow]:
    """Every lead that matches (no cap: an export must hold every row), urgent first, then the longest waiting."""
    rows = []
    now = now_utc()
    found = sorted(await session.execute(lead_query(visible_to=visible_to, **filters)), key=lambda row: queue_key(row[0], now))
    for lead, name, territory, assignee in found:
        dossier = lead.dossier or {}
        answers = dossier.get("answers") or {}
        rows.append(LeadRow(
            id=lead.id, status=lead.status, outcome=lead.outcome, priority=lead.priority,
            entity=name or (dossier.get("entity") or {}).get("name"),
            territory=territory or (dossier.get("entity") or {}).get("territory") or answers.get("territory"),
            language=lead.language, motivation=dossier.get("motivation"),
            aim=dossier.get("alliance_aim") or answers.get("objective"),
            assignee_id=lead.assignee_id, assignee=assignee, created_at=lead.created_at,
            claimed_at=lead.claimed_at, contacted_at=lead.contacted_at, closed_at=lead.closed_at,
            urgency=urgency_level(lead), readiness=readiness_of(lead), waiting_hours=waiting_hours(lead, now),
            overdue=overdue(lead, now, claim_hours=claim_hours, contact_days=contact_days)))
    return rows


@dataclass
class LeadExtra:
    """What a facilitator's day needs beside a lead's row: how the entity wants to be contacted, how many
    notes it has, and when anything last happened to it."""

    channels: list[str]
    notes: int
    last_activity: datetime | None


async def lead_extras(session: AsyncSession, lead_ids: list[int]) -> dict[int, LeadExtra]:
    extras: dict[int, LeadExtra] = {i: LeadExtra([], 0, None) for i in lead_ids}
    if not lead_ids:
        return extras
    for lead_id, telegram, email, phone in await session.execute(
            select(Lead.id, Entity.contact_telegram, Entity.contact_email, Entity.contact_phone)
            .join(Entity, Lead.entity_id == Entity.id).where(Lead.id.in_(lead_ids))):
        extras[lead_id].channels = [c for c, on in (("telegram", telegram), ("email", email), ("phone", phone)) if on]
    for lead_id, notes, last in await session.execute(
            select(LeadEvent.lead_id, func.count().filter(LeadEvent.action == "note"), func.max(LeadEvent.created_at))
            .where(LeadEvent.lead_id.in_(lead_ids)).group_by(LeadEvent.lead_id)):
        extras[lead_id].notes, extras[lead_id].last_activity = int(notes or 0), last
    return extras


def leads_table(rows: list[LeadRow], labels: Labels, lang: str, zone: ZoneInfo,
                extras: dict[int, LeadExtra] | None = None) -> Table:
    cols = ("id", "created", "status", "priority", "entity", "territory", "language", "motivation", "aim",
            "assignee", "claimed", "contacted", "closed", "outcome")
    more = ("channel", "notes", "last_activity") if extras is not None else ()
    table = Table(labels.t("sheet_leads", lang), [labels.t(f"col_{c}", lang) for c in (*cols, *more)])
    for r in rows:
        extra = (extras or {}).get(r.id) or LeadExtra([], 0, None)
        tail = [", ".join(labels.t(f"channel_{c}", lang) for c in extra.channels), extra.notes,
                local_time(extra.last_activity, zone)] if extras is not None else []
        table.rows.append([
            r.id, local_time(r.created_at, zone), labels.status(r.status, r.outcome, r.assignee, lang),
            labels.priority("high" if r.urgency == "urgent" else "normal", lang), r.entity or "", labels.territory(r.territory, lang),
            labels.language(r.language, lang), labels.motivation(r.motivation, lang), labels.objective(r.aim, lang),
            r.assignee or "", local_time(r.claimed_at, zone), local_time(r.contacted_at, zone),
            local_time(r.closed_at, zone), labels.t(f"outcome_{r.outcome}", lang) if r.outcome else "", *tail])
    return table


# ------------------------------------------------------------------ alliances
@dataclass
class AllianceProgress:
    target: dict[str, int]
    formed: dict[str, int]  # by aim, one per pair of partners (the rows outlive erasure)
    alliances: list[alliances.AllianceRow]

    @property
    def total_target(self) -> int:
        return sum(self.target.values())

    @property
    def total_formed(self) -> int:
        return sum(self.formed.values())

    def aims(self) -> list[str]:
        """The programme's four aims, then any other an old alliance was counted under ("" = not known)."""
        return list(self.target) + sorted(a for a in self.formed if a not in self.target)


async def alliance_progress(session: AsyncSession, settings: Settings) -> AllianceProgress:
    target = {aim: int(getattr(settings.programme.alliance_target, aim)) for aim in AIMS}
    rows = await alliances.list_alliances(session=session)
    formed: dict[str, int] = {}
    for row in rows:
        formed[row.aim] = formed.get(row.aim, 0) + 1
    return AllianceProgress(target=target, formed=formed, alliances=rows)


def alliance_partner(row: alliances.AllianceRow, labels: Labels, lang: str) -> str:
    if row.partner:
        return row.partner if row.outside or row.partner_lead_id is None else f"{row.partner} (#{row.partner_lead_id})"
    if row.partner_lead_id is not None:
        return f"#{row.partner_lead_id}"
    return labels.unknown(lang)


def alliances_tables(progress: AllianceProgress, labels: Labels, lang: str, zone: ZoneInfo) -> list[Table]:
    summary = Table(labels.t("sheet_alliances", lang), [labels.t("col_aim", lang), labels.t("col_target", lang),
                                                        labels.t("col_formed", lang)])
    for aim in progress.aims():
        summary.rows.append([labels.aim(aim, lang), progress.target.get(aim, 0), progress.formed.get(aim, 0)])
    summary.rows.append([labels.t("sheet_total", lang), progress.total_target, progress.total_formed])
    detail = Table(labels.t("alliances", lang), [labels.t(f"col_{c}", lang) for c in
                                                  ("id", "formed_at", "entity", "territory", "partner", "aim")])
    for r in progress.alliances:
        detail.rows.append([r.lead_id or "", local_time(r.formed_at, zone), r.entity or labels.unknown(lang),
                            labels.territory(r.territory, lang), alliance_partner(r, labels, lang),
                            labels.aim(r.aim, lang)])
    return [summary, detail]


def alliances_json(progress: AllianceProgress) -> dict[str, Any]:
    """`aliat report alliances --json`: target against formed for each of the programme's aims, and the list
    (no names: the lead numbers and the kind of partner)."""
    return {"target": progress.total_target, "formed": progress.total_formed,
            "by_aim": [{"aim": a or None, "target": progress.target.get(a, 0), "formed": progress.formed.get(a, 0)}
                       for a in progress.aims()],
            "alliances": [{"lead": r.lead_id, "partner_lead": r.partner_lead_id, "aim": r.aim or None,
                           "partner": "outside" if r.outside else ("programme" if r.partner_lead_id else None),
                           "formed_at": r.formed_at.isoformat(timespec="seconds") if r.formed_at else None}
                          for r in progress.alliances]}


# ------------------------------------------------------------------ readiness
async def readiness_by_factor(session: AsyncSession, *, since: datetime | None = None,
                              until: datetime | None = None) -> tuple[dict[str, float], int]:
    """Average readiness per success factor over the assessments still kept, and how many there were."""
    query = select(Assessment.readiness)
    if since is not None:
        query = query.where(Assessment.created_at >= since)
    if until is not None:
        query = query.where(Assessment.created_at < until)
    sums: dict[str, float] = {}
    counts: dict[str, int] = {}
    n = 0
    for (readiness,) in await session.execute(query):
        n += 1
        for factor, value in (readiness or {}).items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                sums[factor] = sums.get(factor, 0.0) + float(value)
                counts[factor] = counts.get(factor, 0) + 1
    return {f: sums[f] / counts[f] for f in sums}, n


# ------------------------------------------------------------------ workload
@dataclass
class Workload:
    """One facilitator's leads: held now, closed, and the median hours to claim and to first contact."""

    name: str
    held: int
    closed: int
    hours_to_claim: float | None
    hours_to_contact: float | None


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    return max(0.0, (end - start).total_seconds() / 3600)


def workload(rows: list[LeadRow]) -> tuple[list[Workload], float | None, float | None]:
    """Per facilitator (those with a lead), and the programme's medians: hours from arrival to claim and
    from claim to first contact."""
    people: dict[str, list[LeadRow]] = {}
    for r in rows:
        if r.assignee:
            people.setdefault(r.assignee, []).append(r)
    out = []
    for name, theirs in sorted(people.items()):
        claim = [h for r in theirs if (h := _hours(r.created_at, r.claimed_at)) is not None]
        contact = [h for r in theirs if (h := _hours(r.claimed_at, r.contacted_at)) is not None]
        out.append(Workload(name=name, held=sum(r.status in ("claimed", "contacted") for r in theirs),
                            closed=sum(r.status == "closed" for r in theirs),
                            hours_to_claim=_median(claim), hours_to_contact=_median(contact)))
    claim_all = [h for r in rows if (h := _hours(r.created_at, r.claimed_at)) is not None]
    contact_all = [h for r in rows if (h := _hours(r.claimed_at, r.contacted_at)) is not None]
    return out, _median(claim_all), _median(contact_all)
