"""Lead cards and dossiers as text and buttons, in a facilitator's language (wording in dialogues/handoff.yml)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from bot.engine.render import Renderer
from bot.store.leads import LeadView, aware


class CardAction(StrEnum):
    CLAIM = "claim"
    DETAILS = "details"
    RELEASE = "release"
    CONTACTED = "contacted"
    FORMED = "formed"
    DROPPED = "dropped"


CALLBACK_PREFIX = "lead"
Buttons = list[list[tuple[str, str]]]


def callback_data(lead_id: int, action: CardAction) -> str:
    return f"{CALLBACK_PREFIX}:{lead_id}:{action.value}"


def status_line(r: Renderer, view: LeadView, lang: str) -> str:
    lead = view.lead
    name = f"utter_status_{lead.status}"
    if lead.status == "closed":
        name = f"utter_status_closed_{lead.outcome or 'not_pursued'}"
    return r.text(name, lang, {"assignee": view.assignee.name if view.assignee else "?"})


def _or_dash(r: Renderer, value: Any, lang: str) -> str:
    return r.text("utter_unknown", lang) if value in (None, "", [], {}) else str(value)


def _readiness(r: Renderer, dossier: dict[str, Any], lang: str) -> str:
    overall = dossier.get("readiness_overall")
    return _or_dash(r, f"{float(overall):.1f}/4" if isinstance(overall, int | float) else None, lang)


def card_values(r: Renderer, view: LeadView, lang: str) -> dict[str, Any]:
    lead, dossier = view.lead, view.lead.dossier or {}
    entity = dossier.get("entity") or {}
    answers = dossier.get("answers") or {}
    reasons = [r.text(f"utter_reason_{code}", lang) or code for code in lead.priority_reasons or []]
    return {
        "lead_id": lead.id,
        "entity_name": (view.entity.name if view.entity and view.entity.name else entity.get("name")) or "?",
        "priority_label": r.text(f"utter_priority_{lead.priority}", lang) or lead.priority,
        "reasons": f" ({', '.join(reasons)})" if reasons else "",
        "territory": _or_dash(r, (view.entity.territory if view.entity else None) or entity.get("territory"), lang),
        "language": lead.language,
        "objective": _or_dash(r, answers.get("objective"), lang),
        "motivation": _or_dash(r, dossier.get("motivation"), lang),
        "readiness": _readiness(r, dossier, lang),
        "status_line": status_line(r, view, lang),
    }


def card_text(r: Renderer, view: LeadView, lang: str, *, reminder: bool = False) -> str:
    header = "utter_lead_card_reminder" if reminder else ("utter_lead_card_new" if view.lead.status == "new" else "")
    values = card_values(r, view, lang)
    values["header"] = r.text(header, lang) if header else ""
    return r.text("utter_lead_card", lang, values)


def card_buttons(r: Renderer, view: LeadView, lang: str) -> Buttons:
    """The buttons that fit the lead's status (none once it is closed)."""
    lead_id, status = view.lead.id, view.lead.status

    def b(action: CardAction) -> tuple[str, str]:
        return r.text(f"utter_button_{action.value}", lang), callback_data(lead_id, action)

    if status in ("new", "notified"):
        return [[b(CardAction.CLAIM), b(CardAction.DETAILS)]]
    if status == "claimed":
        return [[b(CardAction.DETAILS), b(CardAction.RELEASE)], [b(CardAction.CONTACTED)],
                [b(CardAction.FORMED), b(CardAction.DROPPED)]]
    if status == "contacted":
        return [[b(CardAction.DETAILS), b(CardAction.RELEASE)], [b(CardAction.FORMED), b(CardAction.DROPPED)]]
    return []


def details_text(r: Renderer, view: LeadView, lang: str) -> str:
    """The whole dossier, contact details included: sent only to a registered facilitator, in private."""
    dossier = view.lead.dossier or {}
    contact = view.contact()
    values = card_values(r, view, lang)
    yes, no = r.text("utter_yes", lang), r.text("utter_no", lang)
    answers = dossier.get("answers") or {}
    history = [f"· {aware(e.created_at).strftime('%Y-%m-%d %H:%M') if e.created_at else ''} {e.actor} {e.action}"
               + (f": {e.note}" if e.note else "") for e in view.events]
    reasons = dossier.get("motivation_reasons") or []
    values.update({
        "contact_name": _or_dash(r, contact.get("name"), lang),
        "contact_role": _or_dash(r, contact.get("role"), lang),
        "contact_email": _or_dash(r, contact.get("email"), lang),
        "contact_phone": _or_dash(r, contact.get("phone"), lang),
        "contact_telegram": yes if contact.get("telegram") else no,
        "consent_at": _or_dash(r, contact.get("consent_at"), lang),
        "consent_version": _or_dash(r, contact.get("consent_version"), lang),
        "motivation_reasons": f"({'; '.join(str(x) for x in reasons)})" if reasons else "",
        "flags": _or_dash(r, ", ".join(str(f) for f in dossier.get("flags") or []), lang),
        "answers": "\n".join(f"· {k}: {v}" for k, v in answers.items() if v not in (None, "")) or "·",
        "history": "\n".join(history) or "·",
    })
    return r.text("utter_lead_details", lang, values)
