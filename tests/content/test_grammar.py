"""Names and lists in running text, as a native speaker writes them (bot/text/grammar.py, {de:..} placeholders)."""

from __future__ import annotations

import pytest

from bot.engine.render import fill
from bot.text.grammar import join_list, with_preposition

CATALAN_DE = [
    # an organisation noun first: the article Catalan gives it, elided or not
    ("Associació Àgora", "de l'Associació Àgora"),
    ("Esplai Els Pinyols", "de l'Esplai Els Pinyols"),
    ("Fundació Pere Tarrés", "de la Fundació Pere Tarrés"),
    ("Hospital de Sant Pau", "de l'Hospital de Sant Pau"),
    ("Institut Guttmann", "de l'Institut Guttmann"),
    ("Ateneu Popular de Nou Barris", "de l'Ateneu Popular de Nou Barris"),
    ("Unió de Pagesos", "de la Unió de Pagesos"),  # unstressed u: no elision of "la"
    ("Universitat Rovira i Virgili", "de la Universitat Rovira i Virgili"),
    ("Casal d'Avis", "del Casal d'Avis"),
    ("Cooperativa Abacus", "de la Cooperativa Abacus"),
    # an article first: contracted, lower case
    ("El Casal", "del Casal"),
    ("La Xarxa", "de la Xarxa"),
    ("Els Pinyols", "dels Pinyols"),
    ("Les Dones del Raval", "de les Dones del Raval"),
    ("L'Estel", "de l'Estel"),
    ("L’Estel", "de l'Estel"),
    # a proper name: no article, elision before a vowel or h
    ("Arrels", "d'Arrels"),
    ("Àgora", "d'Àgora"),
    ("Hàbitat3", "d'Hàbitat3"),
    ("Càritas", "de Càritas"),
    ("Iogurteria Solidària", "de Iogurteria Solidària"),  # semivowel: no elision
    # typed in lower case: grammar right, the name as typed
    ("esplai els pinyols", "de l'esplai els pinyols"),
    ("associació àgora", "de l'associació àgora"),
    ("el casal", "del casal"),
    ("  Associació   Àgora ", "de l'Associació Àgora"),
]


@pytest.mark.parametrize(("name", "expected"), CATALAN_DE)
def test_catalan_de_with_a_name(name: str, expected: str) -> None:
    assert with_preposition("de", name, "ca") == expected


@pytest.mark.parametrize(("preposition", "name", "expected"), [
    ("a", "El Casal", "al Casal"), ("a", "Els Pinyols", "als Pinyols"), ("a", "Associació Àgora",
                                                                           "a l'Associació Àgora"),
    ("a", "Arrels", "a Arrels"), ("a", "La Xarxa", "a la Xarxa"), ("per", "El Casal", "pel Casal"),
    ("per", "Els Pinyols", "pels Pinyols"), ("per", "Fundació Esperança", "per la Fundació Esperança"),
    ("per", "Ateneu", "per l'Ateneu"),
])
def test_catalan_a_and_per(preposition: str, name: str, expected: str) -> None:
    assert with_preposition(preposition, name, "ca") == expected


@pytest.mark.parametrize(("preposition", "name", "expected"), [
    ("de", "El Casal", "del Casal"), ("a", "El Casal", "al Casal"), ("de", "el casal", "del casal"),
    ("de", "Asociación Ágora", "de la Asociación Ágora"), ("de", "Hospital de Sant Pau", "del Hospital de Sant Pau"),
    ("de", "Esplai Els Pinyols", "del Esplai Els Pinyols"), ("a", "Instituto Cervantes", "al Instituto Cervantes"),
    ("de", "Fundació Pere Tarrés", "de la Fundació Pere Tarrés"), ("de", "La Xarxa", "de la Xarxa"),
    ("de", "Los Pinos", "de los Pinos"), ("de", "Arrels", "de Arrels"),
    # a Catalan article in a Spanish sentence stays part of the name
    ("de", "Els Pinyols", "de Els Pinyols"), ("per", "El Casal", "por el Casal"),
])
def test_spanish_del_and_al(preposition: str, name: str, expected: str) -> None:
    assert with_preposition(preposition, name, "es") == expected


def test_english_only_writes_the_preposition() -> None:
    assert with_preposition("de", "El Casal", "en") == "of El Casal"
    assert with_preposition("a", "Associació Àgora", "en") == "to Associació Àgora"
    assert with_preposition("de", "  ", "ca") == ""


@pytest.mark.parametrize(("items", "lang", "expected"), [
    (["temps", "confiança", "diners"], "ca", "temps, confiança i diners"),
    (["temps", "confiança"], "ca", "temps i confiança"),
    (["confiança"], "ca", "confiança"),
    ([], "ca", ""),
    (["", None, "confianza"], "es", "confianza"),
    (["tiempo", "confianza", "dinero"], "es", "tiempo, confianza y dinero"),
    (["padres", "hijos"], "es", "padres e hijos"),
    (["tiempo", "ideas"], "es", "tiempo e ideas"),
    (["Cataluña", "Ibiza"], "es", "Cataluña e Ibiza"),
    (["agua", "hielo"], "es", "agua y hielo"),  # hie-: a diphthong, "y" stays
    (["madera", "hierro"], "es", "madera y hierro"),
    (["time", "trust", "money"], "en", "time, trust and money"),  # no serial comma, as in ca and es
    # an item with a comma inside: semicolons keep the items apart; an "i" inside an item does not need them
    (["«retallat»", "necessiteu visibilitat i pes"], "ca", "«retallat» i necessiteu visibilitat i pes"),
    (["temps, capacitats i diners", "objectiu clar"], "ca", "temps, capacitats i diners; i objectiu clar"),
    (["time, skills and money", "trust", "a clear goal"], "en", "time, skills and money; trust; and a clear goal"),
])
def test_list_joins(items: list, lang: str, expected: str) -> None:
    assert join_list(items, lang) == expected


def test_placeholders_ask_for_the_grammar() -> None:
    values = {"entity_name": "El Casal", "factors": ["temps", "idees"], "n": 3}
    assert fill("el cas {de:entity_name}", values, "ca") == "el cas del Casal"
    assert fill("el caso {de:entity_name}", values, "es") == "el caso del Casal"
    assert fill("Treballa: {list:factors}.", values, "ca") == "Treballa: temps i idees."
    assert fill("Trabaja: {list:factors}.", {"factors": ["tiempo", "ideas"]}, "es") == "Trabaja: tiempo e ideas."
    assert fill("Trabaja: {list:factors}.", {"factors": "confianza"}, "es") == "Trabaja: confianza."
    assert fill("{entity_name} ({n})", values, "ca") == "El Casal (3)"
    # an empty name takes its preposition with it; unknown filters and braces stay as written
    assert fill("el cas{de:missing}.", values, "ca") == "el cas."
    assert fill("{x:entity_name} {k:a.b}", values, "ca") == "{x:entity_name} {k:a.b}"
