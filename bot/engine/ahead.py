"""What an answer gives besides itself, found in its words: a phone number, an email, the name that follows
"amb", "con", "with" ("sí, amb l'Associació Veïns del Clot"). bot/engine/repair.py keeps and says it back."""

from __future__ import annotations

import re

from bot.engine.textnorm import normalize

_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
_EMAIL = re.compile(r"[^@\s,;:<>()]{1,64}@[^@\s,;:<>()]{1,190}\.[A-Za-z]{2,24}")
_WORD = re.compile(r"[\w·'’-]+", re.UNICODE)


def phone_in(text: str, _words: dict[str, list[str]]) -> str | None:
    for found in _PHONE.findall(text):
        digits = re.sub(r"[\s().-]", "", found)
        if re.fullmatch(r"\+?\d{9,15}", digits):
            return digits
    return None


def email_in(text: str, _words: dict[str, list[str]]) -> str | None:
    found = _EMAIL.search(text)
    return found.group(0).lower().rstrip(".") if found else None


def named_after(text: str, words: dict[str, list[str]]) -> str | None:
    """The name that follows "amb", "con", "with" ("sí, amb l'Associació Veïns del Clot"), without its article."""
    tokens = [(m.group(0), m.start()) for m in _WORD.finditer(text)]
    for i, (token, _start) in enumerate(tokens):
        if normalize(token) in words["before"] and i + 1 < len(tokens):
            rest = text[tokens[i + 1][1]:].strip()
            for article in sorted(words["articles"], key=len, reverse=True):
                head = normalize(rest[: len(article) + 1])
                if head in (article, f"{article} ") and len(rest) > len(article) + 1:
                    sep = rest[len(article)]
                    if sep in " '’":
                        rest = rest[len(article) + 1:].strip()
                        break
            name = re.split(r"[.;!?\n]", rest, maxsplit=1)[0].strip(" ,«»\"")
            if len(name) >= 2 and any(ch.isalpha() for ch in name):
                return name[:200]
    return None


_DENIED = frozenset(("no", "not", "ni", "nor"))
_TOKEN = re.compile(r"[^\s'’,;:.!?«»\"()]+")


def name_said(text: str, words: dict[str, list[str]]) -> str | None:
    """The name a correction gives after the last "és", "es", "it's" that is followed by one ("l'entitat no és
    aquesta, és l'Esplai Sant Jordi" -> "Esplai Sant Jordi"; "the partner is wrong, it's Hope Foundation" ->
    "Hope Foundation"), without its article; never what only denies ("no és aquesta", "is wrong"). Clauses are
    read from the last one."""
    markers = sorted({tuple(m.split()) for m in words["is"] if m}, key=len, reverse=True)
    articles = set(words["articles"])
    refused = [tuple(w.split()) for w in words["not_names"] if w]
    for clause in reversed(re.split(r"[,;:.!?\n]+", text)):
        tokens = [(m.start(), normalize(m.group(0))) for m in _TOKEN.finditer(clause)]
        folded = [t for _, t in tokens]
        for i in range(len(tokens) - 1, -1, -1):
            marker = next((m for m in markers if tuple(folded[i:i + len(m)]) == m), None)
            if marker is None or (i > 0 and folded[i - 1] in _DENIED):  # "no és la del Clot": no name given
                continue
            at = i + len(marker)
            if at < len(tokens) and folded[at] in articles and at + 1 < len(tokens):
                at += 1
            if at >= len(tokens) or any(tuple(folded[at:at + len(r)]) == r for r in refused):
                continue
            name = clause[tokens[at][0]:].strip(" «»\"'’")
            if len(name) >= 2 and any(ch.isalpha() for ch in name):
                return name[:200]
    return None
