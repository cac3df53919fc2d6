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

This module puts the parts together (`actions/reading/`: the tokens, the cue file's patterns and knowledge,
the cue hits, the driver) with the statistical model (`actions/motivation_model.py`), weighs answers, and
decides. It is pure: the only I/O is reading ``knowledge/motivation_cues.yml`` once, lazily (all the
vocabulary, weights and thresholds live in that file), and the model's weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from typing import Any

from actions.motivation_model import predict
from actions.reading.cues import CUES_FILE, Knowledge, is_hedge, knowledge
from actions.reading.driver import (
    Reader,
    Structure,
    asks_only,
    logistics_question,
    plain_wish,
    says_no_why,
    structure,
)
from actions.reading.hits import Hit, text_hits
from actions.reading.labels import DIRECTIONS, LANGS, MIXED, PROACTIVE, REACTIVE, UNCLEAR
from actions.reading.text import Token, tokenized

__all__ = [
    "CUES_FILE", "DIRECTIONS", "LANGS", "MIXED", "PROACTIVE", "REACTIVE", "UNCLEAR", "Classification", "Evidence",
    "background", "classify", "is_hedge", "knowledge", "text_model_scores", "tokenized",
]


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


def _segment_readings(text: str, toks: list[Token], st: Structure, hint: str | None,
                      kb: Knowledge) -> set[str]:
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
def _analyse(text: str, hint: str | None) -> tuple[list[Token], tuple[Hit, ...], Structure | None]:
    """The text's tokens, cue hits and structure (cached: the reading and the reasons both need them)."""
    kb = knowledge()
    toks, hits = text_hits(text, kb)
    read = Reader(lambda piece: dict(_read_text(piece, hint)[1]), lambda piece: _reading(piece, hint))
    st = structure(toks, hits, kb, text, read) if kb.driver and toks else None
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
    two_sided = {d for d, _c in per_cue} >= set(DIRECTIONS) or bool(st and st.additive)
    model = text_model_scores(read, kb, two_sided)
    if (st and kb.clause_model_factor and len(toks) >= kb.clause_model_long
            and len(st.segments) - len(st.background) > 1):
        # a long message is read by its deciding clause, not diluted (nor coloured) by the context around it;
        # a second driver elsewhere in it still counts through its cues and "also / at the same time"
        deciding = _deciding_clause(text, toks, st, kb, two_sided, hits)
        if deciding:
            model = {direction: kb.clause_model_factor * weight for direction, weight in deciding.items()}
    for direction, weight in model.items():
        scores[direction] += weight
    both = False
    if st and kb.driver:
        # "not for money, …": what they deny weighs less
        scores = {d: v * (kb.driver.denial_factor if d in st.denied else 1.0) for d, v in scores.items()}
    if st and st.noncommitted and kb.driver:
        scores = {d: v * kb.driver.noncommitment_factor for d, v in scores.items()}
    elif kb.driver and ((asks_only(text) and not any(not h.negated for h in hits))
                        or logistics_question(text, toks, hits, kb.driver)):
        # "is there parking on Thursday?", "l'aula té projector? voldria portar una presentació": a question
        # that states no driver is not a reading
        scores = {d: v * kb.driver.question_factor for d, v in scores.items()}
    elif kb.driver and plain_wish(toks, hits, kb.driver):
        # "we want to collaborate with other organisations": the wish to partner, and nothing that says why
        scores = {d: v * kb.driver.noncommitment_factor for d, v in scores.items()}
    elif st and st.additive and len(st.segments) - len(st.background) > 1:
        readings = _segment_readings(text, toks, st, hint, kb)
        # both drivers committed: one part reads a threat and another a project (a part the model reads as
        # "mixed" counts only beside a part that reads one way: project words alone are not a mix)
        both = {REACTIVE, PROACTIVE} <= readings or (MIXED in readings and bool(readings & set(DIRECTIONS)))
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


def _deciding_clause(text: str, toks: list[Token], st: Structure, kb: Knowledge,
                     two_sided: bool = True, hits: tuple[Hit, ...] | list[Hit] = ()) -> dict[str, float]:
    """The model's scores for the one clause that reads most strongly one way (not background, not too short);
    a clause of context that leans a little does not count, only the strongest."""
    best: dict[str, float] = {}
    for k, (lo, hi) in enumerate(st.segments):
        if k in st.background or hi - lo < kb.clause_model_min_tokens:
            continue
        if kb.driver and says_no_why(toks, hits, lo, hi, kb):
            continue  # "that's why we're looking to team up with someone", "the grants are fine", "alone we can't"
        said = text_model_scores(text[toks[lo].start : toks[hi - 1].end], kb, two_sided)
        if said and max(said.values()) > max(best.values(), default=0.0):
            best = said
    return best


def text_model_scores(text: str | None, kb: Knowledge | None = None, two_sided: bool = True) -> dict[str, float]:
    """What the statistical model adds to each direction for this text (nothing for an empty one)."""
    kb = kb or knowledge()
    if not kb.model_weight or not (text or "").strip():
        return {}
    probs = predict(text)
    if not probs:
        return {}
    r, p, both = probs.get(REACTIVE, 0.0), probs.get(PROACTIVE, 0.0), probs.get(MIXED, 0.0)
    # the model's "mixed" counts for both sides only in part (`model_mixed_share`); the rest goes to the side it
    # leans to: project words alone do not make a mix, the driver rules (a threat AND a project) do
    shared = (1.0 if two_sided else kb.model_mixed_share) * both
    rest = both - shared
    lean_r = r / (r + p) if r + p > 0 else 0.5
    return {REACTIVE: kb.model_weight * (r + shared + rest * lean_r),
            PROACTIVE: kb.model_weight * (p + shared + rest * (1.0 - lean_r))}


def _decide(scores: dict[str, float], evidence: list[Evidence], kb: Knowledge,
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
