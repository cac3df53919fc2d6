"""The dashboard's pages and exports. Every handler goes through `Dashboard.guard`: no page, chart or
export without a session; coordinators see everything, facilitators unassigned leads and their own."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy import select

from bot.engine.render import knowledge_text
from bot.leads import LeadDesk
from bot.leads.cards import CardAction, answer_label, card_values, slot_label
from bot.reporting import figures as reports
from bot.reporting.exports import Table, csv_bytes, xlsx_bytes
from bot.store import alliances as alliance_store
from bot.store import facilitators as facilitator_store
from bot.store import funnel, invites, lead_admin, staff
from bot.store import leads as store
from bot.store import workshops as workshop_store
from bot.store.models import Facilitator, Trainer, Workshop
from bot.store.outbox import wake
from bot.text import formats
from bot.text.numbers import parse_int
from bot.web.dashboard import auth
from bot.web.dashboard.matches import MatchesPage
from bot.web.dashboard.svg import bars

log = logging.getLogger(__name__)
Handler = Callable[[web.Request, auth.Viewer], Awaitable[web.StreamResponse]]
STATUSES = ("open", "new", "notified", "claimed", "contacted", "closed")
PRIORITIES = ("high", "normal", "low")
ACTIONS = {a.value: a for a in (CardAction.CLAIM, CardAction.RELEASE, CardAction.CONTACTED, CardAction.FORMED,
                                CardAction.DROPPED)}
EXPORTS = {"leads", "funnel", "alliances"}
MAX_NOTE = 2000


class Dashboard:
    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.labels = reports.Labels(runtime.domain, self.settings.default_language)
        self.zone = ZoneInfo(self.settings.programme.time_zone)
        self.desk = LeadDesk(runtime)
        self.matches = MatchesPage(self)

    # ------------------------------------------------------------------ frame
    def guard(self, handler: Handler, *, coordinator: bool = False, form: bool = False, trainer: bool = False
              ) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def wrapped(request: web.Request) -> web.StreamResponse:
            viewer = await auth.viewer_for(request, self.runtime, self.settings.web.session_idle_minutes)
            if viewer is None:
                response = self.message(request, None, "login_needed", status=401)
                auth.clear_session_cookie(response)
                return response
            if form:
                data = await request.post()
                if not auth.csrf_ok(viewer, data.get("csrf")):
                    return self.message(request, viewer, "bad_form", status=403)
            if coordinator and not viewer.coordinator:
                return self.message(request, viewer, "forbidden", status=403)
            if trainer and not (viewer.coordinator or viewer.member.trainer):  # coordinators, and trainers
                return self.message(request, viewer, "forbidden", status=403)
            return await handler(request, viewer)

        return wrapped

    def context(self, viewer: auth.Viewer | None, lang: str | None = None, **values: Any) -> dict[str, Any]:
        lang = viewer.lang if viewer else (lang or self.settings.default_language)
        labels = self.labels
        return {"t": lambda key, /, **v: labels.t(key, lang, **v), "lang": lang, "viewer": viewer, "page": "",
                "num": lambda n: formats.integer(n, lang) if isinstance(n, int) else n,
                "languages": self.settings.languages, "labels": labels, **values}

    def render(self, template: str, request: web.Request, viewer: auth.Viewer | None, *, status: int = 200,
               **values: Any) -> web.Response:
        context = self.context(viewer, request=request, **values)
        response = aiohttp_jinja2.render_template(template, request, context, status=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    def message(self, request: web.Request, viewer: auth.Viewer | None, name: str, *, status: int = 200,
                text: str | None = None) -> web.Response:
        return self.render("message.html", request, viewer, status=status, name=name, text=text)

    # ------------------------------------------------------------------ login and language
    async def login(self, request: web.Request) -> web.StreamResponse:
        token = request.query.get("t", "")
        user_id = None
        if 0 < len(token) <= 128:
            async with self.runtime.sessionmaker() as session, session.begin():
                user_id = await staff.use_login(session=session, token=token)
                member = await staff.staff_member(session=session, telegram_user_id=user_id) if user_id else None
                if member is None:
                    user_id = None
                else:
                    opened = await staff.open_session(session=session, telegram_user_id=user_id)
        if user_id is None:
            log.info("dashboard login refused")
            return self.message(request, None, "login_bad_link", status=403)
        log.info("dashboard login for staff %s", user_id)
        response = _see_other("/" if member.coordinator else ("/leads" if member.facilitator else "/workshops"))
        auth.set_session_cookie(response, request, opened.token, self.settings.web.base_url)
        return response

    async def logout(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        async with self.runtime.sessionmaker() as session, session.begin():
            await staff.end_session(session=session, token=viewer.token)
        response = self.message(request, None, "logged_out", status=200)
        auth.clear_session_cookie(response)
        return response

    async def language(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        data = await request.post()
        lang = str(data.get("to", ""))
        if lang in self.settings.languages:
            async with self.runtime.sessionmaker() as session, session.begin():
                await staff.set_session_language(session=session, token=viewer.token, language=lang)
        return _see_other(_local_path(str(data.get("next", "/"))))

    async def home(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        return _see_other("/overview" if viewer.coordinator else ("/leads" if viewer.facilitator_id is not None
                                                                   else "/workshops"))

    # ------------------------------------------------------------------ overview
    def period(self, request: web.Request) -> tuple[str, str | None, str | None]:
        period = request.query.get("period", "year")
        if period not in reports.PERIODS:
            period = "year"
        first, last = reports.month_range(period, reports.today_in(self.zone))
        return period, first, last

    def _month_bounds(self, first: str | None, last: str | None) -> tuple[datetime | None, datetime | None]:
        since = until = None
        if first:
            since = datetime.strptime(first, "%Y-%m").replace(tzinfo=self.zone).astimezone(UTC)
        if last:
            year, month = (int(x) for x in last.split("-"))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            until = datetime(year, month, 1, tzinfo=self.zone).astimezone(UTC)
        return since, until

    async def overview(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        period, first, last = self.period(request)
        lang, labels = viewer.lang, self.labels
        async with self.runtime.sessionmaker() as session:
            result = await funnel.read(session=session, first=first, last=last)
            since, until = self._month_bounds(first, last)
            readiness, assessed = await reports.readiness_by_factor(session, since=since, until=until)
            late = await store.count_overdue(session=session, **self._late())
            stuck = [(lead_id, self.labels.t(f"escalated_{why}", lang), self._local(when, lang))
                     for lead_id, why, when in await lead_admin.escalated_open(session=session)]
            people, to_claim, to_contact = reports.workload(await reports.lead_rows(session, **self._late()))

        def hours(h: float | None) -> str:  # hours, or days past two of them
            if h is None:
                return "–"
            if h >= 48:
                return self.labels.t("days", lang, days=formats.decimal(h / 24, lang))
            return self.labels.t("hours", lang, hours=formats.decimal(h, lang))

        workload = {"people": [(w.name, w.held, w.closed, hours(w.hours_to_claim), hours(w.hours_to_contact))
                               for w in people], "to_claim": hours(to_claim), "to_contact": hours(to_contact)}
        steps = reports.funnel_rows(result, labels, lang)
        funnel_chart = bars([(label, n, f"{formats.integer(n, lang)} ({share})" if share else formats.integer(n, lang))
                             for _, label, n, share in steps],
                            title=labels.t("funnel", lang))
        mix = {m: result.by.get("motivation", {}).get(m, {}).get("reading", 0) for m in funnel.MOTIVATIONS}
        total_mix = sum(mix.values())
        mix_chart = bars([(labels.motivation(m, lang), n,
                           f"{formats.integer(n, lang)} ({formats.percent(n / total_mix, lang)})" if total_mix else "0")
                          for m, n in mix.items()], title=labels.t("motivation_mix", lang))
        factors = [f["id"] for f in (self.runtime.domain.knowledge.get("success_factors") or {}).get("factors", [])]
        readiness_chart = bars([(labels.factor(f, lang), readiness.get(f, 0.0),
                                 formats.decimal(readiness[f], lang) if f in readiness else "–") for f in factors],
                               scale=4, title=labels.t("readiness", lang))
        breakdowns = [(labels.t(title, lang), [(name(value, lang), _with_shares([counts.get(s, 0) for s in funnel.STEPS], lang))
                                               for value, counts in result.by.get(dim, {}).items()])
                      for dim, title, name in (("territory", "by_territory", labels.territory),
                                               ("language", "by_language", labels.language))]
        months = [(month, [counts.get(s, 0) for s in funnel.STEPS]) for month, counts in result.by_month.items()]
        return self.render("overview.html", request, viewer, page="overview", period=period, steps=steps,
                           funnel_chart=funnel_chart, mix_chart=mix_chart, readiness_chart=readiness_chart,
                           assessed=assessed, breakdowns=breakdowns, months=months, late=late, stuck=stuck,
                           workload=workload,
                           step_names=[labels.step(s, lang) for s in funnel.STEPS], first=first, last=last)

    # ------------------------------------------------------------------ leads
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
        if not viewer.coordinator:
            filters["visible_to"] = viewer.facilitator_id or -1
        return filters, chosen

    def aims(self) -> list[str]:
        """The aims an alliance can have: the programme's four (programme.alliance_target)."""
        return list(reports.AIMS)

    def territories(self) -> list[str]:
        response = self.runtime.domain.responses.get("utter_ask_territory")
        return [b.payload for b in response.buttons] if response else []

    def _waited(self, since: datetime | None, lang: str) -> str:
        if since is None:
            return ""
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        hours = max(0, int((datetime.now(UTC) - since).total_seconds() // 3600))
        return self.labels.t("days_hours", lang, days=hours // 24, hours=hours % 24)

    async def leads(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        filters, chosen = self._lead_filters(request, viewer)
        lang = viewer.lang
        async with self.runtime.sessionmaker() as session:
            rows = await reports.lead_rows(session, **self._late(), **filters)  # urgent first, then the longest waiting
            assignees = await facilitator_store.list_facilitators(session=session) if viewer.coordinator else []
        items = [{"row": r, "status": self.labels.status(r.status, r.outcome, r.assignee, lang),
                  "priority": self.labels.priority("high" if r.urgency == "urgent" else "normal", lang),
                  "overdue": self.labels.t(f"overdue_{r.overdue}", lang) if r.overdue else "",
                  "territory": self.labels.territory(r.territory, lang),
                  "created": self._local(r.created_at, lang), "waited": self._waited(r.created_at, lang),
                  "claimed_waited": self._waited(r.claimed_at, lang) if r.status in ("claimed",) else ""}
                 for r in rows]
        return self.render("leads.html", request, viewer, page="leads", items=items, chosen=chosen,
                           statuses=STATUSES, priorities=PRIORITIES, territories=self.territories(),
                           assignees=assignees)

    def _late(self) -> dict[str, float]:
        """When an open lead is overdue: config.yml handoff's reminder times."""
        handoff = self.runtime.settings.handoff
        return {"claim_hours": handoff.reminder_unclaimed_hours, "contact_days": handoff.reminder_no_contact_days}

    def _local(self, value: datetime | None, lang: str | None = None, *, day_only: bool = False) -> str:
        """A moment as the reader's language writes it, in the programme's time zone, the zone shown."""
        return formats.when(value, lang or self.settings.default_language, self.settings.programme.time_zone,
                            day_only=day_only)

    async def _visible_view(self, lead_id: int, viewer: auth.Viewer) -> store.LeadView | None:
        async with self.runtime.sessionmaker() as session:
            view = await store.show_lead(session=session, lead_id=lead_id, with_events=True)
        if view is None:
            return None
        if not store.may_see(view.lead, facilitator_id=viewer.facilitator_id, coordinator=viewer.coordinator):
            return None  # another facilitator's lead: as if it did not exist
        return view

    async def lead(self, request: web.Request, viewer: auth.Viewer, *, notice: str | None = None,
                   status: int = 200) -> web.StreamResponse:
        lead_id = _int(request.match_info.get("lead_id"))
        view = await self._visible_view(lead_id, viewer) if lead_id else None
        if view is None:
            return self.message(request, viewer, "not_found", status=404)
        lang = viewer.lang
        r = self.desk.r
        values = card_values(r, view, lang)
        dossier = view.lead.dossier or {}
        answers = [self._answer(k, v, lang) for k, v in (dossier.get("answers") or {}).items()
                   if v not in (None, "")]
        names = await self._facilitator_names()
        events = [(self._local(e.created_at, lang), self._actor(e.actor, names, lang),
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
        return self.render("lead.html", request, viewer, page="leads", view=view, values=values,
                           aims=[(a, self.labels.aim(a, lang)) for a in self.aims()], aim_now=aim_now,
                           alliance_partners=alliance_partners, manage=manage, reasons=self._reasons(lang),
                           close_reason=self.labels.t(f"reason_{reason_code}", lang) if reason_code else "",
                           follow_up=self._local(view.lead.follow_up_at, lang, day_only=True),
                           follow_up_value=store.aware(view.lead.follow_up_at).astimezone(self.zone).date().isoformat()
                           if view.lead.follow_up_at else "",
                           may_follow_up=view.lead.status in store.HELD and (
                               viewer.coordinator or view.lead.assignee_id == viewer.facilitator_id),
                           territory=self.labels.territory(territory, lang),
                           aim=self.labels.objective((dossier.get("answers") or {}).get("objective"), lang),
                           contact=contact, answers=answers, events=events, actions=actions,
                           partners=await self.matches.for_entity(view.entity.id if view.entity else None, viewer),
                           can_propose=viewer.facilitator_id is not None,
                           notice=notice, warn=status != 200, status=status, created=self._local(view.lead.created_at, lang),
                           waited=self._waited(view.lead.created_at, lang))

    async def _partner_choices(self, lead_id: int) -> list[tuple[int, str]]:
        """Other leads of the programme an alliance can be formed with (newest first, named ones)."""
        async with self.runtime.sessionmaker() as session:
            rows = await reports.lead_rows(session)
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
            return self._local(datetime.fromisoformat(value), lang)
        return str(value)

    async def _facilitator_names(self) -> dict[str, str]:
        """Who did what in a lead's history: facilitators and coordinators by name."""
        async with self.runtime.sessionmaker() as session:
            people = await facilitator_store.list_facilitators(session=session, include_inactive=True)
            coordinators = await staff.list_coordinators(session=session)
        return {**{lead_admin.coordinator_actor(c): c.name for c in coordinators},
                **{store.actor_of(f): f.name for f in people}}

    def _note(self, event, lang: str) -> str:
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
        lead_id = _int(request.match_info.get("lead_id"))
        view = await self._visible_view(lead_id, viewer) if lead_id else None
        if view is None or not (viewer.coordinator or (view.lead.assignee_id is not None
                                                        and view.lead.assignee_id == viewer.facilitator_id)):
            return self.message(request, viewer, "not_found", status=404)
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
        notice = self.labels.t("follow_up_set", viewer.lang, day=self._local(when, viewer.lang, day_only=True)) \
            if when else self.labels.t("follow_up_cleared", viewer.lang)
        return await self.lead(request, viewer, notice=notice)

    async def lead_manage(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        """A coordinator reassigns, releases, closes (with a reason) or reopens any lead."""
        lead_id = _int(request.match_info.get("lead_id"))
        data = await request.post()
        do = str(data.get("do", ""))
        lang = viewer.lang
        if lead_id is None or do not in ("reassign", "release", "close", "reopen"):
            return self.message(request, viewer, "not_found", status=404)
        words = " ".join(str(data.get("words", "")).split())[:lead_admin.MAX_REASON_TEXT] or None
        reason = str(data.get("reason", ""))
        if do == "close" and reason not in lead_admin.CLOSE_REASONS and data.get("outcome") != "alliance_formed":
            return await self.lead(request, viewer, notice=self.labels.t("reason_needed", lang), status=400)
        async with self.runtime.sessionmaker() as session, session.begin():
            coordinator = await staff.get_coordinator(session=session, telegram_user_id=viewer.member.telegram_user_id)
            lead = await store.get_lead(session=session, lead_id=lead_id)
            if coordinator is None or lead is None:
                return self.message(request, viewer, "not_found", status=404)
            values = {"facilitator_name": ""}
            if do == "reassign":
                to = await session.get(Facilitator, _int(str(data.get("to", ""))) or -1)
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
        lead_id = _int(request.match_info.get("lead_id"))
        data = await request.post()
        action = ACTIONS.get(str(data.get("action", "")))
        if lead_id is None or action is None or await self._visible_view(lead_id, viewer) is None:
            return self.message(request, viewer, "not_found", status=404)
        facilitator = await self._facilitator(viewer)
        if facilitator is None:
            return self.message(request, viewer, "coordinator_only_reads", status=403)
        note = None
        if action == CardAction.DROPPED:  # closing without an alliance: why, from the list, and words
            reason = str(data.get("reason", ""))
            if reason not in lead_admin.CLOSE_REASONS:
                return await self.lead(request, viewer, notice=self.labels.t("reason_needed", viewer.lang), status=400)
            note = lead_admin.reason_note(reason, str(data.get("words", "")))
        aim = str(data.get("aim", ""))
        if action == CardAction.FORMED and aim in self.aims():
            partner_lead = _int(str(data.get("partner_lead", "")))
            partner_name = str(data.get("partner_name", "")).strip()[:alliance_store.MAX_PARTNER]
            async with self.runtime.sessionmaker() as session, session.begin():
                await alliance_store.set_alliance(session=session, lead_id=lead_id, facilitator=facilitator, aim=aim,
                                                  partner_lead_id=partner_lead, partner_name=partner_name or None)
        changed, text = await self.desk.change(facilitator, lead_id, action, note)
        return await self.lead(request, viewer, notice=text, status=200 if changed else 409)

    async def lead_note(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        lead_id = _int(request.match_info.get("lead_id"))
        data = await request.post()
        note = str(data.get("note", "")).strip()[:MAX_NOTE]
        if lead_id is None or await self._visible_view(lead_id, viewer) is None:
            return self.message(request, viewer, "not_found", status=404)
        facilitator = await self._facilitator(viewer)
        if facilitator is None:
            return self.message(request, viewer, "coordinator_only_reads", status=403)
        if not note:
            return await self.lead(request, viewer, notice=self.labels.t("note_empty", viewer.lang), status=400)
        return await self.lead(request, viewer, notice=await self.desk.note(facilitator, lead_id, note))

    async def _facilitator(self, viewer: auth.Viewer) -> Facilitator | None:
        return await self.desk.facilitator(viewer.member.telegram_user_id)

    # ------------------------------------------------------------------ invites
    async def invite(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        """A coordinator makes a one-time link that registers whoever opens it in Telegram, in a role."""
        made = url = start = ""
        if request.method == "POST":
            data = await request.post()
            role = str(data.get("role", ""))
            if role not in invites.ROLES:
                return self.message(request, viewer, "not_found", status=404)
            async with self.runtime.sessionmaker() as session, session.begin():
                token = await invites.create_invite(session=session, role=role,
                                                    name=str(data.get("name", "")).strip()[:200] or None,
                                                    created_by=viewer.member.telegram_user_id)
            made, url = role, invites.link(token, self.settings.telegram.bot_username)
            start = f"/start {invites.start_parameter(token)}"
            log.info("invite for a %s made by staff %s", role, viewer.member.telegram_user_id)
        names = {role: self.desk.r.text(f"utter_role_{role}", viewer.lang) for role in invites.ROLES}
        return self.render("invite.html", request, viewer, page="invite", made=made, url=url, start=start,
                           roles=invites.ROLES, role_names=names, hours=f"{invites.HOURS:g}")

    # ------------------------------------------------------------------ alliances and workshops
    async def alliances(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        lang, labels = viewer.lang, self.labels
        async with self.runtime.sessionmaker() as session:
            progress = await reports.alliance_progress(session, self.settings)
        aims = progress.aims()
        chart = bars([(labels.aim(a, lang), progress.formed.get(a, 0),
                       f"{progress.formed.get(a, 0)} / {progress.target.get(a, 0)}") for a in aims],
                     targets=[progress.target.get(a, 0) for a in aims], title=labels.t("alliances", lang))
        by_aim = [(labels.aim(a, lang), progress.target.get(a, 0), progress.formed.get(a, 0)) for a in aims]
        formed = [{"row": r, "when": self._local(r.formed_at, lang, day_only=True),
                   "entity": r.entity or labels.unknown(lang), "territory": labels.territory(r.territory, lang),
                   "partner": reports.alliance_partner(r, labels, lang), "aim": labels.aim(r.aim, lang)}
                  for r in progress.alliances]
        return self.render("alliances.html", request, viewer, page="alliances", progress=progress, chart=chart,
                           by_aim=by_aim, formed=formed)

    async def workshops(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        period, first, last = self.period(request)
        since, until = self._month_bounds(first, last)
        lang, knowledge = viewer.lang, self.runtime.domain.knowledge
        query = select(Workshop).order_by(Workshop.id.desc())
        if not viewer.coordinator:  # a trainer sees the workshops they ran
            query = query.where(Workshop.trainer_user_id == viewer.member.telegram_user_id)
        if since is not None:
            query = query.where(Workshop.created_at >= since)
        if until is not None:
            query = query.where(Workshop.created_at < until)
        listed, answers, ratings, participants = [], {}, {}, 0
        async with self.runtime.sessionmaker() as session:
            for workshop in await session.scalars(query):
                people = await workshop_store.participant_count(session=session, workshop_id=workshop.id)
                participants += people
                programme = self.desk.r.text(f"workshop_programme_{workshop.programme}", lang) or workshop.programme
                listed.append((self._local(workshop.created_at, lang), programme, people, workshop.id))
                for item, tally in (await workshop_store.workshop_tallies(session=session,
                                                                          workshop_id=workshop.id)).items():
                    target = answers if item.startswith("s:") else ratings
                    bucket = target.setdefault(item.split(":", 1)[-1], {})
                    for value, n in tally.items():
                        bucket[value] = bucket.get(value, 0) + n
        options = list((knowledge.get("scenarios") or {}).get("options") or {})
        option_names = {o: knowledge_text(knowledge, f"scenarios.options.{o}", lang,
                                                  self.settings.default_language) or o for o in options}
        scenario_rows = []
        for scenario in (knowledge.get("scenarios") or {}).get("scenarios") or []:
            if scenario["id"] in answers:
                text = knowledge_text(knowledge, f"scenarios.scenarios.{scenario['id']}.text", lang,
                                              self.settings.default_language) or scenario["id"]
                scenario_rows.append((text, option_names.get(scenario["answer"], scenario["answer"]),
                                      [answers[scenario["id"]].get(o, 0) for o in options]))
        rating_rows = []
        order = [f["id"] for f in (knowledge.get("success_factors") or {}).get("factors") or []]
        for factor, tally in sorted(ratings.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99):
            votes = sum(tally.values())
            mean = sum(int(v) * n for v, n in tally.items() if v.isdigit()) / votes if votes else 0.0
            rating_rows.append((self.labels.factor(factor, lang), mean, f"{formats.decimal(mean, lang)} ({votes})"))
        return self.render("workshops.html", request, viewer, page="workshops", period=period, listed=listed,
                           participants=participants, scenario_rows=scenario_rows,
                           option_names=[option_names[o] for o in options],
                           ratings_chart=bars(rating_rows, scale=4, title=self.labels.t("workshop_ratings", lang))
                           if rating_rows else None)

    async def _workshop_visible(self, request: web.Request, viewer: auth.Viewer) -> Workshop | None:
        workshop_id = _int(request.match_info.get("workshop_id"))
        async with self.runtime.sessionmaker() as session:
            workshop = await workshop_store.get_workshop(session=session, workshop_id=workshop_id) \
                if workshop_id else None
        if workshop is None or (not viewer.coordinator and workshop.trainer_user_id != viewer.member.telegram_user_id):
            return None  # another trainer's workshop: as if it did not exist
        return workshop

    async def _workshop_tables(self, workshop: Workshop, lang: str) -> tuple[dict[str, Any], list[Table]]:
        """A workshop's facts and its results per case and per factor, as the page and the xlsx show them."""
        knowledge, default = self.runtime.domain.knowledge, self.settings.default_language
        async with self.runtime.sessionmaker() as session:
            tallies = await workshop_store.workshop_tallies(session=session, workshop_id=workshop.id)
            people = await workshop_store.participant_count(session=session, workshop_id=workshop.id)
            trainer = await session.scalar(select(Trainer.name).where(Trainer.telegram_user_id == workshop.trainer_user_id))
        options = list((knowledge.get("scenarios") or {}).get("options") or {})
        option_names = [knowledge_text(knowledge, f"scenarios.options.{o}", lang, default) or o for o in options]
        t = self.labels.t
        cases = Table(t("workshop_cases", lang), [t("col_scenario", lang), t("col_expected", lang), *option_names,
                                                 t("col_right", lang)])
        factors = Table(t("workshop_ratings", lang), [t("col_factor", lang), t("col_votes", lang), t("col_mean", lang)])
        for item in (workshop.state or {}).get("items") or []:
            kind, ident = item["id"].split(":", 1)
            counts = tallies.get(item["id"], {})
            if kind == "s":
                text = knowledge_text(knowledge, f"scenarios.scenarios.{ident}.text", lang, default) or ident
                scenario = next((s for s in (knowledge.get("scenarios") or {}).get("scenarios") or []
                                 if s.get("id") == ident), {})
                answer = scenario.get("answer") or item.get("answer", "")
                total = sum(counts.values())
                right = counts.get(answer, 0) / total if total else None
                answer_name = option_names[options.index(answer)] if answer in options else answer
                cases.rows.append([text, answer_name, *(counts.get(o, 0) for o in options),
                                   round(right, 3) if right is not None else ""])
            else:
                votes = sum(counts.values())
                mean = sum(int(v) * n for v, n in counts.items() if v.isdigit()) / votes if votes else None
                factors.rows.append([self.labels.factor(ident, lang), votes, round(mean, 2) if mean is not None else ""])
        facts = {"when": self._local(workshop.created_at, lang), "language": self.labels.language(workshop.language, lang),
                 "programme": self.desk.r.text(f"workshop_programme_{workshop.programme}", lang) or workshop.programme,
                 "participants": people, "trainer": trainer or "", "status": workshop.status,
                 "group": str((workshop.state or {}).get("group") or "")}
        return facts, [cases, factors]

    async def workshop(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        """One workshop: when, language, participants, and each case's answers with the share right."""
        workshop = await self._workshop_visible(request, viewer)
        if workshop is None:
            return self.message(request, viewer, "not_found", status=404)
        lang = viewer.lang
        facts, (cases, factors) = await self._workshop_tables(workshop, lang)
        case_rows = [(row[0], row[1], row[2:-1], formats.percent(row[-1], lang) if row[-1] != "" else "–")
                     for row in cases.rows]
        factor_rows = [(row[0], row[1], formats.decimal(row[2], lang) if row[2] != "" else "–") for row in factors.rows]
        return self.render("workshop.html", request, viewer, page="workshops", workshop=workshop, facts=facts,
                           cases=cases, case_rows=case_rows, factor_rows=factor_rows)

    async def workshop_export(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        workshop = await self._workshop_visible(request, viewer)
        if workshop is None:
            return self.message(request, viewer, "not_found", status=404)
        _, tables = await self._workshop_tables(workshop, viewer.lang)
        name = f"aliat-workshop-{workshop.id}.xlsx"
        return web.Response(body=xlsx_bytes(tables),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="{name}"',
                                     "Cache-Control": "no-store"})

    # ------------------------------------------------------------------ exports
    async def export(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        what, fmt = request.match_info["what"], request.match_info["fmt"]
        if what not in EXPORTS or fmt not in ("xlsx", "csv"):
            return self.message(request, viewer, "not_found", status=404)
        lang, labels = viewer.lang, self.labels
        period, first, last = self.period(request)
        async with self.runtime.sessionmaker() as session:
            if what == "funnel":
                tables = reports.funnel_tables(await funnel.read(session=session, first=first, last=last),
                                               labels, lang)
            elif what == "leads":
                rows = await reports.lead_rows(session, **self._late())
                extras = await reports.lead_extras(session, [r.id for r in rows])
                tables = [reports.leads_table(rows, labels, lang, self.zone, extras)]
            else:
                progress = await reports.alliance_progress(session, self.settings)
                tables = reports.alliances_tables(progress, labels, lang, self.zone)
        name = f"aliat-{what}-{reports.today_in(self.zone).isoformat()}.{fmt}"
        if fmt == "xlsx":
            body = xlsx_bytes(tables)
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        else:
            body = csv_bytes(_first(tables), excel=request.query.get("sep") != "comma")
            content_type = "text/csv"
        log.info("dashboard export %s.%s by staff %s", what, fmt, viewer.member.telegram_user_id)
        return web.Response(body=body, content_type=content_type, charset="utf-8" if fmt == "csv" else None,
                            headers={"Content-Disposition": f'attachment; filename="{name}"',
                                     "Cache-Control": "no-store"})


def _with_shares(counts: list[int], lang: str) -> list[tuple[int, str]]:
    """Each step's count with its share of the step before, as the language writes it ("" where that step
    had none)."""
    return [(n, formats.percent(n / counts[i - 1], lang) if i and counts[i - 1] else "") for i, n in enumerate(counts)]


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


def _first(tables: list[Table]) -> Table:
    return tables[0]


def _local_path(path: str) -> str:
    """A path on this site to go back to, else "/". Browsers read a backslash as a slash: "/\\evil.example/"
    went to another site (issue 27); so does "//host", and a scheme or a host in any form."""
    parts = urlsplit(path)
    if (not path.startswith("/") or "\\" in path or parts.scheme or parts.netloc or path.startswith("//")
            or any(not ch.isprintable() for ch in path)):
        return "/"
    return path


def _int(value: str | None) -> int | None:
    """An id from a URL: ASCII digits that fit the database's INTEGER ids (bot/text/numbers.py), else None (a
    404): "²", 5,000 digits or 2147483648 were a 500 (issue 27)."""
    return parse_int(value)
