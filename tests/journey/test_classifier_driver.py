"""The motivation reading weighs the part of the text that says *why* (issue #31; the `driver` section of
knowledge/motivation_cues.yml): what is denied, a crisis that is over, what "the real reason" outweighs and
the hardships of the people served are not the driver; "also / at the same time" joining a threat and a
project is mixed; keeping options open is unclear. Sentences written for these tests (not in the corpus,
nor in any evaluation set)."""

from __future__ import annotations

import pytest

from actions.classifier import background, classify
from actions.motivation import read_motivation, reasons

CASES = [
    # denied: what they say it is NOT about does not count
    ("ca", "reactive", "no és que tinguem un projecte nou: l'ajuntament ens ha tret el local i no sabem on anar"),
    ("es", "reactive", "no es que tengamos un proyecto nuevo: el ayuntamiento nos ha quitado el local y no sabemos donde ir"),
    ("en", "reactive", "it's not that we have a new project: the council has taken our hall and we have nowhere to go"),
    ("ca", "proactive", "ningú ens ha retallat res; volem crear un servei de mediació familiar amb una entitat de juristes"),
    ("es", "proactive", "nadie nos ha recortado nada; queremos crear un servicio de mediacion familiar con una entidad de juristas"),
    ("en", "proactive", "nobody has cut anything; we want to create a family mediation service with a legal charity"),
    # a past crisis that is over is not today's driver
    ("ca", "proactive", "el 2019 gairebé tanquem, però ja ho hem superat i ara volem obrir un segon centre a Vic"),
    ("es", "proactive", "en 2019 casi cerramos, pero ya lo hemos superado y ahora queremos abrir un segundo centro en Vic"),
    ("en", "proactive", "in 2019 we nearly closed, but that's behind us and now we want to open a second centre in Vic"),
    # "the real reason is…": the clause that decides
    ("ca", "reactive", "l'equip està molt il·lusionat amb el projecte, però el motiu real és que la diputació ens deu mig any"),
    ("es", "reactive", "el equipo esta muy ilusionado con el proyecto, pero el motivo real es que la diputacion nos debe medio año"),
    ("en", "reactive", "the team is excited about the project, but the real reason is the county owes us six months of payments"),
    # a hardship of the people served, not of the entity
    ("ca", "proactive", "els avis que atenem se senten molt sols, i volem fer un projecte intergeneracional amb l'escola del barri"),
    ("es", "proactive", "los abuelos que atendemos se sienten muy solos, y queremos hacer un proyecto intergeneracional con la escuela"),
    ("en", "proactive", "the elderly people we support feel very lonely, so we want to run an intergenerational project with the school"),
    # a threat and a project side by side
    ("ca", "mixed", "ens tanquen el centre de dia al març i, a més, volem muntar un hort comunitari amb una altra entitat"),
    ("es", "mixed", "nos cierran el centro de dia en marzo y, además, queremos montar un huerto comunitario con otra entidad"),
    ("en", "mixed", "they're closing our day centre in March and, on top of that, we want to start a community garden with another group"),
    # keywords of both sides, no commitment
    ("ca", "unclear", "retallades, idees noves... encara no ho tenim gens clar"),
    ("es", "unclear", "recortes, ideas nuevas... todavia no lo tenemos nada claro"),
    ("en", "unclear", "cuts, new ideas... nothing decided, we're still figuring it out"),
    # a threat in hopeful words is still a threat; growth "or" growth is not
    ("ca", "reactive", "o ens fem grans o ens absorbeixen"),
    ("es", "reactive", "innovar para sobrevivir, no queda otra"),
    ("en", "reactive", "adapt or die, basically"),
    ("ca", "proactive", "volem créixer o replicar el projecte de menjador a Sabadell"),
    ("en", "proactive", "we want to grow or expand the programme to two towns"),
    # a rule or a size requirement is a threat
    ("ca", "reactive", "el nou plec exigeix una facturació mínima de dos milions i nosaltres no hi arribem"),
    ("es", "reactive", "el nuevo pliego exige una facturacion minima de dos millones y nosotros no llegamos"),
    ("en", "reactive", "the new tender requires a minimum turnover of two million and we're nowhere near"),
]


@pytest.mark.parametrize("lang, expected, text", CASES)
def test_the_reading_follows_the_clause_that_says_why(lang: str, expected: str, text: str) -> None:
    assert classify(text, lang=lang).motivation == expected


def test_cues_in_what_is_not_the_driver_are_given_as_negated() -> None:
    text = "fa tres anys gairebé tanquem, però ara anem bé i volem portar el projecte a Manresa"
    result = classify(text, lang="ca")
    assert result.motivation == "proactive"
    closing = [e for e in result.evidence if e.direction == "reactive"]
    assert closing and all(e.negated for e in closing)
    # the contract of `aliat classify --json` is unchanged: the same keys, evidence as before
    assert set(result.to_dict()) == {"motivation", "confidence", "scores", "dominant", "evidence"}


def test_background_gives_the_offsets_of_what_is_not_the_driver() -> None:
    text = "Tenim un projecte de teatre molt bonic, però el motiu real és que ens quedem sense local al juny."
    spans = background(text, "ca")
    assert [text[a:b] for a, b in spans] == ["Tenim un projecte de teatre molt bonic"]
    assert background("ens han retallat la subvenció", "ca") == []


@pytest.mark.parametrize("lang, text, decisive, outweighed", [
    ("ca", "Tenim un projecte de teatre molt bonic, però el motiu real és que ens quedem sense local al juny.",
     "el motiu real és que ens quedem sense local al juny", "projecte de teatre"),
    ("es", "No es que tengamos una idea nueva: la diputación nos ha recortado el convenio a la mitad.",
     "la diputación nos ha recortado el convenio a la mitad", "idea nueva"),
    ("en", "Back in 2018 we nearly went under, but that's behind us; now we want to take our reading club to Leeds.",
     "take our reading club to Leeds", "went under"),
])
def test_the_reasons_quote_the_clause_that_decides(lang: str, text: str, decisive: str, outweighed: str) -> None:
    reading = read_motivation(answers={}, text=text, lang=lang)
    why = reasons(reading.evidence, reading.motivation, lang, reading.dominant)
    assert why and decisive in why[0]
    assert not any(outweighed in phrase for phrase in why)


def test_a_long_message_quotes_its_deciding_clause_not_the_context() -> None:
    text = ("Som una associació de Terrassa que fa quinze anys que acompanya joves, tenim un equip fantàstic i molt "
            "bona relació amb els instituts. Aquest any el Consell Comarcal ens ha rescindit el contracte del "
            "servei d'orientació i no podrem mantenir les dues educadores. Els joves ens estimen molt.")
    reading = read_motivation(answers={}, text=text, lang="ca")
    assert reading.motivation == "reactive"
    why = reasons(reading.evidence, reading.motivation, "ca", reading.dominant)
    assert why and "rescindit el contracte" in why[0]
    assert not any("ens estimen" in phrase for phrase in why)


def _knowledge_examples() -> list[tuple[str, str, str]]:
    import yaml

    from tests.auxil.paths import ROOT

    data = yaml.safe_load((ROOT / "knowledge" / "motivations.yml").read_text(encoding="utf-8"))["motivations"]
    return [(lang, label, example[lang]) for label, spec in data.items()
            for example in spec.get("examples", []) for lang in ("ca", "es", "en")]


def test_every_label_keeps_its_rules_and_examples_in_knowledge() -> None:
    examples = _knowledge_examples()
    assert {label for _, label, _ in examples} == {"reactive", "proactive", "mixed", "unclear"}


@pytest.mark.parametrize("lang, expected, text", _knowledge_examples())
def test_the_examples_in_knowledge_read_as_their_label(lang: str, expected: str, text: str) -> None:
    assert classify(text, lang=lang).motivation == expected


@pytest.mark.parametrize("text, dominant", [
    ("we have a new idea we cannot carry out alone, but money is tight", "reactive"),
    ("money is tight, but we have a new idea we cannot carry out alone", "proactive"),
])
def test_in_a_mix_what_comes_after_but_weighs_more(text: str, dominant: str) -> None:
    result = classify(text, lang="en")
    assert (result.motivation, result.dominant) == ("mixed", dominant)


def test_words_that_only_say_a_crisis_is_over_are_not_quoted_as_a_reason() -> None:
    text = "hace 4 años casi cerramos pero ya está superado, ahora queremos llevar el comedor social a Girona"
    reading = read_motivation(answers={"financial_situation": "serious", "replicate_expand": "yes"}, text=text,
                              lang="es")
    why = reasons(reading.evidence, reading.motivation, "es", reading.dominant)
    assert reading.motivation == "mixed" and any("llevar el comedor social a Girona" in phrase for phrase in why)
    assert not any("superado" in phrase or "cerramos" in phrase for phrase in why)
