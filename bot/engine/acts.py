"""What a message typed at a form question is, before anything is stored: an answer, or something else.

Rasa calls the rest "conversation repair" (a question back, a person asked for, a correction, a wish to stop,
small talk, frustration, another language) and CALM sends every message to an LLM to tell them apart. Here it
is local and takes a fraction of a millisecond: cue phrases (dialogues/acts.yml) say an act on their own; an
answer read outright (a number, an option's name, "don't know") is an answer; else a classifier trained on
the acts' examples and every answer example of dialogues/nlu.yml decides, and only when it is sure. What
none of them claims is an answer, which the answer reader may still refuse. Nothing leaves the process.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.content.domain import Domain, FormSlot, Response
from bot.engine.answers import OTHER, AnswerReader, Reading, Refused
from bot.engine.learn import MAX_CHARS, Guess, TextClassifier
from bot.engine.negation import NEGATIONS
from bot.engine.textnorm import normalize

ANSWER = "answer"
QUESTION = "question"
HUMAN = "human"
CORRECTION = "correction"
STOP = "stop"
SMALLTALK = "smalltalk"
ABUSE = "abuse"
LANGUAGE = "language"
OUTSIDE_FORM = "outside"  # the slot type of what is typed with no question pending (bot/engine/repair.py)
ACTS = (ANSWER, QUESTION, HUMAN, CORRECTION, STOP, SMALLTALK, ABUSE, LANGUAGE)
# when two acts' cues are in one message, the first of this order wins ("no m'entens, vull parlar amb algú":
# a person; "podem parlar en castellà? no entenc": the language)
CUE_ORDER = (LANGUAGE, HUMAN, CORRECTION, ABUSE, STOP, QUESTION, SMALLTALK)
# outright readings of an answer: these never give way to the act classifier
OUTRIGHT = ("number", "name", "dont_know", "emoji")
ACT_FLOOR = 0.55       # the act classifier's probability for a non-answer act to win over an answer
ACT_MARGIN = 0.15
OTHER_FLOOR = 0.2       # below this, no other act is likely enough to be taken for the message
UNLIKELY_ANSWER = 0.4   # an answer the reader reads only by guessing, and the classifier finds this unlikely
FREE_TEXT_MAX_WORDS = 12  # on a name or description question, cues count in short messages only
FREE_TEXT_CUE_START = 1  # ... and start among its first words, unless four words long or more
FREE_TEXT_SHORT = 4  # ... or the message is this short
_LAUGH = re.compile(r"\b(?:ja|je|ha|he|ji|xa){2,}h?\b")
_QUESTION_WORDS = frozenset("que quin quina quins quines qui com quan quant quanta on per what who why how when "
                            "where which is are do does can could qual cual quien como cuando cuanto donde por "
                            "para".split())


@dataclass(frozen=True)
class Act:
    kind: str
    confidence: float
    how: str = ""          # cue, answer, classifier, question_mark, default
    topic: str | None = None  # question: cost, privacy, erase, why, programme, meaning; stop: skip, summary;
    # language: the language asked for; correction: the answer it is about


def _phrases(per_lang: Any) -> list[str]:
    if not isinstance(per_lang, dict):
        return []
    return [normalize(str(p)) for texts in per_lang.values() for p in texts or [] if normalize(str(p))]


def _contains(norm: str, phrase: str) -> bool:
    return f" {phrase} " in f" {norm} "


class ActReader:
    """One per domain, beside the AnswerReader whose readings it trusts."""

    def __init__(self, domain: Domain, reader: AnswerReader) -> None:
        self.domain = domain
        self.reader = reader
        self._cue_at = (0, 0)  # where the latest cue found was (token positions), for the one turn reading it
        acts = domain.acts
        self._cues = {act: _phrases((acts.get(act) or {}).get("cues")) for act in CUE_ORDER}
        self._stems = {act: _phrases((acts.get(act) or {}).get("stems")) for act in CUE_ORDER}
        # every cue by its first word, so a message is scanned once (a turn stays well under a millisecond)
        self._cue_index: dict[str, list[tuple[tuple[str, ...], int, int, str]]] = {}
        for rank, act in enumerate(CUE_ORDER):
            for phrase in self._cues[act]:
                words = tuple(phrase.split())
                self._cue_index.setdefault(words[0], []).append((words, len(phrase), rank, act))
        self._stem_list = [(stem, rank, act) for rank, act in enumerate(CUE_ORDER) for stem in self._stems[act]]
        self._topics = {name: _phrases(words) for name, words in
                        ((acts.get(QUESTION) or {}).get("topics") or {}).items()}
        self._kinds = {act: {name: _phrases(words) for name, words in ((acts.get(act) or {}).get("kinds") or {}).items()}
                       for act in (STOP, SMALLTALK)}
        self._targets = {slot: _phrases(words) for slot, words in
                         ((acts.get(CORRECTION) or {}).get("targets") or {}).items()}
        correcting = _phrases((acts.get(CORRECTION) or {}).get("words"))
        self._correcting = frozenset(p for p in correcting if " " not in p)
        self._correcting_phrases = [p for p in correcting if " " in p]  # "volia dir", "no era", "isn t right"
        self._openers = _phrases((acts.get(CORRECTION) or {}).get("openers"))
        names = (acts.get(LANGUAGE) or {}).get("names") or {}
        self._language_names: dict[str, list[str]] = {str(lang): [normalize(str(w)) for w in words or []]
                                for per in names.values() for lang, words in (per or {}).items()}
        examples: dict[str, list[str]] = {}
        for act in ACTS:
            spec = acts.get(act) or {}
            examples[act] = [t for texts in (spec.get("examples") or {}).values() for t in texts or []]
        # what the other parts of dialogues/ already teach: a person asked for, questions about the
        # programme and privacy, greetings and thanks; and every answer of every kind
        intents = domain.intents
        borrowed = {HUMAN: ("human",), QUESTION: ("privacy", "about_programme"), SMALLTALK: ("greet", "thanks"),
                    LANGUAGE: ("language",)}
        for act, names_ in borrowed.items():
            examples[act] += [t for name in names_ for texts in (intents.get(name) or {}).values() for t in texts]
        examples[ANSWER] += [t for kind, classes in domain.answers.items() if kind != OTHER and isinstance(classes, dict)
                             for per_lang in classes.values() if isinstance(per_lang, dict)
                             for texts in per_lang.values() for t in texts or []]
        examples[ANSWER] += [t for kind, per_lang in domain.answers.items() if kind == "dont_know"
                             for texts in (per_lang or {}).values() for t in texts or []]
        self._classifier = TextClassifier({act: texts for act, texts in examples.items() if texts})

    def warm(self) -> None:
        self._classifier.warm()

    # ------------------------------------------------------------------ public
    def read(self, slot: FormSlot, question: Response | None, text: str) -> Act:
        """The act `text` is, typed at `slot`'s question."""
        norm = normalize(text)
        if not norm:
            return Act(ANSWER, 1.0, "default")  # an emoji: the answer reader decides
        free_text = slot.type not in ("choice", "scale")
        words = norm.split()
        reading = self._reading(slot, question, text)  # read once: the checks below share it
        outright = self._outright(slot, question, text, reading)
        if outright and len(words) <= 2:
            return Act(ANSWER, 1.0, "answer")  # "no", "3", "gens": whatever a cue says
        if text.rstrip().endswith("?") and not free_text and len(self.reader.options_named(slot, question, text)) >= 2:
            # "quina diferència hi ha entre eficiència i estalviar?": a question about the options, not one of them
            return self._detailed(QUESTION, norm, 0.9, "options")
        norm = _LAUGH.sub("jaja", norm)
        cued = self._cued(norm, slot, asks=text.rstrip().endswith("?"))
        if cued is not None and not (free_text and len(words) > FREE_TEXT_MAX_WORDS):
            if cued == SMALLTALK and self._corrects_another(norm, slot):
                cued = CORRECTION  # "hang on, we don't have a new idea": the aside opens a correction
            act = self._detailed(cued, norm, 1.0, "cue")
            start, end = self._cue_at
            if cued == SMALLTALK and act.topic != "bot" and start == 0 and len(words) - end >= 3 \
                    and text.rstrip().endswith("?"):
                return self.read(slot, question, " ".join(words[end:]) + "?")  # "hang on, is this free?"
            if cued == SMALLTALK and free_text:
                # "gràcies!" at a name is small talk; "Thank You Foundation", "Hola, som el Casal Sant Roc" are
                # names (two capitals or more)
                aside = sum(w[:1].isupper() for w in text.split()) < 2
            else:
                aside = True
            # "no, al resum" to "shall we look at the other organisation?": an answer that says where next;
            # "sí, moltes gràcies" to a yes/no question: an answer with thanks
            if outright and cued == SMALLTALK:
                # "sí, moltes gràcies" is a yes with thanks; "thanks a lot, really useful" names "a lot" only
                # inside the thanks: the message without the cue says whether an answer is left
                rest = " ".join(norm.split()[:self._cue_at[0]] + norm.split()[self._cue_at[1]:])
                outright = bool(rest) and self._outright(slot, question, rest, self._reading(slot, question, rest))
            if aside and not (outright and ((cued == QUESTION and not text.rstrip().endswith("?"))
                                            or (cued == STOP and act.topic == "summary") or cued == SMALLTALK)):
                return act
        if self._corrects_another(norm, slot) and not (free_text and len(words) > FREE_TEXT_MAX_WORDS) \
                and not (outright and self.reader.kind_of(slot) == "motivation"):
            # "al compromís volia dir un 4" at the sharing question: the 4 is the commitment's (what drives
            # them, told in their own words, names other answers and may deny them: it is read as an answer)
            return self._detailed(CORRECTION, norm, 0.9, "target")
        if outright:
            return Act(ANSWER, 1.0, "answer")
        ranked = self._ranked(text)
        guess = _guess(ranked)
        asks = text.rstrip().endswith("?") and len(words) >= 2
        if not free_text:
            # a name or a description can be any words at all ("Salut Mental Catalunya"): there, only a cue
            # or a question mark says that it is not an answer, never the classifier
            if guess.label not in (None, ANSWER) and guess.confidence >= ACT_FLOOR and guess.margin >= ACT_MARGIN:
                return self._detailed(str(guess.label), norm, guess.confidence, "classifier")
            answer, other, other_p = _answer_and_other(ranked)
            readable = reading is not None
            # what the answer reader cannot read is no answer anyway: the likeliest other act answers it;
            # what it could read only by guessing, when an answer is unlikely, is not taken either
            if other_p >= OTHER_FLOOR and (not readable or (answer < UNLIKELY_ANSWER and other_p > answer)):
                if not (asks and other != QUESTION and other_p < ACT_FLOOR):
                    return self._detailed(other, norm, other_p, "classifier")
        if asks and (words[0] in _QUESTION_WORDS or free_text
                     or (len(words) >= 3 and not (guess.label == ANSWER and guess.confidence >= 0.5))):
            return self._detailed(QUESTION, norm, 0.6, "question_mark")
        return Act(ANSWER, guess.confidence if guess.label == ANSWER else 0.5, "default")

    def _ranked(self, text: str) -> list[tuple[float, str]]:
        """The act classifier's probabilities, best first (empty without a model)."""
        norm = normalize(text[:MAX_CHARS])
        if not norm or not self._classifier.loaded:
            self._classifier.warm()
        if not norm or not self._classifier.loaded:
            return []
        return sorted(zip(self._classifier.probabilities(norm), self._classifier.labels, strict=True), reverse=True)

    def _reading(self, slot: FormSlot, question: Response | None, text: str) -> Reading | None:
        if slot.type not in ("choice", "scale"):
            return None
        try:
            return self.reader.read(slot, question, text)
        except Refused:
            return None

    # ----------------------------------------------------------------- parts
    def _outright(self, slot: FormSlot, question: Response | None, text: str, reading: Reading | None) -> bool:
        if reading is None:
            return False
        if reading.how in OUTRIGHT:
            return True
        # "es greu", "home, una mica": the classifier's reading, of an option the message also names (in the
        # clause it was read from: "moltes gràcies, molt útil" names a 4 only in its comment)
        named = self.reader.named_in(slot, question, text)
        return reading.value == named and (reading.clause is None
                                           or named == self.reader.named_in(slot, question, reading.clause))

    def _cued(self, norm: str, slot: FormSlot, *, asks: bool = False) -> str | None:
        """The act whose longest cue the message holds (ties: CUE_ORDER): "are you a real person?" is small
        talk, not a person asked for. A message about another question, with a negation or a word that
        corrects ("espera, no tenim cap idea nova" typed at the name), is a correction of that answer."""
        best: tuple[int, int, str] | None = None
        tokens = norm.split()
        # in a name or a description ("acompanyem famílies en un moment difícil") a cue counts only where a
        # request starts: among the first words; a name or a description is never a question ("podríem fer
        # una videotrucada amb algú?"), so there a message that asks is read whole
        latest = len(tokens) if slot.type in ("choice", "scale", OUTSIDE_FORM) or asks \
            or len(tokens) <= FREE_TEXT_SHORT else FREE_TEXT_CUE_START  # "hang on, brb": short, read whole
        for i, token in enumerate(tokens):
            for stem, rank, act in self._stem_list:  # "equivoc" for m'he equivocat, equivocada, me equivoqué...
                if i <= latest and token.startswith(stem) and (best is None or (len(stem), -rank) > best[:2]):
                    best = (len(stem), -rank, act)
                    self._cue_at = (i, i + 1)
            for phrase, length, rank, act in self._cue_index.get(token, ()):
                # a language named ("perdona que escrigui en castellà") is a cue anywhere
                anywhere = len(phrase) >= 4 or act == LANGUAGE
                if (i <= latest or anywhere) and tuple(tokens[i:i + len(phrase)]) == phrase \
                        and (best is None or (length, -rank) > best[:2]):
                    best = (length, -rank, act)
                    self._cue_at = (i, i + len(phrase))
        return best[2] if best is not None else None

    def _corrects_another(self, norm: str, slot: FormSlot) -> bool:
        """A message about another question's answer that corrects it: with a word that corrects ("the
        finances one was wrong"), or opened by "espera", "wait"... and denying it ("espera, no tenim cap
        idea nova" typed at the name)."""
        target = self.target_of(norm)
        if target is None or target == slot.name:
            return False
        words = norm.split()
        if set(words) & self._correcting or any(_contains(norm, p) for p in self._correcting_phrases):
            return True
        opened = any(norm.startswith(f"{o} ") for o in self._openers)
        return opened and bool(set(words) & NEGATIONS)

    def _detailed(self, act: str, norm: str, confidence: float, how: str) -> Act:
        topic: str | None = None
        if act == QUESTION:
            topic = self.topic_of(norm)
        elif act in (STOP, SMALLTALK):
            topic = next((kind for kind, words in self._kinds[act].items()
                          if any(_contains(norm, w) for w in words)), None)
        elif act == LANGUAGE:
            topic = self.language_named(norm)
        elif act == CORRECTION:
            topic = self.target_of(norm)
        return Act(act, confidence, how, topic)

    def topic_of(self, norm: str) -> str | None:
        """What a question back is about: the first topic whose words it uses, else what a word means."""
        for name in ("erase", "privacy", "answers", "cost", "programme", "why"):
            if any(_contains(norm, w) for w in self._topics.get(name, ())):
                return name
        return "meaning"

    def language_named(self, norm: str) -> str | None:
        for lang, words in self._language_names.items():
            if any(_contains(norm, w) for w in words):
                return lang
        return None

    def target_of(self, norm: str) -> str | None:
        """The answer a correction is about ("la confiança" -> factor_trust); the longest name wins."""
        best: tuple[int, str] | None = None
        for slot, words in self._targets.items():
            for w in words:
                if _contains(norm, w) and (best is None or len(w) > best[0]):
                    best = (len(w), slot)
        return best[1] if best else None


def _guess(ranked: list[tuple[float, str]]) -> Guess:
    if not ranked:
        return Guess(None, 0.0, 0.0)
    second = ranked[1][0] if len(ranked) > 1 else 0.0
    return Guess(ranked[0][1], round(ranked[0][0], 3), round(ranked[0][0] - second, 3))


def _answer_and_other(ranked: list[tuple[float, str]]) -> tuple[float, str, float]:
    """The classifier's probability of an answer, and the likeliest other act with its probability."""
    answer = next((p for p, label in ranked if label == ANSWER), 0.0)
    other_p, other = next(((p, label) for p, label in ranked if label != ANSWER), (0.0, ANSWER))
    return answer, other, other_p
