"""The programme's staff dashboard: server-rendered pages (Jinja2) behind a Telegram one-time login.

`setup(app, runtime)` adds its routes to the project's one aiohttp application (bot/web/server.py).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.shared.logs import Repeated
from bot.web.dashboard.leads import LeadPages
from bot.web.dashboard.views import Dashboard
from bot.web.dashboard.workshops import WorkshopPages

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
DASHBOARD = web.AppKey("dashboard", Dashboard)


def setup(app: web.Application, runtime) -> None:
    """Add the dashboard's pages, login and exports to `app`."""
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                         undefined=jinja2.StrictUndefined)  # no context processors: aiohttp warns on their request keys
    d = Dashboard(runtime)
    leads, workshops = LeadPages(d), WorkshopPages(d)  # pages of their own, in the dashboard's frame
    app[DASHBOARD] = d
    app.middlewares.append(friendly_errors(d))
    app.router.add_get("/login", d.login)
    app.router.add_get("/", d.guard(d.home))
    app.router.add_get("/overview", d.guard(d.overview, coordinator=True))
    app.router.add_get("/leads", d.guard(leads.leads, desk=True))
    app.router.add_get(r"/leads/{lead_id:\d+}", d.guard(leads.lead, desk=True))
    app.router.add_post(r"/leads/{lead_id:\d+}/action", d.guard(leads.lead_action, desk=True, form=True))
    app.router.add_post(r"/leads/{lead_id:\d+}/note", d.guard(leads.lead_note, desk=True, form=True))
    app.router.add_post(r"/leads/{lead_id:\d+}/follow_up", d.guard(leads.lead_follow_up, desk=True, form=True))
    app.router.add_post(r"/leads/{lead_id:\d+}/manage", d.guard(leads.lead_manage, coordinator=True, form=True))
    app.router.add_get("/alliances", d.guard(d.alliances, coordinator=True))
    app.router.add_get("/matches", d.guard(d.matches.page, desk=True))  # partner matching (bot/web/dashboard/matches.py)
    app.router.add_post("/matches/propose", d.guard(d.matches.propose, desk=True, form=True))
    app.router.add_post(r"/matches/{intro_id:\d+}/outcome", d.guard(d.matches.outcome, desk=True, form=True))
    app.router.add_get("/invite", d.guard(d.invite, coordinator=True))
    app.router.add_post("/invite", d.guard(d.invite, coordinator=True, form=True))
    app.router.add_get("/workshops", d.guard(workshops.workshops, trainer=True))
    app.router.add_get(r"/workshops/{workshop_id:\d+}", d.guard(workshops.workshop, trainer=True))
    app.router.add_get(r"/workshops/{workshop_id:\d+}.xlsx", d.guard(workshops.workshop_export, trainer=True))
    app.router.add_get(r"/export/{what}.{fmt}", d.guard(d.export, coordinator=True))
    app.router.add_post("/logout", d.guard(d.logout, form=True))
    app.router.add_post("/language", d.guard(d.language, form=True))
    app.router.add_static("/static", STATIC)


def friendly_errors(d: Dashboard) -> Callable[..., Awaitable[web.StreamResponse]]:
    """A page that failed, or one that does not exist, gets the dashboard's own page in the reader's language
    (their browser's, among the programme's languages), never aiohttp's bare "500 Server got itself in
    trouble"; the failure is logged (a line a minute while it repeats, as in an outage of the database)."""
    failures = Repeated(log, "dashboard page failed")

    @web.middleware
    async def middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                         ) -> web.StreamResponse:
        try:
            return await handler(request)
        except web.HTTPNotFound:
            return _page(d, request, "not_found", 404)
        except web.HTTPException:
            raise
        except Exception as exc:
            failures.failed(exc)
            return _page(d, request, "server_error", 500)

    return middleware


def _page(d: Dashboard, request: web.Request, name: str, status: int) -> web.StreamResponse:
    lang = reader_language(request.headers.get("Accept-Language", ""), d.settings.languages,
                           d.settings.default_language)
    try:
        return d.render("message.html", request, None, status=status, name=name, text=None, lang=lang)
    except Exception:  # the page itself cannot be drawn: a last-resort answer, in the three languages
        log.exception("dashboard error page failed")
        return web.Response(status=status, text="Error · Error · Error", content_type="text/plain")


def reader_language(header: str, languages: tuple[str, ...], default: str) -> str:
    """The first of the browser's languages (Accept-Language, by preference) the programme speaks."""
    ranked = []
    for position, part in enumerate(header.split(",")):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, position, code.strip().lower()[:2]))
    return next((code for _q, _p, code in sorted(ranked) if code in languages), default)
