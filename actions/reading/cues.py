"""``knowledge/motivation_cues.yml`` (config paths.knowledge) loaded once per folder into a `Knowledge`: the cue
patterns per direction, negation and reassurance words, the driver markers, hedges, answer weights and the
decision thresholds. All the reading's vocabulary lives in that file (its header says how to edit it)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from actions.reading.labels import DIRECTIONS
from actions.reading.patterns import Elem, Pattern, Phrases, compile_pattern
from actions.reading.text import tokenized
from bot.shared import yamlio

CUES_FILE = "motivation_cues.yml"  # in config.yml's paths.knowledge

FirstIndex = tuple[dict[str, list[int]], dict[str, list[int]], int]


@dataclass(frozen=True)
class Driver:
    """The cue file's `driver` section: the markers that say which part of a text states why."""

    splitters: Phrases
    denial: Phrases
    past: Phrases
    resolved: Phrases
    focus: Phrases
    focus_after_contrast: Phrases
    contrast: frozenset[str]
    additive: Phrases
    beneficiaries: Phrases
    entity: frozenset[str]
    noncommitment: Phrases
    noncommitment_factor: float
    denial_factor: float
    contrast_factor: float
    question_factor: float = 1.0
    additive_openers: frozenset[str] = frozenset()  # "separately", "plus": additive only opening a clause
    plain_wish: Phrases = field(default_factory=Phrases)  # "volem col·laborar amb altres entitats": no driver
    plain_wish_max_tokens: int = 0
    logistics: Phrases = field(default_factory=Phrases)  # "hi ha aparcament?": practicalities, no driver
    committed_ratio: float = 0.0  # a hedge does not undo one side stated clearly (the other at most this much)
    because: Phrases = field(default_factory=Phrases)  # "perquè / because": the reason given for a wish
    entity_phrases: Phrases = field(default_factory=Phrases)  # "we're", "we have": the entity, as a whole phrase
    alternatives: Phrases = field(default_factory=Phrases)  # "potser…, potser…": options listed, none chosen


def index_by_first_word(patterns: tuple[Pattern, ...]) -> FirstIndex:
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
class Knowledge:
    patterns: tuple[Pattern, ...]
    negators: frozenset[str]
    negation_window: int
    ignore_phrases: tuple[tuple[str, ...], ...]
    negation_blockers: frozenset[str]
    negation_determiners: frozenset[str]
    clause_breakers: frozenset[str]
    reassurances: tuple[tuple[Elem, ...], ...]
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
    clause_model_factor: float = 0.0
    model_mixed_share: float = 1.0
    clause_model_min_tokens: int = 3
    clause_model_long: int = 30
    hedge_words: frozenset[str] = frozenset()
    driver: Driver | None = None
    first_index: FirstIndex = field(default=({}, {}, 0), compare=False)  # filled by _load


def _words(values: Any) -> list[str]:
    out: list[str] = []
    for v in values or []:
        out.extend(tokenized(str(v)).split())
    return out


def _load(path: Path) -> Knowledge:
    with path.open(encoding="utf-8") as fh:
        data = yamlio.safe_load(fh)
    gap = int(data.get("gap", 3))
    patterns: list[Pattern] = []
    for direction in DIRECTIONS:
        for cue_id, cue in (data.get(direction) or {}).items():
            weight = float(cue["weight"])
            negatable = bool(cue.get("negatable", True))
            reassurable = bool(cue.get("reassurable", False))
            context_dependent = bool(cue.get("context_dependent", False))
            blockers = tuple(compile_pattern(b, gap)[0] for b in cue.get("blockers_after", []) or [])
            for lang, plist in (cue.get("patterns") or {}).items():
                for raw in plist or []:
                    p_negatable = negatable
                    if isinstance(raw, Mapping):
                        p_negatable = bool(raw.get("negatable", negatable))
                        raw = raw["p"]
                    elems = compile_pattern(raw, gap)
                    if elems:
                        patterns.append(
                            Pattern(
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
    reassure: list[tuple[Elem, ...]] = []
    for words in (neg.get("reassurances") or {}).values():
        for w in words or []:
            elems = compile_pattern(w, gap)
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

    def phrases(key: str) -> Phrases:
        out = [compile_pattern(w, gap) for words in (drv.get(key) or {}).values() for w in words or []]
        return Phrases.of([e for e in out if e])

    driver = Driver(
        splitters=phrases("splitters"), denial=phrases("denial"), past=phrases("past"),
        resolved=phrases("resolved"), focus=phrases("focus"),
        focus_after_contrast=phrases("focus_after_contrast"),
        contrast=frozenset(w for words in (drv.get("contrast") or {}).values() for w in _words(words)),
        additive=phrases("additive"),
        beneficiaries=phrases("beneficiaries"),
        entity=frozenset(w for words in (drv.get("entity") or {}).values() for w in words or []
                         if len(_words([w])) == 1 for w in _words([w])),
        entity_phrases=Phrases.of([e for words in (drv.get("entity") or {}).values() for w in words or []
                                   if len(_words([w])) > 1 and (e := compile_pattern(w, gap))]),
        noncommitment=phrases("noncommitment"),
        noncommitment_factor=float(drv.get("noncommitment_factor", 1.0)),
        denial_factor=float(drv.get("denial_factor", 1.0)),
        contrast_factor=float(drv.get("contrast_factor", 1.0)),
        question_factor=float(drv.get("question_factor", 1.0)),
        additive_openers=frozenset(w for words in (drv.get("additive_openers") or {}).values()
                                   for w in _words(words)),
        plain_wish=phrases("plain_wish"),
        plain_wish_max_tokens=int(drv.get("plain_wish_max_tokens", 0)),
        logistics=phrases("logistics"),
        committed_ratio=float(drv.get("committed_ratio", 0.0)),
        because=phrases("because"),
        alternatives=phrases("alternatives"),
    ) if drv else None
    hedge_words: set[str] = set()
    for words in (data.get("hedges") or {}).values():
        hedge_words.update(_words(words))
    return Knowledge(
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
        clause_model_factor=float(dec.get("clause_model_factor", 0.0)),
        model_mixed_share=float(dec.get("model_mixed_share", 1.0)),
        clause_model_min_tokens=int(dec.get("clause_model_min_tokens", 3)),
        clause_model_long=int(dec.get("clause_model_long", 30)),
        hedge_words=frozenset(hedge_words),
        driver=driver,
        first_index=index_by_first_word(tuple(patterns)),
    )


def knowledge() -> Knowledge:
    """The cue file of paths.knowledge (config.yml), loaded once per folder."""
    from actions.services import knowledge_dir

    return _cues(knowledge_dir())


@lru_cache(maxsize=4)
def _cues(folder: Path) -> Knowledge:
    return _load(folder / CUES_FILE)


def is_hedge(text: str | None, kb: Knowledge | None = None) -> bool:
    """True when the text is only hedges or don't-knows ("no ho sé", "potser?", "idk"), or empty."""
    kb = kb or knowledge()
    words = tokenized(text or "").split()
    return all(w in kb.hedge_words for w in words)
