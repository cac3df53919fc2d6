"""Lead commands in words, channel-neutral: a facilitator's (/leads, /lead, /claim, /reply, /note,
/contacted, /release, /close) and a coordinator's (/reassign, /release, /reopen, /close), each answered with
the text to show. Parsing the words is here; the Telegram handlers (bot/facilitators) only route updates.
"""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.render import Renderer
from bot.leads.cards import CardAction
from bot.leads.desk import LeadDesk
from bot.store import facilitators as facilitator_store
from bot.store import lead_admin
from bot.store import leads as store
from bot.store.models import Coordinator, Facilitator
from bot.text.numbers import parse_int

log = logging.getLogger(__name__)
COMMANDS = ("leads", "lead", "claim", "reply", "contacted", "release", "close", "note", "reassign", "reopen")
COORDINATOR_COMMANDS = ("reassign", "reopen", "release", "close")
OUTCOME_WORDS = {"formed": "alliance_formed", "alliance": "alliance_formed", "alliance_formed": "alliance_formed",
                 "dropped": "not_pursued", "not_pursued": "not_pursued", "no": "not_pursued"}


def is_coordinator_command(command: str, facilitator: Facilitator | None) -> bool:
    """A coordinator's command: /reassign and /reopen always; /release and /close when not a facilitator's."""
    return command in COORDINATOR_COMMANDS and (facilitator is None or command in ("reassign", "reopen"))


async def facilitator_command(desk: LeadDesk, facilitator: Facilitator | None, command: str,
                              lead_id: int | None, rest: str, lang: str, sent_privately: str | None,
                              session: AsyncSession) -> str:
    """A facilitator's command on a lead: the change made in `session`, the answer returned."""
    if facilitator is None:
        return desk.r.text("utter_fac_not_facilitator", lang)
    if command in ("reassign", "reopen"):
        return desk.r.text("utter_coord_only", lang)
    if command == "leads":
        return await desk.leads(facilitator)
    if lead_id is None:
        return desk.r.text("utter_fac_usage", lang)
    if command == "lead":
        return sent_privately or await desk.details(facilitator, lead_id)
    if command == "reply":
        return await desk.reply(facilitator, lead_id, rest, session=session) if rest else \
            desk.r.text("utter_fac_usage", lang)
    if command == "note":
        return await desk.note(facilitator, lead_id, rest, session=session) if rest else \
            desk.r.text("utter_fac_usage", lang)
    if command == "close":
        words = rest.split(maxsplit=1)
        outcome = OUTCOME_WORDS.get(words[0].lower()) if words else None
        if outcome is None:
            return desk.r.text("utter_fac_usage", lang)
        action = CardAction.FORMED if outcome == "alliance_formed" else CardAction.DROPPED
        note = words[1] if len(words) > 1 else None
        if action == CardAction.DROPPED:  # why, from the list: "/close 12 dropped 3 no contesten"
            reason, text = read_reason(note)
            if reason is None:
                return close_how(desk.r, lead_id, lang)
            note = lead_admin.reason_note(reason, text)
        return (await desk.change(facilitator, lead_id, action, note, session=session))[1]
    action = {"claim": CardAction.CLAIM, "contacted": CardAction.CONTACTED,
              "release": CardAction.RELEASE}[command]
    return (await desk.change(facilitator, lead_id, action, rest or None, session=session))[1]


def read_reason(text: str | None) -> tuple[str | None, str]:
    """A closing's reason as typed: its number in the list (1-6) or its code, then any words."""
    words = (text or "").split(maxsplit=1)
    if not words:
        return None, ""
    first = words[0].lower().rstrip(".,:")
    rest = words[1] if len(words) > 1 else ""
    if first.isdigit() and 1 <= int(first) <= len(lead_admin.CLOSE_REASONS):
        return lead_admin.CLOSE_REASONS[int(first) - 1], rest
    return (first, rest) if first in lead_admin.CLOSE_REASONS else (None, text or "")


def close_how(r: Renderer, lead_id: int, lang: str) -> str:
    reasons = " · ".join(f"{n} {r.text(f'utter_web_reason_{code}', lang)}"
                         for n, code in enumerate(lead_admin.CLOSE_REASONS, start=1))
    return r.text("utter_fac_close_how", lang, {"lead_id": lead_id, "reasons": reasons})


async def coordinator_command(desk: LeadDesk, coordinator: Coordinator, command: str, lead_id: int | None,
                              rest: str, lang: str, session: AsyncSession) -> str:
    """/reassign N WHO, /release N, /reopen N [why], /close N formed|dropped REASON [words] by a coordinator,
    on any lead (the same store functions as the dashboard's Coordination box)."""
    r = desk.r
    if lead_id is None:
        return r.text("utter_coord_usage", lang)
    lead = await store.get_lead(session=session, lead_id=lead_id)
    if lead is None:
        return r.text("utter_fac_not_found", lang)
    if command == "reassign":
        who = rest.split(maxsplit=1)[0] if rest else ""
        to = await _facilitator_named(session, who)
        if to is None:
            return r.text("utter_coord_who", lang)
        result = await lead_admin.reassign(session=session, lead_id=lead_id, to=to, coordinator=coordinator,
                                           notice={"text": r.text("utter_handoff_taken", lead.language,
                                                                  {"facilitator_name": to.name})})
        done = r.text("utter_web_done_reassigned", lang, {"name": to.name})
    elif command == "release":
        result = await lead_admin.release(session=session, lead_id=lead_id, coordinator=coordinator, note=rest or None)
        done = r.text("utter_web_done_released", lang)
    elif command == "reopen":
        result = await lead_admin.reopen(session=session, lead_id=lead_id, coordinator=coordinator, note=rest or None)
        done = r.text("utter_web_done_reopened", lang)
    else:
        words = rest.split(maxsplit=1)
        outcome = OUTCOME_WORDS.get(words[0].lower()) if words else None
        reason, text = read_reason(words[1] if len(words) > 1 else None)
        if outcome is None or (outcome == "not_pursued" and reason is None):
            return close_how(r, lead_id, lang)
        result = await lead_admin.close(session=session, lead_id=lead_id, coordinator=coordinator, outcome=outcome,
                                        reason=reason, text=text, notice={"text": r.text(
                                            "utter_coord_closed_notice", lead.language)})
        done = r.text("utter_web_done_closed", lang)
    if not result.ok:
        return r.text("utter_web_not_possible", lang)
    log.info("lead %s: %s by coordinator %s", lead_id, command, coordinator.id)
    return f"#{lead_id} · {done}"


async def _facilitator_named(session: AsyncSession, who: str) -> Facilitator | None:
    """An active facilitator by Telegram number, or by the start of their name (when only one matches)."""
    if not who:
        return None
    number = parse_int(who)
    if number is not None:
        return await facilitator_store.get_facilitator(session=session, telegram_user_id=number)
    people = [f for f in await facilitator_store.list_facilitators(session=session)
              if f.name.casefold().startswith(who.casefold())]
    return people[0] if len(people) == 1 else None
