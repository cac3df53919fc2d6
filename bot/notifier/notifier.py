"""The notifier: the outbox's deliverer with the notifications' kinds (lead cards, reminders, messages
between entity and facilitator) registered.

At least once, with the one retry policy (`delivery:` in config.yml); one card per lead (the card row's
dedup key), and a card that reached some chats and not others is resumed where it stopped. Rows leased by a
deliverer that died are taken again when the lease ends. Inside `aliat run` the Telegram channel registers
its "reply" kind on the same notifier: one deliverer for every message the bot sends.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.content.domain import Domain
from bot.engine.render import Renderer
from bot.leads.cards import card_buttons, card_text
from bot.notifier.deliverer import OutboxDeliverer
from bot.notifier.introductions import register_introductions
from bot.notifier.senders import Transport
from bot.shared.addresses import telegram_address, telegram_chat_id
from bot.store import facilitators, lead_admin, outbox
from bot.store import leads as store
from bot.store import matching as matching_store
from bot.store.models import Coordinator, Facilitator, Outbox
from bot.store.outbox import (
    AssigneeReminder,
    CoordinatorAlert,
    DeliveryError,
    FollowUpReminder,
    LeadCard,
    LeadRefresh,
    LeadReminder,
    OutboxKind,
    Progress,
    Relay,
)
from bot.text.formats import when
from bot.text.textsplit import split_text

log = logging.getLogger(__name__)
REMINDER_CHECK_SECONDS = 60
KINDS = (OutboxKind.LEAD_CARD, OutboxKind.LEAD_REMINDER, OutboxKind.LEAD_REFRESH, OutboxKind.ASSIGNEE_REMINDER,
         OutboxKind.RELAY, OutboxKind.ENTITY_MESSAGE, OutboxKind.COORDINATOR_ALERT, OutboxKind.FOLLOW_UP_REMINDER)


def chat_lane(address: Any) -> str:
    """The lane of a message to one chat (bot/notifier/deliverer.py): a relay, an entity's message and a
    reply to the same person go in the order they were written."""
    chat_id = telegram_chat_id(address)
    return f"chat:{chat_id if chat_id is not None else address}"


def lane_of(row: Outbox) -> str:
    """Messages to a person in their chat's lane; a lead's card, its edits and reminders in the lead's
    (its card goes before the edits that read where it went), beside every other lead's."""
    payload = outbox.payload_of(row)
    if isinstance(payload, Relay):
        return chat_lane(payload.to)
    return f"lead:{getattr(payload, 'lead_id', None)}"


class Notifier(OutboxDeliverer):
    def __init__(self, *, settings: Settings, domain: Domain, sessionmaker: async_sessionmaker[AsyncSession],
                 sender: Transport, lease_seconds: float = 60) -> None:
        super().__init__(settings=settings, sessionmaker=sessionmaker, lease_seconds=lease_seconds)
        self.sender = sender
        self.renderer = Renderer(domain, settings.default_language, settings.programme.time_zone)
        for kind in KINDS:
            self.register(kind, getattr(self, f"_do_{kind.value}"), lane=lane_of,
                          on_failure=self._reply_failed if kind == OutboxKind.ENTITY_MESSAGE else None)
        register_introductions(self)  # partner matching's kinds (bot/notifier/introductions.py)

    @classmethod
    def from_runtime(cls, runtime, sender: Transport) -> Notifier:
        return cls(settings=runtime.settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker, sender=sender)

    def periodic_seconds(self) -> float:
        return REMINDER_CHECK_SECONDS

    async def periodic(self) -> None:
        await self.schedule_reminders()
        await self.schedule_introduction_reminders()

    async def schedule_introduction_reminders(self) -> dict[str, int]:
        m = self.settings.matching
        async with self.sessionmaker() as session, session.begin():
            return await matching_store.schedule_reminders(session=session, reminder_days=m.reminder_days,
                                                           expiry_days=m.expiry_days)

    async def schedule_reminders(self) -> int:
        h = self.settings.handoff
        async with self.sessionmaker() as session, session.begin():
            count = await store.schedule_reminders(session=session, unclaimed_hours=h.reminder_unclaimed_hours,
                                                   no_contact_days=h.reminder_no_contact_days)
            count += len(await lead_admin.escalate_stale(session=session, unclaimed_hours=h.escalate_unclaimed_hours,
                                                         no_contact_days=h.escalate_no_contact_days))
            count += len(await lead_admin.due_follow_ups(session=session))
            return count

    # ------------------------------------------------------------------ targets
    async def card_targets(self, session: AsyncSession, view: store.LeadView) -> list[tuple[str, str]]:
        """The facilitators' chat, and/or facilitators in private routed by territory and language."""
        h, default = self.settings.handoff, self.settings.default_language
        targets: list[tuple[str, str]] = []
        if h.facilitator_chat_id:
            targets.append((telegram_address(h.facilitator_chat_id), default))
        if not h.facilitator_chat_id or h.notify_private:
            people = await facilitators.list_facilitators(session=session)
            territory = view.entity.territory if view.entity else None

            def fits(f: Facilitator) -> bool:
                return ((not f.territory or not territory or f.territory.lower() == territory.lower())
                        and (not f.language or f.language == view.lead.language))

            routed = [f for f in people if fits(f)] or people
            targets += [(telegram_address(f.telegram_user_id), f.language or default) for f in routed]
        return targets or [("facilitators", default)]

    async def _send_each(self, row: Outbox, payload: Progress, targets: list[tuple[str, str]],
                         build) -> list[dict[str, Any]]:
        """Send to every target not reached yet, saving progress after each, so none gets it twice. A target
        that can never be reached (a facilitator who blocked the bot) is passed over, not waited for: the
        others still get the card; the row fails only when no target was reached. A text longer than a
        message may be goes as several (bot/text/textsplit.py), the buttons under the last; the pieces already
        sent are saved too, so a retry sends only the rest."""
        delivered: list[dict[str, Any]] = list(payload.delivered)
        done = {d["to"] for d in delivered}
        refused: DeliveryError | None = None
        for address, lang in targets:
            if address in done:
                continue
            text, buttons = build(lang)
            pieces = split_text(text) or [text]
            partial = payload.pieces_sent
            sent: list = list(partial.get(address) or [])
            try:
                for i in range(len(sent), len(pieces)):
                    last = i == len(pieces) - 1
                    sent.append(await self.sender.send(address, pieces[i], buttons if last else None))
                    if not last:
                        partial[address] = sent
                        await outbox.save_progress(sessionmaker=self.sessionmaker, row_id=row.id, payload=payload)
            except DeliveryError as exc:
                if not exc.permanent or len(targets) == 1:
                    raise
                log.warning("outbox row %s: a target refused it for good (%s); passed over", row.id, exc)
                refused = exc
                delivered.append({"to": address, "message_id": None, "lang": lang, "refused": True})
            else:
                delivered.append({"to": address, "message_id": sent[-1], "lang": lang})
            partial.pop(address, None)
            payload.delivered = delivered
            await outbox.save_progress(sessionmaker=self.sessionmaker, row_id=row.id, payload=payload)
        if refused is not None and all(d.get("refused") for d in delivered):
            raise refused
        return delivered

    # ------------------------------------------------------------------ kinds
    async def _view(self, lead_id: Any) -> tuple[store.LeadView | None, list[tuple[str, str]]]:
        async with self.sessionmaker() as session:
            view = await store.show_lead(session=session, lead_id=int(lead_id), with_events=False)
            targets = await self.card_targets(session, view) if view is not None else []
            return view, targets

    async def _do_lead_card(self, row: Outbox, payload: LeadCard) -> None:
        view, targets = await self._view(payload.lead_id)
        if view is None or view.lead.status == "closed":
            return
        r = self.renderer
        delivered = await self._send_each(row, payload, targets,
                                          lambda lang: (self._card(view, lang), card_buttons(r, view, lang)))
        first = next((d for d in delivered if d.get("message_id") is not None), None)
        async with self.sessionmaker() as session, session.begin():
            await store.mark_notified(session=session, lead_id=view.lead.id,
                                      chat_id=telegram_chat_id(first["to"]) if first else None,
                                      message_id=first["message_id"] if first else None)

    async def _do_lead_reminder(self, row: Outbox, payload: LeadReminder) -> None:
        view, targets = await self._view(payload.lead_id)
        if view is None or view.lead.status not in store.UNCLAIMED:
            return
        r = self.renderer
        await self._send_each(row, payload, targets, lambda lang: (
            self._card(view, lang, reminder=True), card_buttons(r, view, lang)))

    def _card(self, view: store.LeadView, lang: str, *, reminder: bool = False) -> str:
        """A lead card that fits one message, whatever it holds, so it can be edited later (issue 27)."""
        web = self.settings.web
        return card_text(self.renderer, view, lang, reminder=reminder,
                         dashboard=web.base_url if web.enabled and web.base_url else "")

    async def _do_lead_refresh(self, row: Outbox, payload: LeadRefresh) -> None:
        """Edit the lead's cards to show what it is now."""
        view, _ = await self._view(payload.lead_id)
        if view is None:
            return
        async with self.sessionmaker() as session:
            card = await session.scalar(select(Outbox).where(Outbox.dedup_key == outbox.lead_card_key(view.lead.id)))
        r = self.renderer
        for d in LeadCard.from_dict(card.payload).delivered if card is not None else []:
            if d.get("message_id") is not None:
                lang = d.get("lang") or self.settings.default_language
                await self.sender.edit(d["to"], int(d["message_id"]), self._card(view, lang),
                                       card_buttons(r, view, lang))

    async def _do_assignee_reminder(self, row: Outbox, payload: AssigneeReminder) -> None:
        view, _ = await self._view(payload.lead_id)
        if view is None or view.lead.status != "claimed" or view.assignee is None:
            return
        lang = view.assignee.language or self.settings.default_language
        r = self.renderer
        text = r.text("utter_lead_reminder_assignee", lang, {
            "lead_id": view.lead.id, "entity_name": (view.entity.name if view.entity else None) or "?",
            "claimed_at": when(view.lead.claimed_at, lang, r.time_zone, day_only=True) or "?"})
        await self._send_each(row, payload, [(telegram_address(view.assignee.telegram_user_id), lang)],
                              lambda _lang: (text, card_buttons(r, view, lang)))

    async def _do_coordinator_alert(self, row: Outbox, payload: CoordinatorAlert) -> None:
        """A lead waiting too long, told to every active coordinator in private, each in their language."""
        view, _ = await self._view(payload.lead_id)
        if view is None or view.lead.status not in store.OPEN:
            return
        async with self.sessionmaker() as session:
            people = list(await session.scalars(select(Coordinator).where(Coordinator.active.is_(True))))
        r = self.renderer
        values = {"lead_id": view.lead.id, "entity_name": (view.entity.name if view.entity else None) or "?",
                  "assignee": view.assignee.name if view.assignee else "?"}
        targets = [(telegram_address(c.telegram_user_id), c.language or self.settings.default_language) for c in people]
        if not targets:
            return  # no coordinator yet: the overview still shows it
        why = "utter_coordinator_alert_no_contact" if payload.why == "no_contact" else \
            "utter_coordinator_alert_unclaimed"
        await self._send_each(row, payload, targets, lambda lang: (r.text(why, lang, values), None))

    async def _do_follow_up_reminder(self, row: Outbox, payload: FollowUpReminder) -> None:
        """The day its facilitator chose to pick a lead up again."""
        view, _ = await self._view(payload.lead_id)
        if view is None or view.lead.status not in store.HELD or view.assignee is None:
            return
        lang = view.assignee.language or self.settings.default_language
        r = self.renderer
        text = r.text("utter_follow_up_due", lang, {
            "lead_id": view.lead.id, "entity_name": (view.entity.name if view.entity else None) or "?"})
        await self._send_each(row, payload, [(telegram_address(view.assignee.telegram_user_id), lang)],
                              lambda _lang: (text, card_buttons(r, view, lang)))

    def _relay_text(self, payload: Relay) -> str:
        """A row written by an action names its response and values (actions don't render); one written
        by a facilitator's handler (or before this) carries its text."""
        if payload.text is not None or not payload.response:
            return str(payload.text or "")
        lang = payload.lang or self.settings.default_language
        values = dict(payload.values or {})
        if payload.text_response:  # an attachment or a sticker: a line saying what came instead of words
            values["text"] = self.renderer.text(str(payload.text_response), lang)
        return self.renderer.text(str(payload.response), lang, values)

    async def _do_relay(self, row: Outbox, payload: Relay) -> None:
        """A message between an entity and its facilitator; for a photo, file or voice note, a header
        then a copy of it (or, when it can no longer be copied, a line saying so)."""
        to = str(payload.to)
        text = self._relay_text(payload)
        delivered = await self._send_each(row, payload, [(to, "")], lambda _lang: (text, None))
        copy = payload.copy
        if not copy or payload.copied:
            return
        header = next((d.get("message_id") for d in delivered if d["to"] == to), None)
        if not await self.sender.copy(to, int(copy["from_chat_id"]), int(copy["message_id"]), reply_to=header):
            failed = payload.copy_failed_text or self.renderer.text(
                "utter_relay_non_text", payload.lang or self.settings.default_language)
            await self.sender.send(to, str(failed))
        payload.copied = True
        await outbox.save_progress(sessionmaker=self.sessionmaker, row_id=row.id, payload=payload)

    _do_entity_message = _do_relay  # the facilitator's words to the entity: the same delivery

    async def _reply_failed(self, row: Outbox, payload: Relay, give_up: bool, error: Exception) -> None:
        """A facilitator's words the entity will never get (it blocked the bot, its chat is gone): they were
        told "✓ Sent" when the words were queued, so they are told now that it did not go."""
        back = payload.from_address
        if not give_up or not back:
            return
        async with self.sessionmaker() as session, session.begin():
            await outbox.add_outbox(session=session, payload=Relay(to=str(back), text=self.renderer.text(
                "utter_fac_reply_not_delivered", payload.from_lang or self.settings.default_language,
                {"entity_name": payload.entity_name or "?"})))
        outbox.wake()
