"""The readiness verdict and a lead's urgency: the one rule of knowledge/verdict.yml, for the summary the entity
reads, the card and dossier the facilitator reads, and the order of the lead lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from actions.base import knowledge, squeeze, tr
from actions.classifier import tokenized
from actions.journey import FACTOR_IDS, answered, join_words, score_of

DONT_KNOW = "dont_know"
URGENT, NORMAL = "urgent", "normal"
GAP = 4  # "..": up to this many words between two parts of a pattern


# --------------------------------------------------------------------------- urgency
@dataclass(frozen=True)
class Urgency:
    level: str = NORMAL          # urgent / normal
    quote: str = ""              # the sentence that says it, as the person wrote it

    @property
    def urgent(self) -> bool:
        return self.level == URGENT


def _parse(pattern: str) -> tuple[tuple[str, ...], ...]:
    out: list[tuple[str, ...]] = []
    for raw in pattern.split():
        if raw.startswith(".."):  # "..": a gap of up to GAP words; "..2": up to 2
            out.append(("..", raw[2:] or str(GAP)))
            continue
        alts = tuple(a for a in (_word(x) for x in raw.split("|")) if a)
        if alts:
            out.append(alts)
    return tuple(out)


def _word(raw: str) -> str:
    star = raw.endswith("*")
    word = tokenized(raw.rstrip("*")).replace(" ", "")
    return word + ("*" if star and word else "")


def _fits(alts: tuple[str, ...], token: str) -> bool:
    return any(token.startswith(a[:-1]) if a.endswith("*") else token == a for a in alts)


def _match(pattern: tuple[tuple[str, ...], ...], tokens: list[str]) -> bool:
    def at(pi: int, ti: int) -> bool:
        if pi == len(pattern):
            return True
        if pattern[pi][0] == "..":
            return any(at(pi + 1, ti + skip) for skip in range(int(pattern[pi][1]) + 1))
        return ti < len(tokens) and _fits(pattern[pi], tokens[ti]) and at(pi + 1, ti + 1)

    return any(at(0, start) for start in range(len(tokens)))


@lru_cache(maxsize=1)
def _patterns() -> dict[str, tuple[tuple[tuple[str, ...], ...], ...]]:
    rule = knowledge("verdict")["urgency"]
    return {group: tuple(_parse(p) for lang in rule[group] for p in rule[group][lang])
            for group in ("stakes", "when", "urgent_words", "calm")}


def _says(group: str, tokens: list[str]) -> bool:
    return any(_match(p, tokens) for p in _patterns()[group])


def sentences(text: str) -> list[str]:
    """The text cut into sentences (not at commas: "abans de l'assemblea, d'aquí a dues setmanes" is one)."""
    return [s.strip(" ,-–—\"'«»“”") for s in re.split(r"[.;!?\n]+", text or "") if s.strip(" ,-–—\"'«»“”")]


def urgency_of(text: Any) -> Urgency:
    """Time pressure the person stated: a sentence with something at stake and a near date (or a plain
    'urgent'), not reassured ('no rush'). Money trouble or asking for a person are not urgency."""
    if not isinstance(text, str) or not answered(text):
        return Urgency()
    for sentence in sentences(text):
        tokens = tokenized(sentence).split()
        if _says("calm", tokens):
            continue
        if _says("urgent_words", tokens) or (_says("stakes", tokens) and _says("when", tokens)):
            return Urgency(URGENT, squeeze(sentence))
    return Urgency()


def urgency_of_answers(answers: dict[str, Any]) -> Urgency:
    return urgency_of(answers.get("why_partner"))


def in_crisis(answers: dict[str, Any], urgency: Urgency | None = None) -> bool:
    """An urgent entity, or one with serious finances and services at risk (knowledge/verdict.yml crisis)."""
    if (urgency or urgency_of_answers(answers)).urgent:
        return True
    wanted = knowledge("verdict")["crisis"]["answers"]
    return all(str(answers.get(slot) or "") in {str(v) for v in values} for slot, values in wanted.items())


def urgency_reason(urgency: Urgency, lang: str) -> str:
    """'said: «...»' in the reader's language (empty when not urgent)."""
    if not urgency.urgent:
        return ""
    quote = tr(knowledge("journey")["said"]["text"], lang).replace("{quote}", urgency.quote)
    return tr(knowledge("verdict")["urgency"]["reason"], lang).replace("{quote}", quote)


def urgency_label(level: str | None, lang: str) -> str:
    labels = knowledge("verdict")["urgency"]["labels"]
    return tr(labels.get(level or NORMAL) or labels[NORMAL], lang)


# --------------------------------------------------------------------------- readiness verdict
@dataclass
class Verdict:
    code: str                                  # crisis, unknown, early, held, ready, on_track
    score: float | None                        # mean of the factors answered with a number (1-4)
    level: str | None                          # low / medium / high: the band of the score
    confidence: str                            # sure / fairly_sure / unsure
    gaps: list[str] = field(default_factory=list)      # factor ids answered "don't know" (or skipped)
    holding: list[str] = field(default_factory=list)   # flags that hold a high score back
    weak: list[str] = field(default_factory=list)      # factor ids at verdict.yml weak_factor or below
    crisis: bool = False
    urgency: Urgency = field(default_factory=Urgency)

    def record(self) -> dict[str, Any]:
        """What the lead's dossier keeps (codes; the card and dossier say them in words)."""
        return {"code": self.code, "score": self.score, "level": self.level, "confidence": self.confidence,
                "gaps": self.gaps, "holding": self.holding, "weak": self.weak, "crisis": self.crisis}


def judge(answers: dict[str, Any], flags: list[str] | None = None, *, urgency: Urgency | None = None) -> Verdict:
    """The verdict of knowledge/verdict.yml from the answers (factor_<id> slots, interview answers), the
    relationship flags and the stated urgency."""
    rule = knowledge("verdict")["readiness"]
    bands = knowledge("journey")["readiness"]
    urgency = urgency or urgency_of_answers(answers)
    scores = {fid: score_of(answers.get(f"factor_{fid}", answers.get(fid))) for fid in FACTOR_IDS}
    given = {fid: s for fid, s in scores.items() if s is not None}
    gaps = [fid for fid in FACTOR_IDS if scores[fid] is None]
    score = round(sum(given.values()) / len(given), 2) if given else None
    level = None if score is None else (
        "high" if score >= bands["high_from"] else "medium" if score >= bands["medium_from"] else "low")
    confidence = "sure" if not gaps else "fairly_sure" if len(gaps) <= rule["fairly_sure_gaps"] else "unsure"
    holding = [f for f in (flags or []) if f in rule["holds_back"]]
    weak = [fid for fid, s in given.items() if s <= rule["weak_factor"]]
    crisis = in_crisis(answers, urgency)
    if crisis:
        code = "crisis"
    elif score is None:
        code = "unknown"
    elif level == "low":
        code = "early"
    elif level == "high":
        code = "held" if holding or weak else "ready"
    else:
        code = "on_track"
    return Verdict(code, score, level, confidence, gaps, holding, weak, crisis, urgency)


def verdict_text(code: str, lang: str) -> str:
    return tr(knowledge("verdict")["readiness"]["verdicts"][code], lang)


def flag_short(flag: str, lang: str) -> str:
    spec = (knowledge("relationship_indicators").get("flags") or {}).get(flag) or {}
    return tr(spec.get("short"), lang)


def _factor_title(fid: str, lang: str) -> str:
    spec = next((f for f in knowledge("success_factors")["factors"] if f["id"] == fid), None)
    return tr(spec["title"], lang) if spec else ""


def score_text(value: float | None, lang: str) -> str:
    from bot.text.formats import decimal

    return "-" if value is None else decimal(value, lang, "0.#")


def reason_line(verdict: Verdict, lang: str, *, quote: bool = True, named_risks: bool = True,
                gaps: bool = True) -> str:
    """Why, in one line: the crisis, the score, what holds it back, and how many answers are to find out.
    `quote`: the urgent sentence quoted (the dossier) or not (the summary, where the reasons quote it);
    `named_risks`: the risks named here (the dossier) or pointed to (the summary's own line);
    `gaps`: how many answers are to find out (not when the summary lists them on their own line)."""
    pieces = knowledge("verdict")["readiness"]["reasons"]
    parts = []
    if verdict.crisis:
        if not quote:
            parts.append(tr(pieces["crisis_plain"], lang))
        else:
            why = (tr(knowledge("journey")["said"]["text"], lang).replace("{quote}", verdict.urgency.quote)
                   if verdict.urgency.urgent else tr(pieces["serious_finances"], lang))
            parts.append(tr(pieces["crisis"], lang).replace("{why}", why))
    if verdict.score is not None:
        parts.append(tr(pieces["score"], lang).replace("{score}", score_text(verdict.score, lang)))
    if verdict.holding and verdict.code == "held":
        if named_risks:
            risks = join_words([flag_short(f, lang) for f in verdict.holding if flag_short(f, lang)], lang)
            parts.append(tr(pieces["risks"], lang).replace("{risks}", risks))
        else:  # the summary names them on their own line, once
            parts.append(tr(pieces["risks_below"], lang))
    if verdict.weak and verdict.level == "high":
        factors = join_words([_factor_title(f, lang).lower() for f in verdict.weak], lang)
        parts.append(tr(pieces["weak"], lang).replace("{factors}", factors))
    if gaps and verdict.gaps and verdict.score is not None:
        n = len(verdict.gaps)
        count = tr(pieces["one_gap"], lang) if n == 1 else tr(pieces["many_gaps"], lang).replace("{n}", str(n))
        parts.append(tr(pieces["gaps"], lang).replace("{count}", count))
    line = "; ".join(p for p in parts if p)
    return line[:1].upper() + line[1:] if line else ""


def confidence_text(confidence: str, lang: str) -> str:
    return tr(knowledge("verdict")["readiness"]["confidence"][confidence], lang)
