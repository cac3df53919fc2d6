"""The journey's decisions without a conversation: reading, readiness, relationship flags, next steps, chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from actions.journey_chart import render_chart
from actions.motivation import read_motivation, reasons
from actions.readiness import number_text, score_readiness
from actions.relationship import assess_relationship
from actions.summary import next_steps
from bot.commands.content_check import Checker
from bot.content.domain import Button, Response
from bot.engine.actions_client import ActionRunner
from bot.engine.render import Renderer, knowledge_text
from tests.auxil.runtime import settings_for_tests

REACTIVE_ANSWERS = {"financial_situation": "serious", "services_threatened": "yes", "need_voice": "yes"}
NEUTRAL_ANSWERS = {"financial_situation": "stable", "services_threatened": "no", "need_voice": "no",
                   "new_idea": "no", "replicate_expand": "no", "objective": "other"}


def test_the_reading_says_why_in_the_users_language() -> None:
    reading = read_motivation(answers=REACTIVE_ANSWERS, text="Ens han retallat la subvenció", lang="ca")
    assert reading.motivation == "reactive"
    why = reasons(reading.evidence, reading.motivation, "ca")
    # their own words first, whole, then the button answers in plain words
    assert why[0] == "«Ens han retallat la subvenció»"
    assert "teniu dificultats econòmiques serioses" in why
    assert len(why) <= 3
    assert "you have serious financial difficulties" in reasons(reading.evidence, reading.motivation, "en")


def test_negated_or_opposite_evidence_is_not_given_as_a_reason() -> None:
    reading = read_motivation(answers={"new_idea": "yes"}, text="we do not have financial problems, we want to innovate",
                              lang="en")
    assert reading.motivation == "proactive"
    why = reasons(reading.evidence, "proactive", "en")
    assert "you have a new idea that needs a partner" in why
    assert not any("financial" in w for w in why)
    assert any(e["negated"] for e in reading.evidence)


@pytest.mark.parametrize(("clarify", "motivation", "dominant"), [
    ("reactive", "reactive", None), ("proactive", "proactive", None), ("both", "mixed", None),
    ("not_sure", "unclear", None), (None, "unclear", None),
])
def test_an_unclear_motivation_is_settled_only_by_the_users_answer(clarify, motivation, dominant) -> None:
    reading = read_motivation(answers=NEUTRAL_ANSWERS, text=None, lang="es", clarify=clarify)
    assert (reading.motivation, reading.dominant) == (motivation, dominant)
    if clarify in ("reactive", "proactive", "both"):
        assert any(e["key"] == "motivation_clarify" for e in reading.evidence)
        assert reasons(reading.evidence, reading.motivation, "es")


def test_a_clear_classification_ignores_a_stale_clarification() -> None:
    reading = read_motivation(answers=REACTIVE_ANSWERS, text=None, lang="ca", clarify="proactive")
    assert reading.motivation == "reactive"


def test_readiness_per_factor_overall_and_the_weakest() -> None:
    r = score_readiness({"factor_clear_objective": 4, "factor_trust": 1, "factor_commitment": 2,
                         "factor_investment": 3, "factor_sharing": "skipped"})
    assert r.scores["sharing"] is None
    assert r.overall == 2.5 and r.level == "medium"
    assert r.weakest == ["trust", "commitment"]
    assert r.strongest == ["clear_objective"]
    high = score_readiness({f"factor_{f}": 3 for f in ("clear_objective", "trust", "commitment", "investment",
                                                       "sharing")})
    assert high.level == "high" and high.weakest == ["clear_objective"]  # still told where to look first
    assert score_readiness({}).overall is None
    assert score_readiness({"factor_trust": 9}).overall is None  # out of range is no answer
    assert (number_text(2.25, "ca"), number_text(3.0, "en"), number_text(2.5, "en")) == ("2,2", "3", "2.5")


def rel(conflicts=(1, 1), gains=(4, 4), duplications=(1, 1), complementarities=(4, 4)) -> dict[str, int]:
    ids = ["conflicts_history", "conflicts_power", "gains_own", "gains_partner", "duplications_services",
           "duplications_territory", "complementarities_skills", "complementarities_project"]
    return dict(zip((f"rel_{i}" for i in ids), [*conflicts, *gains, *duplications, *complementarities], strict=True))


def test_much_duplication_is_a_competition_risk_only_when_need_drives() -> None:
    answers = rel(duplications=(4, 3))
    assert assess_relationship(answers, motivation="reactive").flags == ["competition_risk"]
    assert assess_relationship(answers, motivation="mixed", dominant="reactive").flags == ["competition_risk"]
    assert "competition_risk" not in assess_relationship(answers, motivation="proactive").flags
    assert "competition_risk" not in assess_relationship(answers, motivation="mixed", dominant="proactive").flags


def test_other_flags_and_a_good_fit() -> None:
    good = assess_relationship(rel())
    assert good.flags == [] and good.strengths == ["good_fit"]  # a strength, not a 🚩
    risky = assess_relationship(rel(conflicts=(4, 3), gains=(1, 3), complementarities=(1, 2)), motivation="proactive")
    assert risky.flags == ["power_risk", "conflict_risk", "unbalanced_gains", "low_complementarity"]
    assert risky.strengths == []
    assert risky.indicators["gains"] == 2.0
    assert assess_relationship({}).indicators == dict.fromkeys(
        ("conflicts", "gains", "duplications", "complementarities"))


def test_next_steps_follow_the_results() -> None:
    steps = next_steps(motivation="reactive", dominant=None, weakest=["trust"], partner=True, level="low", lang="en")
    assert steps[0] == "Start where you are weakest: trust."
    assert any("beyond the urgency" in s for s in steps)
    unclear = next_steps(motivation="unclear", dominant=None, weakest=[], partner=False, level="low", lang="en")
    assert not any("urgency" in s for s in unclear) and any("what drives you" in s for s in unclear)
    assert any("other organisation" in s for s in steps)
    calm = next_steps(motivation="proactive", dominant=None, weakest=[], partner=False, level="high", lang="ca")
    assert not any("urgència" in s for s in calm) and any("possibles socis" in s for s in calm)


def test_the_chart_is_a_png_with_content(tmp_path) -> None:
    target = tmp_path / "chart.jpg"
    path = render_chart(readiness={"clear_objective": 3, "trust": None, "commitment": 1, "investment": 4,
                                   "sharing": 2}, scores={"reactive": 2.5, "proactive": 1.0}, lang="ca",
                        entity_name="Associació Riu Viu", path=target)
    assert path == target
    data = Path(path).read_bytes()
    assert data[:3] == b"\xff\xd8\xff" and len(data) > 20_000  # a JPEG with content
    with Image.open(path) as image:
        assert image.size == (704, 792)
        # the bars' colours are there: red for the factor at 1, dark green for the one at 4
        colours = {colour for _count, colour in image.getcolors(704 * 792)}
        assert any(abs(r - 0xd9) + abs(g - 0x53) + abs(b - 0x4f) < 12 for r, g, b in colours)
        assert any(abs(r - 0x37) + abs(g - 0xa3) + abs(b - 0x54) < 12 for r, g, b in colours)
    empty = render_chart(readiness={}, scores={}, lang="en", path=tmp_path / "empty.jpg")
    assert empty.read_bytes()[:3] == b"\xff\xd8\xff"


# ----------------------------------------------------------------- {k:...} references (engine change)
KNOWLEDGE = {"success_factors": {"scale": {1: {"ca": "Gens", "en": "Not at all"}},
                                 "factors": [{"id": "trust", "title": {"ca": "Confiança", "en": "Trust"}}]}}


def test_knowledge_references_resolve_dict_keys_list_ids_and_int_keys() -> None:
    assert knowledge_text(KNOWLEDGE, "success_factors.factors.trust.title", "en", "ca") == "Trust"
    assert knowledge_text(KNOWLEDGE, "success_factors.factors.trust.title", "es", "ca") == "Confiança"
    assert knowledge_text(KNOWLEDGE, "success_factors.scale.1", "ca", "ca") == "Gens"
    assert knowledge_text(KNOWLEDGE, "success_factors.factors.nope.title", "ca", "ca") is None
    assert knowledge_text(KNOWLEDGE, "success_factors.factors", "ca", "ca") is None  # not a text


def test_the_renderer_fills_references_in_texts_and_buttons(runtime) -> None:
    renderer = Renderer(runtime.domain, "ca")
    message = renderer.response("utter_ask_factor_trust", "en", {})
    assert "Trust" in message.text and "{k:" not in message.text
    assert "Do you trust the organisations" in message.text
    clarify = renderer.response("utter_ask_motivation_clarify", "es", {})
    assert [t for t, _ in clarify.buttons][0] == "Una situación difícil"


def test_check_reports_a_reference_that_does_not_exist(runtime) -> None:
    domain = runtime.domain
    domain.responses["utter_broken"] = Response(
        name="utter_broken", source="dialogues/x.yml",
        text={"ca": "{k:success_factors.factors.nope.title}", "es": "a", "en": "b"},
        buttons=(Button(payload="x", title={"ca": "{k:nowhere.at_all}", "es": "x", "en": "x"}),))
    try:
        problems = Checker(domain, settings_for_tests("sqlite://").languages, ActionRunner()).run()
    finally:
        del domain.responses["utter_broken"]
    assert any("utter_broken" in p and "success_factors.factors.nope.title" in p for p in problems)
    assert any("nowhere.at_all" in p for p in problems)


# ----------------------------------------------------------------------------- issue 15: a reading an expert would sign

VAGUE = {"financial_situation": "dont_know", "services_threatened": "some", "need_voice": "dont_know",
         "new_idea": "dont_know", "replicate_expand": "dont_know", "objective": "dont_know"}


@pytest.mark.parametrize("text", ["maybe?", "not sure", "idk", "no ho sé", "potser", "no lo sé, la verdad", None])
def test_hedges_and_dont_knows_are_no_reading(text) -> None:
    # one weak answer ("maybe" -> some services at risk) and don't-knows: unclear, with nothing to quote back
    reading = read_motivation(answers=VAGUE, text=text, lang="en")
    assert reading.motivation == "unclear"
    assert reasons(reading.evidence, reading.motivation, "en") == []
    assert not [e for e in reading.evidence if e["source"] == "clause"]


def test_one_weak_signal_is_not_a_reading() -> None:
    for answers in ({"financial_situation": "tight"}, {"services_threatened": "some"}, {"need_voice": "somewhat"},
                    {"objective": "saving_money"}):
        assert read_motivation(answers=answers, text=None, lang="ca").motivation == "unclear", answers


@pytest.mark.parametrize(("text", "lang", "money", "project"), [
    ("tenemos que recortar gastos urgentemente pero también queremos llevar los huertos a otros barrios", "es",
     "«tenemos que recortar gastos urgentemente»", "«queremos llevar los huertos a otros barrios»"),
    ("Ens han retallat la subvenció i anem molt justos, però també volem portar el casal a altres pobles", "ca",
     "«Ens han retallat la subvenció i anem molt justos»", "«volem portar el casal a altres pobles»"),
    ("we need to cut costs urgently, but we also want to expand the youth club to two more towns", "en",
     '"we need to cut costs urgently"', '"we also want to expand the youth club to two more towns"'),
])
def test_a_mixed_reading_names_both_sides_in_whole_clauses(text, lang, money, project) -> None:
    reading = read_motivation(answers={}, text=text, lang=lang)
    assert reading.motivation == "mixed"
    why = reasons(reading.evidence, reading.motivation, lang, reading.dominant)
    assert money in why and project in why
    # the heavier side comes first
    first = money if reading.dominant == "reactive" else project
    assert why[0] == first


@pytest.mark.parametrize(("text", "lang", "greeting"), [
    ("hi we run a food bank and want to open in two more towns", "en", "hi"),
    ("Hola bon dia ens han retallat la subvencio i el menjador esta en perill", "ca", "Hola"),
    ("buenas! queremos presentarnos a un concurso publico con otra entidad", "es", "buenas"),
])
def test_a_greeting_is_not_quoted_back(text, lang, greeting) -> None:
    reading = read_motivation(answers={}, text=text, lang=lang)
    quotes = [e["value"] for e in reading.evidence if e["source"] == "clause"]
    assert quotes and not any(q.lower().startswith(greeting.lower()) for q in quotes)
    assert all(q in text for q in quotes)


def test_reasons_quote_what_was_written_not_cue_fragments() -> None:
    text = "Necessitem algú que tingui experiència en salut mental, perquè nosaltres sols no podem obrir el servei"
    reading = read_motivation(answers={}, text=text, lang="ca")
    quotes = [e["value"] for e in reading.evidence if e["source"] == "clause"]
    assert quotes and all(q in text and len(q.split()) >= 3 for q in quotes)
    for phrase in reasons(reading.evidence, reading.motivation, "ca"):
        assert phrase.strip("«»") in text


def test_the_wording_follows_the_confidence() -> None:
    from actions.motivation import strength

    assert strength("reactive", 0.9, "reactiva", "ca") == "és clarament reactiva"
    assert strength("reactive", 0.5, "reactiva", "ca") == "sembla sobretot reactiva"
    assert strength("mixed", 0.9, "mixed", "en").startswith("looks mixed")


def test_the_seeds_own_situations_are_read() -> None:
    cases = [("Voldríem oferir a les famílies una atenció integral amb l'entitat del costat", "ca", "proactive"),
             ("the payments from the regional government come eight or nine months late", "en", "reactive"),
             ("el banco nos ha cerrado la línea de crédito", "es", "reactive")]
    for text, lang, expected in cases:
        assert read_motivation(answers={}, text=text, lang=lang).motivation == expected, text


def test_a_midpoint_is_to_watch_and_every_flag_agrees_with_its_answers() -> None:
    watch = assess_relationship(rel(conflicts=(2, 3)))
    assert watch.verdicts["conflicts"] == "watch" and watch.flags == []
    assert assess_relationship(rel(conflicts=(1, 2))).verdicts["conflicts"] == "fine"
    # the case: fear of losing power 4/4, duplications "quite a lot", what the other gains "a little"
    case = assess_relationship(rel(conflicts=(1, 4), gains=(3, 2), duplications=(3, 2), complementarities=(3, 3)),
                               motivation="reactive")
    assert case.verdicts == {"conflicts": "risk", "gains": "watch", "duplications": "watch",
                             "complementarities": "fine"}
    assert case.flags == ["power_risk", "competition_risk"] and case.strengths == []
    # the same answers with a project as the driver: the fear of losing power stays a risk, no competition
    assert assess_relationship(rel(conflicts=(1, 4)), motivation="proactive").flags == ["power_risk"]


def test_a_dont_know_is_no_score() -> None:
    answers = rel()
    answers["rel_conflicts_power"] = "dont_know"
    answers["rel_conflicts_history"] = "dont_know"
    result = assess_relationship(answers)
    assert result.indicators["conflicts"] is None and result.verdicts["conflicts"] is None


def test_only_stated_time_pressure_makes_a_lead_high_priority() -> None:
    from actions.qualify import qualify
    from bot.config import HandoffSettings

    rules = HandoffSettings()
    calm = qualify({"objective": "impact", "readiness_overall": 3.5, "partner_in_mind": "yes",
                    "motivation": "reactive"}, rules, asked_for_human=True)
    # passing the thresholds, a partner, a reactive motivation and asking for a person: still "normal"
    assert calm.passes and calm.priority == "normal" and calm.reasons == []
    # serious finances with services at risk but no time said: a crisis for the advice, not a queue jump
    money = qualify({"financial_situation": "serious", "services_threatened": "yes", "readiness_overall": 2.0}, rules)
    assert money.priority == "normal"
    words = qualify({"why_partner": "si no trobem diners haurem de tancar a l'estiu", "readiness_overall": 1.5}, rules)
    assert words.priority == "high" and words.reasons == ["urgent"]


def test_what_the_entity_said_is_in_its_summary() -> None:
    from actions.summary import find_out, objective_text

    assert objective_text({"objective": "public_contracting"}, "ca") == "Contractació pública"
    assert objective_text({"objective": "other", "objective_other": "compartir una furgoneta"}, "es") == \
        "«compartir una furgoneta»"
    assert objective_text({"objective": "dont_know"}, "en") == ""
    items = find_out({"financial_situation": "dont_know", "factor_trust": "dont_know",
                      "rel_conflicts_power": "dont_know", "partner_in_mind": "not_sure"}, "en")
    assert items == ["how your organisation is doing financially", "which organisation you would partner with",
                     "Trust", "fear of losing power or a say"]


def test_another_objective_counts_once_the_person_says_what() -> None:
    from actions.qualify import passes_thresholds
    from bot.config import HandoffSettings

    rules = HandoffSettings()
    base = {"readiness_overall": 3.0, "objective": "other"}
    assert not passes_thresholds(base, rules)
    assert passes_thresholds({**base, "objective_other": "compartir una furgoneta adaptada"}, rules)
    assert not passes_thresholds({"readiness_overall": 3.0, "objective": "dont_know"}, rules)


def test_a_dont_know_shows_as_a_dash_in_the_summary_and_is_left_out_of_the_average() -> None:
    from actions.summary import summary_factor_lines

    answers = {"factor_clear_objective": 3, "factor_trust": "dont_know", "factor_commitment": 1,
               "factor_investment": "skipped", "factor_sharing": 2}
    readiness = score_readiness(answers)
    assert readiness.overall == 2.0 and readiness.scores["trust"] is None
    lines = summary_factor_lines(readiness, answers, "ca").split("\n")
    assert lines[1].endswith("Confiança —")
    assert "sense resposta" in lines[3] and lines[0].endswith("3/4")


def test_the_summary_does_not_quote_the_same_words_twice() -> None:
    from actions.summary import _quoted_already

    assert _quoted_already("ens han retallat la subvencio", "Perquè m'has dit «ens han retallat la subvenció».")
    # a clause already quoted is not quoted again inside the whole text (issue 24: each point once)
    assert _quoted_already("ens han retallat la subvencio i volem portar el projecte a Girona amb un soci",
                           "Perquè m'has dit «ens han retallat la subvenció».")
    assert not _quoted_already("volem portar el projecte a Girona amb un soci",
                               "Perquè m'has dit «ens han retallat la subvenció».")
    assert not _quoted_already("", "«res»")
