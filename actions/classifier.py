"""Motivation classifier: reactive / proactive / mixed / unclear.

The seed workshop text distinguishes two motivations for an alliance:

* reactive: born of a threat (financial difficulties, survival, services or
  lines of action threatened, needing visibility or weight to negotiate with
  public administrations);
* proactive: a new idea that needs a partner, replicating or expanding an
  existing project (alliances as an alternative to delegations), innovation,
  bigger impact.

The reading weighs the part of the text that says *why* (the cue file's ``driver`` section): what the
person denies ("no és que tinguem una idea nova…"), a crisis they say is over, what "the real reason"
outweighs and the hardships of the people they serve are background: their cues count for nothing and
the model reads the text without them. A threat and a project joined by "a més / at the same time" is
mixed; a text that keeps its options open is unclear.

This module is pure: the only I/O is reading ``knowledge/motivation_cues.yml``
once, lazily.  All the vocabulary (cue patterns, negation words, weights for
structured answers and decision thresholds) lives in that file.

Pattern language (see the YAML file header): a pattern is a sequence of
tokens; ``word*`` matches any token starting with ``word``; ``a|b*`` are
alternatives; ``..`` is a gap of up to ``gap`` tokens inside the same clause.
Patterns are normalised like user text (lower case, accents stripped).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.shared import yamlio
from bot.text.languages import SUPPORTED_LANGUAGES

CUES_FILE = "motivation_cues.yml"  # in config.yml's paths.knowledge

REACTIVE = "reactive"
PROACTIVE = "proactive"
MIXED = "mixed"
UNCLEAR = "unclear"
DIRECTIONS = (REACTIVE, PROACTIVE)
LANGS = SUPPORTED_LANGUAGES

_APOSTROPHES = "'\u2019\u2018`\u00b4\u02bc"
_CLAUSE_PUNCT = ".,;:!?()[]{}\n\u00bf\u00a1\u2026\"\u201c\u201d\u00ab\u00bb\u2013\u2014"


@dataclass(frozen=True)
class Evidence:
    source: str  # "text" | "answer"
    key: str  # cue id (text) or slot name (answer)
    value: str  # phrase as written by the user, or the answer value
    direction: str  # "reactive" | "proactive"
    weight: float
    negated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Classification:
    motivation: str
    confidence: float
    scores: dict[str, float]
    dominant: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "motivation": self.motivation,
            "confidence": self.confidence,
            "scores": dict(self.scores),
            "dominant": self.dominant,
            "evidence": [e.to_dict() for e in self.evidence],
        }


# --------------------------------------------------------------------------- normalisation


@lru_cache(maxsize=4096)
def _norm_char(ch: str) -> str:
    decomposed = unicodedata.normalize("NFKD", ch)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


@dataclass(frozen=True)
class _Token:
    text: str  # normalised
    start: int  # offsets in the original string
    end: int
    clause: int


def _tokenize(text: str) -> list[_Token]:
    """Tokenise ``text`` keeping offsets into the original string.

    Lower case, accents stripped, Catalan ``l·l`` joined, apostrophes split
    words (``l'administració`` -> ``l`` ``administracio``), English ``n't``
    becomes the token ``not``.  Punctuation starts a new clause.
    """
    tokens: list[_Token] = []
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
            if word == "t" and after_apostrophe and tokens and tokens[-1].text.endswith("n"):
                word = "not"
            tokens.append(_Token(word, buf_start, end, clause))
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
    return " ".join(t.text for t in _tokenize(text or ""))


# --------------------------------------------------------------------------- patterns


@dataclass(frozen=True)
class _Elem:
    alts: tuple[tuple[str, bool], ...] = ()  # (text, is_prefix)
    gap: int = 0  # >0: gap element

    def matches(self, word: str) -> bool:
        for alt, prefix in self.alts:
            if word == alt or (prefix and word.startswith(alt)):
                return True
        return False


@dataclass(frozen=True)
class _Pattern:
    cue: str
    direction: str
    weight: float
    lang: str
    elems: tuple[_Elem, ...]
    negatable: bool
    reassurable: bool
    context_dependent: bool
    blockers_after: tuple[_Elem, ...]


def _compile_pattern(raw: str, default_gap: int) -> tuple[_Elem, ...]:
    elems: list[_Elem] = []
    for part in str(raw).split():
        if part.startswith(".."):
            extra = part[2:]
            elems.append(_Elem(gap=int(extra) if extra.isdigit() else default_gap))
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
                    elems.append(_Elem(alts=((w, False),)))
            alts.append((words[-1], prefix))
        if alts:
            elems.append(_Elem(alts=tuple(alts)))
    while elems and elems[0].gap:
        elems.pop(0)
    while elems and elems[-1].gap:
        elems.pop()
    return tuple(elems)


def _match_at(elems: tuple[_Elem, ...], toks: list[_Token], start: int) -> tuple[int, list[int]] | None:
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


# --------------------------------------------------------------------------- knowledge


_FirstIndex = tuple[dict[str, list[int]], dict[str, list[int]], int]


@dataclass(frozen=True)
class _Phrases:
    """Marker phrases (compiled patterns) indexed by what their first word can be, so that a text is
    scanned once per token rather than once per phrase."""

    phrases: tuple[tuple[_Elem, ...], ...] = ()
    exact: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    prefixes: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False)
    longest: int = 0

    @classmethod
    def of(cls, phrases: list[tuple[_Elem, ...]]) -> _Phrases:
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


@dataclass(frozen=True)
class _Driver:
    """The cue file's `driver` section: the markers that say which part of a text states why."""

    splitters: _Phrases
    denial: _Phrases
    past: _Phrases
    resolved: _Phrases
    focus: _Phrases
    focus_after_contrast: _Phrases
    contrast: frozenset[str]
    additive: _Phrases
    beneficiaries: _Phrases
    entity: frozenset[str]
    noncommitment: _Phrases
    noncommitment_factor: float
    denial_factor: float
    contrast_factor: float


def _first_index(patterns: tuple[_Pattern, ...]) -> _FirstIndex:
    """Patterns by their first word: exact words, and prefixes (`word*`), with the longest prefix."""
    exact: dict[str, list[int]] = {}
    prefixes: dict[str, list[int]] = {}
    for index, pat in enumerate(patterns):
        for alt, is_prefix in pat.elems[0].alts:
            target = prefixes if is_prefix else exact
            if index not in target.setdefault(alt, []):
                target[alt].append(index)
    return exact, prefixes, max(map(len, prefixes), default=0)


@dataclass(frozen=True)
class _Knowledge:
    patterns: tuple[_Pattern, ...]
    negators: frozenset[str]
    negation_window: int
    ignore_phrases: tuple[tuple[str, ...], ...]
    negation_blockers: frozenset[str]
    negation_determiners: frozenset[str]
    clause_breakers: frozenset[str]
    reassurances: tuple[tuple[_Elem, ...], ...]
    reassurance_window: int
    answer_weights: dict[str, dict[str, tuple[str, float]]]
    other_language_factor: float
    min_signal: float
    mixed_ratio: float
    mixed_min: float
    evidence_scale: float
    stack_decay: float
    model_weight: float = 0.0
    cue_factor: float = 1.0
    min_confidence: float = 0.0
    hedge_words: frozenset[str] = frozenset()
    driver: _Driver | None = None
    first_index: _FirstIndex = field(default=({}, {}, 0), compare=False)  # filled by _load


def _words(values: Any) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(tokenized(str(v)).split())
    return out


def _load(path: Path) -> _Knowledge:
    with path.open(encoding="utf-8") as fh:
        data = yamlio.safe_load(fh)
    gap = int(data.get("gap", 3))
    patterns: list[_Pattern] = []
    for direction in DIRECTIONS:
        for cue_id, cue in (data.get(direction) or {}).items():
            weight = float(cue["weight"])
            negatable = bool(cue.get("negatable", True))
            reassurable = bool(cue.get("reassurable", False))
            context_dependent = bool(cue.get("context_dependent", False))
            blockers = tuple(_compile_pattern(b, gap)[0] for b in cue.get("blockers_after", []) or [])
            for lang, plist in (cue.get("patterns") or {}).items():
                for raw in plist or []:
                    p_negatable = negatable
                    if isinstance(raw, Mapping):
                        p_negatable = bool(raw.get("negatable", negatable))
                        raw = raw["p"]
                    elems = _compile_pattern(raw, gap)
                    if elems:
                        patterns.append(
                            _Pattern(
                                cue_id,
                                direction,
                                weight,
                                lang,
                                elems,
                                p_negatable,
                                reassurable,
                                context_dependent,
                                blockers,
                            )
                        )
    neg = data.get("negation") or {}
    negators: set[str] = set()
    for words in (neg.get("words") or {}).values():
        negators.update(_words(words))
    blockers: set[str] = set()
    for words in (neg.get("blockers") or {}).values():
        blockers.update(_words(words))
    determiners: set[str] = set()
    for words in (neg.get("determiners") or {}).values():
        determiners.update(_words(words))
    breakers: set[str] = set()
    for words in (neg.get("clause_breakers") or {}).values():
        breakers.update(_words(words))
    ignore = tuple(tuple(tokenized(p).split()) for p in neg.get("ignore_phrases", []) or [])
    reassure: list[tuple[_Elem, ...]] = []
    for words in (neg.get("reassurances") or {}).values():
        for w in words or []:
            elems = _compile_pattern(w, gap)
            if elems:
                reassure.append(elems)
    answers: dict[str, dict[str, tuple[str, float]]] = {}
    for slot, values in (data.get("answers") or {}).items():
        answers[slot] = {}
        for value, spec in (values or {}).items():
            if spec:
                answers[slot][str(value).lower()] = (str(spec["direction"]), float(spec["weight"]))
    dec = data.get("decision") or {}
    drv = data.get("driver") or {}

    def phrases(key: str) -> _Phrases:
        out = [_compile_pattern(w, gap) for words in (drv.get(key) or {}).values() for w in words or []]
        return _Phrases.of([e for e in out if e])

    driver = _Driver(
        splitters=phrases("splitters"), denial=phrases("denial"), past=phrases("past"),
        resolved=phrases("resolved"), focus=phrases("focus"),
        focus_after_contrast=phrases("focus_after_contrast"),
        contrast=frozenset(w for words in (drv.get("contrast") or {}).values() for w in _words(words)),
        additive=phrases("additive"),
        beneficiaries=phrases("beneficiaries"),
        entity=frozenset(w for words in (drv.get("entity") or {}).values() for w in _words(words)),
        noncommitment=phrases("noncommitment"),
        noncommitment_factor=float(drv.get("noncommitment_factor", 1.0)),
        denial_factor=float(drv.get("denial_factor", 1.0)),
        contrast_factor=float(drv.get("contrast_factor", 1.0)),
    ) if drv else None
    hedge_words: set[str] = set()
    for words in (data.get("hedges") or {}).values():
        hedge_words.update(_words(words))
    return _Knowledge(
        patterns=tuple(patterns),
        negators=frozenset(negators),
        negation_window=int(neg.get("window", 4)),
        ignore_phrases=ignore,
        negation_blockers=frozenset(blockers),
        negation_determiners=frozenset(determiners),
        clause_breakers=frozenset(breakers),
        reassurances=tuple(reassure),
        reassurance_window=int(neg.get("reassurance_window", 3)),
        answer_weights=answers,
        other_language_factor=float(dec.get("other_language_factor", 0.9)),
        min_signal=float(dec.get("min_signal", 0.75)),
        mixed_ratio=float(dec.get("mixed_ratio", 0.5)),
        mixed_min=float(dec.get("mixed_min", 1.25)),
        evidence_scale=float(dec.get("evidence_scale", 2.0)),
        stack_decay=float(dec.get("stack_decay", 0.7)),
        model_weight=float(dec.get("model_weight", 0.0)),
        cue_factor=float(dec.get("cue_factor", 1.0)),
        min_confidence=float(dec.get("min_confidence", 0.0)),
        hedge_words=frozenset(hedge_words),
        driver=driver,
        first_index=_first_index(tuple(patterns)),
    )


def knowledge() -> _Knowledge:
    """The cue file of paths.knowledge (config.yml), loaded once per folder."""
    from actions.services import knowledge_dir

    return _cues(knowledge_dir())


@lru_cache(maxsize=4)
def _cues(folder: Path) -> _Knowledge:
    return _load(folder / CUES_FILE)


# --------------------------------------------------------------------------- text analysis


def _negator_positions(toks: list[_Token], kb: _Knowledge) -> set[int]:
    ignored: set[int] = set()
    words = [t.text for t in toks]
    for phrase in kb.ignore_phrases:
        k = len(phrase)
        for i in range(len(words) - k + 1):
            if tuple(words[i : i + k]) == phrase:
                ignored.update(range(i, i + k))
    return {i for i, w in enumerate(words) if w in kb.negators and i not in ignored}


def _reassurance_spans(toks: list[_Token], kb: _Knowledge) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for elems in kb.reassurances:
        for i, tok in enumerate(toks):
            if elems[0].matches(tok.text):
                got = _match_at(elems, toks, i)
                if got:
                    spans.append((i, got[0]))
    return spans


def _is_negated(
    toks: list[_Token],
    start: int,
    end: int,
    gaps: list[int],
    negs: set[int],
    kb: _Knowledge,
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
class _Hit:
    pattern: _Pattern
    start: int
    end: int
    negated: bool


def _first_matches(toks: list[_Token], kb: _Knowledge) -> list[tuple[int, int]]:
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


def _text_hits(text: str, kb: _Knowledge) -> tuple[list[_Token], list[_Hit]]:
    toks = _tokenize(text)
    if not toks:
        return toks, []
    negs = _negator_positions(toks, kb)
    reassured = _reassurance_spans(toks, kb)
    hits: list[_Hit] = []
    for index, i in _first_matches(toks, kb):
        pat, tok = kb.patterns[index], toks[i]
        got = _match_at(pat.elems, toks, i)
        if not got:
            continue
        end, gaps = got
        if pat.blockers_after and any(
            toks[k].clause == tok.clause and b.matches(toks[k].text)
            for k in range(end, min(len(toks), end + 3))
            for b in pat.blockers_after
        ):
            continue
        negated = pat.negatable and _is_negated(
            toks, i, end, gaps, negs, kb, pat.reassurable, reassured
        )
        hits.append(_Hit(pat, i, end, negated))
    # per cue, drop hits contained in a longer hit of the same cue
    kept: list[_Hit] = []
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
    # context-dependent cues ("alone") take the colour of the clause: they do not count
    # when the clause holds a live cue of the opposite direction
    live = [(toks[h.start].clause, h.pattern.direction) for h in kept if not h.negated and not h.pattern.context_dependent]
    kept = [
        h
        for h in kept
        if not h.pattern.context_dependent
        or h.negated
        or not any(c == toks[h.start].clause and d != h.pattern.direction for c, d in live)
    ]
    kept.sort(key=lambda h: (h.start, h.pattern.cue))
    return toks, kept


# --------------------------------------------------------------------------- the driver: which part says why


def _spans(phrases: _Phrases, toks: list[_Token], lo: int, hi: int) -> list[tuple[int, int]]:
    """Where any of `phrases` matches inside tokens [lo, hi)."""
    found: list[tuple[int, int]] = []
    for i in range(lo, hi):
        for index in phrases.starting_with(toks[i].text):
            got = _match_at(phrases.phrases[index], toks, i)
            if got and got[0] <= hi:
                found.append((i, got[0]))
    return sorted(found)


def _segments(toks: list[_Token], drv: _Driver) -> list[tuple[int, int]]:
    """Token ranges [lo, hi): a new one at punctuation and where a splitter ("però", "but", "so") starts."""
    starts = {0}
    for i in range(1, len(toks)):
        if toks[i].clause != toks[i - 1].clause:
            starts.add(i)
    for i, _end in _spans(drv.splitters, toks, 1, len(toks)):
        starts.add(i)
    edges = sorted(starts) + [len(toks)]
    # a connector alone ("i", "y" before "a més", "además") opens the segment that follows it
    edges = [e for i, e in enumerate(edges) if not (0 < i < len(edges) - 1 and e - edges[i - 1] == 1
                                                    and toks[e - 1].clause == toks[e].clause)]
    return [(a, b) for a, b in zip(edges, edges[1:], strict=False) if a < b]


@dataclass(frozen=True)
class _Structure:
    segments: tuple[tuple[int, int], ...]
    background: frozenset[int]  # indexes of segments that do not state the driver
    denied: frozenset[str]  # the directions a denied segment says are NOT the driver ("not for money")
    outweighed: frozenset[str]  # the direction said before a "but" that turns the other way
    noncommitted: bool
    additive: bool
    unquoted: frozenset[int] = frozenset()  # the background and what only says a crisis is over


def _structure(toks: list[_Token], hits: list[_Hit], kb: _Knowledge, text: str = "",
               hint: str | None = None) -> _Structure:
    """Which segments state why they look for a partner, and which are background (module doc, cue file)."""
    drv = kb.driver
    assert drv is not None
    segs = _segments(toks, drv)
    reassured = _reassurance_spans(toks, kb)
    back: set[int] = set()
    denied: set[str] = set()
    outweighed: set[str] = set()
    unquoted: set[int] = set()
    resolved_at = [k for k, (lo, hi) in enumerate(segs) if _spans(drv.resolved, toks, lo, hi)]
    for k, (lo, hi) in enumerate(segs):
        inside = [h for h in hits if lo <= h.start < hi]
        denial = [end for i, end in _spans(drv.denial, toks, lo, min(hi, lo + 8)) if i <= lo + 2]
        if denial or (inside and all(h.negated for h in inside)):
            back.add(k)  # "no és que tinguem una idea nova, …", "ningú ens ha retallat res"
            if inside:
                denied.update(h.pattern.direction for h in inside if h.negated)
            elif text and max(denial) < hi:  # "no ho fem per necessitat": what follows the denial
                _evidence, scores, _both, _ow = _read_text(text[toks[max(denial)].start : toks[hi - 1].end], hint)
                said = dict(scores)
                if max(said.values()) > 0:
                    denied.add(REACTIVE if said[REACTIVE] >= said[PROACTIVE] else PROACTIVE)
        if (any(lo <= a and b <= hi for a, b in reassured)
                and not any(h.pattern.direction == REACTIVE and not h.negated for h in inside)):
            denied.add(REACTIVE)  # "econòmicament estem bé; …"
            if not any(not h.negated for h in inside):
                back.add(k)
        if k in resolved_at and not any(not h.negated for h in inside):
            unquoted.add(k)  # "ja està superat": it only says the crisis is over (not a reason to quote)
        if _spans(drv.past, toks, lo, hi) and any(r >= k for r in resolved_at):
            back.add(k)  # "fa tres anys gairebé tanquem, però ara anem bé"
            denied.add(REACTIVE)  # … and it is over
        focused = _spans(drv.focus, toks, lo, hi) or (
            toks[lo].text in drv.contrast and _spans(drv.focus_after_contrast, toks, lo, min(hi, lo + 4)))
        if k and focused and text and not _spans(drv.additive, toks, lo, hi):
            # "…, però el motiu real és que…": what it outweighs, said before it, is not the driver
            said = _reading(text[toks[lo].start : toks[segs[-1][1] - 1].end], hint)
            if said in DIRECTIONS:
                back.update(j for j in range(k) if _reading(
                    text[toks[segs[j][0]].start : toks[segs[j][1] - 1].end], hint) != said)
        elif k and text and toks[lo].text in drv.contrast and not _spans(drv.additive, toks, lo, hi):
            # "X, però Y": Y weighs more
            after = _reading(text[toks[lo].start : toks[segs[-1][1] - 1].end], hint)
            if after in DIRECTIONS and _reading(text[: toks[lo - 1].end], hint) == _other(after):
                outweighed.add(_other(after))
        if (len(segs) > 1 and k not in back and text and _spans(drv.beneficiaries, toks, lo, hi)
                and not any(t.text in drv.entity for t in toks[lo:hi])
                and _reading(text[toks[lo].start : toks[hi - 1].end], hint) == REACTIVE):
            back.add(k)  # "les famílies que atenem ho passen malament"
    if len(back) >= len(segs):
        back, denied = set(), set()  # nothing would be left: read it all
    kept = [seg for k, seg in enumerate(segs) if k not in back]
    noncommitted = any(_spans(drv.noncommitment, toks, lo, hi) for lo, hi in kept)
    additive = any(_spans(drv.additive, toks, lo, hi) for lo, hi in kept)
    return _Structure(tuple(segs), frozenset(back), frozenset(denied), frozenset(outweighed), noncommitted,
                      additive, frozenset(unquoted | back))


def _other(direction: str) -> str:
    return PROACTIVE if direction == REACTIVE else REACTIVE


def _segment_readings(text: str, toks: list[_Token], st: _Structure, hint: str | None,
                      kb: _Knowledge) -> set[str]:
    """The readings of the kept segments on their own (reactive, proactive, mixed)."""
    out: set[str] = set()
    for k, (lo, hi) in enumerate(st.segments):
        if k in st.background:
            continue
        out.add(_reading(text[toks[lo].start : toks[hi - 1].end], hint))
    return out


def _reading(text: str, hint: str | None) -> str:
    """The motivation a piece of text reads on its own."""
    _evidence, scores, _both, _ow = _read_text(text, hint)
    return _decide(dict(scores), [], knowledge()).motivation


# --------------------------------------------------------------------------- classification


def _answer_value(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    s = str(value).strip().lower()
    if not s or s in {"skipped", "skip", "none", "null"}:
        return None
    return s


@lru_cache(maxsize=512)
def _analyse(text: str, hint: str | None) -> tuple[list[_Token], tuple[_Hit, ...], _Structure | None]:
    """The text's tokens, cue hits and structure (cached: the reading and the reasons both need them)."""
    kb = knowledge()
    toks, hits = _text_hits(text, kb)
    st = _structure(toks, hits, kb, text, hint) if kb.driver and toks else None
    return toks, tuple(hits), st


@lru_cache(maxsize=512)
def _read_text(
    text: str, hint: str | None
) -> tuple[tuple[Evidence, ...], tuple[tuple[str, float], ...], bool]:
    """The free text's evidence and scores (cues and model), and whether it states both drivers side by
    side; cached: a reading looks at a text and at each of its clauses, and the summary at the same text
    again. Background segments (the driver section of the cue file) do not count: their cues are given
    as negated and the model reads the text without them."""
    kb = knowledge()
    evidence: list[Evidence] = []
    per_cue: dict[tuple[str, str], float] = {}
    if is_hedge(text, kb):
        text = ""  # "no ho sé", "maybe?": nothing to read, and nothing to quote
    toks, found, st = _analyse(text, hint)
    hits = [replace(h) for h in found]  # copies: background cues are marked negated below
    read = text
    if st and st.background:
        background = [st.segments[k] for k in st.background]
        for h in hits:
            if any(lo <= h.start < hi for lo, hi in background):
                h.negated = True
        read = ". ".join(text[toks[lo].start : toks[hi - 1].end]
                         for k, (lo, hi) in enumerate(st.segments) if k not in st.background)
    # for the language hint: which cue/span pairs were matched by a hinted-language pattern
    hinted = {(h.pattern.cue, h.start, h.end) for h in hits if h.pattern.lang == hint}
    seen_spans: set[tuple[str, int, int]] = set()
    for h in hits:
        span_key = (h.pattern.cue, h.start, h.end)
        if span_key in seen_spans:
            continue
        seen_spans.add(span_key)
        weight = h.pattern.weight
        if hint in LANGS and span_key not in hinted:
            weight *= kb.other_language_factor
        value = text[toks[h.start].start : toks[h.end - 1].end]
        evidence.append(
            Evidence("text", h.pattern.cue, value, h.pattern.direction, round(weight, 3), h.negated)
        )
        if not h.negated:
            key = (h.pattern.direction, h.pattern.cue)
            per_cue[key] = max(per_cue.get(key, 0.0), weight)

    # several cues of the same direction add up with diminishing returns, so that one
    # enthusiastic sentence (new + innovative + launch) does not drown a real threat
    scores = {REACTIVE: 0.0, PROACTIVE: 0.0}
    for direction in DIRECTIONS:
        weights = sorted((w for (d, _c), w in per_cue.items() if d == direction), reverse=True)
        scores[direction] = kb.cue_factor * float(sum(w * kb.stack_decay**i for i, w in enumerate(weights)))
    for direction, weight in text_model_scores(read, kb).items():
        scores[direction] += weight
    both = False
    if st and kb.driver:
        # "not for money, …": what they deny weighs less
        scores = {d: v * (kb.driver.denial_factor if d in st.denied else 1.0) for d, v in scores.items()}
    if st and st.noncommitted and kb.driver:
        scores = {d: v * kb.driver.noncommitment_factor for d, v in scores.items()}
    elif st and st.additive and len(st.segments) - len(st.background) > 1:
        readings = _segment_readings(text, toks, st, hint, kb)
        both = MIXED in readings or {REACTIVE, PROACTIVE} <= readings
    return tuple(evidence), tuple(scores.items()), both, (st.outweighed if st else frozenset())


def classify(
    text: str | None = None,
    answers: Mapping[str, Any] | None = None,
    lang: str | None = None,
) -> Classification:
    """Classify the motivation behind ``text`` and/or structured ``answers``.

    ``lang`` is only a hint: cues of every language are matched; cues found
    only in another language's list weigh ``other_language_factor`` less.
    """
    kb = knowledge()
    hint = (lang or "").lower()[:2] or None
    text_evidence, text_scores, both, outweighed = _read_text(text or "", hint)
    evidence = list(text_evidence)
    scores = dict(text_scores)
    for slot, raw in (answers or {}).items():
        value = _answer_value(raw)
        if value is None:
            continue
        spec = kb.answer_weights.get(str(slot), {}).get(value)
        if not spec:
            continue
        direction, weight = spec
        if weight <= 0:
            continue
        scores[direction] += weight
        evidence.append(Evidence("answer", str(slot), value, direction, weight, False))

    scores = {k: round(float(v), 3) for k, v in scores.items()}
    return _decide(scores, evidence, kb, both, outweighed)


def background(text: str | None, lang: str | None = None) -> list[tuple[int, int]]:
    """Where the text does not say why (character offsets): what it denies, a crisis that is over (and the
    words saying it is), what comes before "the real reason is…", hardships of the people served. The
    reasons shown leave it out."""
    kb = knowledge()
    text = text or ""
    if not kb.driver or is_hedge(text, kb):
        return []
    toks, _hits, st = _analyse(text, (lang or "").lower()[:2] or None)
    if not st:
        return []
    return [(toks[lo].start, toks[hi - 1].end) for k, (lo, hi) in enumerate(st.segments) if k in st.unquoted]


def is_hedge(text: str | None, kb: _Knowledge | None = None) -> bool:
    """True when the text is only hedges or don't-knows ("no ho sé", "potser?", "idk"), or empty."""
    kb = kb or knowledge()
    words = tokenized(text or "").split()
    return all(w in kb.hedge_words for w in words)


def text_model_scores(text: str | None, kb: _Knowledge | None = None) -> dict[str, float]:
    """What the statistical model adds to each direction for this text (nothing for an empty one)."""
    kb = kb or knowledge()
    if not kb.model_weight or not (text or "").strip():
        return {}
    from actions.motivation_model import predict  # lazily: the model is read (or trained) on first use

    probs = predict(text)
    if not probs:
        return {}
    both = probs.get(MIXED, 0.0)
    return {REACTIVE: kb.model_weight * (probs.get(REACTIVE, 0.0) + both),
            PROACTIVE: kb.model_weight * (probs.get(PROACTIVE, 0.0) + both)}


def _decide(scores: dict[str, float], evidence: list[Evidence], kb: _Knowledge,
            both: bool = False, outweighed: frozenset[str] = frozenset()) -> Classification:
    """`both`: one part of the text reads reactive and another proactive, joined by "also", "at the same
    time"… — mixed, whatever the balance of the whole. `outweighed`: the side said before a "but" that
    turns the other way, which weighs less when telling which side of a mix weighs more."""
    r, p = scores[REACTIVE], scores[PROACTIVE]
    hi, lo = max(r, p), min(r, p)
    # saturation: how much evidence there is (0 with none, -> 1 with a lot)
    amount = 1.0 - math.exp(-hi / kb.evidence_scale)
    if hi < kb.min_signal:
        # the less signal, the surer we are that it is unclear
        confidence = 0.9 - 0.4 * (hi / kb.min_signal) if kb.min_signal else 0.5
        return Classification(UNCLEAR, round(confidence, 3), scores, None, evidence)
    factor = kb.driver.contrast_factor if kb.driver else 1.0
    rw, pw = r * (factor if REACTIVE in outweighed else 1.0), p * (factor if PROACTIVE in outweighed else 1.0)
    bigger = REACTIVE if rw > pw else PROACTIVE if pw > rw else None
    ratio = lo / hi
    if (both and lo > 0) or (lo >= kb.mixed_min and ratio >= kb.mixed_ratio):
        # both substantial: confident it is mixed when both are balanced and well supported
        balance = max(0.0, (ratio - kb.mixed_ratio) / (1.0 - kb.mixed_ratio)) if kb.mixed_ratio < 1 else 1.0
        confidence = 0.5 + 0.2 * balance + 0.25 * (1.0 - math.exp(-lo / kb.evidence_scale))
        return Classification(MIXED, round(min(confidence, 0.99), 3), scores, bigger, evidence)
    margin = (hi - lo) / (hi + lo)
    confidence = 0.35 + 0.6 * margin * amount + 0.05 * margin
    if confidence < kb.min_confidence:
        # two weak signals pulling opposite ways: no reading rather than a coin toss
        return Classification(UNCLEAR, round(1.0 - confidence, 3), scores, None, evidence)
    return Classification(bigger or MIXED, round(min(max(confidence, 0.0), 0.99), 3), scores, None, evidence)
