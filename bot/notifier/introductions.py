"""The notifier's kinds for partner matching: an introduction (or its one reminder) to each entity, with
Accept / Not now; both contacts once both accepted; the proposing facilitator's notices. Each reads the
introduction as it is when delivered: an answered, withdrawn or erased one sends nothing."""

from __future__ import annotations

from bot.leads.cards import answer_label
from bot.matching.introductions import about_the_other, pair_for
from bot.matching.rules import load_rules
from bot.shared import callbacks
from bot.shared.addresses import telegram_address
from bot.store import matching as store
from bot.store.models import Outbox
from bot.store.outbox import MatchContacts, MatchIntro, MatchNotice, OutboxKind
from bot.store.staff import staff_member


def register_introductions(notifier) -> None:
    kinds = IntroductionKinds(notifier)
    notifier.register(OutboxKind.MATCH_INTRO, kinds.introduction)
    notifier.register(OutboxKind.MATCH_CONTACTS, kinds.contacts)
    notifier.register(OutboxKind.MATCH_NOTICE, kinds.notice)


class IntroductionKinds:
    def __init__(self, notifier) -> None:
        self.n = notifier
        self.r = notifier.renderer

    @property
    def rules(self):
        return load_rules(str(self.n.settings.knowledge_dir))

    def _lang(self, lang: str | None) -> str:
        return lang if lang in self.n.settings.languages else self.n.settings.default_language

    async def introduction(self, row: Outbox, payload: MatchIntro) -> None:
        side = payload.side
        async with self.n.sessionmaker() as session:
            view = await store.view_intro(session=session, intro_id=int(payload.intro_id))
            if view is None or view.intro.status != store.IntroStatus.PROPOSED or side not in ("a", "b"):
                return
            if (view.intro.a_answer if side == "a" else view.intro.b_answer) is not None:
                return
            me, other = ((view.intro.a_entity_id, view.intro.b_entity_id) if side == "a"
                         else (view.intro.b_entity_id, view.intro.a_entity_id))
            pair = await pair_for(session=session, rules=self.rules, first=me, second=other)
        to = view.a_sender if side == "a" else view.b_sender
        if pair is None or not to:
            return
        lang = self._lang(view.a_language if side == "a" else view.b_language)
        values = about_the_other(pair, self.rules, lang)
        values.update(other_territory=answer_label(self.r, "territory", values.pop("territory"), lang),
                      other_aim=answer_label(self.r, "objective", values.pop("objective"), lang),
                      other_size=answer_label(self.r, "size_staff", values.pop("size_staff"), lang))
        text = self.r.text("utter_match_intro", lang, values)
        if payload.reminder:
            text = f"{self.r.text('utter_match_reminder', lang)}\n\n{text}"
        response = self.r.domain.responses["utter_match_intro"]
        buttons = [[(title, callbacks.match(view.intro.id, answer))]
                   for title, answer in self.r.buttons(response.buttons, lang)]
        await self.n._send_each(row, payload, [(to, lang)], lambda _lang: (text, buttons))

    async def _facilitator(self, session, view: store.IntroView) -> tuple[str, str] | None:
        """Who proposed it (in private, in their language), else the facilitators' chat."""
        if view.intro.proposed_by:
            person = await staff_member(session=session, telegram_user_id=int(view.intro.proposed_by))
            lang = getattr(person, "language", None)
            return telegram_address(view.intro.proposed_by), self._lang(lang)
        chat = self.n.settings.handoff.facilitator_chat_id
        return (telegram_address(chat), self.n.settings.default_language) if chat else None

    def _contact(self, entity, lang: str) -> str:
        lines = [self.r.text(f"utter_match_contact_{key}", lang, {"value": value}) for key, value in (
            ("name", " · ".join(v for v in (entity.contact_name, entity.contact_role) if v)),
            ("email", entity.contact_email), ("phone", entity.contact_phone)) if value]
        return "\n".join(lines)

    async def contacts(self, row: Outbox, payload: MatchContacts) -> None:
        """Both said yes: each gets the other's contact, and the facilitator is told; once per target."""
        async with self.n.sessionmaker() as session:
            view = await store.view_intro(session=session, intro_id=int(payload.intro_id))
            if view is None or view.intro.status not in (store.IntroStatus.ACCEPTED, store.IntroStatus.MET,
                                                         store.IntroStatus.FORMED):
                return
            facilitator = await self._facilitator(session, view)
        names = {"a_name": view.a.name if view.a else "?", "b_name": view.b.name if view.b else "?"}
        for to, lang, other in ((view.a_sender, view.a_language, view.b), (view.b_sender, view.b_language, view.a)):
            if not to or other is None:
                continue
            lang = self._lang(lang)
            contact = self._contact(other, lang)
            text = self.r.text("utter_match_exchanged" if contact else "utter_match_exchanged_via_facilitator",
                               lang, {"other_name": other.name or "?", "contact": contact})
            await self.n._send_each(row, payload, [(to, lang)], lambda _lang, text=text: (text, None))
        if facilitator is not None:
            text = self.r.text("utter_fac_match_exchanged", facilitator[1], {"intro_id": view.intro.id, **names})
            await self.n._send_each(row, payload, [facilitator], lambda _lang: (text, None))

    async def notice(self, row: Outbox, payload: MatchNotice) -> None:
        """A declined or expired introduction, for the facilitator who proposed it."""
        async with self.n.sessionmaker() as session:
            view = await store.view_intro(session=session, intro_id=int(payload.intro_id))
            facilitator = await self._facilitator(session, view) if view is not None else None
        if view is None or facilitator is None or payload.what not in ("declined", "expired"):
            return
        text = self.r.text(f"utter_fac_match_{payload.what}", facilitator[1], {
            "intro_id": view.intro.id, "a_name": view.a.name if view.a else "?",
            "b_name": view.b.name if view.b else "?"})
        await self.n._send_each(row, payload, [facilitator], lambda _lang: (text, None))
