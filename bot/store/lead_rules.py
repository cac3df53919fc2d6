"""What a lead is, and the rules read off one row: its statuses, urgency, readiness, how long it has waited,
when it is overdue, the queue's order and who may see it. No query here: bot/store/lead_queries.py reads
leads, bot/store/leads.py changes them (and re-exports these names for its callers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.store.clock import aware, now_utc
from bot.store.models import Entity, Facilitator, Lead, LeadEvent


class LeadStatus(StrEnum):
    """A lead's `status` column (a StrEnum: equal to the strings stored and compared elsewhere)."""

    NEW = "new"
    NOTIFIED = "notified"
    CLAIMED = "claimed"
    CONTACTED = "contacted"
    CLOSED = "closed"


OPEN = (LeadStatus.NEW, LeadStatus.NOTIFIED, LeadStatus.CLAIMED, LeadStatus.CONTACTED)
UNCLAIMED = (LeadStatus.NEW, LeadStatus.NOTIFIED)
HELD = (LeadStatus.CLAIMED, LeadStatus.CONTACTED)
OUTCOMES = ("alliance_formed", "not_pursued")
CONTACT_FIELDS = ("contact_name", "contact_role", "contact_email", "contact_phone", "contact_telegram",
                  "telegram_chat_id")


@dataclass
class LeadResult:
    """The outcome of a status change: whether this call changed it, and the lead as it now is."""

    ok: bool
    lead: Lead | None
    reason: str = ""
    holder: Facilitator | None = None
    created: bool = False


@dataclass
class LeadView:
    lead: Lead
    entity: Entity | None
    assignee: Facilitator | None
    events: list[LeadEvent] = field(default_factory=list)

    def summary(self, *, now: datetime | None = None, claim_hours: float | None = None,
                contact_days: float | None = None) -> dict[str, Any]:
        lead, entity, assignee = self.lead, self.entity, self.assignee
        dossier = lead.dossier or {}
        now = now or now_utc()
        return {
            "id": lead.id,
            "status": lead.status,
            "outcome": lead.outcome,
            "entity_name": entity.name if entity else dossier.get("entity", {}).get("name"),
            "territory": entity.territory if entity else None,
            "priority": lead.priority,
            "priority_reasons": list(lead.priority_reasons or []),
            # issue 24: two dimensions, urgency (stated time pressure, with its quote) and readiness (0-4)
            "urgency": urgency_level(lead),
            "urgency_reason": ((dossier.get("urgency") or {}).get("quote") or None) if urgency_level(lead) == URGENT
            else None,
            "readiness": readiness_of(lead),
            "waiting_hours": waiting_hours(lead, now),
            "overdue": overdue(lead, now, claim_hours=claim_hours, contact_days=contact_days),
            "motivation": dossier.get("motivation"),
            "objective": (dossier.get("answers") or {}).get("objective"),
            "language": lead.language,
            "assignee_id": assignee.id if assignee else None,
            "assignee_telegram_id": assignee.telegram_user_id if assignee else None,
            "assignee_name": assignee.name if assignee else None,
            "created_at": _iso(lead.created_at),
            "updated_at": _iso(lead.updated_at),
            "claimed_at": _iso(lead.claimed_at),
            "contacted_at": _iso(lead.contacted_at),
            "closed_at": _iso(lead.closed_at),
        }

    def contact(self) -> dict[str, Any]:
        e = self.entity
        if e is None:
            return {}
        return {"name": e.contact_name, "role": e.contact_role, "email": e.contact_email,
                "phone": e.contact_phone, "telegram": bool(e.contact_telegram),
                "consent_at": _iso(e.consent_at), "consent_version": e.consent_version}


URGENT, NORMAL = "urgent", "normal"
UNCLAIMED_TOO_LONG, NO_CONTACT_TOO_LONG = "unclaimed", "no_contact"


def urgency_level(lead: Lead) -> str:
    """urgent / normal, as the handoff judged it (knowledge/verdict.yml); leads from before issue 24 by their
    priority reasons."""
    level = ((lead.dossier or {}).get("urgency") or {}).get("level")
    if isinstance(level, str) and level in (URGENT, NORMAL):
        return level
    return URGENT if "urgent" in (lead.priority_reasons or []) else NORMAL


def readiness_of(lead: Lead) -> float | None:
    value = (lead.dossier or {}).get("readiness_overall")
    return round(float(value), 2) if isinstance(value, int | float) and not isinstance(value, bool) else None


def waiting_hours(lead: Lead, now: datetime) -> float | None:
    """How long the entity has waited for a person to contact it: from the request to the contact (or the
    close), or until now while nobody has."""
    start = aware(lead.created_at)
    if start is None:
        return None
    end = aware(lead.contacted_at) or aware(lead.closed_at) or now
    return round(max(0.0, (end - start).total_seconds() / 3600), 1)


def overdue(lead: Lead, now: datetime, *, claim_hours: float | None, contact_days: float | None) -> str | None:
    """'unclaimed' when nobody took it within `claim_hours` (config handoff.reminder_unclaimed_hours),
    'no_contact' when taken but nobody was in touch within `contact_days` (reminder_no_contact_days)."""
    if lead.status in UNCLAIMED and claim_hours is not None:
        since = aware(lead.created_at)
        if since is not None and now - since > timedelta(hours=claim_hours):
            return UNCLAIMED_TOO_LONG
    if lead.status == LeadStatus.CLAIMED and contact_days is not None:
        since = aware(lead.claimed_at)
        if since is not None and now - since > timedelta(days=contact_days):
            return NO_CONTACT_TOO_LONG
    return None


def queue_key(lead: Lead, now: datetime) -> tuple[bool, bool, float, int]:
    """The lists' order: open before closed, urgent first, then who has waited longest."""
    return (lead.status == LeadStatus.CLOSED, urgency_level(lead) != URGENT, -(waiting_hours(lead, now) or 0.0),
            lead.id)


def _iso(value: datetime | None) -> str | None:
    value = aware(value)
    return value.isoformat(timespec="seconds") if value else None

@dataclass(frozen=True)
class Seer:
    """Who is looking at a lead. Every reader of a lead says who it is (`may_see`, `filter_leads(visible_to=)`):
    there is no "nobody in particular" that could be taken for "anyone". Made with `Seer.facilitator(id)` (a
    registered facilitator: the unclaimed leads and their own), `Seer.coordinator()` (programme staff on the
    dashboard: every lead), `Seer.operator()` (whoever runs `aliat` on the server, trusted by being there:
    every lead) or `Seer.nobody()` (a trainer only, an unknown Telegram user, anyone else: no lead)."""

    kind: str
    facilitator_id: int | None = None

    KINDS = ("facilitator", "coordinator", "operator", "nobody")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise ValueError(f"who is looking at a lead: one of {self.KINDS}, not {self.kind!r}")
        has_id = isinstance(self.facilitator_id, int) and not isinstance(self.facilitator_id, bool)
        if (self.kind == "facilitator") != has_id or (self.kind != "facilitator" and self.facilitator_id is not None):
            raise ValueError("a facilitator looking at a lead is named by their id; nobody else has one")

    @classmethod
    def facilitator(cls, facilitator_id: int) -> Seer:
        return cls("facilitator", facilitator_id)

    @classmethod
    def coordinator(cls) -> Seer:
        return cls("coordinator")

    @classmethod
    def operator(cls) -> Seer:
        return cls("operator")

    @classmethod
    def nobody(cls) -> Seer:
        return cls("nobody")

    @property
    def sees_all(self) -> bool:
        return self.kind in ("coordinator", "operator")

    def sees_held_by(self, assignee_id: int | None) -> bool:
        """Whether this person may see a lead held by `assignee_id` (None: nobody has claimed it)."""
        if self.sees_all:
            return True
        if self.kind != "facilitator":
            return False
        return assignee_id is None or assignee_id == self.facilitator_id


def may_see(lead: Lead, who: Seer) -> bool:
    """The one rule of who may read a lead or write a note on it, on every channel (the dashboard, Telegram's
    Details, `/lead N`, `/note N`, `/leads`): a coordinator or the server's operator, any lead; a facilitator,
    an unclaimed lead or their own; anyone else (a trainer only, an unknown user), none. Another facilitator's
    lead is answered as if it did not exist. (`filter_leads(visible_to=)`: the same rule for lists.)"""
    if not isinstance(who, Seer):  # the old call, may_see(lead, facilitator_id=None), let anyone read
        raise TypeError("may_see needs who is looking: a Seer")
    return who.sees_held_by(lead.assignee_id)
