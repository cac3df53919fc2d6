"""Lead cards and dossiers as text and buttons, in a facilitator's language (wording in dialogues/handoff.yml)."""

from __future__ import annotations

from typing import Any

from bot import callbacks
from bot.callbacks import CardAction
from bot.engine.render import Renderer, knowledge_text, pick
from bot.formats import decimal, when
from bot.store.leads import LeadView, show_lead

Buttons = list[list[tuple[str, str]]]


callback_data = callbacks.lead


def status_line(r: Renderer, view: LeadView, lang: str) -> str:
    lead = view.lead
    name = f"utter_status_{lead.status}"
    if lead.status == "closed":
        name = f"utter_status_closed_{lead.outcome or 'not_pursued'}"
    return r.text(name, lang, {"assignee": view.assignee.name if view.assignee else "?"})


def _or_dash(r: Renderer, value: Any, lang: str) -> str:
    return r.text("utter_unknown", lang) if value in (None, "", [], {}) else str(value)


# ------------------------------------------------------------- codes read as words
def _question_buttons(r: Renderer, slot: str) -> tuple:
    for form in r.domain.forms.values():
        for form_slot in form.slots:
            if form_slot.name == slot:
                question = r.domain.responses.get(form_slot.question)
                return question.buttons if question else ()
    return ()


def answer_label(r: Renderer, slot: str, value: Any, lang: str) -> str:
    """A stored answer in the reader's words: the title of the option chosen, yes/no, or the text typed."""
    if value in (None, "", [], {}):
        return r.text("utter_unknown", lang)
    if value == "skipped":
        return r.text("utter_answer_skipped", lang)
    if isinstance(value, bool):
        return r.text("utter_yes" if value else "utter_no", lang)
    if slot == "motivation":
        return motivation_label(r, value, lang)
    for button in _question_buttons(r, slot):
        if button.payload == str(value):
            # titles may be knowledge references ({k:objectives…label}): rendered like the button itself
            return r.buttons([button], lang)[0][0]
    return str(value)


def slot_label(r: Renderer, slot: str, lang: str) -> str:
    """What an answer is about: a label of dialogues/handoff.yml, a success factor's title, a question."""
    text = r.text(f"utter_label_{slot}", lang)
    knowledge = r.domain.knowledge
    if not text and slot.startswith("factor_"):
        text = knowledge_text(knowledge, f"success_factors.factors.{slot[7:]}.title", lang, r.default) or ""
    if not text and slot.startswith("rel_"):
        for indicator in (knowledge.get("relationship_indicators") or {}).get("indicators") or []:
            for question in indicator.get("questions") or []:
                if question.get("id") == slot[4:]:
                    text = pick(question.get("text") or {}, lang, r.default)
    return text or slot


def motivation_label(r: Renderer, code: Any, lang: str) -> str:
    label = knowledge_text(r.domain.knowledge, f"motivations.motivations.{code}.label", lang, r.default)
    return label or str(code)


def _evidence(r: Renderer, item: Any, lang: str) -> str:
    """One reason of the motivation reading: the words the entity wrote, or the answer it gave."""
    if not isinstance(item, dict):
        return str(item)
    if item.get("source") == "text":
        return f"«{item.get('value')}»"
    key = str(item.get("key"))
    return f"{slot_label(r, key, lang)}: {answer_label(r, key, item.get('value'), lang)}"


def _actor(r: Renderer, view: LeadView, actor: str, lang: str) -> str:
    kind, _, who = actor.partition(":")
    if kind == "facilitator" and view.assignee and str(view.assignee.telegram_user_id) == who:
        return view.assignee.name
    return r.text(f"utter_actor_{kind}", lang) or actor


def _event(r: Renderer, view: LeadView, event: Any, lang: str) -> str:
    action = str(event.action).replace(":", "_")
    line = f"· {when(event.created_at, lang, r.time_zone)} {_actor(r, view, str(event.actor), lang)} " \
           f"{r.text(f'utter_event_{action}', lang) or event.action}"
    return line + (f": {event.note}" if event.note else "")


def _readiness(r: Renderer, dossier: dict[str, Any], lang: str) -> str:
    overall = dossier.get("readiness_overall")
    return _or_dash(r, f"{decimal(float(overall), lang)}/4" if isinstance(overall, int | float) else None, lang)


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
        "territory": answer_label(
            r, "territory", (view.entity.territory if view.entity else None) or entity.get("territory"), lang),
        "language": r.text(f"utter_language_{lead.language}", lang) or lead.language,
        "objective": answer_label(r, "objective", answers.get("objective"), lang),
        "motivation": answer_label(r, "motivation", dossier.get("motivation"), lang),
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
    history = [_event(r, view, e, lang) for e in view.events]
    reasons = dossier.get("motivation_reasons") or []
    values.update({
        "contact_name": _or_dash(r, contact.get("name"), lang),
        "contact_role": _or_dash(r, contact.get("role"), lang),
        "contact_email": _or_dash(r, contact.get("email"), lang),
        "contact_phone": _or_dash(r, contact.get("phone"), lang),
        "contact_telegram": yes if contact.get("telegram") else no,
        "consent_at": _or_dash(r, when(contact.get("consent_at"), lang, r.time_zone), lang),
        "consent_version": _or_dash(r, contact.get("consent_version"), lang),
        "motivation_reasons": f"({'; '.join(_evidence(r, x, lang) for x in reasons)})" if reasons else "",
        "flags": _or_dash(r, ", ".join(r.text(f"utter_flag_{f}", lang) or str(f)
                                       for f in dossier.get("flags") or []), lang),
        "answers": "\n".join(f"· {slot_label(r, k, lang)}: {answer_label(r, k, v, lang)}"
                             for k, v in answers.items() if v not in (None, "")) or "·",
        "history": "\n".join(history) or "·",
    })
    return r.text("utter_lead_details", lang, values)


def lead_preview(sessionmaker, renderer: Renderer, card_language: str):
    """The engine's preview of a queued lead in the terminal (no facilitator there): a header in the
    conversation's language, then the card as facilitators get it."""
    async def show(lead_id: object, language: str) -> str | None:
        async with sessionmaker() as session:
            view = await show_lead(session=session, lead_id=int(str(lead_id)), with_events=False)
        if view is None:
            return None
        return f"{renderer.text('utter_console_card_header', language)}\n" + card_text(renderer, view, card_language)

    return show
