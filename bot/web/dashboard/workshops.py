"""The dashboard's workshop pages: the workshops of a period (a trainer's own, or all for a coordinator) with
the answers and ratings summed, one workshop's results, and its xlsx."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import select

from bot.engine.render import knowledge_text
from bot.reporting.exports import Table, xlsx_bytes
from bot.store import workshops as workshop_store
from bot.store.models import Trainer, Workshop
from bot.text import formats
from bot.text.numbers import parse_int
from bot.web.dashboard import auth
from bot.web.dashboard.svg import bars

if TYPE_CHECKING:
    from bot.web.dashboard.views import Dashboard


class WorkshopPages:
    """Routed by bot/web/dashboard/__init__.py through `Dashboard.guard`, like every page."""

    def __init__(self, dashboard: Dashboard) -> None:
        self.d = dashboard
        self.runtime, self.settings, self.labels = dashboard.runtime, dashboard.settings, dashboard.labels
        self.zone, self.desk = dashboard.zone, dashboard.desk

    async def workshops(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        period, first, last = self.d.period(request)
        since, until = self.d.month_bounds(first, last)
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
                listed.append((self.d.local(workshop.created_at, lang), programme, people, workshop.id))
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
        return self.d.render("workshops.html", request, viewer, page="workshops", period=period, listed=listed,
                           participants=participants, scenario_rows=scenario_rows,
                           option_names=[option_names[o] for o in options],
                           ratings_chart=bars(rating_rows, scale=4, title=self.labels.t("workshop_ratings", lang))
                           if rating_rows else None)

    async def _workshop_visible(self, request: web.Request, viewer: auth.Viewer) -> Workshop | None:
        workshop_id = parse_int(request.match_info.get("workshop_id"))
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
        facts = {"when": self.d.local(workshop.created_at, lang), "language": self.labels.language(workshop.language, lang),
                 "programme": self.desk.r.text(f"workshop_programme_{workshop.programme}", lang) or workshop.programme,
                 "participants": people, "trainer": trainer or "", "status": workshop.status,
                 "group": str((workshop.state or {}).get("group") or "")}
        return facts, [cases, factors]

    async def workshop(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        """One workshop: when, language, participants, and each case's answers with the share right."""
        workshop = await self._workshop_visible(request, viewer)
        if workshop is None:
            return self.d.message(request, viewer, "not_found", status=404)
        lang = viewer.lang
        facts, (cases, factors) = await self._workshop_tables(workshop, lang)
        case_rows = [(row[0], row[1], row[2:-1], formats.percent(row[-1], lang) if row[-1] != "" else "–")
                     for row in cases.rows]
        factor_rows = [(row[0], row[1], formats.decimal(row[2], lang) if row[2] != "" else "–") for row in factors.rows]
        return self.d.render("workshop.html", request, viewer, page="workshops", workshop=workshop, facts=facts,
                           cases=cases, case_rows=case_rows, factor_rows=factor_rows)

    async def workshop_export(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        workshop = await self._workshop_visible(request, viewer)
        if workshop is None:
            return self.d.message(request, viewer, "not_found", status=404)
        _, tables = await self._workshop_tables(workshop, viewer.lang)
        name = f"aliat-workshop-{workshop.id}.xlsx"
        return web.Response(body=xlsx_bytes(tables),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            headers={"Content-Disposition": f'attachment; filename="{name}"',
                                     "Cache-Control": "no-store"})
