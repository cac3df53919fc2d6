"""The programme's staff dashboard: server-rendered pages (Jinja2) behind a Telegram one-time login.

`setup(app, runtime)` adds its routes to the project's one aiohttp application (bot/web/server.py).
"""

from __future__ import annotations

from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.web.dashboard.views import Dashboard

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
DASHBOARD = web.AppKey("dashboard", Dashboard)


def setup(app: web.Application, runtime) -> None:
    """Add the dashboard's pages, login and exports to `app`."""
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                         undefined=jinja2.StrictUndefined)  # no context processors: aiohttp warns on their request keys
    d = Dashboard(runtime)
    app[DASHBOARD] = d
    app.router.add_get("/login", d.login)
    app.router.add_get("/", d.guard(d.home))
    app.router.add_get("/overview", d.guard(d.overview, coordinator=True))
    app.router.add_get("/leads", d.guard(d.leads))
    app.router.add_get(r"/leads/{lead_id:\d+}", d.guard(d.lead))
    app.router.add_post(r"/leads/{lead_id:\d+}/action", d.guard(d.lead_action, form=True))
    app.router.add_post(r"/leads/{lead_id:\d+}/note", d.guard(d.lead_note, form=True))
    app.router.add_post(r"/leads/{lead_id:\d+}/follow_up", d.guard(d.lead_follow_up, form=True))
    app.router.add_post(r"/leads/{lead_id:\d+}/manage", d.guard(d.lead_manage, coordinator=True, form=True))
    app.router.add_get("/alliances", d.guard(d.alliances, coordinator=True))
    app.router.add_get("/invite", d.guard(d.invite, coordinator=True))
    app.router.add_post("/invite", d.guard(d.invite, coordinator=True, form=True))
    app.router.add_get("/workshops", d.guard(d.workshops, trainer=True))
    app.router.add_get(r"/workshops/{workshop_id:\d+}", d.guard(d.workshop, trainer=True))
    app.router.add_get(r"/workshops/{workshop_id:\d+}.xlsx", d.guard(d.workshop_export, trainer=True))
    app.router.add_get(r"/export/{what}.{fmt}", d.guard(d.export, coordinator=True))
    app.router.add_post("/logout", d.guard(d.logout, form=True))
    app.router.add_post("/language", d.guard(d.language, form=True))
    app.router.add_static("/static", STATIC)
