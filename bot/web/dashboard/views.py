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

from bot import reports
from bot.engine.render import knowledge_text
from bot.exports import Table, csv_bytes, xlsx_bytes
from bot.facilitators.cards import CardAction, answer_label, card_values, slot_label
from bot.facilitators.handlers import LeadDesk
from bot.numbers import parse_int
from bot.store import facilitators as facilitator_store
from bot.store import funnel, staff
from bot.store import leads as store
from bot.store import workshops as workshop_store
from bot.store.alliances import set_alliance_aim
from bot.store.models import Facilitator, Workshop
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
    def guard(self, handler: Handler, *, coordinator: bool = False, form: bool = False
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
            return await handler(request, viewer)

        return wrapped

    def context(self, viewer: auth.Viewer | None, lang: str | None = None, **values: Any) -> dict[str, Any]:
        lang = viewer.lang if viewer else (lang or self.settings.default_language)
        labels = self.labels
        return {"t": lambda key, /, **v: labels.t(key, lang, **v), "lang": lang, "viewer": viewer, "page": "",
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
        response = _see_other("/" if member.coordinator else "/leads")
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
        return _see_other("/overview" if viewer.coordinator else "/leads")

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
        steps = reports.funnel_rows(result, labels, lang)
        funnel_chart = bars([(label, n, f"{n} {share}".strip()) for _, label, n, share in steps],
                            title=labels.t("funnel", lang))
        mix = {m: result.by.get("motivation", {}).get(m, {}).get("reading", 0) for m in funnel.MOTIVATIONS}
        total_mix = sum(mix.values())
        mix_chart = bars([(labels.motivation(m, lang), n, f"{n} ({n * 100 / total_mix:.0f} %)" if total_mix else "0")
                          for m, n in mix.items()], title=labels.t("motivation_mix", lang))
        factors = [f["id"] for f in (self.runtime.domain.knowledge.get("success_factors") or {}).get("factors", [])]
        readiness_chart = bars([(labels.factor(f, lang), readiness.get(f, 0.0),
                                 f"{readiness[f]:.1f}" if f in readiness else "–") for f in factors],
                               scale=4, title=labels.t("readiness", lang))
        breakdowns = [(labels.t(title, lang), [(name(value, lang), _with_shares([counts.get(s, 0) for s in funnel.STEPS]))
                                               for value, counts in result.by.get(dim, {}).items()])
                      for dim, title, name in (("territory", "by_territory", labels.territory),
                                               ("language", "by_language", labels.language))]
        months = [(month, [counts.get(s, 0) for s in funnel.STEPS]) for month, counts in result.by_month.items()]
        return self.render("overview.html", request, viewer, page="overview", period=period, steps=steps,
                           funnel_chart=funnel_chart, mix_chart=mix_chart, readiness_chart=readiness_chart,
                           assessed=assessed, breakdowns=breakdowns, months=months, late=late,
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
        """The aims an alliance can have: the objectives of knowledge/objectives.yml."""
        objectives = (self.runtime.domain.knowledge.get("objectives") or {}).get("objectives") or []
        return [o["id"] for o in objectives if o.get("id")]

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
                  "created": self._local(r.created_at), "waited": self._waited(r.created_at, lang),
                  "claimed_waited": self._waited(r.claimed_at, lang) if r.status in ("claimed",) else ""}
                 for r in rows]
        return self.render("leads.html", request, viewer, page="leads", items=items, chosen=chosen,
                           statuses=STATUSES, priorities=PRIORITIES, territories=self.territories(),
                           assignees=assignees)

    def _late(self) -> dict[str, float]:
        """When an open lead is overdue: config.yml handoff's reminder times."""
        handoff = self.runtime.settings.handoff
        return {"claim_hours": handoff.reminder_unclaimed_hours, "contact_days": handoff.reminder_no_contact_days}

    def _local(self, value: datetime | None) -> str:
        if value is None:
            return ""
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
        return value.astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

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
        events = [(self._local(e.created_at), self._actor(e.actor, names, lang),
                   self.labels.t("event_" + e.action.replace(":", "_"), lang), e.note or "") for e in view.events]
        contact = [(self.labels.t(f"contact_{k}", lang), self._contact_value(k, v, lang))
                   for k, v in view.contact().items() if v not in (None, "", False)]
        actions = self._actions_for(view, viewer) if viewer.facilitator_id is not None else []
        entity = dossier.get("entity") or {}
        territory = (view.entity.territory if view.entity else None) or entity.get("territory")
        aim_now = dossier.get("alliance_aim") or (dossier.get("answers") or {}).get("objective")
        return self.render("lead.html", request, viewer, page="leads", view=view, values=values,
                           aims=[(a, self.labels.aim(a, lang)) for a in self.aims()], aim_now=aim_now,
                           territory=self.labels.territory(territory, lang),
                           aim=self.labels.aim((dossier.get("answers") or {}).get("objective"), lang),
                           contact=contact, answers=answers, events=events, actions=actions,
                           partners=await self.matches.for_entity(view.entity.id if view.entity else None, viewer),
                           can_propose=viewer.facilitator_id is not None,
                           notice=notice, warn=status != 200, status=status, created=self._local(view.lead.created_at),
                           waited=self._waited(view.lead.created_at, lang))

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
            return self._local(datetime.fromisoformat(value))
        return str(value)

    async def _facilitator_names(self) -> dict[str, str]:
        async with self.runtime.sessionmaker() as session:
            people = await facilitator_store.list_facilitators(session=session, include_inactive=True)
        return {store.actor_of(f): f.name for f in people}

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
        aim = str(data.get("aim", ""))
        if action == CardAction.FORMED and aim in self.aims():
            async with self.runtime.sessionmaker() as session, session.begin():
                await set_alliance_aim(session=session, lead_id=lead_id, facilitator=facilitator, aim=aim)
        changed, text = await self.desk.change(facilitator, lead_id, action)
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

    # ------------------------------------------------------------------ alliances and workshops
    async def alliances(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        lang, labels = viewer.lang, self.labels
        async with self.runtime.sessionmaker() as session:
            progress = reports.alliance_progress(await funnel.read(session=session), self.settings)
            rows = await reports.lead_rows(session, status="closed")
        aims = list(progress.target) + [a for a in progress.formed if a not in progress.target]
        chart = bars([(labels.aim(a, lang), progress.formed.get(a, 0),
                       f"{progress.formed.get(a, 0)} / {progress.target.get(a, 0)}") for a in aims],
                     targets=[progress.target.get(a, 0) for a in aims], title=labels.t("alliances", lang))
        formed = [{"row": r, "closed": self._local(r.closed_at), "territory": labels.territory(r.territory, lang),
                   "aim": labels.aim(r.aim, lang)} for r in rows if r.outcome == "alliance_formed"]
        return self.render("alliances.html", request, viewer, page="alliances", progress=progress, chart=chart,
                           formed=formed)

    async def workshops(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        period, first, last = self.period(request)
        since, until = self._month_bounds(first, last)
        lang, knowledge = viewer.lang, self.runtime.domain.knowledge
        query = select(Workshop).order_by(Workshop.id.desc())
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
                listed.append((self._local(workshop.created_at), programme, people))
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
            rating_rows.append((self.labels.factor(factor, lang), mean, f"{mean:.1f} ({votes})"))
        return self.render("workshops.html", request, viewer, page="workshops", period=period, listed=listed,
                           participants=participants, scenario_rows=scenario_rows,
                           option_names=[option_names[o] for o in options],
                           ratings_chart=bars(rating_rows, scale=4, title=self.labels.t("workshop_ratings", lang))
                           if rating_rows else None)

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
                tables = [reports.leads_table(await reports.lead_rows(session, **self._late()), labels, lang, self.zone)]
            else:
                progress = reports.alliance_progress(await funnel.read(session=session), self.settings)
                tables = reports.alliances_tables(progress, await reports.lead_rows(session, status="closed"),
                                                  labels, lang, self.zone)
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


def _with_shares(counts: list[int]) -> list[tuple[int, str]]:
    """Each step's count with its share of the step before ("" where that step had none)."""
    return [(n, f"{n * 100 / counts[i - 1]:.0f} %" if i and counts[i - 1] else "") for i, n in enumerate(counts)]


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
    """An id from a URL: ASCII digits that fit the database's INTEGER ids (bot/numbers.py), else None (a
    404): "²", 5,000 digits or 2147483648 were a 500 (issue 27)."""
    return parse_int(value)
