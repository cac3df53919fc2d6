"""How the motivation reading cuts a text into tokens: lower case, accents stripped, apostrophes split, clauses
numbered. The cue matcher and the statistical model (`actions/motivation_model.py`) both read text this way."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc"
_CLAUSE_PUNCT = ".,;:!?()[]{}\n\u00bf\u00a1\u2026\"\u201c\u201d\u00ab\u00bb\u2013\u2014"


@lru_cache(maxsize=4096)
def _norm_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


# the shorthand people type on a phone, read as the word it stands for ("es q", "pq", "tb")
_SHORTHAND = {"q": "que", "k": "que", "xq": "perque", "pq": "perque", "tb": "tambe", "tmb": "tambe"}


@dataclass(frozen=True)
class Token:
    text: str  # normalised
    start: int  # offsets in the original string
    end: int
    clause: int


def tokenize(text: str) -> list[Token]:
    """Tokenise ``text`` keeping offsets into the original string.

    Lower case, accents stripped, Catalan ``l·l`` joined, apostrophes split
    words (``l'administració`` -> ``l`` ``administracio``), English ``n't``
    becomes the token ``not``, phone shorthand is read whole (``q`` -> ``que``,
    ``pq`` -> ``perque``, ``tb`` -> ``tambe``).  Punctuation starts a new clause.
    """
    tokens: list[Token] = []
    clause = 0
    buf: list[str] = []
    buf_start = 0
    after_apostrophe = False
    prev_end = -1
    n = len(text)

    def flush(end: int) -> None:
        nonlocal buf, after_apostrophe
        if buf:
            word = "".join(buf)
            start = buf_start
            word = _SHORTHAND.get(word, word)
            if word == "t" and after_apostrophe and tokens and tokens[-1].text.endswith("n"):
                word = "not"
                start = tokens[-1].start  # quoted from the whole word: "won't renew", not "t renew"
            tokens.append(Token(word, start, end, clause))
            buf = []
        after_apostrophe = False

    i = 0
    while i < n:
        ch = text[i]
        # Catalan "ela geminada": l·l / l.l / l•l inside a word
        if ch in "\u00b7\u2022\u22c5." and buf and buf[-1] == "l" and i + 1 < n and text[i + 1].lower() == "l":
            i += 1
            continue
        normed = _norm_char(ch)
        if normed and all(c.isalnum() for c in normed):
            if not buf:
                buf_start = i
            buf.append(normed)
        else:
            was_apostrophe = ch in _APOSTROPHES and bool(buf)
            flush(i)
            after_apostrophe = was_apostrophe
            if ch in _CLAUSE_PUNCT:
                if tokens and prev_end != len(tokens):
                    clause += 1
                    prev_end = len(tokens)
        i += 1
    flush(n)
    return tokens


def tokenized(text: str) -> str:
    """``text`` as the classifier reads it: its tokens (lower case, no accents, apostrophes split) joined by
    single spaces. Not the engine's `bot.engine.textnorm.normalize`, which keeps words whole."""
    return " ".join(t.text for t in tokenize(text or ""))
