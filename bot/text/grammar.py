"""Names and lists inside running text: Catalan elision and contraction, Spanish del/al, list joins.

Texts ask for it with a placeholder filter (`{de:entity_name}`, `{a:entity_name}`, `{per:entity_name}`,
`{list:factors}`; see bot/engine/render.py and the README's "Editing the content"). The word lists below
are grammar, not wording: they say which names take an article ("l'Associació Àgora", "la Fundació
Pere Tarrés", "el Casal d'Avis") so "de" + name reads as a native speaker would write it.

The rule for names (documented in the README):
- a name that starts with an article keeps it and contracts it: El Casal → "del Casal", La Xarxa →
  "de la Xarxa", Els Pinyols → "dels Pinyols", L'Estel → "de l'Estel";
- a name that starts with a common noun for an organisation (Associació, Esplai, Fundació, Hospital…)
  takes the article Catalan gives it: "de l'Associació Àgora", "de la Fundació Esperança", "del Casal";
- any other name (a proper name: Arrels, Càritas, Àgora) has no article, only elision: "d'Arrels".
The name itself is left as the person typed it (lower case included): only the article words change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# Organisation nouns and their gender, as the first word of a name. Catalan names are common in
# Spanish conversations too, so the Spanish list has both.
_CA_NOUNS = {
    "m": "agrupament ateneu banc casal centre club col·lectiu consell esbart espai esplai grup hospital "
         "institut moviment observatori orfeó projecte servei sindicat taller",
    "f": "acadèmia agrupació associació casa comissió comunitat confederació cooperativa coordinadora "
         "entitat escola federació fundació llar lliga obra organització plataforma residència "
         "societat taula unió universitat xarxa",
}
_ES_NOUNS = {
    "m": "ateneo banco casal centro club colectivo consejo espacio grupo hospital instituto movimiento "
         "observatorio proyecto servicio sindicato taller "
         "agrupament ateneu centre col·lectiu esbart esplai institut orfeó",
    "f": "academia agrupación asociación casa comisión comunidad confederación cooperativa coordinadora "
         "entidad escuela federación fundación liga obra organización plataforma red residencia sociedad "
         "unión universidad "
         "associació escola federació fundació organització unió universitat xarxa",
}
NOUNS = {lang: {word: gender for gender, words in table.items() for word in words.split()}
         for lang, table in (("ca", _CA_NOUNS), ("es", _ES_NOUNS))}

# preposition + article -> the written form (None: keep the two words)
_CA_CONTRACT = {("de", "el"): "del", ("de", "els"): "dels", ("a", "el"): "al", ("a", "els"): "als",
                ("per", "el"): "pel", ("per", "els"): "pels"}
_ES_CONTRACT = {("de", "el"): "del", ("a", "el"): "al"}
# Catalan "per" is Spanish "por", which never contracts
_ES_PREPOSITION = {"per": "por"}
# What a filter writes in English, where nothing contracts.
_EN_PREPOSITION = {"de": "of", "a": "to", "per": "for"}
PREPOSITIONS = ("de", "a", "per")

_CA_ARTICLES = ("el", "la", "els", "les")
_ES_ARTICLES = ("el", "la", "los", "las")
_APOSTROPHES = "'’"
_VOWELS = "aeiou"


def _fold(text: str) -> str:
    """Lower case without accents: 'Àgora' -> 'agora' (the middle dot of l·l stays)."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _starts_with_vowel_sound(word: str) -> bool:
    """A vowel or h + vowel, not a semivowel (iogurt, hiena, Huelva): where 'de' and 'el' elide."""
    folded = _fold(word)
    if folded.startswith("h"):
        folded = folded[1:]
    if not folded or folded[0] not in _VOWELS:
        return False
    return not (folded[0] in "iu" and len(folded) > 1 and folded[1] in _VOWELS)


def _feminine_elides(word: str) -> bool:
    """'la' elides before a, e, o (with or without h) and a stressed í/ú; not before unstressed i/u
    ('la Unió', 'la Universitat', 'la Institució'). Stress is read from the accent mark only."""
    bare = word[1:] if word[:1].lower() == "h" else word
    if not _starts_with_vowel_sound(word):
        return False
    first = bare[:1].lower()
    return first in "íú" or _fold(first) in "aeo"


def _ca_article(gender: str, plural: bool, word: str) -> str:
    if plural:
        return "els" if gender == "m" else "les"
    if gender == "m":
        return "l'" if _starts_with_vowel_sound(word) else "el"
    return "l'" if _feminine_elides(word) else "la"


def _split_article(name: str, articles: tuple[str, ...]) -> tuple[str, str] | None:
    """('l'', 'Estel') for "L'Estel", ('el', 'Casal') for "El Casal"; None when no article leads."""
    if len(name) > 2 and name[0] in "lL" and name[1] in _APOSTROPHES:
        return "l'", name[2:]
    first, _, rest = name.partition(" ")
    if rest and first.lower() in articles:
        return first.lower(), rest.lstrip()
    return None


def _join(preposition: str, article: str, rest: str, contractions: dict[tuple[str, str], str]) -> str:
    joined = contractions.get((preposition, article))
    if joined:
        return f"{joined} {rest}"
    if article == "l'":
        return f"{preposition} l'{rest}"
    return f"{preposition} {article} {rest}"


def _ca(preposition: str, name: str) -> str:
    split = _split_article(name, _CA_ARTICLES)
    if split:
        return _join(preposition, split[0], split[1], _CA_CONTRACT)
    first = name.split(" ", 1)[0]
    gender = NOUNS["ca"].get(first.lower())
    if gender:
        return _join(preposition, _ca_article(gender, False, first), name, _CA_CONTRACT)
    if preposition == "de" and _starts_with_vowel_sound(first):
        return f"d'{name}"
    return f"{preposition} {name}"


def _es(preposition: str, name: str) -> str:
    # Only Spanish articles are read as articles: a Catalan "Els Pinyols" stays a name ("de Els Pinyols").
    split = _split_article(name, _ES_ARTICLES)
    if split and split[0] != "l'":
        return _join(preposition, split[0], split[1], _ES_CONTRACT)
    first = name.split(" ", 1)[0]
    gender = NOUNS["es"].get(first.lower())
    if gender:
        return _join(preposition, "el" if gender == "m" else "la", name, _ES_CONTRACT)
    return f"{preposition} {name}"


def with_preposition(preposition: str, name: str, language: str) -> str:
    """'de' / 'a' / 'per' followed by a name, written as a native speaker would in that language."""
    name = " ".join(str(name or "").split())
    if not name:
        return ""
    if language == "ca":
        return _ca(preposition, name)
    if language == "es":
        return _es(_ES_PREPOSITION.get(preposition, preposition), name)
    return f"{_EN_PREPOSITION.get(preposition, preposition)} {name}"


# ---------------------------------------------------------------------------------------------- lists
_AND = {"ca": "i", "es": "y", "en": "and"}
_ES_E_BEFORE = re.compile(r"^h?[ií](?![aeiouáéíóú])", re.IGNORECASE)


def _conjunction(language: str, next_item: str) -> str:
    word = _AND.get(language, "and")
    # Spanish "y" becomes "e" before an i sound ("padres e hijos"), not before a diphthong ("agua y hielo").
    if language == "es" and _ES_E_BEFORE.match(next_item):
        return "e"
    return word


def join_list(items: Iterable[object], language: str) -> str:
    """'a, b i c' / 'a, b y c' / 'a, b and c' (no serial comma in any of the three).

    When an item holds a comma ("temps, capacitats i diners"), items are separated by semicolons so the
    reader still sees where each one ends; an "i" inside an item alone is clear enough with commas."""
    words = [" ".join(str(i).split()) for i in items if i is not None and str(i).strip()]
    if len(words) <= 1:
        return "".join(words)
    conjunction = _conjunction(language, words[-1])
    if any("," in w or ";" in w for w in words):
        return "; ".join(words[:-1]) + f"; {conjunction} {words[-1]}"
    return ", ".join(words[:-1]) + f" {conjunction} {words[-1]}"
