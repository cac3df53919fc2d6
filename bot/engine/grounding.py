"""Whether a classifier's reading of an answer rests on anything the message says about that answer.

The classifier of a kind of question (finances, yes / partly / no...) puts every text in one of its classes,
and can be sure of itself for a sentence that says nothing about the question at all: "sí, con la Asociación
Vecinal Sant Roc", typed at "how are your finances?" (an answer to another question), was read as "serious"
at 0.90, from the "con" of "con el agua al cuello". Only the kinds whose classes are named by words of their
own (finances) are checked: yes, a bit, a lot are said of anything (bot/engine/answers.py UNGROUNDED_KINDS). A
reading is grounded when one of the message's content
words (four letters or more) begins like a word of that class's examples or of the option's names; a message
of short words only ("mal", "be", "no gaire") is left to the classifier. An ungrounded reading is never
stored silently: it is confirmed in one line (bot/engine/repair.py).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.engine.textnorm import normalize

STEM = 4          # letters compared: "justets" and "justos", "fatal" and "fatals"
MIN_WORDS = 3     # shorter messages are the classifier's alone
UNGROUNDED = 0.5  # the confidence an ungrounded reading is given: below the confirmation's bar
# words of four letters or more that say nothing about any answer (articles and pronouns are shorter)
FILLERS = frozenset("""
home bueno pues vale doncs mira miri oye mire look well okay this that these aquest aquesta aixo esto
esta este eso amb with para pero perque porque because tambe tambien also molt mucho muy very much really
veritat verdad nosaltres nosotros nosotras vosaltres vosotros they them their ours have tenim tenemos
pretty quite rather fairly honest honestly truth sincerament sinceramente bastant bastante forca totally
""".split())  # the second line: intensifiers ("pretty dire to be honest" was "stable" at 0.91 from "pretty")


# "to be honest" is no "bé" (well): a short word after these is English
_ENGLISH_BEFORE_BE = frozenset("to will would can could should must might may not".split())


# words that say yes or no on their own, in any of the three languages: a yes or a no the classifier reads in
# a sentence with none of these (nor an option's name) rests on nothing the sentence says
YES_NO_WORDS = frozenset("""
si yes yeah yep yup sure ok okay vale val dacord acord claro clar cert cierto correcte correcto exacte exacto
totally absolutely of course evidentment evidentemente segur seguro
no not nope never mai nunca cap ningun ninguna ninguno none nothing res nada gens tampoc tampoco neither nah
""".split())


def says_yes_or_no(norm: str, names: Iterable[str] = ()) -> bool:
    """Whether a message has a word that says yes or no (or names an option: "a vegades")."""
    padded = f" {norm} "
    return any(w in YES_NO_WORDS for w in norm.split()) or any(f" {n} " in padded for n in names if n)


def stems(texts: Iterable[str]) -> frozenset[str]:
    """The beginnings of the content words of some texts, and the short ones that are a whole answer ("mal")."""
    found: set[str] = set()
    for text in texts:
        words = normalize(str(text)).split()
        found.update(w[:STEM] for w in words if len(w) >= STEM and not w.isdigit())
        if len(words) == 1:
            found.add(words[0][:STEM])
    return frozenset(found)


def grounded(norm: str, vocabulary: frozenset[str]) -> bool:
    words = norm.split()
    content = [w for w in words if len(w) >= STEM and not w.isdigit() and w not in FILLERS]
    if len(words) < MIN_WORDS or not content:
        return True
    return any(w[:STEM] in vocabulary for w in content) or any(
        w in vocabulary and not (i and words[i - 1] in _ENGLISH_BEFORE_BE) for i, w in enumerate(words) if len(w) < STEM)
