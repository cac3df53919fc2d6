"""The notifier: delivers outbox rows (lead cards, reminders, messages between entity and facilitator).

At least once, with exponential backoff, never dropping a row (unless `notifier.max_attempts` says
so); one card per lead (the card row's dedup key), and a card that reached some chats and not others
is resumed where it stopped. Rows leased by a notifier that died are taken again when the lease ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.addresses import telegram_address, telegram_chat_id
from bot.config import Settings
from bot.content import Domain
from bot.engine.render import Renderer
from bot.facilitators.cards import card_buttons, card_text
from bot.formats import when
from bot.notifier.senders import Deliverer, DeliveryError
from bot.store import facilitators, outbox
from bot.store import leads as store
from bot.store.models import Facilitator, Outbox

log = logging.getLogger(__name__)
REMINDER_CHECK_SECONDS = 60


wake = outbox.wake  # kept for callers in the channels; writers below the channels call outbox.wake


class Notifier:
    def __init__(self, *, settings: Settings, domain: Domain, sessionmaker: async_sessionmaker[AsyncSession],
                 sender: Deliverer, lease_seconds: float = 60) -> None:
        self.settings = settings
        self.sessionmaker = sessionmaker
        self.sender = sender
        self.renderer = Renderer(domain, settings.default_language, settings.programme.time_zone)
        self.lease_seconds = lease_seconds
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self.task: asyncio.Task | None = None

    @classmethod
    def from_runtime(cls, runtime, sender: Deliverer) -> Notifier:
        return cls(settings=runtime.settings, domain=runtime.domain, sessionmaker=runtime.sessionmaker, sender=sender)

    # ------------------------------------------------------------------ loop
    async def run_forever(self) -> None:
        """Deliver until stop(); check reminders every minute."""
        outbox.subscribe(self._wake)
        loop = asyncio.get_running_loop()
        next_reminders = loop.time()
        try:
            while not self._stop.is_set():
                try:
                    if loop.time() >= next_reminders:
                        await self.schedule_reminders()
                        next_reminders = loop.time() + REMINDER_CHECK_SECONDS
                    while await self.run_once() and not self._stop.is_set():
                        pass
                except Exception:  # the database may be away for a moment; keep going
                    log.exception("notifier round failed")
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.settings.notifier.poll_interval_seconds)
        finally:
            outbox.unsubscribe(self._wake)

    def start(self) -> asyncio.Task:
        self.task = asyncio.create_task(self.run_forever(), name="aliat-notifier")
        return self.task

    async def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self.task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self.task, 10)

    async def schedule_reminders(self) -> int:
        h = self.settings.handoff
        async with self.sessionmaker() as session, session.begin():
            return await store.schedule_reminders(session=session, unclaimed_hours=h.reminder_unclaimed_hours,
                                                  no_contact_days=h.reminder_no_contact_days)

    async def run_once(self, limit: int = 20) -> int:
        """Deliver the rows due now; return how many were taken (delivered or not)."""
        rows = await outbox.lease_due(sessionmaker=self.sessionmaker, limit=limit, lease_seconds=self.lease_seconds)
        for row in rows:
            await self._deliver_row(row)
        return len(rows)

    async def _deliver_row(self, row: Outbox) -> None:
        payload = dict(row.payload or {})
        try:
            handler = getattr(self, f"_do_{row.kind}", None)
            if handler is None:
                log.error("outbox row %s has unknown kind %s; kept", row.id, row.kind)
                raise DeliveryError(f"unknown kind {row.kind}")
            await handler(row, payload)
        except Exception as exc:
            attempts = row.attempts + 1
            n = self.settings.notifier
            retry_after = exc.retry_after if isinstance(exc, DeliveryError) else None
            delay = retry_after if retry_after else min(n.retry_base_seconds * 2 ** (attempts - 1), n.retry_max_seconds)
            give_up = bool(n.max_attempts) and attempts >= n.max_attempts
            log.warning("outbox row %s (%s) not delivered, attempt %s, next in %.0fs: %s", row.id, row.kind,
                        attempts, delay, type(exc).__name__)
            await outbox.mark_failed(sessionmaker=self.sessionmaker, row_id=row.id, attempts=attempts,
                                     error=f"{type(exc).__name__}: {exc}", retry_in=delay, give_up=give_up)
            return
        await outbox.mark_sent(sessionmaker=self.sessionmaker, row_id=row.id, payload=payload)

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

    async def _send_each(self, row: Outbox, payload: dict[str, Any], targets: list[tuple[str, str]],
                         build) -> list[dict[str, Any]]:
        """Send to every target not reached yet, saving progress after each, so none gets it twice."""
        delivered: list[dict[str, Any]] = list(payload.get("delivered") or [])
        done = {d["to"] for d in delivered}
        for address, lang in targets:
            if address in done:
                continue
            text, buttons = build(lang)
            message_id = await self.sender.send(address, text, buttons)
            delivered.append({"to": address, "message_id": message_id, "lang": lang})
            payload["delivered"] = delivered
            await outbox.save_progress(sessionmaker=self.sessionmaker, row_id=row.id, payload=payload)
        return delivered

    # ------------------------------------------------------------------ kinds
    async def _view(self, lead_id: Any) -> tuple[store.LeadView | None, list[tuple[str, str]]]:
        async with self.sessionmaker() as session:
            view = await store.show_lead(session=session, lead_id=int(lead_id), with_events=False)
            targets = await self.card_targets(session, view) if view is not None else []
            return view, targets

    async def _do_lead_card(self, row: Outbox, payload: dict[str, Any]) -> None:
        view, targets = await self._view(payload["lead_id"])
        if view is None or view.lead.status == "closed":
            return
        r = self.renderer
        delivered = await self._send_each(row, payload, targets,
                                          lambda lang: (card_text(r, view, lang), card_buttons(r, view, lang)))
        first = next((d for d in delivered if d.get("message_id") is not None), None)
        async with self.sessionmaker() as session, session.begin():
            await store.mark_notified(session=session, lead_id=view.lead.id,
                                      chat_id=telegram_chat_id(first["to"]) if first else None,
                                      message_id=first["message_id"] if first else None)

    async def _do_lead_reminder(self, row: Outbox, payload: dict[str, Any]) -> None:
        view, targets = await self._view(payload["lead_id"])
        if view is None or view.lead.status not in store.UNCLAIMED:
            return
        r = self.renderer
        await self._send_each(row, payload, targets, lambda lang: (
            card_text(r, view, lang, reminder=True), card_buttons(r, view, lang)))

    async def _do_lead_refresh(self, row: Outbox, payload: dict[str, Any]) -> None:
        """Edit the lead's cards to show what it is now."""
        view, _ = await self._view(payload["lead_id"])
        if view is None:
            return
        async with self.sessionmaker() as session:
            card = await session.scalar(select(Outbox).where(Outbox.dedup_key == f"lead_card:{view.lead.id}"))
        r = self.renderer
        for d in ((card.payload or {}).get("delivered") or []) if card is not None else []:
            if d.get("message_id") is not None:
                lang = d.get("lang") or self.settings.default_language
                await self.sender.edit(d["to"], int(d["message_id"]), card_text(r, view, lang),
                                       card_buttons(r, view, lang))

    async def _do_assignee_reminder(self, row: Outbox, payload: dict[str, Any]) -> None:
        view, _ = await self._view(payload["lead_id"])
        if view is None or view.lead.status != "claimed" or view.assignee is None:
            return
        lang = view.assignee.language or self.settings.default_language
        r = self.renderer
        text = r.text("utter_lead_reminder_assignee", lang, {
            "lead_id": view.lead.id, "entity_name": (view.entity.name if view.entity else None) or "?",
            "claimed_at": when(view.lead.claimed_at, lang, r.time_zone, day_only=True) or "?"})
        await self._send_each(row, payload, [(telegram_address(view.assignee.telegram_user_id), lang)],
                              lambda _lang: (text, card_buttons(r, view, lang)))

    def _relay_text(self, payload: dict[str, Any]) -> str:
        """A row written by an action names its response and values (actions don't render); one written
        by a facilitator's handler (or before this) carries its text."""
        if payload.get("text") is not None or not payload.get("response"):
            return str(payload.get("text") or "")
        lang = payload.get("lang") or self.settings.default_language
        values = dict(payload.get("values") or {})
        if payload.get("text_response"):  # an attachment or a sticker: a line saying what came instead of words
            values["text"] = self.renderer.text(str(payload["text_response"]), lang)
        return self.renderer.text(str(payload["response"]), lang, values)

    async def _do_relay(self, row: Outbox, payload: dict[str, Any]) -> None:
        """A message between an entity and its facilitator; for a photo, file or voice note, a header
        then a copy of it (or, when it can no longer be copied, a line saying so)."""
        to = str(payload["to"])
        text = self._relay_text(payload)
        delivered = await self._send_each(row, payload, [(to, "")], lambda _lang: (text, None))
        copy = payload.get("copy")
        if not copy or payload.get("copied"):
            return
        header = next((d.get("message_id") for d in delivered if d["to"] == to), None)
        if not await self.sender.copy(to, int(copy["from_chat_id"]), int(copy["message_id"]), reply_to=header):
            failed = payload.get("copy_failed_text") or self.renderer.text(
                "utter_relay_non_text", payload.get("lang") or self.settings.default_language)
            await self.sender.send(to, str(failed))
        payload["copied"] = True
        await outbox.save_progress(sessionmaker=self.sessionmaker, row_id=row.id, payload=payload)

    _do_entity_message = _do_relay  # the facilitator's words to the entity: the same delivery
