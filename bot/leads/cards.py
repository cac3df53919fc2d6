"""Lead cards and dossiers as text and buttons, in a facilitator's language (wording in dialogues/handoff.yml)."""

from __future__ import annotations

from typing import Any

from actions.verdict import Urgency, Verdict, confidence_text, reason_line
from bot.engine.render import Renderer, knowledge_text, pick
from bot.shared import callbacks
from bot.shared.callbacks import CardAction
from bot.store.leads import LeadView, show_lead
from bot.text.formats import decimal, when
from bot.text.textsplit import MAX_MESSAGE

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
    if value == "dont_know":
        return r.text("utter_dossier_dont_know", lang)
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


def urgency_of(lead: Any) -> tuple[str, str]:
    """(urgent/normal, the sentence that says it) of a lead; leads from before issue 24 by their reasons."""
    urgency = (lead.dossier or {}).get("urgency") or {}
    level = urgency.get("level") or ("urgent" if "urgent" in (lead.priority_reasons or []) else "normal")
    return level, str(urgency.get("quote") or "")


def _k(r: Renderer, path: str, lang: str) -> str:
    return knowledge_text(r.domain.knowledge, path, lang, r.default) or ""


def urgency_text(r: Renderer, lead: Any, lang: str) -> str:
    """'🔴 urgent — said: «...»' or 'normal', in the reader's language."""
    level, quote = urgency_of(lead)
    label = _k(r, f"verdict.urgency.labels.{level}", lang) or level
    if level == "urgent" and quote:
        said = _k(r, "journey.said.text", lang).replace("{quote}", quote)
        return f"{label} — {_k(r, 'verdict.urgency.reason', lang).replace('{quote}', said)}"
    return label


def _verdict(dossier: dict[str, Any]) -> Verdict | None:
    record = dossier.get("verdict")
    if not isinstance(record, dict) or not record.get("code"):
        return None
    urgency = dossier.get("urgency") or {}
    return Verdict(code=str(record["code"]), score=record.get("score"), level=record.get("level"),
                   confidence=str(record.get("confidence") or "sure"), gaps=list(record.get("gaps") or []),
                   holding=list(record.get("holding") or []), weak=list(record.get("weak") or []),
                   crisis=bool(record.get("crisis")),
                   urgency=Urgency(str(urgency.get("level") or "normal"), str(urgency.get("quote") or "")))


def _readiness(r: Renderer, dossier: dict[str, Any], lang: str) -> str:
    """'2,6/4 · on the right track' (the verdict's label), or the bare mean for leads before issue 24."""
    overall = dossier.get("readiness_overall")
    score = f"{decimal(float(overall), lang)}/4" if isinstance(overall, int | float) else None
    verdict = _verdict(dossier)
    label = _k(r, f"verdict.readiness.labels.{verdict.code}", lang) if verdict else ""
    return " · ".join(x for x in (score, label) if x) or r.text("utter_unknown", lang)


def card_values(r: Renderer, view: LeadView, lang: str) -> dict[str, Any]:
    lead, dossier = view.lead, view.lead.dossier or {}
    entity = dossier.get("entity") or {}
    answers = dossier.get("answers") or {}
    return {
        "lead_id": lead.id,
        "entity_name": (view.entity.name if view.entity and view.entity.name else entity.get("name")) or "?",
        # two dimensions: urgency (stated time pressure, with its quote) and readiness, never mixed
        "priority_label": urgency_text(r, lead, lang),
        "reasons": "",
        "territory": answer_label(
            r, "territory", (view.entity.territory if view.entity else None) or entity.get("territory"), lang),
        "language": r.text(f"utter_language_{lead.language}", lang) or lead.language,
        "objective": answer_label(r, "objective", answers.get("objective"), lang),
        "motivation": answer_label(r, "motivation", dossier.get("motivation"), lang),
        "readiness": _readiness(r, dossier, lang),
        "status_line": status_line(r, view, lang),
    }


def waited_text(r: Renderer, hours: float | None, lang: str) -> str:
    """'2 d 5 h' / '5 h' of waiting, in the reader's language."""
    if hours is None:
        return ""
    whole = int(hours)
    return r.text("utter_waited_days" if whole >= 24 else "utter_waited_hours", lang,
                  {"days": whole // 24, "hours": whole % 24})


def lead_line(r: Renderer, view: LeadView, row: dict[str, Any], lang: str, *, mine: bool = False) -> str:
    """One lead in a list: ⏰ when overdue, urgency, readiness, how long they have waited, status."""
    late = r.text(f"utter_overdue_{row['overdue']}", lang) if row.get("overdue") else ""
    parts = [f"{'★ ' if mine else ''}{'⏰ ' if late else ''}#{row['id']} · {row['entity_name'] or '?'}",
             urgency_text(r, view.lead, lang).split(" — ")[0], _readiness(r, view.lead.dossier or {}, lang),
             r.text("utter_fac_waiting", lang, {"waited": waited_text(r, row.get("waiting_hours"), lang)}),
             status_line(r, view, lang)]
    return " · ".join(p for p in parts if p) + (f" ({late})" if late else "")


# What people typed or named, which can make a card long: the longest cut to one length when a card would not fit.
CARD_FREE_TEXT = ("priority_label", "entity_name", "status_line", "objective")
KEEP_AT_LEAST = 60  # characters of each, so a cut value still says what it is


def card_text(r: Renderer, view: LeadView, lang: str, *, reminder: bool = False, limit: int = MAX_MESSAGE,
              dashboard: str = "") -> str:
    """The card, always one message of at most `limit` characters: it carries the buttons and is edited as
    the lead moves on, and an edit cannot be split (issue 27: a card that grew past Telegram's 4,096 on an
    edit was refused, and the group kept showing the old status). Too long, the longest free texts (the
    urgency quote, the name) are cut to one length with "…", and a line says where the whole is: `/lead N`, and the
    dashboard's page of the lead when `dashboard` (web.base_url) is set."""
    header = "utter_lead_card_reminder" if reminder else ("utter_lead_card_new" if view.lead.status == "new" else "")
    values = card_values(r, view, lang)
    values["header"] = r.text(header, lang) if header else ""
    text = r.text("utter_lead_card", lang, values)
    if len(text) <= limit:
        return text
    link = f"{dashboard.rstrip('/')}/leads/{view.lead.id}" if dashboard else ""
    note = r.text("utter_lead_card_cut_link" if link else "utter_lead_card_cut", lang,
                  {"lead_id": view.lead.id, "link": link})
    budget = limit - len(note) - 1

    def capped(cap: int) -> str:  # every free text at most `cap` characters
        return r.text("utter_lead_card", lang, {**values, **{k: _cut(str(values[k]), cap) for k in CARD_FREE_TEXT}})

    low, high = KEEP_AT_LEAST, max(len(str(values[k])) for k in CARD_FREE_TEXT)
    if len(capped(low)) > budget:  # only a template longer than a message gets here
        text = capped(low)[:budget - 1].rstrip() + "…"
    else:  # the largest cap that fits: the long texts are cut to the same length, the short ones kept
        while low < high:
            middle = (low + high + 1) // 2
            low, high = (middle, high) if len(capped(middle)) <= budget else (low, middle - 1)
        text = capped(low)
    return f"{text}\n{note}"


def _cut(text: str, cap: int) -> str:
    return text if len(text) <= cap else text[:cap - 1].rstrip() + "…"


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


READING_SLOTS = ("motivation_clarify", "motivation_feedback", "motivation_alternative")
OWN_SECTION = ("why_partner", "objective_other", "readiness_overall", "motivation", "partner_name", *READING_SLOTS)


def _piece(r: Renderer, response: str, lang: str, **values: Any) -> str:
    return r.text(response, lang, values)


def _scale(r: Renderer, source: str, value: Any, lang: str) -> str:
    """A 1-4 answer as its scale's word and the number ('Bastant (3 de 4)'); a don't-know in words."""
    if value == "dont_know":
        return r.text("utter_dossier_dont_know", lang)
    if value in (None, "", "skipped"):
        return r.text("utter_answer_skipped", lang)
    word = _k(r, f"{source}.scale.{value}", lang)
    return r.text("utter_dossier_scale", lang, {"word": word, "value": value}) if word else str(value)


def _factor_lines(r: Renderer, answers: dict[str, Any], lang: str) -> str:
    factors = (r.domain.knowledge.get("success_factors") or {}).get("factors") or []
    return "\n".join(f"· {pick(f.get('title') or {}, lang, r.default)}: "
                     f"{_scale(r, 'success_factors', answers['factor_' + f['id']], lang)}"
                     for f in factors if f"factor_{f['id']}" in answers)


def _relationship_lines(r: Renderer, answers: dict[str, Any], lang: str) -> str:
    """Each relationship answer with its question and what the number means on its scale."""
    lines = []
    for indicator in (r.domain.knowledge.get("relationship_indicators") or {}).get("indicators") or []:
        for q in indicator.get("questions") or []:
            if f"rel_{q['id']}" in answers:
                lines.append(f"· {pick(q.get('text') or {}, lang, r.default)} "
                             f"{_scale(r, 'relationship_indicators', answers['rel_' + q['id']], lang)}")
    return "\n".join(lines)


def gap_label(r: Renderer, slot: str, lang: str) -> str:
    """What the entity does not know yet, in words: the summary's 'to find out' topic, a factor, a question."""
    text = _k(r, f"journey.find_out.{slot}", lang)
    if not text and slot.startswith("rel_"):
        for indicator in (r.domain.knowledge.get("relationship_indicators") or {}).get("indicators") or []:
            for q in indicator.get("questions") or []:
                if q.get("id") == slot[4:]:
                    text = pick(q.get("short") or {}, lang, r.default)
    return text or slot_label(r, slot, lang)


def _reading(r: Renderer, answers: dict[str, Any], lang: str) -> str:
    """The person's agreement with the reading of their motivation, or their correction, as they answered it."""
    said = [answer_label(r, slot, answers[slot], lang) for slot in READING_SLOTS if answers.get(slot) not in (None, "")]
    return _piece(r, "utter_dossier_reading", lang, view=" → ".join(said)) if said else ""


def _strengths(r: Renderer, answers: dict[str, Any], lang: str) -> list[str]:
    factors = (r.domain.knowledge.get("success_factors") or {}).get("factors") or []
    return [pick(f.get("title") or {}, lang, r.default) for f in factors
            if str(answers.get(f"factor_{f['id']}")) == "4"]


def details_text(r: Renderer, view: LeadView, lang: str) -> str:
    """The whole dossier in words, contact details included: sent only to a registered facilitator, in private."""
    dossier = view.lead.dossier or {}
    contact = view.contact()
    values = card_values(r, view, lang)
    yes, no = r.text("utter_yes", lang), r.text("utter_no", lang)
    answers = dossier.get("answers") or {}
    history = [_event(r, view, e, lang) for e in view.events]
    reasons = dossier.get("motivation_reasons") or []
    verdict = _verdict(dossier)
    risks = [_k(r, f"relationship_indicators.flags.{f}.short", lang) or r.text(f"utter_flag_{f}", lang)
             for f in dossier.get("flags") or []]
    strengths = _strengths(r, answers, lang)
    gaps = [gap_label(r, slot, lang) for slot in dict.fromkeys(dossier.get("gaps") or [])]
    words = answers.get("why_partner")
    partner = dossier.get("partner_name") or answers.get("partner_name")
    partner = partner if partner not in (None, "", "skipped") else None
    if answers.get("objective") == "other" and answers.get("objective_other") not in (None, "", "skipped"):
        values["objective"] = f"«{answers['objective_other']}»"
    factor_lines = _factor_lines(r, answers, lang)
    relationship_lines = _relationship_lines(r, answers, lang)
    shown = [(k, v) for k, v in answers.items() if v not in (None, "") and k not in OWN_SECTION
             and not k.startswith(("factor_", "rel_"))]
    values.update({
        "contact_name": _or_dash(r, contact.get("name"), lang),
        "contact_role": _or_dash(r, contact.get("role"), lang),
        "contact_email": _or_dash(r, contact.get("email"), lang),
        "contact_phone": _or_dash(r, contact.get("phone"), lang),
        "contact_telegram": yes if contact.get("telegram") else no,
        "consent_at": _or_dash(r, when(contact.get("consent_at"), lang, r.time_zone), lang),
        "consent_version": _or_dash(r, contact.get("consent_version"), lang),
        # each point once: the urgent sentence is quoted on the urgency line only
        "verdict": (f"\n{reason_line(verdict, lang, quote=False)} ({confidence_text(verdict.confidence, lang)})"
                    if verdict and reason_line(verdict, lang) else ""),
        "partner": _piece(r, "utter_dossier_partner", lang, name=partner) if partner else "",
        "motivation_reasons": f"({'; '.join(_evidence(r, x, lang) for x in reasons)})" if reasons else "",
        "reading": _reading(r, answers, lang),
        "own_words": _piece(r, "utter_dossier_own_words", lang, words=words)
        if words not in (None, "", "skipped", "dont_know") and words != urgency_of(view.lead)[1] else "",
        "risks": _piece(r, "utter_dossier_risks", lang, items="; ".join(x for x in risks if x)) if risks else "",
        "strengths": _piece(r, "utter_dossier_strengths", lang, items=", ".join(strengths)) if strengths else "",
        "gaps": _piece(r, "utter_dossier_gaps", lang, items="; ".join(gaps)) if gaps else "",
        "answers": "\n".join(f"· {slot_label(r, k, lang)}: {answer_label(r, k, v, lang)}" for k, v in shown) or "·",
        "factors": _piece(r, "utter_dossier_factors", lang, lines=factor_lines) if factor_lines else "",
        "relationship": _piece(r, "utter_dossier_relationship", lang, lines=relationship_lines)
        if relationship_lines else "",
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
