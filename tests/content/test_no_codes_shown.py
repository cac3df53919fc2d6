"""Issue 24: no snake_case key or code is ever shown to a person. Every conversation script is replayed (they
are written in Catalan, Spanish and English) with the summary's details; then every lead they made is read
as a facilitator reads it (card, dossier, /leads) and as the dashboard shows it (pages and exports), in the
three languages."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest

from bot.leads import LeadDesk
from bot.leads.cards import card_text, details_text
from bot.shared import yamlio
from bot.store import leads as store
from bot.store import staff
from tests.auxil.dashboard import dashboard_client, login_link
from tests.auxil.paths import CONVERSATIONS
from tests.auxil.runtime import Chat

# a code: two or more lower-case words joined by "_" (public_contracting, power_risk, readiness_overall),
# not a Telegram command (/self_check) nor part of an address
CODE = re.compile(r"(?<![\w/@.:-])[a-z]+(?:_[a-z0-9]+)+(?![\w@])")
LANGUAGES = ("ca", "es", "en")
COORDINATOR = 7301


def codes_in(text: str) -> list[str]:
    return CODE.findall(text or "")


def page_text(page: str) -> str:
    """What a person reads on a page: no tags, attributes, scripts or styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


async def replay(runtime, path) -> list[str]:
    spec = yamlio.safe_load(path.read_text(encoding="utf-8"))
    chat = Chat(runtime, sender_id=f"tg:{abs(hash(path.stem)) % 10**8}", language=spec.get("lang", "ca"))
    seen: list[str] = []
    for step in spec["steps"]:
        if "payload" in step:
            replies = await chat.send(payload=step["payload"])
        else:
            replies = await chat.send(str(step["user"]) if step.get("user") is not None else None,
                                      kind=step.get("kind", "text"))
        if any(r.response == "utter_summary" for r in replies):
            replies = [*replies, *await chat.send(payload="/summary_details")]
        seen += [f"{path.stem}: {r.response}: {r.text}" for r in replies]
        seen += [f"{path.stem}: {r.response} button: {title}" for r in replies for title, _ in r.buttons]
    return seen


@pytest.fixture
async def played(runtime) -> list[str]:
    """Every bot message and button title of every script (the leads they make stay in the database)."""
    seen: list[str] = []
    for path in sorted(CONVERSATIONS.glob("*.yml")):
        seen += await replay(runtime, path)
    assert len(seen) > 500
    return seen


async def test_no_code_in_messages_cards_dossiers_pages_or_exports(runtime, played) -> None:
    shown = [line for line in played if codes_in(line.split(": ", 2)[-1])]
    assert not shown, "\n".join(shown[:20])

    async with runtime.sessionmaker() as session, session.begin():
        # and a lead with every kind of stored code: don't-knows, flags, gaps, the verdict, an "other" aim
        await store.create_or_update_lead(
            session=session, sender_id="tg:777", entity={"name": "Esplai Pinyols", "territory": "catalunya_central"},
            contact={"contact_name": "Marta", "contact_phone": "+34600000000"}, consent_at=datetime.now(UTC),
            consent_version="2026-11", priority="high", priority_reasons=["urgent"], language="es",
            dossier={"entity": {"name": "Esplai Pinyols"}, "motivation": "mixed", "readiness_overall": 3.25,
                     "flags": ["power_risk", "competition_risk", "unbalanced_gains", "low_complementarity",
                               "conflict_risk"], "partner_name": "Esplai La Baldufa",
                     "urgency": {"level": "urgent", "quote": "podem tancar en qüestió de setmanes"},
                     "verdict": {"code": "crisis", "score": 3.25, "level": "high", "confidence": "unsure",
                                 "gaps": ["trust", "investment"], "holding": ["power_risk"], "weak": [], "crisis": True},
                     "gaps": ["factor_trust", "financial_situation", "rel_gains_own", "partner_in_mind", "budget_band"],
                     "answers": {"objective": "other", "objective_other": "compartir furgoneta",
                                 "financial_situation": "dont_know", "services_threatened": "some",
                                 "partner_in_mind": "not_sure", "budget_band": "not_sure", "size_staff": "6_20",
                                 "collaboration_today": "activities", "need_voice": "somewhat",
                                 "motivation_feedback": "disagree", "motivation_alternative": "not_sure",
                                 "factor_trust": "dont_know", "factor_sharing": 4, "factor_investment": "skipped",
                                 "rel_gains_own": "dont_know", "rel_conflicts_power": 4, "readiness_overall": 3.25}})
        leads = await store.list_leads(session=session)
        facilitator = await store.add_facilitator(session=session, telegram_user_id=7302, name="Laia")
        await staff.add_coordinator(session=session, telegram_user_id=COORDINATOR, name="Núria")
    assert len(leads) >= 3  # the scripts that hand over make leads, some urgent, some after the whole journey
    assert any(lead["urgency"] == "urgent" for lead in leads)
    desk = LeadDesk(runtime)
    found: list[str] = []
    for lang in LANGUAGES:
        for lead in leads:
            async with runtime.sessionmaker() as session:
                view = await store.show_lead(session=session, lead_id=lead["id"])
            for what, text in (("card", card_text(desk.r, view, lang)), ("dossier", details_text(desk.r, view, lang))):
                found += [f"{what} #{lead['id']} ({lang}): {c}" for c in codes_in(text)]
        facilitator.language = lang
        found += [f"/leads ({lang}): {c}" for c in codes_in(await desk.leads(facilitator))]

    async with dashboard_client(runtime) as client:
        response = await client.get(await login_link(runtime, COORDINATOR), allow_redirects=False)
        assert response.status == 303
        for lang in LANGUAGES:
            page = await (await client.get("/leads")).text()
            csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
            await client.post("/language", data={"to": lang, "next": "/leads", "csrf": csrf})
            paths = ["/overview?period=all", "/leads", "/leads?status=", "/alliances",
                     *[f"/leads/{lead['id']}" for lead in leads]]
            for path in paths:
                response = await client.get(path)
                assert response.status == 200, path
                found += [f"page {path} ({lang}): {c}" for c in codes_in(page_text(await response.text()))]
            for export in ("/export/leads.csv", "/export/funnel.csv?period=all", "/export/alliances.csv"):
                response = await client.get(export)
                assert response.status == 200, export
                found += [f"export {export} ({lang}): {c}" for c in codes_in((await response.read()).decode("utf-8"))]
    assert not found, "\n".join(sorted(set(found))[:40])


def test_the_pattern_finds_codes_and_leaves_commands() -> None:
    assert codes_in("Objectiu: public_contracting · power_risk") == ["public_contracting", "power_risk"]
    assert codes_in("escriu /self_check o mira https://x.org/a_b i marta_s@coop.cat") == []
