"""The cues a text holds (`text_hits`): every pattern matched over the tokens, with negation ("no tenim
problemes econòmics"), reassurance ("econòmicament estem bé"), blockers and the overlaps resolved."""

from __future__ import annotations

from dataclasses import dataclass

from actions.reading.cues import Knowledge
from actions.reading.patterns import Pattern, match_at
from actions.reading.text import Token, tokenize


def _negator_positions(toks: list[Token], kb: Knowledge) -> set[int]:
    ignored: set[int] = set()
    words = [t.text for t in toks]
    for phrase in kb.ignore_phrases:
        k = len(phrase)
        for i in range(len(words) - k + 1):
            if tuple(words[i : i + k]) == phrase:
                ignored.update(range(i, i + k))
    return {i for i, w in enumerate(words) if w in kb.negators and i not in ignored}


def reassurance_spans(toks: list[Token], kb: Knowledge) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for elems in kb.reassurances:
        for i, tok in enumerate(toks):
            if elems[0].matches(tok.text):
                got = match_at(elems, toks, i)
                if got:
                    spans.append((i, got[0]))
    return spans


def _is_negated(
    toks: list[Token],
    start: int,
    end: int,
    gaps: list[int],
    negs: set[int],
    kb: Knowledge,
    reassurable: bool = False,
    reassured: list[tuple[int, int]] | None = None,
) -> bool:
    clause = toks[start].clause
    # negation inside the gaps of the pattern ("money is not the problem")
    if any(g in negs for g in gaps):
        return True
    # negation before the cue, in the same clause, within the window
    for j in range(start - 1, max(-1, start - 1 - kb.negation_window), -1):
        if toks[j].clause != clause or toks[j].text in kb.clause_breakers:
            break
        if j in negs:
            between = {toks[k].text for k in range(j + 1, start)}
            if between & kb.negation_blockers:
                return False
            return True
    # reassurance around a financial cue ("economically we are fine")
    if reassurable:
        for rs, re_ in reassured or []:
            if toks[rs].clause != clause:
                continue
            if start - kb.reassurance_window <= rs and re_ <= end + kb.reassurance_window:
                return True
    return False


@dataclass
class Hit:
    pattern: Pattern
    start: int
    end: int
    negated: bool


def _first_matches(toks: list[Token], kb: Knowledge) -> list[tuple[int, int]]:
    """(pattern index, token index) where a pattern's first element matches, in the order a scan of
    every pattern over every token would find them."""
    exact, prefixes, longest = kb.first_index
    pairs: set[tuple[int, int]] = set()
    for i, tok in enumerate(toks):
        word = tok.text
        for index in exact.get(word, ()):
            pairs.add((index, i))
        for k in range(1, min(len(word), longest) + 1):
            for index in prefixes.get(word[:k], ()):
                pairs.add((index, i))
    return sorted(pairs)


def text_hits(text: str, kb: Knowledge) -> tuple[list[Token], list[Hit]]:
    toks = tokenize(text)
    if not toks:
        return toks, []
    negs = _negator_positions(toks, kb)
    reassured = reassurance_spans(toks, kb)
    hits: list[Hit] = []
    for index, i in _first_matches(toks, kb):
        pat, tok = kb.patterns[index], toks[i]
        got = match_at(pat.elems, toks, i)
        if not got:
            continue
        end, gaps = got
        if pat.blockers_after and any(
            toks[k].clause == tok.clause and b.matches(toks[k].text)
            for k in range(end, min(len(toks), end + 3))
            for b in pat.blockers_after
        ):
            continue
        # a cue that holds its own negation ("can't pay", "no podem pagar") is not undone by one before it
        # ("…so we don't lose staff we can't pay")
        own = any(k in negs for k in range(i, end) if k not in gaps)
        negated = pat.negatable and not own and _is_negated(
            toks, i, end, gaps, negs, kb, pat.reassurable, reassured
        )
        hits.append(Hit(pat, i, end, negated))
    # per cue, drop hits contained in a longer hit of the same cue
    kept: list[Hit] = []
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if any(
            k.pattern.cue == h.pattern.cue and k.start <= h.start and h.end <= k.end for k in kept
        ):
            continue
        kept.append(h)
    # a word inside a longer phrase of the other direction is that phrase's ("an opportunity to survive":
    # the opportunity is the threat's)
    kept = [
        h
        for h in kept
        if not any(
            k.pattern.direction != h.pattern.direction and not k.negated
            and k.start <= h.start and h.end <= k.end and k.end - k.start > h.end - h.start
            for k in kept
        )
    ]
    # a negating determiner is not borrowed: in "we have no money problems" the "no" negates the
    # "money problems" right after it, so the "no money" that starts with it does not count either
    negated_starts = {(h.start, h.pattern.direction) for h in kept if h.negated}
    kept = [
        h
        for h in kept
        if h.negated
        or toks[h.start].text not in kb.negation_determiners
        or (h.start + 1, h.pattern.direction) not in negated_starts
    ]
    # context-dependent cues ("alone") take the colour of the clause: they do not count when the clause holds
    # a live cue of the opposite direction, nor when the text holds one and nothing else of their own direction
    # ("un únic lot enorme, impossible per a nosaltres sols": what they cannot do alone is the threat)
    live = [(toks[h.start].clause, h.pattern.direction) for h in kept if not h.negated and not h.pattern.context_dependent]
    kept = [
        h
        for h in kept
        if not h.pattern.context_dependent
        or h.negated
        or not any(c == toks[h.start].clause and d != h.pattern.direction for c, d in live)
        and not (any(d != h.pattern.direction for _c, d in live)
                 and not any(d == h.pattern.direction for _c, d in live))
    ]
    kept.sort(key=lambda h: (h.start, h.pattern.cue))
    return toks, kept
