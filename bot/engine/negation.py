"""Which words of an answer are denied or ranked second: negation within a clause, "més X que Y".

"No estem en una situació difícil" names a difficult situation and denies it; "no, és més aviat proactiva"
denies nothing (the "no" answers the bot, and a comma ends its reach); in "més un projecte que una
necessitat" the need is named but ranked second.
"""

from __future__ import annotations

import re

from bot.engine.textnorm import normalize

# Words that turn what follows round ("no estem en una situació difícil", "not a crisis").
NEGATIONS = frozenset("no ni not never nunca mai sin sense without dont don isnt arent wasnt tampoc "
                      "tampoco gens nada nothing none cap ningun ninguna ninguno".split())
NEGATION_WINDOW = 4  # tokens before a name that a negation reaches
_CLAUSE_BREAK = re.compile(r"[,.;:!?()\n]|\b(?:pero|però|but|sino|sinó)\b", re.IGNORECASE)
_MORE = frozenset("mes mas more rather".split())


def positions(tokens: list[str], word: list[str]) -> list[int]:
    n = len(word)
    return [i for i in range(len(tokens) - n + 1) if tokens[i:i + n] == word] if n else []


def clauses_of(text: str) -> list[int]:
    """For each token of normalize(text), the number of its clause: a negation does not reach past a
    comma ("no, és més aviat proactiva" denies nothing)."""
    marked = normalize(_CLAUSE_BREAK.sub(" qqclause ", text)).split()
    clauses, current = [], 0
    for token in marked:
        if token == "qqclause":
            current += 1
        else:
            clauses.append(current)
    return clauses


def negated(tokens: list[str], start: int, name: str, clauses: list[int] | None = None) -> bool:
    if set(name.split()) & NEGATIONS:
        return False  # "no", "gens", "not at all" are answers, not negations of one
    window = range(max(0, start - NEGATION_WINDOW), start)
    same = [i for i in window if clauses is None or len(clauses) != len(tokens) or clauses[i] == clauses[start]]
    return any(tokens[i] in NEGATIONS for i in same)


def ranked_second(tokens: list[str], clauses: list[int]) -> set[int]:
    """Token positions after the "que" / "than" of "més X que Y", "more X than Y": Y is ranked second."""
    for i, token in enumerate(tokens):
        if token in ("que", "than") and any(t in _MORE for t in tokens[max(0, i - 6):i]):
            return {j for j in range(i + 1, len(tokens)) if len(clauses) != len(tokens) or clauses[j] == clauses[i]}
    return set()


def contained(names: dict[str, set[str]], norm: str,
               clauses: list[int] | None = None) -> tuple[str | None, set[str]]:
    """The option whose name the answer contains (the longest name wins; a tie is no answer), and the
    options named only after a negation."""
    tokens = norm.split()
    found: dict[str, int] = {}
    denied: set[str] = set()
    for opt, words in names.items():
        for word in words:
            for start in positions(tokens, word.split()):
                if negated(tokens, start, word, clauses):
                    denied.add(opt)
                else:
                    found[opt] = max(found.get(opt, 0), len(word))
    found = {opt: n for opt, n in found.items() if opt not in denied}
    if not found:
        return None, denied
    longest = max(found.values())
    best = [opt for opt, n in found.items() if n == longest]
    return (best[0] if len(best) == 1 else None), denied
