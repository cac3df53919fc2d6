"""The dashboard's frame and its pages but leads' and workshops' (leads.py, workshops.py, matches.py): login,
language, the overview, invites, alliances, exports. Every handler goes through `Dashboard.guard`: no page,
chart or export without a session; coordinators see everything, facilitators unassigned leads and their own."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import aiohttp_jinja2
from aiohttp import web

from bot.leads import LeadDesk
from bot.reporting import figures as reports
from bot.reporting.exports import Table, csv_bytes, xlsx_bytes
from bot.store import funnel, invites, lead_admin, staff
from bot.store import leads as store
from bot.text import formats
from bot.web.dashboard import auth
from bot.web.dashboard.matches import MatchesPage
from bot.web.dashboard.svg import bars

log = logging.getLogger(__name__)
Handler = Callable[[web.Request, auth.Viewer], Awaitable[web.StreamResponse]]
EXPORTS = {"leads", "funnel", "alliances"}


class Dashboard:
    def __init__(self, runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.labels = reports.Labels(runtime.domain, self.settings.default_language)
        self.zone = ZoneInfo(self.settings.programme.time_zone)
        self.desk = LeadDesk(runtime)
        self.matches = MatchesPage(self)

    # ------------------------------------------------------------------ frame
    def guard(self, handler: Handler, *, coordinator: bool = False, form: bool = False, trainer: bool = False,
              desk: bool = False) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        """`coordinator`: coordinators only; `trainer`: workshops (coordinators and trainers); `desk`: leads and
        matching (coordinators and facilitators). The menu shows the same (auth.Viewer.sees_*)."""
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
            if (trainer and not viewer.sees_workshops) or (desk and not viewer.sees_leads):
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

    def month_bounds(self, first: str | None, last: str | None) -> tuple[datetime | None, datetime | None]:
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
            since, until = self.month_bounds(first, last)
            readiness, assessed = await reports.readiness_by_factor(session, since=since, until=until)
            late = await store.count_overdue(session=session, **self.late())
            stuck = [(lead_id, self.labels.t(f"escalated_{why}", lang), self.local(when, lang))
                     for lead_id, why, when in await lead_admin.escalated_open(session=session)]
            people, to_claim, to_contact = reports.workload(await reports.lead_rows(session, visible_to=viewer.seer,
                                                                                       **self.late()))

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

    # ------------------------------------------------------------------ shared by the pages
    def late(self) -> dict[str, float]:
        """When an open lead is overdue: config.yml handoff's reminder times."""
        handoff = self.runtime.settings.handoff
        return {"claim_hours": handoff.reminder_unclaimed_hours, "contact_days": handoff.reminder_no_contact_days}

    def local(self, value: datetime | None, lang: str | None = None, *, day_only: bool = False) -> str:
        """A moment as the reader's language writes it, in the programme's time zone, the zone shown."""
        return formats.when(value, lang or self.settings.default_language, self.settings.programme.time_zone,
                            day_only=day_only)

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

    # ------------------------------------------------------------------ alliances
    async def alliances(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        lang, labels = viewer.lang, self.labels
        async with self.runtime.sessionmaker() as session:
            progress = await reports.alliance_progress(session, self.settings)
        aims = progress.aims()
        chart = bars([(labels.aim(a, lang), progress.formed.get(a, 0),
                       f"{progress.formed.get(a, 0)} / {progress.target.get(a, 0)}") for a in aims],
                     targets=[progress.target.get(a, 0) for a in aims], title=labels.t("alliances", lang))
        by_aim = [(labels.aim(a, lang), progress.target.get(a, 0), progress.formed.get(a, 0)) for a in aims]
        formed = [{"row": r, "when": self.local(r.formed_at, lang, day_only=True),
                   "entity": r.entity or labels.unknown(lang), "territory": labels.territory(r.territory, lang),
                   "partner": reports.alliance_partner(r, labels, lang), "aim": labels.aim(r.aim, lang)}
                  for r in progress.alliances]
        return self.render("alliances.html", request, viewer, page="alliances", progress=progress, chart=chart,
                           by_aim=by_aim, formed=formed)

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
                rows = await reports.lead_rows(session, visible_to=viewer.seer, **self.late())
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

