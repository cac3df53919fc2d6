"""The dashboard's Matches page (partner matching, issue 26): the suggested pairs with one reason per indicator
and a button to propose an introduction; the introductions and their outcomes; a lead's possible partners.

Only consenting, non-erased entities (bot/matching/suggest.py reads match_profile alone). Proposing is a
facilitator's act (a coordinator who is not one reads); the proposal is bot/matching/introductions.py's."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.matching import introductions
from bot.matching.reasons import reasons, titled
from bot.matching.rules import load_rules
from bot.matching.scoring import Pair
from bot.matching.suggest import suggest
from bot.store import matching as store
from bot.store.outbox import wake
from bot.text.formats import when
from bot.web.dashboard import auth

MAX_PAIRS = 60  # shown on the page, best first (`aliat matches list` gives them all)
STEPS = ("suggested", "proposed", "accepted", "met", "alliance_formed")


class MatchesPage:
    def __init__(self, dashboard) -> None:
        self.d = dashboard
        self.settings = dashboard.settings

    @property
    def rules(self):
        return load_rules(str(self.settings.knowledge_dir))

    async def _suggestions(self):
        m = self.settings.matching
        async with self.d.runtime.sessionmaker() as session:
            return await suggest(session=session, rules=self.rules, per_entity=m.suggestions_per_entity,
                                 min_score=m.min_score)

    def card(self, pair: Pair, lang: str) -> dict[str, Any]:
        labels = self.d.labels
        return {"a": pair.a, "b": pair.b, "score": f"{round(max(pair.score, 0) * 100)} %",
                "aim": labels.aim(pair.aim, lang) if pair.aim else labels.unknown(lang),
                "reasons": titled(reasons(pair, self.rules, lang), self.rules, lang)}

    async def page(self, request: web.Request, viewer: auth.Viewer, *, notice: str | None = None,
                   status: int = 200) -> web.StreamResponse:
        lang = viewer.lang
        found = await self._suggestions()
        pairs = found.pairs(self.rules)
        async with self.d.runtime.sessionmaker() as session:
            intros = await store.list_introductions(session=session)
        counts = {status_: sum(1 for i in intros if i["intro"].status == status_) for status_ in store.IntroStatus}
        # the funnel of introductions: each step counts those that got at least that far
        reached = {"suggested": len(pairs),
                   "proposed": len(intros),
                   "accepted": counts["accepted"] + counts["met"] + counts["alliance_formed"],
                   "met": counts["met"] + counts["alliance_formed"],
                   "alliance_formed": counts["alliance_formed"]}
        rows = [{"intro": i["intro"], "a_name": i["a_name"], "b_name": i["b_name"],
                 "status": self.d.labels.t(f"match_status_{i['intro'].status}", lang),
                 "when": when(i["intro"].proposed_at, lang, self.settings.programme.time_zone, day_only=True)}
                for i in intros]
        return self.d.render("matches.html", request, viewer, status=status, page="matches", notice=notice,
                             warn=status != 200,
                             pairs=[self.card(p, lang) for p in pairs[:MAX_PAIRS]], more=max(0, len(pairs) - MAX_PAIRS),
                             steps=[(self.d.labels.t(f"match_step_{s}", lang), reached[s]) for s in STEPS],
                             intros=rows, can_propose=viewer.facilitator_id is not None,
                             consenting=len(found.matrices.profiles))

    async def for_entity(self, entity_id: int | None, viewer: auth.Viewer) -> list[dict[str, Any]]:
        """A lead's possible partners (empty when its entity did not opt in)."""
        if entity_id is None:
            return []
        found = await self._suggestions()
        return [self.card(p, viewer.lang) for p in found.for_entity(entity_id, self.rules)]

    async def propose(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        data = await request.post()
        a, b = _int(data.get("a")), _int(data.get("b"))
        if viewer.facilitator_id is None:
            return self.d.message(request, viewer, "coordinator_only_reads", status=403)
        if a is None or b is None:
            return self.d.message(request, viewer, "not_found", status=404)
        async with self.d.runtime.sessionmaker() as session, session.begin():
            result = await introductions.propose(session=session, rules=self.rules, a_entity_id=a, b_entity_id=b,
                                                 proposed_by=viewer.member.telegram_user_id)
        if result.ok:
            wake()
            notice = self.d.labels.t("match_proposed", viewer.lang, intro_id=result.intro.id)
        else:
            notice = self.d.labels.t(f"match_refused_{result.reason}", viewer.lang)
        return await self.page(request, viewer, notice=notice, status=200 if result.ok else 409)

    async def outcome(self, request: web.Request, viewer: auth.Viewer) -> web.StreamResponse:
        """A facilitator records that the entities met, or formed an alliance (both entities stay on the row)."""
        data = await request.post()
        intro_id, outcome = _int(request.match_info.get("intro_id")), str(data.get("outcome", ""))
        if viewer.facilitator_id is None:
            return self.d.message(request, viewer, "coordinator_only_reads", status=403)
        async with self.d.runtime.sessionmaker() as session, session.begin():
            ok = intro_id is not None and await store.record_outcome(session=session, intro_id=intro_id,
                                                                     outcome=outcome)
        notice = self.d.labels.t("match_outcome_saved" if ok else "match_outcome_refused", viewer.lang)
        return await self.page(request, viewer, notice=notice, status=200 if ok else 409)


def _int(value: Any) -> int | None:
    text = str(value or "")
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
