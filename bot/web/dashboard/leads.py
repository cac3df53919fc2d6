"""The dashboard's lead pages: the list with its filters, a lead's page (dossier, history, partners), and what
staff do there: a facilitator's Claim, Release, Contacted, Close (LeadDesk.change, the card buttons' own code
path) and notes, a follow-up day, a coordinator's reassign, release, close and reopen."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.leads import CardAction
from bot.leads.cards import answer_label, card_values, slot_label
from bot.reporting import figures as reports
from bot.store import alliances as alliance_store
from bot.store import facilitators as facilitator_store
from bot.store import lead_admin, staff
from bot.store import leads as store
from bot.store.models import Facilitator, LeadEvent
from bot.store.outbox import wake
from bot.text.numbers import parse_int
from bot.web.dashboard import auth

if TYPE_CHECKING:
    from bot.web.dashboard.views import Dashboard

log = logging.getLogger(__name__)
STATUSES = ("open", "new", "notified", "claimed", "contacted", "closed")
PRIORITIES = ("high", "normal", "low")
ACTIONS = {a.value: a for a in (CardAction.CLAIM, CardAction.RELEASE, CardAction.CONTACTED, CardAction.FORMED,
                                CardAction.DROPPED)}
MAX_NOTE = 2000


class LeadPages:
    """Routed by bot/web/dashboard/__init__.py through `Dashboard.guard`, like every page."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.d = dashboard
        self.runtime, self.settings, self.labels = dashboard.runtime, dashboard.settings, dashboard.labels
        self.zone, self.desk = dashboard.zone, dashboard.desk

    def aims(self) -> list[str]:
        """The aims an alliance can have: the programme's four (programme.alliance_target)."""
        return list(reports.AIMS)

    def territories(self) -> list[str]:
        response = self.runtime.domain.responses.get("utter_ask_territory")
        return [b.payload for b in response.buttons] if response else []

    def waited(self, since: datetime | None, lang: str) -> str:
        if since is None:
            return ""
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        hours = max(0, int((datetime.now(UTC) - since).total_seconds() // 3600))
        return self.labels.t("days_hours", lang, days=hours // 24, hours=hours % 24)

    def _lead_filters(self, request: web.Request, viewer: auth.Viewer) -> tuple[dict[str, Any], dict[str, str]]:
        q = request.query
        chosen = {k: q.get(k, "") for k in ("status", "territory", "assignee", "priority")}
        if not chosen["status"] and "status" not in q:
            chosen["status"] = "open"
        filters: dict[str, Any] = {}
        if chosen["status"] in STATUSES:
            filters["status"] = chosen["status"]
        if chosen["territory"] in self.territories():
            filters["territory"] = chosen["territory"]
        if chosen["priority"] in PRIORITIES:
            filters["priority"] = chosen["priority"]
        if chosen["assignee"] == "none":
            filters["unassigned"] = True
        elif chosen["assignee"] == "me" and viewer.facilitator_id is not None:
            filters["assignee_id"] = viewer.facilitator_id
        elif (assignee := parse_int(chosen["assignee"])) is not None and viewer.coordinator:
            filters["assignee_id"] = assignee
        return filters, chosen

    async def leads(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        filters, chosen = self._lead_filters(request, viewer)
        lang = viewer.lang
        async with self.runtime.sessionmaker() as session:
            rows = await reports.lead_rows(session, visible_to=viewer.seer, **self.d.late(), **filters)  # urgent first, then the longest waiting
            assignees = await facilitator_store.list_facilitators(session=session) if viewer.coordinator else []
        items = [{"row": r, "status": self.labels.status(r.status, r.outcome, r.assignee, lang),
                  "priority": self.labels.priority("high" if r.urgency == "urgent" else "normal", lang),
                  "overdue": self.labels.t(f"overdue_{r.overdue}", lang) if r.overdue else "",
                  "territory": self.labels.territory(r.territory, lang),
                  "created": self.d.local(r.created_at, lang), "waited": self.waited(r.created_at, lang),
                  "claimed_waited": self.waited(r.claimed_at, lang) if r.status in ("claimed",) else ""}
                 for r in rows]
        return self.d.render("leads.html", request, viewer, page="leads", items=items, chosen=chosen,
                           statuses=STATUSES, priorities=PRIORITIES, territories=self.territories(),
                           assignees=assignees)

    async def _visible_view(self, lead_id: int, viewer: auth.Viewer) -> store.LeadView | None:
        async with self.runtime.sessionmaker() as session:
            view = await store.show_lead(session=session, lead_id=lead_id, with_events=True)
        if view is None:
            return None
        if not store.may_see(view.lead, viewer.seer):
            return None  # another facilitator's lead: as if it did not exist
        return view

    async def lead(self, request: web.Request, viewer: auth.Viewer, *, notice: str | None = None,
                   status: int = 200) -> web.StreamResponse:
        lead_id = parse_int(request.match_info.get("lead_id"))
        view = await self._visible_view(lead_id, viewer) if lead_id else None
        if view is None:
            return self.d.message(request, viewer, "not_found", status=404)
        lang = viewer.lang
        r = self.desk.r
        values = card_values(r, view, lang)
        dossier = view.lead.dossier or {}
        answers = [self._answer(k, v, lang) for k, v in (dossier.get("answers") or {}).items()
                   if v not in (None, "")]
        names = await self._facilitator_names()
        events = [(self.d.local(e.created_at, lang), self._actor(e.actor, names, lang),
                   self.labels.t("event_" + e.action.replace(":", "_"), lang), self._note(e, lang))
                  for e in view.events]
        contact = [(self.labels.t(f"contact_{k}", lang), self._contact_value(k, v, lang))
                   for k, v in view.contact().items() if v not in (None, "", False)]
        actions = self._actions_for(view, viewer) if viewer.facilitator_id is not None else []
        entity = dossier.get("entity") or {}
        territory = (view.entity.territory if view.entity else None) or entity.get("territory")
        aim_now = alliance_store.aim_of(dossier.get("alliance_aim")) or alliance_store.aim_of(
            (dossier.get("answers") or {}).get("objective"))
        alliance_partners = await self._partner_choices(view.lead.id) if "formed" in actions else []
        manage = await self._manage_for(view) if viewer.coordinator else None
        reason_code = None
        for event in reversed(view.events):
            if event.action.startswith("closed:"):
                reason_code = lead_admin.split_reason(event.note)[0]
                break
        return self.d.render("lead.html", request, viewer, page="leads", view=view, values=values,
                           aims=[(a, self.labels.aim(a, lang)) for a in self.aims()], aim_now=aim_now,
                           alliance_partners=alliance_partners, manage=manage, reasons=self._reasons(lang),
                           close_reason=self.labels.t(f"reason_{reason_code}", lang) if reason_code else "",
                           follow_up=self.d.local(view.lead.follow_up_at, lang, day_only=True),
                           follow_up_value=store.aware(view.lead.follow_up_at).astimezone(self.zone).date().isoformat()
                           if view.lead.follow_up_at else "",
                           may_follow_up=view.lead.status in store.HELD and (
                               viewer.coordinator or view.lead.assignee_id == viewer.facilitator_id),
                           territory=self.labels.territory(territory, lang),
                           aim=self.labels.objective((dossier.get("answers") or {}).get("objective"), lang),
                           contact=contact, answers=answers, events=events, actions=actions,
                           partners=await self.d.matches.for_entity(view.entity.id if view.entity else None, viewer),
                           can_propose=viewer.facilitator_id is not None,
                           notice=notice, warn=status != 200, status=status, created=self.d.local(view.lead.created_at, lang),
                           waited=self.waited(view.lead.created_at, lang))

    async def _partner_choices(self, lead_id: int) -> list[tuple[int, str]]:
        """Other leads of the programme an alliance can be formed with (newest first, named ones). Every lead, a
        colleague's too (two facilitators' entities may ally): the number and the entity's name only, as every
        lead card in the facilitators' chat gives them; no dossier, no contact."""
        async with self.runtime.sessionmaker() as session:
            rows = await reports.lead_rows(session, visible_to=store.Seer.coordinator())
        return [(r.id, f"#{r.id} · {r.entity}") for r in rows if r.id != lead_id and r.entity][:300]

    def _answer(self, slot: str, value: Any, lang: str) -> tuple[str, str]:
        """An answer as the entity saw it: the question it was asked, the button it pressed."""
        r = self.desk.r
        question = r.text(f"utter_ask_{slot}", lang).split("\n")[0] or slot_label(r, slot, lang)
        response = self.runtime.domain.responses.get(f"utter_ask_{slot}")
        for title, payload in r.buttons(response.buttons, lang) if response else []:
            if payload == value:
                return question, title
        return question, answer_label(r, slot, value, lang)  # a don't-know, a 1-4 scale... in words

    def _contact_value(self, key: str, value: Any, lang: str) -> str:
        if value is True:
            return self.labels.t("yes", lang)
        if key == "consent_at":
            return self.d.local(datetime.fromisoformat(value), lang)
        return str(value)

    async def _facilitator_names(self) -> dict[str, str]:
        """Who did what in a lead's history: facilitators and coordinators by name."""
        async with self.runtime.sessionmaker() as session:
            people = await facilitator_store.list_facilitators(session=session, include_inactive=True)
            coordinators = await staff.list_coordinators(session=session)
        return {**{lead_admin.coordinator_actor(c): c.name for c in coordinators},
                **{store.actor_of(f): f.name for f in people}}

    def _note(self, event: LeadEvent, lang: str) -> str:
        """A history note; a closing's reason by its name, then the words."""
        code, words = lead_admin.split_reason(event.note)
        if code is None:
            return self.labels.t(f"escalated_{event.note}", lang) if event.action == "escalated" and event.note \
                else (event.note or "")
        return " · ".join(filter(None, [self.labels.t(f"reason_{code}", lang), words]))

    def _reasons(self, lang: str) -> list[tuple[str, str]]:
        return [(code, self.labels.t(f"reason_{code}", lang)) for code in lead_admin.CLOSE_REASONS]

    async def _manage_for(self, view: store.LeadView) -> dict[str, Any]:
        """What a coordinator can do to this lead: reassign (to whom), release, close, reopen."""
        status = view.lead.status
        async with self.runtime.sessionmaker() as session:
            people = await facilitator_store.list_facilitators(session=session)
        return {"open": status in store.OPEN, "held": status in store.HELD, "closed": status == "closed",
                "people": [(f.id, f.name) for f in people if f.id != view.lead.assignee_id]}

    async def lead_follow_up(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        """The day to remind the lead's facilitator (its holder or a coordinator sets it; empty: none)."""
        lead_id = parse_int(request.match_info.get("lead_id"))
        view = await self._visible_view(lead_id, viewer) if lead_id else None
        if view is None or not (viewer.coordinator or (view.lead.assignee_id is not None
                                                        and view.lead.assignee_id == viewer.facilitator_id)):
            return self.d.message(request, viewer, "not_found", status=404)
        data = await request.post()
        day = str(data.get("day", "")).strip()
        when = None
        if day:
            try:  # 9:00 that day in the programme's time zone
                when = datetime.strptime(day, "%Y-%m-%d").replace(hour=9, tzinfo=self.zone).astimezone(UTC)
            except ValueError:
                return await self.lead(request, viewer, notice=self.labels.t("follow_up_bad", viewer.lang), status=400)
        actor = lead_admin.coordinator_actor(viewer.member) if viewer.facilitator_id is None \
            else f"facilitator:{viewer.member.telegram_user_id}"
        async with self.runtime.sessionmaker() as session, session.begin():
            ok = await lead_admin.set_follow_up(session=session, lead_id=lead_id, when=when, actor=actor)
        if not ok:
            return await self.lead(request, viewer, notice=self.labels.t("not_possible", viewer.lang), status=409)
        notice = self.labels.t("follow_up_set", viewer.lang, day=self.d.local(when, viewer.lang, day_only=True)) \
            if when else self.labels.t("follow_up_cleared", viewer.lang)
        return await self.lead(request, viewer, notice=notice)

    async def lead_manage(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        """A coordinator reassigns, releases, closes (with a reason) or reopens any lead."""
        lead_id = parse_int(request.match_info.get("lead_id"))
        data = await request.post()
        do = str(data.get("do", ""))
        lang = viewer.lang
        if lead_id is None or do not in ("reassign", "release", "close", "reopen"):
            return self.d.message(request, viewer, "not_found", status=404)
        words = " ".join(str(data.get("words", "")).split())[:lead_admin.MAX_REASON_TEXT] or None
        reason = str(data.get("reason", ""))
        if do == "close" and reason not in lead_admin.CLOSE_REASONS and data.get("outcome") != "alliance_formed":
            return await self.lead(request, viewer, notice=self.labels.t("reason_needed", lang), status=400)
        async with self.runtime.sessionmaker() as session, session.begin():
            coordinator = await staff.get_coordinator(session=session, telegram_user_id=viewer.member.telegram_user_id)
            lead = await store.get_lead(session=session, lead_id=lead_id)
            if coordinator is None or lead is None:
                return self.d.message(request, viewer, "not_found", status=404)
            values = {"facilitator_name": ""}
            if do == "reassign":
                to = await session.get(Facilitator, parse_int(str(data.get("to", ""))) or -1)
                if to is None:
                    return await self.lead(request, viewer, notice=self.labels.t("not_possible", lang), status=409)
                values["facilitator_name"] = to.name
                result = await lead_admin.reassign(session=session, lead_id=lead_id, to=to, coordinator=coordinator,
                                                   note=words, notice={"text": self.desk.r.text(
                                                       "utter_handoff_taken", lead.language, values)})
                done = self.labels.t("done_reassigned", lang, name=to.name)
            elif do == "release":
                result = await lead_admin.release(session=session, lead_id=lead_id, coordinator=coordinator,
                                                  note=words)
                done = self.labels.t("done_released", lang)
            elif do == "reopen":
                result = await lead_admin.reopen(session=session, lead_id=lead_id, coordinator=coordinator,
                                                 note=words)
                done = self.labels.t("done_reopened", lang)
            else:
                outcome = "alliance_formed" if data.get("outcome") == "alliance_formed" else "not_pursued"
                result = await lead_admin.close(session=session, lead_id=lead_id, coordinator=coordinator,
                                                outcome=outcome, reason=reason, text=words, notice={
                                                    "text": self.desk.r.text("utter_coord_closed_notice",
                                                                             lead.language)})
                done = self.labels.t("done_closed", lang)
        if not result.ok:
            return await self.lead(request, viewer, notice=self.labels.t("not_possible", lang), status=409)
        wake()
        log.info("lead %s: %s by coordinator %s", lead_id, do, viewer.member.telegram_user_id)
        return await self.lead(request, viewer, notice=done)

    def _actor(self, actor: str, names: dict[str, str], lang: str) -> str:
        if actor in names:
            return names[actor]
        if actor in ("entity", "system"):
            return self.labels.t(f"actor_{actor}", lang)
        return actor

    def _actions_for(self, view: store.LeadView, viewer: auth.Viewer) -> list[str]:
        """The card's buttons for this lead, as the Telegram card offers them (Details is the page itself)."""
        status, mine = view.lead.status, view.lead.assignee_id == viewer.facilitator_id
        if status in store.UNCLAIMED:
            return ["claim", "dropped"]
        if status == "claimed" and mine:
            return ["release", "contacted", "formed", "dropped"]
        if status == "contacted" and mine:
            return ["release", "formed", "dropped"]
        return []

    async def lead_action(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        """Claim, Release, Mark contacted, Close: LeadDesk.change, the card buttons' own code path."""
        lead_id = parse_int(request.match_info.get("lead_id"))
        data = await request.post()
        action = ACTIONS.get(str(data.get("action", "")))
        if lead_id is None or action is None or await self._visible_view(lead_id, viewer) is None:
            return self.d.message(request, viewer, "not_found", status=404)
        facilitator = await self._facilitator(viewer)
        if facilitator is None:
            return self.d.message(request, viewer, "coordinator_only_reads", status=403)
        note = None
        if action == CardAction.DROPPED:  # closing without an alliance: why, from the list, and words
            reason = str(data.get("reason", ""))
            if reason not in lead_admin.CLOSE_REASONS:
                return await self.lead(request, viewer, notice=self.labels.t("reason_needed", viewer.lang), status=400)
            note = lead_admin.reason_note(reason, str(data.get("words", "")))
        aim = str(data.get("aim", ""))
        if action == CardAction.FORMED and aim in self.aims():
            partner_lead = parse_int(str(data.get("partner_lead", "")))
            partner_name = str(data.get("partner_name", "")).strip()[:alliance_store.MAX_PARTNER]
            async with self.runtime.sessionmaker() as session, session.begin():
                await alliance_store.set_alliance(session=session, lead_id=lead_id, facilitator=facilitator, aim=aim,
                                                  partner_lead_id=partner_lead, partner_name=partner_name or None)
        changed, text = await self.desk.change(facilitator, lead_id, action, note)
        return await self.lead(request, viewer, notice=text, status=200 if changed else 409)

    async def lead_note(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        lead_id = parse_int(request.match_info.get("lead_id"))
        data = await request.post()
        note = str(data.get("note", "")).strip()[:MAX_NOTE]
        if lead_id is None or await self._visible_view(lead_id, viewer) is None:
            return self.d.message(request, viewer, "not_found", status=404)
        facilitator = await self._facilitator(viewer)
        if facilitator is None:
            return self.d.message(request, viewer, "coordinator_only_reads", status=403)
        if not note:
            return await self.lead(request, viewer, notice=self.labels.t("note_empty", viewer.lang), status=400)
        return await self.lead(request, viewer, notice=await self.desk.note(facilitator, lead_id, note))

    async def _facilitator(self, viewer: auth.Viewer) -> Facilitator | None:
        return await self.desk.facilitator(viewer.member.telegram_user_id)
