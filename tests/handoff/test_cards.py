"""Lead cards and dossiers show words in the facilitator's language, never stored codes, and times in the
programme's time zone with the zone shown (bot/leads/cards.py, bot/text/formats.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.config import ConfigError, load_settings
from bot.content.domain import load_domain
from bot.engine.render import Renderer
from bot.leads.cards import card_text, details_text
from bot.store.leads import LeadView
from bot.store.models import Entity, Facilitator, Lead, LeadEvent
from bot.text.formats import when
from tests.auxil.cli import ROOT

CODES = ("facilitator:", "closed:", "'source'", "+00:00", "T23:")
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")  # a stored code: catalunya_central, public_contracting...


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer(load_domain(ROOT / "dialogues", ROOT / "knowledge"), "ca", "Europe/Madrid")


def _view() -> LeadView:
    entity = Entity(name="Esplai Els Pinyols", territory="catalunya_central", contact_name="Marta",
                    contact_email="marta@example.org", contact_telegram=True,
                    consent_at=datetime(2026, 11, 29, 23, 40, tzinfo=UTC), consent_version="2026-11")
    fac = Facilitator(id=3, telegram_user_id=4242, name="Jordi")
    lead = Lead(id=7, status="claimed", priority="high", priority_reasons=["reactive"], language="es",
                claimed_at=datetime(2026, 7, 3, 9, 5, tzinfo=UTC), dossier={
                    "entity": {"name": "Esplai Els Pinyols", "territory": "catalunya_central"},
                    "answers": {"objective": "public_contracting", "financial_situation": "tight",
                                "budget_band": "skipped", "why_partner": "ens han retallat la subvenció"},
                    "motivation": "reactive", "readiness_overall": 2.75, "flags": ["competition_risk"],
                    "motivation_reasons": [
                        {"source": "text", "key": "grant_cut", "value": "retallat la subvenció",
                         "direction": "reactive", "weight": 1.0, "negated": False},
                        {"source": "answer", "key": "financial_situation", "value": "tight",
                         "direction": "reactive", "weight": 1.0, "negated": False}]})
    events = [LeadEvent(actor="entity", action="created", created_at=datetime(2026, 11, 29, 23, 40)),
              LeadEvent(actor="facilitator:4242", action="claimed", created_at=datetime(2026, 7, 3, 9, 5, tzinfo=UTC)),
              LeadEvent(actor="facilitator:9", action="closed:not_pursued", note="ja tenen soci",
                        created_at=datetime(2026, 7, 4, 9, 5, tzinfo=UTC))]
    return LeadView(lead=lead, entity=entity, assignee=fac, events=events)


@pytest.mark.parametrize(("lang", "words"), [
    ("ca", ("Territori: Catalunya Central", "Idioma: castellà", "Objectiu: Contractació pública", "Motivació: Reactiva")),
    ("es", ("Territorio: Cataluña Central", "Idioma: castellano", "Objetivo: Contratación pública",
            "Motivación: Reactiva")),
    ("en", ("Territory: Central Catalonia", "Language: Spanish", "Objective: Public contracts", "Motivation: Reactive")),
])
def test_card_shows_labels_not_codes(renderer, lang, words) -> None:
    text = card_text(renderer, _view(), lang)
    for word in words:
        assert word in text, text
    assert not any(code in text for code in CODES) and not SNAKE_CASE.search(text), text
    # a decimal number as each language writes it
    assert ("Preparació: 2,8/4" if lang == "ca" else "Preparación: 2,8/4" if lang == "es" else "Readiness: 2.8/4") in text


def test_details_show_labels_and_local_times(renderer) -> None:
    text = details_text(renderer, _view(), "ca")
    assert not any(code in text for code in CODES) and not SNAKE_CASE.search(text), text
    # consent at 23:40 UTC on 29 November is 00:40 on the 30th in Madrid (CET); July is summer time
    assert "Consentiment: 30 de nov. 2026, 00:40 CET" in text
    assert "3 de jul. 2026, 11:05 CEST Jordi l'ha agafat" in text
    assert "un facilitador l'ha tancat: no es continua: ja tenen soci" in text
    assert "l'entitat ha demanat un facilitador" in text
    assert "🚩 Riscos: risc de competir en lloc de col·laborar" in text
    assert "«retallat la subvenció»" in text and "Situació econòmica: " in text
    assert "· Pressupost anual: (no ho ha dit)" in text
    assert "En paraules seves: «ens han retallat la subvenció»" in text
    english = details_text(renderer, _view(), "en")
    assert "Consent: 30 Nov 2026, 00:40 CET" in english and "Risks: a risk of competing instead of cooperating" in english


def _issue_24_view() -> LeadView:
    """A lead as the handoff writes it since issue 24: urgency with its quote, the verdict, gaps, the partner."""
    view = _view()
    view.lead.priority, view.lead.priority_reasons = "high", ["urgent"]
    view.lead.dossier = {**view.lead.dossier, "partner_name": "Esplai La Baldufa",
                         "urgency": {"level": "urgent", "quote": "l'esplai pot tancar en qüestió de setmanes"},
                         "verdict": {"code": "crisis", "score": 3.25, "level": "high", "confidence": "fairly_sure",
                                     "gaps": ["investment"], "holding": ["power_risk"], "weak": [], "crisis": True},
                         "flags": ["power_risk"], "gaps": ["factor_investment", "financial_situation"],
                         "answers": {"objective": "public_contracting", "financial_situation": "dont_know",
                                     "why_partner": "l'esplai pot tancar en qüestió de setmanes",
                                     "motivation_feedback": "disagree", "motivation_alternative": "mixed",
                                     "factor_clear_objective": 4, "factor_trust": 2, "factor_investment": "dont_know",
                                     "rel_conflicts_power": 4, "rel_gains_own": "dont_know"}}
    return view


@pytest.mark.parametrize("lang", ["ca", "es", "en"])
def test_the_dossier_in_words(renderer, lang) -> None:
    text = details_text(renderer, _issue_24_view(), lang)
    assert not any(code in text for code in CODES) and not SNAKE_CASE.search(text), text
    expected = {
        "ca": ["Urgència: 🔴 urgent — ha dit: «l'esplai pot tancar en qüestió de setmanes»",
               "Preparació: 2,8/4 · en crisi: cal actuar ja", "1 resposta per esbrinar (bastant segur)",
               "Entitat amb qui es vol aliar: Esplai La Baldufa",
               "Què en diu l'entitat: 🤔 No ho crec → Totes dues coses",
               "🚩 Riscos: por de perdre poder", "✅ Punts forts: Objectiu clar",
               "❓ Encara no ho sap: Temps, capacitats i diners; com està econòmicament la vostra entitat",
               "· Confiança: Poc (2 de 4)", "· Temps, capacitats i diners: no ho sap",
               "· Et preocupa perdre poder o capacitat de decisió dins l'aliança? Molt (4 de 4)",
               "· Tens clar què hi guanya la vostra entitat? no ho sap"],
        "es": ["Urgencia: 🔴 urgente — ha dicho: «l'esplai pot tancar en qüestió de setmanes»",
               "Qué dice la entidad: 🤔 No lo creo → Las dos cosas", "· Confianza: Poco (2 de 4)",
               "¿Te preocupa perder poder o capacidad de decisión dentro de la alianza? Mucho (4 de 4)"],
        "en": ["Urgency: 🔴 urgent — said: \"l'esplai pot tancar en qüestió de setmanes\"",
               "Readiness: 2.8/4 · in crisis: act now", "Organisation they want to partner with: Esplai La Baldufa",
               "· Trust: A little (2 out of 4)", "A lot (4 out of 4)", "❓ Doesn't know yet: Time, skills and money"],
    }[lang]
    for piece in expected:
        assert piece in text, f"{piece!r} not in:\n{text}"
    card = card_text(renderer, _issue_24_view(), lang)
    assert expected[0] in card and "asked for a person" not in card and "ha demanat una persona" not in card


def test_every_answer_a_dossier_holds_has_a_label(renderer) -> None:
    from actions.journey import JOURNEY_SLOTS, RESULT_SLOTS
    from actions.summary import EXTRA_ANSWER_SLOTS
    from bot.leads.cards import slot_label
    for slot in (*JOURNEY_SLOTS, *EXTRA_ANSWER_SLOTS):
        if slot in RESULT_SLOTS or slot.startswith("motivation_") and slot not in EXTRA_ANSWER_SLOTS:
            continue
        for lang in ("ca", "es", "en"):
            assert slot_label(renderer, slot, lang) != slot, (slot, lang)


def test_dates_in_each_language_and_zone() -> None:
    moment = datetime(2026, 1, 15, 8, 30, tzinfo=UTC)
    assert when(moment, "ca") == "15 de gen. 2026, 09:30 CET"
    assert when(moment, "es") == "15 ene 2026, 09:30 CET"
    assert when(moment, "en") == "15 Jan 2026, 09:30 CET"
    assert when("2026-01-15T08:30:00", "en", "Atlantic/Canary") == "15 Jan 2026, 08:30 WET"
    assert when(moment, "ca", day_only=True) == "15 de gen. 2026"
    assert when(None, "ca") == when("not a date", "ca") == ""
    assert re.search(r"\d", when(moment, "ca", "America/New_York"))


def test_a_wrong_time_zone_stops_start_up_naming_the_key(tmp_path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("programme:\n  time_zone: Europe/Barcelona\n")
    with pytest.raises(ConfigError, match=r"programme\.time_zone.*Europe/Barcelona"):
        load_settings(config, env={})
    config.write_text("programme:\n  time_zone: Atlantic/Canary\n")
    assert load_settings(config, env={}).programme.time_zone == "Atlantic/Canary"
    with pytest.raises(ConfigError, match=r"time_zone"):
        load_settings(config, env={"ALIAT_PROGRAMME__TIME_ZONE": "nowhere"})
