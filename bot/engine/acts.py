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
from bot.engine.answers import OTHER, AnswerReader, Reading, Refused, find_slot
from bot.engine.learn import MAX_CHARS, Guess, TextClassifier
from bot.engine.negation import NEGATIONS
from bot.engine.textnorm import normalize
from bot.engine.wording import lead_clause

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
FREE_TEXT_MAX_WORDS = 16  # on a name or description question, cues count in short messages only
FREE_TEXT_CUE_START = 1  # ... and start among its first words, unless four words long or more
FREE_TEXT_SHORT = 5  # ... or the message is this short
_LAUGH = re.compile(r"\b(?:ja|je|ha|he|ji|xa){2,}h?\b")
# verbs that, with a language named, ask to switch ("canvia a castellà si us plau", "cambia a español porfa"):
# a short message saying both is that wish wherever it is typed, never an answer ("si us plau" read as a yes)
_SWITCH_VERBS = frozenset("canvia canviar canviem canvieu cambia cambiar cambiamos cambiad change switch passa "
                          "passem pasa pasamos pasemos seguim seguir seguimos sigamos continuem continuar "
                          "continuamos continue parlem hablemos escriu escriure escribe escribir write".split())
SWITCH_MAX_WORDS = 8
_QUESTION_WORDS = frozenset("que quin quina quins quines qui com quan quant quanta on per what who why how when "
                            "where which is are do does can could qual cual quien como cuando cuanto donde por "
                            "para".split())
# a message that asks ("?") with one of these anywhere is a question back, even when it names an option
# ("innovacio en quin sentit?", "xarxa vol dir federacio o que?", "gains as in money or what?")
_ASKING_WORDS = frozenset("qui quin quina quins quines quan quant quanta quants quantes what who whom why which "
                          "whats quien quienes cual cuales cuanto cuanta cuantos cuantas donde cuando".split())
# ... and "que" after one of these ("o que", "de que", "en que sentido") or at the end
_BEFORE_QUE = frozenset("o de en a per para por amb con sobre".split())
# ... or what a word means ("does saving money mean sharing costs?")
_MEANING = ("vol dir", "volen dir", "vols dir", "quiere decir", "quieren decir", "significa", "signifiquen",
            "significan", "mean", "means", "meaning", "o sigui", "o sea", "es a dir", "es decir", "es com",
            "es como", "is it like", "es tipus", "es tipo")
# ... or one of these first ("es obligatori contestar?", "se puede poner mas de uno?", "do part timers count?")
_ASKING_STARTS = frozenset("es se pot puc podem puedo podemos puede cal hi hay hace fa i y and o or do does did is "
                           "are can could should must may will would have has te tiene compta compten cuenta "
                           "cuentan inclou incloc incluye incluyo include".split())


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
        self._cue_spans: dict[str, list[tuple[int, int]]] = {}
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
        reading = acts.get("reading") or {}
        # shorthand as typed on a phone ("q", "pq", "xq", "tb", "u", "wot"): read as the word it stands for
        self._shorthand = {normalize(str(k)): normalize(str(v)) for k, v in (reading.get("shorthand") or {}).items()
                           if normalize(str(k)) and normalize(str(v))}
        # what opens a message before what it says ("ep,", "mira", "uf", "i'd like", "voldria"): on a name or a
        # description, a cue counts where the request starts, after these
        self._fillers = [tuple(p.split()) for p in sorted(_phrases(reading.get("fillers")), key=len, reverse=True)]
        # where a call or a phone is the answer itself ("truca'm millor" to "how shall we contact you?")
        self._human_answers_at = frozenset(str(n) for n in (acts.get(HUMAN) or {}).get("answers_at") or ())
        self._topics = {name: _phrases(words) for name, words in
                        ((acts.get(QUESTION) or {}).get("topics") or {}).items()}
        self._kinds = {act: {name: _phrases(words) for name, words in ((acts.get(act) or {}).get("kinds") or {}).items()}
                       for act in (STOP, SMALLTALK)}
        self._targets = {slot: _phrases(words) for slot, words in
                         ((acts.get(CORRECTION) or {}).get("targets") or {}).items()}
        correcting = _phrases((acts.get(CORRECTION) or {}).get("words"))
        self._correcting = frozenset(p for p in correcting if " " not in p)
        self._correcting_phrases = [p for p in correcting if " " in p]  # "volia dir", "no era", "isn t right"
        correction = acts.get(CORRECTION) or {}
        # what else says that a message naming another answer corrects it (dialogues/acts.yml explains each)
        self._correcting_stems = tuple(_phrases(correction.get("word_stems")))
        self._hints = _phrases(correction.get("hints"))
        self._recalled = _phrases(correction.get("recalled"))
        self._referring = _phrases(correction.get("referring"))
        self._openers = _phrases((acts.get(CORRECTION) or {}).get("openers"))
        # praise said with its irony ("oh genial, quina ajuda tan bona. no.", "great, the same again 🙄"): abuse
        sarcasm = (acts.get(ABUSE) or {}).get("sarcasm") or {}
        self._praise = _phrases(sarcasm.get("praise"))
        self._irony = _phrases(sarcasm.get("irony"))
        # a verb that goes on or ends with a time that is not now ("millor ho acabem demà"): a wish to stop
        later = (acts.get(STOP) or {}).get("later") or {}
        self._later_verbs = _phrases(later.get("verbs"))
        self._later_times = _phrases(later.get("times"))
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
        norm = self._canonical(normalize(text))
        if not norm:
            return Act(ANSWER, 1.0, "default")  # an emoji: the answer reader decides
        free_text = slot.type not in ("choice", "scale")
        words = norm.split()
        reading = self._reading(slot, question, text)  # read once: the checks below share it
        outright = self._outright(slot, question, text, reading)
        if outright and len(words) <= 2:
            return Act(ANSWER, 1.0, "answer")  # "no", "3", "gens": whatever a cue says
        if slot.reads.get("explicit") and text.rstrip().endswith("?"):
            # consent is given by a clear yes, never by a message that asks something ("si després me'n
            # penedeixo, com ho esborro tot?": its "si" is an "if"): the question is answered, consent asked again
            return self._detailed(QUESTION, norm, 0.9, "explicit")
        if len(words) <= SWITCH_MAX_WORDS and _SWITCH_VERBS.intersection(words) and self.language_named(norm):
            return self._detailed(LANGUAGE, norm, 1.0, "switch")
        if text.rstrip().endswith("?") and not free_text and len(self.reader.options_named(slot, question, text)) >= 2:
            # "quina diferència hi ha entre eficiència i estalviar?": a question about the options, not one of them
            return self._detailed(QUESTION, norm, 0.9, "options")
        norm = _LAUGH.sub("jaja", norm)
        asks = text.rstrip().endswith("?")
        cued = self._cued(norm, slot, asks=asks, starts=_clause_starts(text))
        if cued in (None, SMALLTALK, QUESTION) and self._sarcastic(norm, text, slot):
            cued = ABUSE
        elif cued in (None, SMALLTALK, QUESTION) and not free_text and _STOP_FIRST.match(text):
            cued, self._cue_at, self._cue_spans = STOP, (0, 1), {STOP: [(0, 1)]}
        if cued == HUMAN and slot.name in self._human_answers_at and reading is not None:
            cued = None
        if cued is not None and not (free_text and len(words) > FREE_TEXT_MAX_WORDS):
            if cued in (SMALLTALK, STOP, QUESTION) and self._corrects_another(norm, slot, asks=asks, outright=outright):
                # "hang on, we don't have a new idea": the aside opens a correction; "al resum posa que tenim
                # tensions, això no ho he dit jo" names the summary to correct an answer, not to go there
                cued = CORRECTION
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
            if outright and cued in (SMALLTALK, QUESTION, STOP, LANGUAGE):
                # "sí, moltes gràcies" is a yes with thanks; "thanks a lot, really useful" names "a lot" only
                # inside the thanks, "perdona, no t'he entès" a "no" only inside the question, "no, de moment la
                # següent convocatòria ens cobreix" a "no" outside "la següent": the message without the cue, or
                # a first clause the cue is not in ("yes, and it'd be interesting..."), says whether an answer is left
                cue_spans = self._cue_spans.get(cued, [])
                covered = {i for a, b in cue_spans for i in range(a, b)}
                rest = " ".join(w for i, w in enumerate(norm.split()) if i not in covered)
                for polite in _POLITE:  # "salta aquesta si us plau": the "si" of "si us plau" is no yes
                    rest = f" {rest} ".replace(f" {polite} ", " ").strip()
                lead = lead_clause(text)[0]
                lead_words = len(normalize(lead).split())
                lead_clear = lead_words < len(words) and all(a >= lead_words for a, _ in cue_spans) \
                    and self._outright(slot, question, lead, self._reading(slot, question, lead))
                if cued == LANGUAGE:  # "no parlo castellà": its "no" is no answer; "molt, treballem en català": a 4
                    outright = lead_clear and self.language_named(normalize(lead)) is None
                else:
                    if cued == STOP:  # "me tengo que ir, ya lo acabo otro rato": a later time is the stop's ("otro")
                        for later in self._later_times:
                            rest = f" {rest} ".replace(f" {later} ", " ").strip()
                    outright = lead_clear or (bool(rest) and self._outright(slot, question, rest,
                                                                            self._reading(slot, question, rest)))
                    if cued == STOP and slot.type == "scale" and set(normalize(lead).split()) <= NEGATIONS:
                        # "no, just the summary please" at a 1-4 question: the "no" refuses the question, it is
                        # no 1 (at a yes/no question "no, al resum" stays a no that says where next)
                        outright = False
            if outright and cued == ABUSE:
                # "inútil fer veure que sí, no tenim ni temps ni diners, un 1": cross, and a number said in a
                # clause no insult is in; "tu ets tonto, t'ho he explicat tres vegades" says no number of its own
                outright = self._number_clause(slot, question, text, self._cue_spans.get(ABUSE, []))
            if cued == QUESTION and start == 0 and words[0] in _OPENS_QUESTION:
                outright = False  # "què vol dir contractació pública exactament": an option named, asked about
            if cued == QUESTION and reading is not None and reading.how == "dont_know":
                outright = False  # "no sé què posar, dona'm un exemple": asking for help, not "don't know"
            if aside and not (outright and ((cued == QUESTION and not text.rstrip().endswith("?")
                                             and act.topic in ("meaning", "why"))
                                            or cued in (STOP, SMALLTALK, LANGUAGE, ABUSE))):
                return act
        if self._corrects_another(norm, slot, asks=asks, outright=outright) and not (free_text and len(words) > FREE_TEXT_MAX_WORDS) \
                and not (outright and self.reader.kind_of(slot) == "motivation"):
            # "al compromís volia dir un 4" at the sharing question: the 4 is the commitment's (what drives
            # them, told in their own words, names other answers and may deny them: it is read as an answer)
            return self._detailed(CORRECTION, norm, 0.9, "target")
        asking = self._asking(words, outright) if text.rstrip().endswith("?") and len(words) >= 2 else False
        if asking:
            # "innovacio en quin sentit?", "xarxa vol dir federacio o que?", "te algun cost participar?"; but
            # what the classifier is sure asks for something else is that ("puc parlar amb la tecnica?")
            guess = _guess(self._ranked(text))
            if guess.label in (HUMAN, LANGUAGE, ABUSE, SMALLTALK) and guess.confidence >= ACT_FLOOR \
                    and guess.margin >= ACT_MARGIN:
                return self._detailed(str(guess.label), norm, guess.confidence, "classifier", asks=text.rstrip().endswith("?"))
            return self._detailed(QUESTION, norm, 0.8, "asking")
        if outright:
            return Act(ANSWER, 1.0, "answer")
        ranked = self._ranked(text)
        guess = _guess(ranked)
        asks = text.rstrip().endswith("?") and len(words) >= 2
        if not free_text:
            # a name or a description can be any words at all ("Salut Mental Catalunya"): there, only a cue
            # or a question mark says that it is not an answer, never the classifier
            if guess.label not in (None, ANSWER) and guess.confidence >= ACT_FLOOR and guess.margin >= ACT_MARGIN:
                return self._detailed(str(guess.label), norm, guess.confidence, "classifier", asks=text.rstrip().endswith("?"))
            answer, other, other_p = _answer_and_other(ranked)
            readable = reading is not None
            # what the answer reader cannot read is no answer anyway: the likeliest other act answers it;
            # what it could read only by guessing, when an answer is unlikely, is not taken either
            if other_p >= OTHER_FLOOR and (not readable or (answer < UNLIKELY_ANSWER and other_p > answer)):
                if not (asks and other != QUESTION and other_p < ACT_FLOOR):
                    return self._detailed(other, norm, other_p, "classifier", asks=text.rstrip().endswith("?"))
        if asks and (words[0] in _QUESTION_WORDS or free_text
                     or (len(words) >= 3 and not (guess.label == ANSWER and guess.confidence >= 0.5))):
            return self._detailed(QUESTION, norm, 0.6, "question_mark")
        return Act(ANSWER, guess.confidence if guess.label == ANSWER else 0.5, "default")

    def _canonical(self, norm: str) -> str:
        if not self._shorthand:
            return norm
        return " ".join(self._shorthand.get(w, w) for w in norm.split())

    def _asking(self, words: list[str], outright: bool) -> bool:
        """A message ending in "?" that asks something: a question word anywhere in it, "que" after "o", "de",
        "en"... or at its end; or, when it reads as no answer outright, a verb that asks first or a cost,
        privacy or why named ("te algun cost participar?", "do part timers count too?")."""
        if any(w in _ASKING_WORDS for w in words):
            return True
        joined = f" {' '.join(words)} "
        if any(f" {m} " in joined for m in _MEANING):  # "actividades puntuales es como una fiesta?"
            return True
        if words[-1] == "que" or any(w == "que" and words[i - 1] in _BEFORE_QUE for i, w in enumerate(words) if i):
            return True
        if outright:
            # "if i give you my email can i have it deleted later?": what is done with the data is asked, even
            # when an answer is named in the asking
            return self.topic_of(" ".join(words)) in ("erase", "privacy")
        if words[0] in _ASKING_STARTS and len(words) >= 3:
            return True
        if len(words) >= 3 and ("o" in words[1:-1] or "or" in words[1:-1]):
            return True  # "el pressupost de l'any passat o d'aquest?": which of two things, neither an option
        return self.topic_of(" ".join(words)) not in ("meaning", "answers")

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

    def _cued(self, norm: str, slot: FormSlot, *, asks: bool = False, starts: tuple[int, ...] = (0,)) -> str | None:
        """The act whose longest cue the message holds (ties: CUE_ORDER): "are you a real person?" is small
        talk, not a person asked for. A message about another question, with a negation or a word that
        corrects ("espera, no tenim cap idea nova" typed at the name), is a correction of that answer."""
        best: tuple[int, int, str] | None = None
        spans: dict[str, tuple[int, int]] = {}  # the first span of each act's cues, for the rule below
        self._cue_spans = {}  # every cue's span by act ("thanks a lot, really useful": both)
        tokens = norm.split()
        # in a name or a description ("acompanyem famílies en un moment difícil") a cue counts only where a
        # request starts: among the first words; a name or a description is never a question ("podríem fer
        # una videotrucada amb algú?"), so there a message that asks is read whole
        whole = slot.type in ("choice", "scale", OUTSIDE_FORM) or asks or len(tokens) <= FREE_TEXT_SHORT
        latest = len(tokens) if whole else self._lead(tokens) + FREE_TEXT_CUE_START  # "hang on, brb": short
        # ... or where a later clause starts ("abans de res, això quant costa")
        # after a short opening clause only ("i don't get it, what do you want me to put here"): a description's
        # later clauses are its own ("fem teatre amb gent gran, que és molt maco")
        second = starts[1] if len(starts) > 1 else 0
        allowed = set() if whole or not 0 < second <= FREE_TEXT_SHORT or second >= len(tokens) else {
            second + self._lead(tokens[second:]) + j for j in range(FREE_TEXT_CUE_START + 1)}
        for i, token in enumerate(tokens):
            for stem, rank, act in self._stem_list:  # "equivoc" for m'he equivocat, equivocada, me equivoqué...
                if (i <= latest or i in allowed) and token.startswith(stem):
                    spans.setdefault(act, (i, i + 1))
                    self._cue_spans.setdefault(act, []).append((i, i + 1))
                    if best is None or (len(stem), -rank) > best[:2]:
                        best = (len(stem), -rank, act)
                        self._cue_at = (i, i + 1)
            for phrase, length, rank, act in self._cue_index.get(token, ()):
                # a language named ("perdona que escrigui en castellà") is a cue anywhere
                # (and, outside a name or a description, any cue of four words or more; a description may
                # hold a person's wish: "we help people who want to talk to someone")
                anywhere = act == LANGUAGE or (len(phrase) >= 4 and not (
                    act == HUMAN and slot.type == "text" and _RELATIVES.intersection(tokens[max(0, i - 3):i])))
                if tuple(tokens[i:i + len(phrase)]) != phrase:
                    continue
                if act in (HUMAN, ABUSE):  # once a message is a request, a person or an insult counts anywhere
                    spans.setdefault(act, (i, i + len(phrase)))
                # ("..., que és molt maco": "que" opens a relative clause there, not a question)
                if i <= latest or (i in allowed and phrase[0] != "que") or anywhere:
                    spans.setdefault(act, (i, i + len(phrase)))
                    self._cue_spans.setdefault(act, []).append((i, i + len(phrase)))
                    if best is None or (length, -rank) > best[:2]:
                        best = (length, -rank, act)
                        self._cue_at = (i, i + len(phrase))
        # an insult outside the longest cue says the message ("what a crap bot", "que pesat ets, prou
        # preguntes"), and a person asked for outside it too ("no tinc temps, que em truqui algu")
        if best is not None:
            start, end = self._cue_at
            for strong, over in ((LANGUAGE, (QUESTION, SMALLTALK, STOP)), (ABUSE, (SMALLTALK, QUESTION, STOP)),
                                 (HUMAN, (STOP, SMALLTALK, QUESTION))):
                at = spans.get(strong)
                # ("ets un robot o què?": the insult holds the small talk's "ets un robot")
                if best[2] in over and at is not None and (at[1] <= start or at[0] >= end
                                                            or (strong == ABUSE and best[2] == SMALLTALK)):
                    best = (best[0], best[1], strong)
                    self._cue_at = at
                    break
        if best is None and slot.type in ("choice", "scale"):
            at = self._postponed(tokens)
            if at is not None:
                self._cue_at = at
                self._cue_spans = {STOP: [at]}
                return STOP
        return best[2] if best is not None else None

    def _sarcastic(self, norm: str, text: str, slot: FormSlot) -> bool:
        """Praise with its irony: "oh great, brilliant help as always. not.", "bravo, un altre cop la mateixa
        pregunta", "genial... 🙄" (a "not" or "no" that ends the message after a full stop, an eye roll, or
        words of repetition); never on a name or a description."""
        if slot.type not in ("choice", "scale") or not any(_contains(norm, p) for p in self._praise):
            return False
        if any(ch in text for ch in _EYE_ROLLS) or _ENDS_DENIED.search(text):
            return True
        return any(_contains(norm, p) for p in self._irony)

    def _number_clause(self, slot: FormSlot, question: Response | None, text: str,
                       spans: list[tuple[int, int]]) -> bool:
        """A clause of `text` holding none of `spans` that reads as a number outright ("..., un 1")."""
        covered = {i for a, b in spans for i in range(a, b)}
        for at, part in zip(_clause_starts(text), _CLAUSE_END.split(text), strict=False):
            size = len(normalize(part).split())
            if not size or covered.intersection(range(at, at + size)):
                continue
            reading = self._reading(slot, question, part)
            if reading is not None and reading.how == "number":
                return True
        return False

    def _postponed(self, tokens: list[str]) -> tuple[int, int] | None:
        """Where a verb that goes on or ends is, in a short message that also names a later time ("millor ho
        acabem demà", "lo terminamos luego", "we'll finish it off tomorrow")."""
        if len(tokens) > LATER_MAX_WORDS:
            return None
        joined = f" {' '.join(tokens)} "
        if not any(f" {t} " in joined for t in self._later_times):
            return None
        for i, token in enumerate(tokens):
            for verb in self._later_verbs:
                size = verb.count(" ") + 1
                if (size > 1 and " ".join(tokens[i:i + size]) == verb) or (size == 1 and token.startswith(verb)):
                    return (i, i + size)
        return None

    def _lead(self, tokens: list[str]) -> int:
        """How many of the first tokens only open the message ("ep, ja hi torno a ser", "i'd like a meeting")."""
        at = 0
        while at < len(tokens):
            filler = next((f for f in self._fillers if tuple(tokens[at:at + len(f)]) == f), None)
            if filler is None:
                break
            at += len(filler)
        return at

    def _corrects_another(self, norm: str, slot: FormSlot, *, asks: bool = False, outright: bool = False) -> bool:
        """A message about another question's answer that corrects it: with a word that corrects ("the
        finances one was wrong", "torna a la del territori", "cámbiame lo de la confianza"), two numbers with a
        "no" between them ("lo del personal: som 12, no 3"), what was said or shown recalled and denied ("al
        resum posa que tenim tensions, això no ho he dit jo"), opened by "espera", "wait"... and denying it
        ("espera, no tenim cap idea nova" typed at the name), or pointing at that question ("the commitment
        one, put 4 instead"; not when it asks). A hint alone ("més aviat", "actually", "put") counts only when
        the message reads as no answer here outright: "més aviat poc, no tenim diners" is an answer."""
        target = self.target_of(norm)
        if target is None or target == slot.name:
            return False
        words = norm.split()
        if set(words) & self._correcting or any(_contains(norm, p) for p in self._correcting_phrases):
            return True
        if any(w.startswith(stem) for w in words for stem in self._correcting_stems) or _numbers_denied(words):
            return True
        denied = bool(set(words) & _DENIALS) or any(_contains(norm, p) for p in _DENIAL_PHRASES)
        hinted = any(_contains(norm, p) for p in self._hints)
        recalled = any(_contains(norm, p) for p in self._recalled)
        if (denied or hinted) and recalled:
            return True
        hinted = hinted or recalled  # "la situació econòmica la vaig marcar greu i és justa"
        if not asks and (denied or hinted or any(w.isdigit() for w in words)) \
                and any(_contains(norm, p) for p in self._referring):
            return True
        # (a name, a description or what drives them, told in their own words, reads as no option: there a
        # hint alone is no correction)
        if hinted and not outright and slot.type in ("choice", "scale") and self.reader.kind_of(slot) != "motivation":
            return True
        opened = any(norm.startswith(f"{o} ") for o in self._openers)
        if opened and (bool(set(words) & NEGATIONS) or hinted):
            return True  # "oops, the budget is higher, we're over 500k"
        # that answer's name denied right after it, and an option of that question named: "el territori no és
        # Barcelona, som del Vallès però treballem a tot Catalunya" typed at another question (not "gens, ells
        # són de Lleida i nosaltres de Girona", where the places are no answer's name denied)
        found = find_slot(self.domain, target) if self._denied_after(words, target) \
            and self.reader.kind_of(slot) != "motivation" else None
        return found is not None and found[0].type == "choice" and bool(self.reader.options_named(found[0], found[1], norm))

    def _denied_after(self, words: list[str], target: str) -> bool:
        """Whether a name of `target` is followed, within two words, by a negation ("the area isn't ...")."""
        for name in self._targets.get(target, ()):
            size = name.count(" ") + 1
            for i in range(len(words) - size + 1):
                if " ".join(words[i:i + size]) == name and _NOT.intersection(words[i + size:i + size + 2]):
                    return True
        return False

    def _detailed(self, act: str, norm: str, confidence: float, how: str, *, asks: bool = False) -> Act:
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
            if topic is None and asks and self.topic_of(norm) == "answers":
                # "què t'he contestat?" names no answer to change: it asks to see them (a question back)
                return Act(QUESTION, confidence, how, "answers")
        return Act(act, confidence, how, topic)

    def topic_of(self, norm: str) -> str | None:
        """What a question back is about: the first topic whose words it uses, else what a word means."""
        for name in ("erase", "privacy", "answers", "cost", "programme", "why"):
            if any(_contains(norm, w) for w in self._topics.get(name, ())):
                return name
        return "meaning"

    def languages_named(self, norm: str) -> list[str]:
        """The languages a message names ("castellano", "english"), by the names in dialogues/acts.yml."""
        return [lang for lang, words in self._language_names.items() if any(_contains(norm, w) for w in words)]

    def language_named(self, norm: str) -> str | None:
        return next(iter(self.languages_named(norm)), None)

    def target_of(self, norm: str) -> str | None:
        """The answer a correction is about ("la confiança" -> factor_trust); the longest name wins."""
        best: tuple[int, str] | None = None
        for slot, words in self._targets.items():
            for w in words:
                if _contains(norm, w) and (best is None or len(w) > best[0]):
                    best = (len(w), slot)
        return best[1] if best else None


_CLAUSE_END = re.compile(r"[,.;:!?]+")
# the words a question cue may open a message with to be a question whatever option it names
_OPENS_QUESTION = frozenset("que what whats how com como qui who quien quin quina cual which per por why".split())
_EYE_ROLLS = ("\U0001F644", "\U0001F612", "\U0001F926", "\U0001F643", "\U0001F624")  # eye roll, unamused, facepalm...
# "..., quina ajuda. no.", "brilliant help as always. not.": a denial that ends the message on its own
_ENDS_DENIED = re.compile(r"[.!\u2026]\s*(?:no|not|nada|gens|nope)\s*[.!\u2026]*\s*$", re.IGNORECASE)
LATER_MAX_WORDS = 10
# "para, que tinc una reunió", "stop, i have a meeting": a stop said first, on its own
_STOP_FIRST = re.compile(r"^\s*(?:para|prou|basta|stop|atura|aturem|paremos|paramos|parem|ya esta|ja esta)\s*[,.!:;]", re.IGNORECASE)
# a denial or a contrast, as folded ("isn't" is "isn t"): with what was said recalled, a correction
_DENIALS = NEGATIONS | frozenset("isn wasn aren didn doesn haven hasn weren pero but pero".split())
_DENIAL_PHRASES = ("si que", "we do", "we did", "we actually", "we really")


_NOT = NEGATIONS | frozenset("isn wasn aren weren".split())


def _numbers_denied(words: list[str]) -> bool:
    """Two different numbers with a negation before the second ("no som 3 som 12", "somos 12 no 3", "it s 60
    not 6"): the second corrects the first."""
    at = [i for i, w in enumerate(words) if w.isdigit()]
    if len(at) < 2 or len({words[i] for i in at}) < 2:
        return False
    return any(w in NEGATIONS for w in words[max(0, at[0] - 2):at[-1]])
_POLITE = ("si us plau", "por favor", "please", "if you don t mind", "si pots", "si puedes", "si es pot", "si se puede",
           "if you can", "if possible", "si et plau", "si no et fa res", "si no te importa")
# a description may hold someone else's wish: "we help people who want to talk to someone"
_RELATIVES = frozenset("who which that que qui quien quienes".split())


def _clause_starts(text: str) -> tuple[int, ...]:
    """The token positions (in normalize(text)) where each clause of a message starts."""
    starts, at = [], 0
    for part in _CLAUSE_END.split(text):
        starts.append(at)
        at += len(normalize(part).split())
    return tuple(starts)


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
