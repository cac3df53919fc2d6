"""The cue file's pattern language: a pattern is a sequence of tokens; ``word*`` matches any token starting with
``word``; ``a|b*`` are alternatives; ``..`` is a gap of up to ``gap`` tokens inside the same clause. Patterns
are normalised like user text (`actions.reading.text`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.reading.text import Token, tokenized


@dataclass(frozen=True)
class Elem:
    alts: tuple[tuple[str, bool], ...] = ()  # (text, is_prefix)
    gap: int = 0  # >0: gap element

    def matches(self, word: str) -> bool:
        for alt, prefix in self.alts:
            if word == alt or (prefix and word.startswith(alt)):
                return True
        return False


@dataclass(frozen=True)
class Pattern:
    cue: str
    direction: str
    weight: float
    lang: str
    elems: tuple[Elem, ...]
    negatable: bool
    reassurable: bool
    context_dependent: bool
    blockers_after: tuple[Elem, ...]


def compile_pattern(raw: str, default_gap: int) -> tuple[Elem, ...]:
    elems: list[Elem] = []
    for part in str(raw).split():
        if part.startswith(".."):
            extra = part[2:]
            elems.append(Elem(gap=int(extra) if extra.isdigit() else default_gap))
            continue
        alts: list[tuple[str, bool]] = []
        for alt in part.split("|"):
            prefix = alt.endswith("*")
            core = alt.rstrip("*")
            words = tokenized(core).split()
            if not words:
                continue
            if len(words) > 1:
                # an apostrophe inside an alternative (d'acció): keep only single-word alternatives
                # simple and predictable; multi-token alternatives are expanded into the sequence
                for w in words[:-1]:
                    elems.append(Elem(alts=((w, False),)))
            alts.append((words[-1], prefix))
        if alts:
            elems.append(Elem(alts=tuple(alts)))
    while elems and elems[0].gap:
        elems.pop(0)
    while elems and elems[-1].gap:
        elems.pop()
    return tuple(elems)


def match_at(elems: tuple[Elem, ...], toks: list[Token], start: int) -> tuple[int, list[int]] | None:
    """Match ``elems`` from token ``start``; return (end_exclusive, gap token indexes)."""

    def rec(ei: int, ti: int, gaps: list[int]) -> tuple[int, list[int]] | None:
        if ei == len(elems):
            return ti, gaps
        el = elems[ei]
        if el.gap:
            for skip in range(0, el.gap + 1):
                nxt = ti + skip
                if nxt > len(toks):
                    break
                if skip and toks[nxt - 1].clause != toks[start].clause:
                    break
                got = rec(ei + 1, nxt, gaps + list(range(ti, nxt)))
                if got:
                    return got
            return None
        if ti >= len(toks) or toks[ti].clause != toks[start].clause or not el.matches(toks[ti].text):
            return None
        return rec(ei + 1, ti + 1, gaps)

    return rec(0, start, [])




@dataclass(frozen=True)
class Phrases:
    """Marker phrases (compiled patterns) indexed by what their first word can be, so that a text is
    scanned once per token rather than once per phrase."""

    phrases: tuple[tuple[Elem, ...], ...] = ()
    exact: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    prefixes: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    longest: int = 0

    @classmethod
    def of(cls, phrases: list[tuple[Elem, ...]]) -> Phrases:
        exact: dict[str, list[int]] = {}
        prefixes: dict[str, list[int]] = {}
        for index, elems in enumerate(phrases):
            for alt, is_prefix in elems[0].alts:
                (prefixes if is_prefix else exact).setdefault(alt, []).append(index)
        return cls(tuple(phrases), {k: tuple(v) for k, v in exact.items()},
                   {k: tuple(v) for k, v in prefixes.items()}, max(map(len, prefixes), default=0))

    def starting_with(self, word: str) -> set[int]:
        found = set(self.exact.get(word, ()))
        for k in range(1, min(len(word), self.longest) + 1):
            found.update(self.prefixes.get(word[:k], ()))
        return found


def spans(phrases: Phrases, toks: list[Token], lo: int, hi: int) -> list[tuple[int, int]]:
    """Where any of `phrases` matches inside tokens [lo, hi)."""
    found: list[tuple[int, int]] = []
    for i in range(lo, hi):
        for index in phrases.starting_with(toks[i].text):
            got = match_at(phrases.phrases[index], toks, i)
            if got and got[0] <= hi:
                found.append((i, got[0]))
    return sorted(found)
