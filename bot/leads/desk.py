"""The lead desk: what facilitators do to leads (claim, release, contacted, close, reply, note, lists and
dossiers), channel-neutral. Each call returns the text to show them, in their language; the Telegram handlers
(bot/facilitators) and the dashboard (bot/web/dashboard) call the same methods.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.render import Renderer
from bot.leads.cards import CardAction, details_text, lead_line, status_line
from bot.shared.addresses import telegram_address
from bot.store import facilitators as facilitator_store
from bot.store import leads as store
from bot.store import outbox
from bot.store.models import Facilitator
from bot.store.outbox import wake
from bot.text.export_safe import strip_controls

log = logging.getLogger(__name__)


class LeadDesk:
    """What facilitators can do to leads, channel-neutral: each call returns the text to show them."""

    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.r = Renderer(runtime.domain, runtime.settings.default_language, runtime.settings.programme.time_zone)

    @contextlib.asynccontextmanager
    async def _tx(self, session: AsyncSession | None) -> AsyncIterator[AsyncSession]:
        """The caller's transaction (the update's, with its processed_update row), else a new one."""
        if session is not None:
            yield session
            return
        async with self.runtime.sessionmaker() as own, own.begin():
            yield own

    def lang(self, facilitator: Facilitator | None) -> str:
        return (facilitator.language if facilitator else None) or self.settings.default_language

    async def facilitator(self, user_id: int) -> Facilitator | None:
        async with self.runtime.sessionmaker() as session:
            return await facilitator_store.get_facilitator(session=session, telegram_user_id=user_id)

    async def view(self, lead_id: int, *, with_events: bool = False,
                   session: AsyncSession | None = None) -> store.LeadView | None:
        if session is not None:
            return await store.show_lead(session=session, lead_id=lead_id, with_events=with_events)
        async with self.runtime.sessionmaker() as own:
            return await store.show_lead(session=own, lead_id=lead_id, with_events=with_events)

    def _refusal(self, result: store.LeadResult, lang: str) -> str:
        if result.reason == "not_found":
            return self.r.text("utter_fac_not_found", lang)
        if result.reason == "closed":
            return self.r.text("utter_fac_closed", lang)
        if result.reason == "taken" and result.holder is not None:
            return self.r.text("utter_fac_taken", lang, {"holder": result.holder.name})
        return self.r.text("utter_fac_not_yours", lang)

    async def change(self, facilitator: Facilitator, lead_id: int, action: CardAction | str,
                     note: str | None = None, *, session: AsyncSession | None = None) -> tuple[bool, str]:
        """Claim, release, mark contacted or close; (changed, what to tell the facilitator)."""
        lang = self.lang(facilitator)
        note = strip_controls(note) if note else note  # stored free text: no control characters
        outer = session
        async with self._tx(outer) as session:
            lead = await store.get_lead(session=session, lead_id=lead_id)
            if lead is None:
                return False, self.r.text("utter_fac_not_found", lang)
            values = {"facilitator_name": facilitator.name}
            if action == CardAction.CLAIM:
                notice = {"text": self.r.text("utter_handoff_taken", lead.language, values)}
                result = await store.claim_lead(session=session, lead_id=lead_id, facilitator=facilitator,
                                                notice=notice)
            elif action == CardAction.RELEASE:
                result = await store.release_lead(session=session, lead_id=lead_id, facilitator=facilitator,
                                                  note=note)
            elif action == CardAction.CONTACTED:
                result = await store.mark_contacted(session=session, lead_id=lead_id, facilitator=facilitator,
                                                    note=note)
            else:
                outcome = "alliance_formed" if action == CardAction.FORMED else "not_pursued"
                notice = {"text": self.r.text("utter_handoff_closed_notice", lead.language, values)}
                result = await store.close_lead(session=session, lead_id=lead_id, facilitator=facilitator,
                                                outcome=outcome, note=note, notice=notice)
            if not result.ok:
                return False, self._refusal(result, lang)
            await outbox.add_outbox(session=session, payload=outbox.LeadRefresh(lead_id=lead_id))
            view = await self.view(lead_id, session=session) if outer is not None else None
        if outer is None:
            wake()
            view = await self.view(lead_id)
        log.info("lead %s: %s by facilitator %s", lead_id, action, facilitator.id)
        if action == CardAction.CLAIM:
            return True, self.r.text("utter_fac_claimed", lang, {"lead_id": lead_id})
        return True, self.r.text("utter_fac_done", lang, {"lead_id": lead_id, "status_line": status_line(
            self.r, view, lang)})

    async def reply(self, facilitator: Facilitator, lead_id: int, text: str, *,
                    copy: tuple[int, int] | None = None, session: AsyncSession | None = None) -> str:
        """Pass a facilitator's words (and a photo or file: `copy`) to the entity whose lead they hold."""
        lang = self.lang(facilitator)
        text = strip_controls(text)
        outer = session
        async with self._tx(outer) as session:
            lead = await store.get_lead(session=session, lead_id=lead_id)
            if lead is None or lead.status not in store.HELD or lead.assignee_id != facilitator.id:
                return self.r.text("utter_fac_not_relayable", lang)
            sender_id = (lead.dossier or {}).get("sender_id")
            if not sender_id:
                return self.r.text("utter_fac_not_relayable", lang)
            if copy is not None and not text.strip():
                text = self.r.text("utter_relay_attachment", lead.language)
            body = self.r.text("utter_facilitator_says", lead.language,
                               {"facilitator_name": facilitator.name, "text": text})
            entity_name = ((lead.dossier or {}).get("entity") or {}).get("name") or "?"
            # who to tell if it never arrives (bot/notifier/notifier.py: `_reply_failed`)
            payload = outbox.EntityMessage(to=sender_id, text=body, from_address=telegram_address(
                facilitator.telegram_user_id), from_lang=lang, entity_name=entity_name)
            if copy is not None:
                payload.copy = outbox.copy_request(*copy)
                payload.copy_failed_text = self.r.text("utter_relay_non_text", lead.language)
            await outbox.add_outbox(session=session, payload=payload)
            await store.add_lead_event(session=session, lead_id=lead_id, actor=store.actor_of(facilitator),
                                       action="replied", note=text if text.strip() else None)
        if outer is None:
            wake()
        return self.r.text("utter_fac_reply_sent", lang, {"entity_name": entity_name})

    async def note(self, facilitator: Facilitator, lead_id: int, text: str, *,
                   session: AsyncSession | None = None) -> str:
        lang = self.lang(facilitator)
        text = strip_controls(text)
        async with self._tx(session) as session:
            ok = await store.add_note(session=session, lead_id=lead_id, facilitator=facilitator, note=text)
        return self.r.text("utter_fac_note_saved" if ok else "utter_fac_not_found", lang, {"lead_id": lead_id})

    @staticmethod
    def seer(facilitator: Facilitator | None) -> store.Seer:
        """Who is looking, on Telegram: a registered facilitator, else nobody (a trainer only, a coordinator
        who is not a facilitator, an unknown user: no lead's dossier or contact here)."""
        return store.Seer.facilitator(facilitator.id) if facilitator is not None else store.Seer.nobody()

    async def leads(self, facilitator: Facilitator | None) -> str:
        lang = self.lang(facilitator)
        if facilitator is None:
            return self.r.text("utter_fac_not_facilitator", lang)
        who = self.seer(facilitator)
        handoff = self.settings.handoff
        async with self.runtime.sessionmaker() as session:
            rows = [row for row in await store.list_leads(session=session, open_only=True,
                                                          claim_hours=handoff.reminder_unclaimed_hours,
                                                          contact_days=handoff.reminder_no_contact_days)
                    if who.sees_held_by(row["assignee_id"])]  # store.may_see's rule, the dashboard's too
        if not rows:
            return self.r.text("utter_fac_leads_empty", lang)
        # urgent first, then the longest waiting (store.list_leads); ⏰ for a lead past its time
        lines = [self.r.text("utter_fac_leads_header", lang)]
        for row in rows:
            view = await self.view(row["id"])
            lines.append(lead_line(self.r, view, row, lang, mine=row["assignee_id"] == facilitator.id))
        return "\n".join(lines)

    async def details(self, facilitator: Facilitator | None, lead_id: int) -> str:
        lang = self.lang(facilitator)
        if facilitator is None:
            return self.r.text("utter_fac_not_facilitator", lang)
        view = await self.view(lead_id, with_events=True)
        if view is None or not store.may_see(view.lead, self.seer(facilitator)):
            return self.r.text("utter_fac_not_found", lang)  # another's lead: as on the dashboard, not there
        return details_text(self.r, view, lang)
