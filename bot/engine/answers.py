"""Reading a typed answer to a choice or a 1-4 scale the way people write it.

In order: a number ("3", "un 3", "3/4", "12 persones"), "don't know", an option's name (its button title
in any language or a synonym; the longest one named wins, one named after a negation does not count;
small typos forgiven by rapidfuzz), then the classifier of the question's kind (yes / partly / no,
1-4, finances...) trained from `answers:` in dialogues/nlu.yml. What none of them reads is refused,
never guessed. `aliat nlu --slot` calls `read` too, so content editors see what the conversation does.
"""

from __future__ import annotations

import re
from typing import Any

from bot.content.domain import Domain, FormSlot, Response
from bot.engine.ahead import phone_in
from bot.engine.grounding import UNGROUNDED, YES_NO_WORDS, grounded, stems
from bot.engine.learn import TextClassifier
from bot.engine.motivation_answer import read_motivation
from bot.engine.negation import NEGATIONS, clauses_of, contained
from bot.engine.render import expand_knowledge
from bot.engine.textnorm import normalize
from bot.engine.wording import (
    CLAUSE,
    CONTENT_WORD,
    NUMBER_OF,
    SCALE_NUMBER,
    Reading,
    Refused,
    band,
    fuzzy,
    lead_clause,
    option_by_emoji,
    shared_words,
    title_names,
    turns_round,
    typed,
)
from bot.text.numbers import parse_int

__all__ = ["DONT_KNOW", "NOT_SURE", "OTHER", "AnswerReader", "Reading", "Refused", "find_slot", "options_of"]
DONT_KNOW = "dont_know"
OTHER = "not_an_answer"
# intents whose examples are, inside a form, certainly not an answer (they teach the "other" class)
OTHER_INTENTS = ("out_of_scope", "greet", "privacy", "about_programme", "factors", "help")
NOT_SURE = "not_sure"  # the options that already meant "don't know" before it had a value of its own

CLASSIFIER_FLOOR = 0.45
SHORT_ANSWER_WORDS = 8
CONFIRM_FLOOR = 0.7
EXPLICIT_FLOOR = 0.95  # consent: a yes the classifier has no doubt about ("home, sí" 0.98; "I want to talk to someone" 0.64)
NOT_AN_ANSWER_FLOOR = 0.75
CLASSIFIER_MARGIN = 0.12
LEAD_OUTRIGHT = ("number", "name", DONT_KNOW, "emoji")
UNSURE_READINGS = ("classifier", "words", "fuzzy")  # readings a message's own nod overrides
LEAD_FLOOR = 0.6
CORROBORATED = 0.9  # a classifier's guess an option's name in the message agrees with  # a first clause read by the classifier ("massively") must be at least this sure
# a number said first and then a reason or a hedge, with no comma ("un 2 pq la junta no hi acaba de creure",
# "i'd go for a 3 more or less"): the number is the answer
_REASON_WORDS = frozenset("pq perque porque xq because coz bc cause since as ja ya mes mas more aprox "
                          "aproximadament aproximadamente probably maybe segurament seguramente potser quizas "
                          "tirant tirando crec creo diria ish".split())
_HEDGED_NUMBER = re.compile(r"^(?:(?:jo |yo |i )?(?:diria|diria que|diria q|pondria|posaria|i d say|i d go for|"
                            r"i d give it|i would say|i would go for|id say|id go for|say|go for|give it)\s)?"
                            r"(?:un |una |el |la |a |an |nota |puntuacio |score )?([1-4])"
                            r"(?:\s(?:de|sobre|out of|of|over)?\s?4)?$")  # "2 out of 4 maybe"
# what opens a number offered after a doubt ("no ho sé, potser un 2", "hard to say, maybe a 3")
_HEDGES = frozenset("potser maybe perhaps quiza quizas quizá igual segurament seguramente probably possibly "
                    "diria crec creo que q think i d say doncs pues bueno be well so tal vez lo mejor a "
                    "suppose guess".split())
_THOUSANDS = re.compile(r"\d[.,]\d{3}(?!\d)")
THANKS_WORDS = 3  # consent: a clear yes or no followed by this many words at most ("sí, moltes gràcies")
# kinds whose classes are everyday words (yes, a bit, a lot), said of anything: their readings are not grounded
UNGROUNDED_KINDS = ("yes_no", "yes_partly_no", "scale", "motivation")
# Words that say nothing of any answer on their own: articles, pronouns, prepositions, auxiliaries, and the
# asides people wrap an answer in ("la veritat", "to be honest", "pues"). A classifier's reading of a message
# none of whose other words is a word of its kind's examples rests on nothing the message says ("lets carry
# on" was "serious", "la veritat" a yes, "start again" a yes): it is no answer (the question is asked again).
FUNCTION_WORDS = frozenset("""
a an the to of in on at by for with from as is are was were be been being am it its it s this that these those
i me my we us our you your he she they them their there here then than so do does did done have has had will
would can could should shall may might must let lets let s just really about up out into over get got
el la els les lo los las un una uns unes unos unas de del dels d l en a al als amb per para por con sin que
qui quien es son era eren eran ser estar esta estan estem estamos esto eso aixo aquest aquesta aquell ese esa som
soc sou somos soy sois estic estoy hem hemos ha han he hay
este ho hi ens nos us os me te se li le les mi tu su nostre nostra nuestro nuestra i y o u ni pero pero però
doncs pues bueno bo be home hombre mira mire oye escolta vaya ves veure veras well look oh ah eh hmm mmm
veritat verdad truth honest honestly tbh sincerament sinceramente franc francament frankly all tot todo anymore
cosa coses cosas thing things
""".split()) - frozenset(["be"])
# Another question's topic named with a quantity ("nada de voluntarios", "cap treballador", "hardly any money"):
# the answer to that question, not to this one. The topics are the words a correction names those questions by
# (dialogues/acts.yml `correction.targets`); a word of this question's own text is its own topic.
TOPIC_SLOTS = ("size_staff", "size_volunteers", "budget_band", "financial_situation")
QUANTITIES = frozenset("""
no ni not never nunca mai sin sense without dont don t isnt arent tampoc tampoco gens nada nothing none cap ningun
ninguna ninguno ningu nadie nobody zero cero hardly barely apenas any poc poca pocs poques poco pocos pocas little
few gaire gaires massa demasiado demasiados molt molts moltes mucho muchos muchas much many lots loads tons munt
monton bastant bastants bastante bastantes
""".split())
# Asides an answer is wrapped in, said before or after it: read without them ("pretty dire to be honest" was
# "stable", from the "be" of "to be"; "fatal, la verdad"); said alone they answer nothing ("la veritat").
ASIDES = tuple(sorted("""
la veritat es que|la veritat|la veritat sigui dita|si et dic la veritat|per ser sincer|per ser sincera|sincerament|
francament|la verdad es que|la verdad|si te digo la verdad|para ser sincero|para ser sincera|sinceramente|
francamente|a decir verdad|to be honest|to be fair|honestly|tbh|truth be told|if i m honest|if i am honest|
i have to say|i must say|frankly|in all honesty|honest
""".replace("\n", "").split("|"), key=len, reverse=True))
# what opens or closes a sentence and is taken off only when something is left ("bueno" alone is an answer)
# what follows an unaccented "no se" when it means "I don't know" (not "no se acaba", "no se puede")
_NO_SE_FOLLOWERS = frozenset("que si com como quin quina quins quines cual cuales quant quanta cuanto cuanta cuantos cuantas "
                             "qui quien quienes on donde quan cuando encara aun todavia la be bien exactament exactamente "
                             "molt muy ni depen depende realment realmente pas pero pero pero i y o decir dir dirte "
                             "decirte ahora ara la veritat verdad".split())
OPENERS = ("bueno", "pues", "doncs", "mira", "home", "hombre", "well", "oh", "uf", "buf", "vaya", "vamos a ver",
           "a veure", "let me think", "hmm", "mmm", "eh", "ah", "oye", "escolta", "look", "right now",
           "ara mateix", "ahora mismo", "la veritat", "la verdad", "i d say", "i would say", "id say", "diria que",
           "jo diria que", "yo diria que", "jo diria", "yo diria", "diria",
           # a tail that adds no option ("ens ajuntem per la festa major i poca cosa més" was "Gairebé gens")
           "i poca cosa mes", "i poca cosa", "i res mes", "i prou", "i ja esta", "y poco mas", "y poca cosa mas",
           "y nada mas", "y ya esta", "y ya", "and not much else", "and little else", "and nothing else",
           "and that s it", "and that s about it", "that s about it")
NOT_TOPICS = frozenset("voluntad voluntat voluntades voluntats".split())  # "buena voluntad" is no volunteer
# what says "go on" (to the bot), not how much
GOING_ON = ("va", "endavant", "som hi", "seguim", "continuem", "continua", "adelante", "vamos", "venga", "dale",
            "sigue", "sigamos", "seguimos", "continuamos", "go on", "go ahead", "let s go", "lets go", "carry on",
            "next", "continue", "keep going")
# a word that opens a message and can be an answer too ("bé, anem fent": "well, we get by")
OPENING_WORDS = frozenset("be bien well ok okay vale bueno fine good".split())
INTENSIFIERS = frozenset("molt muy very so tan tant really pretty quite bastant bastante forca super".split())
# the questions a phone number answers ("per telèfon, al 93 123 45 67": the channel, and the phone kept)
PHONE_ANSWERS = frozenset({"contact_channel", "contact_phone"})
SHORT_CLAUSE = 3  # words of a clause that only gives a number ("uns 15", "about 15 of them")
TOPIC_REACH = 4  # words between the quantity and the topic it governs ("no tenim gens de pressupost")
STEM = 4  # letters two words must share to count as one ("poquet" and "poquito", "moltíssim" and "moltíssims")


def options_of(question: Response | None) -> list[str]:
    """A choice question's options are its buttons' payloads (payloads starting with / are commands)."""
    if question is None:
        return []
    return [b.payload for b in question.buttons if not b.payload.startswith("/")]


def find_slot(domain: Domain, name: str) -> tuple[FormSlot, Response | None] | None:
    """A form slot by name (the first form that asks it) and its question."""
    for form in domain.forms.values():
        for slot in form.slots:
            if slot.name == name:
                return slot, domain.responses.get(slot.question)
    return None


_TRAILING_HEDGES = ("diria", "diria jo", "crec", "creo", "yo diria", "i d say", "i guess", "i think", "i reckon",
                    "more or less", "mes o menys", "mas o menos", "o aixi", "o asi", "or so", "tbh", "la veritat",
                    "la verdad", "maybe", "potser", "quiza", "quizas", "probably", "segurament", "seguramente",
                    "suposo", "supongo", "i suppose")


# A question about what an option means or takes in ("what counts as a network?", "una federació compta si només
# paguem la quota?", "¿qué se considera un proyecto conjunto?"): it names an option and answers nothing.
_WHAT_COUNTS = re.compile(r"\b(?:count|counts|counted|compta|compten|cuenta|cuentan|considera|consideras|considered|"
                          r"vol dir|volen dir|quiere decir|quieren decir|significa|signifiquen|significan|mean|means|"
                          r"meant|entens per|entiendes por|entendeu per|entendeis por|what s|que es|que son|what is|"
                          r"what are)\b")
_ASKING_START = frozenset("que what which how does do is are com como qui quien who quin quina cual cuales".split())


def asks_what_counts(text: str) -> bool:
    """Whether a message asks what an option means or takes in: a meaning or counting verb, and a question mark or
    a question word first."""
    norm = normalize(text)
    words = norm.split()
    return bool(words) and bool(_WHAT_COUNTS.search(norm)) and ("?" in text or words[0] in _ASKING_START)


_NOT_QUITE = re.compile(r"^(\w{3,}) \1 (?:no|not)$")
_ENGLISH_BEFORE_BE = frozenset("to will would can could should must might may not".split())


def _english_be(norm: str) -> str:
    """The English "be" of "could be worse", "to be honest" masked: it is no Catalan "bé" (well)."""
    words = norm.split()
    return " ".join("qqbe" if w == "be" and i and words[i - 1] in _ENGLISH_BEFORE_BE else w
                    for i, w in enumerate(words))


_WORD_AT = re.compile(r"[^\W_]+", re.UNICODE)


def without_asides(text: str) -> str:
    """`text` without the asides it opens or closes with ("to be honest", "la veritat", "pues"); Refused when it
    is nothing but asides ("la veritat", "to be honest")."""
    words = [(m.start(), m.end(), normalize(m.group())) for m in _WORD_AT.finditer(text)]
    start, end, cut = 0, len(words), False
    changed = True
    while changed and start < end:
        changed = False
        said = " ".join(w[2] for w in words[start:end])
        for phrase in (*ASIDES, *OPENERS):
            n = len(phrase.split())
            if n > end - start:
                continue
            alone = n == end - start
            if alone and phrase not in ASIDES:
                continue  # "bueno", "well" alone are answers
            if said == phrase or said.startswith(f"{phrase} "):
                start, changed, cut = start + n, True, True
                break
            if said.endswith(f" {phrase}"):
                end, changed, cut = end - n, True, True
                break
    if not cut:
        return text
    if start >= end:
        raise Refused("unclear")
    tail = text[words[end - 1][1]:] if end == len(words) else ""  # "un 3?" keeps its "?"
    return text[words[start][0]:words[end - 1][1]] + tail


def _bare_number(clause: str) -> int | None:
    """The 1-4 a clause says on its own, hedges around it aside ("potser un 3", "un 3 diria", "a 3 i'd say")."""
    words = clause.split()
    while words and words[0] in _HEDGES:
        words = words[1:]
    joined = " ".join(words)
    for hedge in _TRAILING_HEDGES:
        if joined.endswith(f" {hedge}"):
            joined = joined[:-len(hedge) - 1]
            break
    found = SCALE_NUMBER.match(joined) if joined else None
    return parse_int(found.group(1)) if found else None


class AnswerReader:
    """One per domain; the classifiers of each kind of question are trained at their first use."""

    def __init__(self, domain: Domain) -> None:
        self.domain = domain
        answers = domain.answers
        dont_know = [t for texts in (answers.get(DONT_KNOW) or {}).values() for t in texts or []]
        self._dont_know_phrases = sorted({normalize(t) for t in dont_know if normalize(t)}, key=len, reverse=True)
        self._kinds: dict[str, TextClassifier] = {}
        self._elsewhere: dict[str, list[tuple[FormSlot, frozenset[str]]]] | None = None  # every option name
        self._names: dict[tuple[str, int, tuple[str, ...]], dict[str, set[str]]] = {}
        self._class_texts: dict[str, dict[str, list[str]]] = {}
        self._grounds: dict[tuple[str, str, str], frozenset[str]] = {}
        self._vocabulary: dict[tuple[str, str], tuple[frozenset[str], frozenset[str]]] = {}
        every_answer = list(dont_know)
        for kind, classes in answers.items():
            if kind in (DONT_KNOW, OTHER) or not isinstance(classes, dict):
                continue
            examples = {str(cls): [t for texts in (per_lang or {}).values() for t in texts or []]
                        for cls, per_lang in classes.items()}
            examples[DONT_KNOW] = dont_know
            every_answer += [t for texts in examples.values() for t in texts]
            self._kinds[kind] = TextClassifier(examples)
            self._class_texts[kind] = examples
        self._everyday = {normalize(t) for t in every_answer}  # every example answer, of every kind
        found = answers.get("yes_no")
        yes_no = found if isinstance(found, dict) else {}
        self._nod_class = {normalize(t): cls for cls in ("no", "yes") for texts in (yes_no.get(cls) or {}).values()
                           for t in texts or [] if normalize(t)}
        self._nods = set(self._nod_class)
        # the nods said inside a longer message ("sí, endavant", "i agree with that"): a yes or a no must be said
        self._nod_phrases = {cls: sorted({n for n, c in self._nod_class.items() if c == cls}, key=len, reverse=True)
                             for cls in ("yes", "no")}
        # What is not an answer at all ("Carmen", "asdf", "what's the weather"): a classifier of three
        # answers puts anything in one of them, sure of itself, so a second one says whether it is an
        # answer at all, and vetoes the first when it clearly is not.
        other = [t for texts in (answers.get(OTHER) or {}).values() for t in texts or []]
        other += [t for intent in OTHER_INTENTS for texts in (domain.intents.get(intent) or {}).values()
                  for t in texts or []]
        self._is_answer = TextClassifier({"answer": every_answer, OTHER: other})

    # ------------------------------------------------------------------ public
    def read(self, slot: FormSlot, question: Response | None, text: str) -> Reading:
        """The slot value `text` stands for, or Refused. An answer followed by a comment ("un 3, tot i que…",
        "gens, al contrari, ens portem molt bé", "a lot. they're huge, we're tiny") is its first clause, when
        that clause alone reads clearly and what follows does not turn it round ("sí, però poc")."""
        if slot.type in ("choice", "scale"):
            if asks_what_counts(text) or (phone_in(text, {}) is not None and slot.name not in PHONE_ANSWERS):
                # a phone number is no count, no score, no amount ("por telefono, el 612 345 678" typed at "how
                # many volunteers?" was stored as over 50)
                raise Refused("scale" if slot.type == "scale" else "choice")
            text = without_asides(text)
            text = self._own_topic(slot, question, text)
        if slot.type == "scale" and self._goes_on(text):
            raise Refused("scale")
        if slot.type == "scale" and _NOT_QUITE.match(normalize(text)):
            # "clar clar no", "nuevo nuevo no": not quite (it was read as "not at all")
            return Reading(2, 0.9, "name")
        if slot.type == "scale":
            hedged = self._hedged_number(slot, question, text)
            if hedged is not None:
                return hedged
        nodded = self._nodded(slot, question, text)
        if nodded is not None:
            return nodded
        lead, rest = lead_clause(text)
        if _THOUSANDS.search(text):  # "300,000 euros": one amount, not "300" and a comment
            lead, rest = text, ""
        if rest and slot.type == "choice" and self.kind_of(slot) not in UNGROUNDED_KINDS \
                and normalize(lead).split()[:1] and normalize(lead).split()[0] in NEGATIONS \
                and normalize(lead) not in self._everyday:  # "ni fu ni fa, …" is an answer said first
            # "no tan malament com sembla, anem justos", "no, stable": what is denied first is not the answer (it was
            # read as "serious", "don't know"); what follows, when it reads on its own, is
            try:
                after: Reading | None = self._read(slot, question, rest)
            except Refused:
                after = None
            if after is not None and (after.how not in UNSURE_READINGS or after.confidence >= LEAD_FLOOR):
                return Reading(after.value, after.confidence, after.how, rest)
        if rest and slot.type in ("choice", "scale") and not slot.reads.get("explicit") \
                and not turns_round(rest):
            try:
                reading = self._read(slot, question, lead)
            except Refused:
                reading = None
            if reading is not None and (reading.how in LEAD_OUTRIGHT or reading.confidence >= LEAD_FLOOR) \
                    and not self._rest_names_another(slot, question, reading, rest):
                after = self._word_then_answer(slot, question, lead, rest, reading)
                return after or Reading(reading.value, reading.confidence, reading.how, lead)
        return self._read(slot, question, text)

    def _word_then_answer(self, slot: FormSlot, question: Response | None, lead: str, rest: str,
                          reading: Reading) -> Reading | None:
        """"bé, anem fent": a word that opens the message ("bé" is "well" there) and then another option said
        clearly: that one ("bé, gràcies" stays "bé")."""
        if slot.type != "choice" or self.kind_of(slot) in UNGROUNDED_KINDS or normalize(lead) not in OPENING_WORDS:
            return None
        try:
            after = self._read(slot, question, rest)
        except Refused:
            return None
        if after.value == reading.value or after.how in ("dont_know", DONT_KNOW) or (
                after.how in UNSURE_READINGS and after.confidence < LEAD_FLOOR):
            return None
        return Reading(after.value, after.confidence, after.how, rest)

    def _goes_on(self, text: str) -> bool:
        """"si va", "vale, adelante", "ok let's go" at a 1-4 question: a nod to go on (typed after an introduction),
        not how much ("si va" was kept as a 4 at "have you had tensions?")."""
        words = normalize(text).split()
        padded = f" {' '.join(words)} "
        onward = [p for p in GOING_ON if f" {p} " in padded]
        if not onward:
            return False
        rest = padded
        for phrase in onward:
            rest = rest.replace(f" {phrase} ", " ")
        return all(self._nod_class.get(w) == "yes" or w in FUNCTION_WORDS for w in rest.split())

    def _nodded(self, slot: FormSlot, question: Response | None, text: str) -> Reading | None:
        """A yes or a no said on its own in a clause of a yes/no answer: "sí, pero todavía no sabemos dónde" is a
        yes (the "no" of what follows was read as the answer), "nos vendría bien, sí" a yes. A "but" that says the
        opposite nod ("sí, però no") leaves the message to be read whole."""
        kind = self.kind_of(slot)
        if kind not in ("yes_no", "yes_partly_no") or slot.reads.get("explicit"):
            return None
        clauses = [normalize(c) for c in CLAUSE.split(text) if normalize(c)]
        if len(clauses) < 2:
            return None
        first, last = self._nod_class.get(clauses[0]), self._nod_class.get(clauses[-1])
        said = None
        if first in ("yes", "no") and kind == "yes_no" and turns_round(clauses[1]):
            rest = " ".join(normalize(clauses[1]).split()[1:])
            if self._nod_class.get(rest) not in (None, first):
                return None
            said = first
        elif last in ("yes", "no") and len(clauses[-1].split()) == 1:
            try:
                lead = self._read(slot, question, ", ".join(clauses[:-1]))
            except Refused:
                lead = None
            opposite = self._mapped(slot, options_of(question)).get("no" if last == "yes" else "yes")
            if lead is not None and (lead.how not in UNSURE_READINGS or lead.value != opposite):
                return None  # "una mica, sí": the words say it, the "sí" agrees
            said = last  # "nos vendría bien, sí": a guess of the opposite from the words gives way to the nod
        value = self._mapped(slot, options_of(question)).get(said) if said else None
        return None if value is None else Reading(typed(slot, value), 0.9, "name")

    def _own_topic(self, slot: FormSlot, question: Response | None, text: str) -> str:
        """`text` without what it says of another question's topic ("nada de voluntarios" typed at "how do you work
        with others?" was kept as "Hardly at all"; "4 contractats i molts voluntaris" keeps the 4); Refused when
        that is all it says."""
        topics = self._topics(slot, question)
        if not topics:
            return text
        words = [(m.start(), m.end(), normalize(m.group())) for m in _WORD_AT.finditer(text)]
        tokens = [w[2] for w in words]
        clause = [0]
        for j in range(1, len(words)):  # a quantity does not reach past a comma ("ningú cobra, tot voluntariat")
            clause.append(clause[-1] + int(bool(re.search(r"[,.;:!?]", text[words[j - 1][1]:words[j][0]]))))
        dropped: set[int] = set()
        for i, token in enumerate(tokens):
            if token in NOT_TOPICS or not any(token.startswith(t) for t in topics):
                continue
            if i - 1 in dropped and clause[i - 1] == clause[i]:
                dropped.add(i)  # "cap treballador contractat": the topic said twice
                continue
            window = [j for j in range(max(0, i - TOPIC_REACH), i) if clause[j] == clause[i]]
            said = next((j for j in window if tokens[j] in QUANTITIES and not dropped & {j}), None)
            if said is None and i and clause[i - 1] == clause[i] and tokens[i - 1].isdigit():
                said = i - 1  # a number right before another topic is that topic's: "3 staff and loads of volunteers"
            if said is not None:
                dropped.update(range(said, i + 1))  # from the farthest quantity to the topic: "no tenim gens de pressupost"
        # a short clause with a bare number right after a clause about another topic goes on about it: "cap
        # contractat, tot voluntaris, uns 15" (the 15 are volunteers, not paid staff); not at a 1-4 question,
        # where the number is the score ("el local sí, el pressupost no, un 3")
        about_other = {clause[i] for i, t in enumerate(tokens)
                       if t not in NOT_TOPICS and any(t.startswith(x) for x in topics)}
        for c in sorted(set(clause)):
            members = [j for j in range(len(tokens)) if clause[j] == c]
            if slot.type != "scale" and c - 1 in about_other and c not in about_other and len(members) <= SHORT_CLAUSE \
                    and any(tokens[j].isdigit() for j in members):
                dropped.update(members)
        if not dropped:
            return text
        kept = [w for j, w in enumerate(words) if j not in dropped]
        if not any(w[2] not in FUNCTION_WORDS and w[2] not in INTENSIFIERS for w in kept):  # "muy [poco presupuesto]"
            raise Refused("scale" if slot.type == "scale" else "choice")
        pieces, last = [], 0
        for j, (start, end, _norm) in enumerate(words):
            if j in dropped:
                pieces.append(text[last:start])
                last = end
        pieces.append(text[last:])
        return " ".join(" ".join(pieces).split())

    def _topics(self, slot: FormSlot, question: Response | None) -> frozenset[str]:
        """The beginnings of the words that name the other questions' topics, less this question's own words."""
        key = (slot.name, "topics")
        if key not in self._vocabulary:
            targets = ((self.domain.acts.get("correction") or {}).get("targets") or {})
            said = question.text.items() if question is not None else ()
            own = {w for lang, t in said for w in normalize(self._expand(str(t), lang)).split()}
            own |= {w for words in self.names(slot, question, options_of(question)).values() for n in words
                    for w in n.split()}
            found: set[str] = set()
            for name in TOPIC_SLOTS:
                if name == slot.name:
                    continue
                for words in (targets.get(name) or {}).values():
                    for phrase in words or []:
                        for w in normalize(str(phrase)).split():
                            stem = w[:max(len(w) - 3, 6)]  # "contractades" and "contractat"
                            if len(w) >= 4 and not stem.startswith("person") and not any(o.startswith(stem) for o in own):
                                found.add(stem)
            self._vocabulary[key] = (frozenset(found), frozenset())
        return self._vocabulary[key][0]

    def _hedged_number(self, slot: FormSlot, question: Response | None, text: str) -> Reading | None:
        """"un 2 pq la junta no hi acaba de creure", "i'd go for a 3 more or less": a number, then a reason or a
        hedge in the same clause (nothing that turns it round: "un 3 pero poc" is read whole). And a doubt
        followed by a number ("no ho se, potser un 2", "hard to say, maybe a 3?"): the number offered."""
        lead, rest = lead_clause(text)
        if rest and self.says_dont_know(normalize(lead)):
            offered = normalize(lead_clause(rest)[0]).split()
            while offered and offered[0] in _HEDGES:
                offered = offered[1:]
            found = SCALE_NUMBER.match(" ".join(offered))
            if found is not None and offered:
                number = parse_int(found.group(1))
                if number is not None:
                    value = self._by_number(slot, question, options_of(question), number, text)
                    return Reading(value, 1.0, "number", rest)
        clauses = [normalize(c) for c in CLAUSE.split(text) if normalize(c)]
        alone = [c for c in clauses[1:] if _bare_number(c) is not None]
        if len(clauses) >= 2 and len(alone) == 1 and _bare_number(clauses[0]) is None \
                and not any(turns_round(c) for c in clauses[1:]):
            # "la junta esta muy implicada, un 4", "mes o menys, un 3 diria": the number said on its own after
            # the words
            number = _bare_number(alone[0])
            if number is not None:
                return Reading(self._by_number(slot, question, options_of(question), number, text), 1.0, "number",
                               alone[0])
        words = normalize(lead).split()
        at = next((i for i, w in enumerate(words) if i and w in _REASON_WORDS), None)
        if at is None or turns_round(" ".join(words[at:])):
            return None
        found = _HEDGED_NUMBER.match(" ".join(words[:at]))
        if found is None:
            return None
        value = self._by_number(slot, question, options_of(question), int(found.group(1)), text)
        return Reading(value, 1.0, "number", " ".join(words[:at]))

    def named_in(self, slot: FormSlot, question: Response | None, text: str) -> Any:
        """The one option a message names outright (not negated), as its value, or None."""
        named, _denied = contained(self.names(slot, question, options_of(question)), normalize(text), clauses_of(text))
        return None if named is None else typed(slot, named)

    def options_named(self, slot: FormSlot, question: Response | None, text: str) -> set[Any]:
        """Every option a message names (four letters or more, negated or not): "what's the difference between
        efficiency and saving money?" names two."""
        padded = f" {normalize(text)} "
        return {typed(slot, opt) for opt, words in self.names(slot, question, options_of(question)).items()
                if any(len(w) >= CONTENT_WORD - 1 and f" {w} " in padded for w in words)}

    def _names_another_too(self, slot: FormSlot, question: Response | None, named: str, norm: str,
                           denied: set[str]) -> bool:
        """Another option named besides `named`, not inside its name ("email and phone" is the option "both")."""
        padded = f" {norm} "
        names = self.names(slot, question, options_of(question))
        used = [w for w in names.get(named, ()) if f" {w} " in padded]
        return any(opt != named and opt not in denied and len(w) >= CONTENT_WORD - 1 and f" {w} " in padded
                   and not any(w in u for u in used) for opt, words in names.items() for w in words)

    def _rest_names_another(self, slot: FormSlot, question: Response | None, reading: Reading, rest: str) -> bool:
        if reading.how == DONT_KNOW:  # "no sé, ahorrar o llegar a más gente": the doubt is about those
            return slot.type == "choice" and bool(self.options_named(slot, question, rest))
        return self._number_names_another(slot, question, reading, rest)

    def _number_names_another(self, slot: FormSlot, question: Response | None, reading: Reading, rest: str) -> bool:
        """"3. volem guanyar el concurs" to the objectives: the number picks one option, the words name
        another; the first clause alone is not the answer then."""
        if slot.type != "choice" or slot.bands or reading.how != "number":
            return False
        names = self.names(slot, question, options_of(question))
        norm = normalize(rest)
        named, _denied = contained(names, norm, clauses_of(rest))
        named = named or fuzzy(names, norm) or shared_words(names, norm)
        return named is not None and named != reading.value

    def _read(self, slot: FormSlot, question: Response | None, text: str) -> Reading:
        norm = normalize(text)
        options = options_of(question)
        if not norm:
            # emoji, symbols: not an answer, unless it is the emoji one option's button starts with
            # ("👍" to "👍 Yes, that's right" / "🤔 I don't think so")
            emoji = option_by_emoji(question, options, text)
            if emoji is not None:
                return Reading(typed(slot, emoji), 1.0, "emoji")
            raise Refused("unclear")
        number = self._number(slot, norm)
        if number is not None:
            return Reading(self._by_number(slot, question, options, number, text), 1.0, "number")
        if self.says_dont_know(norm) and not (slot.type == "choice" and self.options_named(slot, question, text)):
            # "no sé, ahorrar o llegar a más gente": options named with the doubt are read, not "don't know"
            return Reading(self._dont_know_value(slot, options), 1.0, DONT_KNOW)
        names = self.names(slot, question, options)
        exact = {opt for opt, words in names.items() if norm in words}
        if len(exact) == 1:
            return Reading(typed(slot, exact.pop()), 1.0, "name")
        if slot.reads.get("explicit"):
            # consent: only a yes or no said outright ("sí", "d'acord", "no, gràcies"), never a guess
            # ("vull parlar amb una persona" reads as a yes, and is not an agreement to keep data)
            said = self._nod_class.get(norm)
            lead, rest = lead_clause(text)
            if said is None and rest and len(normalize(rest).split()) <= THANKS_WORDS and not turns_round(rest):
                said = self._nod_class.get(normalize(lead))  # "sí, moltes gràcies", "vale, muchas gracias"
            if said is None and "yes_no" in self._kinds and not self.not_an_answer(text):
                guess = self._kinds["yes_no"].guess(text)  # "home, sí", "sí, sí, endavant"
                said = guess.label if guess.label in ("yes", "no") and guess.confidence >= EXPLICIT_FLOOR else None
            value = self._mapped(slot, options).get(said) if said else None
            if value is None:
                raise Refused("choice")
            return Reading(typed(slot, value), 1.0, "name")
        if not exact and self.answers_another(slot, norm):
            # "contractació pública" typed to "are services at risk?": the answer to another question
            # (typed ahead, or a slip), not a hedged yes to this one
            raise Refused("scale" if slot.type == "scale" else "choice")
        kind = self.kind_of(slot)
        if kind == "motivation":
            return read_motivation(self, slot, options, names, text)
        if kind in self._kinds:
            # a sentence ("si, un parell de serveis") is the classifier's; a name inside it may mislead
            guessed = self._classified(slot, options, kind, text)
            if guessed is not None and guessed.how == "classifier" and guessed.confidence < CORROBORATED:
                # an unsure guess that an option named in the message says too ("ok i guess, stable"): that option
                said, _denied = contained(names, _english_be(norm), clauses_of(text))
                if said is not None and typed(slot, said) == guessed.value:
                    return Reading(guessed.value, CORROBORATED, "name")
            if guessed is not None:
                return guessed
        named, denied = contained(names, _english_be(norm), clauses_of(text))
        if named is not None and slot.bands and any(c.isdigit() for c in text) and not any(  # "2 staff and loads"
                c.isdigit() for w in names[named] if f" {w} " in f" {norm} " for c in w):
            named = None  # a count typed wins over a word ("loads"), not over a band's title ("més de 50")
        if named is not None:
            if slot.type == "choice" and self._names_another_too(slot, question, named, norm, denied):
                # "ahorrar o llegar a más gente": the longest name is a guess between the two, confirmed
                return Reading(typed(slot, named), 0.6, "words")
            return Reading(typed(slot, named), 0.9, "name")
        if slot.bands:
            banded = band(slot, options, text)
            if banded is not None:
                return Reading(banded, 1.0, "number")
        typo = fuzzy(names, norm)
        if typo is not None and typo not in denied:
            return Reading(typed(slot, typo), 0.8, "fuzzy")
        if kind is None and slot.name in self._kinds:
            # no option named: the everyday words of this question's options ("we do the odd activity with the
            # local library"), read by a classifier of their own (`answers: <slot>` in dialogues/nlu.yml)
            guessed = self._classified(slot, options, slot.name, text)
            if guessed is not None and str(guessed.value) not in denied:
                return guessed
        if slot.type == "choice":
            shared = shared_words(names, " ".join(w for w in norm.split() if w not in FUNCTION_WORDS))
            if shared is not None and shared not in denied:
                return Reading(shared, 0.6, "words")
        raise Refused("scale" if slot.type == "scale" else "choice")

    def _classified(self, slot: FormSlot, options: list[str], kind: str, text: str) -> Reading | None:
        guess = self._kinds[kind].guess(text)
        if guess.label is None or guess.confidence < CLASSIFIER_FLOOR or guess.margin < CLASSIFIER_MARGIN:
            return None
        if self.not_an_answer(text) or (kind != "motivation" and not self.speaks_of(slot, kind, options, text)):
            return None
        if guess.label == DONT_KNOW:
            return Reading(self._dont_know_value(slot, options), guess.confidence, "classifier")
        value = self._mapped(slot, options).get(guess.label)
        if value is None:
            return None
        if kind not in UNGROUNDED_KINDS and not grounded(normalize(text), self._ground(slot, kind, str(guess.label),
                                                                                      options)):
            return Reading(value, min(guess.confidence, UNGROUNDED), "classifier")  # confirmed, never stored
        return Reading(value, guess.confidence, "classifier")

    def speaks_of(self, slot: FormSlot, kind: str, options: list[str], text: str) -> bool:
        """Whether any word of a message, asides and function words aside, is a word of the answers of this kind
        (its examples, the question's options and its own words: "fem exactament el mateix" to "feu el mateix?"),
        whole or by its first letters; "bé" only where it is not the English "be" ("to be honest")."""
        words, stems_ = self._words_of(slot, kind, options)
        norm = normalize(text)
        if norm in self._everyday:
            return True  # an example answer as it stands ("del tot", "not at all")
        tokens = norm.split()
        said_of_anything = kind in UNGROUNDED_KINDS  # "no", "not" answer a yes/no or a scale, not "how are finances?"
        for i, token in enumerate(tokens):
            if token in FUNCTION_WORDS or (token == "be" and i and tokens[i - 1] in _ENGLISH_BEFORE_BE) \
                    or (not said_of_anything and token in NEGATIONS):
                continue
            if token in words or (len(token) >= STEM and token[:STEM] in stems_):
                return True
        return False

    def _words_of(self, slot: FormSlot, kind: str, options: list[str]) -> tuple[frozenset[str], frozenset[str]]:
        key = (slot.name, kind)
        if key not in self._vocabulary:
            question = self.domain.responses.get(slot.question)
            texts = [t for texts in self._class_texts.get(kind, {}).values() for t in texts]
            texts += [w for words in self.names(slot, question, options).values() for w in words]
            texts += [self._expand(str(t), lang) for lang, t in (question.text.items() if question is not None else ())]
            words = {w for t in texts for w in normalize(str(t)).split() if w not in FUNCTION_WORDS}
            self._vocabulary[key] = (frozenset(words), frozenset(w[:STEM] for w in words if len(w) >= STEM))
        return self._vocabulary[key]

    def _ground(self, slot: FormSlot, kind: str, label: str, options: list[str]) -> frozenset[str]:
        """What a message must say something of for the classifier's `label` to count (bot/engine/grounding.py):
        the words of that class's examples and of the option's names."""
        key = (slot.name, kind, label)
        if key not in self._grounds:
            value = str(self._mapped(slot, options).get(label))
            question = self.domain.responses.get(slot.question)
            named = self.names(slot, question, options).get(value, set())
            self._grounds[key] = stems([*self._class_texts.get(kind, {}).get(label, []), *named])
        return self._grounds[key]

    def kind_of(self, slot: FormSlot) -> str | None:
        if slot.reads.get("kind"):
            return str(slot.reads["kind"])
        return "scale" if slot.type == "scale" else None

    def says_dont_know(self, norm: str) -> bool:
        padded = f" {norm} "
        for phrase in self._dont_know_phrases:
            if f" {phrase} " not in padded:
                continue
            if phrase != "no se":
                return True
            # unaccented "no se" is also "no se + verb" ("esto es eterno, no se acaba nunca"): it says "I don't
            # know" at the end, or before what one does not know ("no se si", "no se, depende", "no se ni")
            words = norm.split()
            for at in range(len(words) - 1):
                if words[at:at + 2] == ["no", "se"] and (at + 2 == len(words) or words[at + 2] in _NO_SE_FOLLOWERS):
                    return True
        return False

    def yes_or_no(self, text: str) -> str | None:
        """"yes", "no" or None (not a yes/no answer) for a typed confirmation: "sí, esborra-ho", "vale"."""
        norm = normalize(text)
        if not any(ch.isalpha() for ch in norm) or self.says_dont_know(norm) or "yes_no" not in self._kinds:
            return None  # a number or an emoji is not a yes
        guess = self._kinds["yes_no"].guess(text)
        if self.not_an_answer(text):
            return None
        # a confirmation (erasing everything, say) takes a clear yes: a stricter bar than an answer's, and one
        # the message says ("lets carry on", "la veritat", "start again" were yeses at 0.80-0.89 and kept the
        # reading waiting for confirmation: "pretty dire" was stored as "we're fine")
        if guess.label in ("yes", "no") and guess.confidence >= CONFIRM_FLOOR and guess.margin >= CLASSIFIER_MARGIN \
                and self.says(norm, str(guess.label)):
            return guess.label
        return None

    def says(self, norm: str, label: str) -> bool:
        """Whether a message says a yes or a no in words: a word that says one ("sí", "vale", "nope") or one of the
        example nods of that class ("endavant", "i agree", "de cap manera") among its words."""
        if any(w in YES_NO_WORDS for w in norm.split()):
            return True
        padded = f" {norm} "
        return any(f" {phrase} " in padded for phrase in self._nod_phrases.get(label, ()))

    def is_a_nod(self, text: str) -> bool:
        """Word for word one of the example yes/no answers ("si", "vale", "ok", "no"): to tell a nod typed
        to a question that wants a name from a name (the classifier would guess yes or no for any word)."""
        return normalize(text) in self._nods

    def not_an_answer(self, text: str) -> bool:
        guess = self._is_answer.guess(text)
        return guess.label == OTHER and guess.confidence >= NOT_AN_ANSWER_FLOOR

    def warm(self) -> None:
        for classifier in (self._is_answer, *self._kinds.values()):
            classifier.warm()

    def _number(self, slot: FormSlot, norm: str) -> int | None:
        whole = parse_int(norm)
        if whole is not None:
            return whole
        if slot.type == "scale":
            found = SCALE_NUMBER.match(norm)
            if found:
                return parse_int(found.group(1))
            if norm in NUMBER_OF:
                return NUMBER_OF[norm]
            words = norm.split()
            if len(words) == 2 and words[0] in ("un", "una", "el", "a") and words[1] in NUMBER_OF:
                return NUMBER_OF[words[1]]
            if len(words) <= SHORT_ANSWER_WORDS:
                # "i'd give it a 3", "diria que tres": one number in a short answer is the answer
                said = {parse_int(w) for w in words if parse_int(w, max_digits=2) is not None}
                said |= {NUMBER_OF[w] for w in words if w in NUMBER_OF and len(w) > 3}
                if len(said) == 1:
                    return said.pop()
        return None

    def _by_number(self, slot: FormSlot, question: Response | None, options: list[str], number: int,
                   text: str) -> Any:
        if slot.type == "scale":
            low, high = slot.min or 1, slot.max or 4
            if low <= number <= high:
                return number
            raise Refused("scale")
        if slot.bands:
            banded = band(slot, options, text)
            if banded is None:
                raise Refused("choice")
            return banded
        if 1 <= number <= len(options):
            return options[number - 1]
        raise Refused("range")

    # ----------------------------------------------------------------- names
    def _expand(self, title: str, lang: str) -> str:
        """A title that is a knowledge reference ({k:objectives…label}) read as the person sees it."""
        return expand_knowledge(self.domain.knowledge, title, lang, lang)

    def answers_another(self, slot: FormSlot, norm: str) -> bool:
        """Whether `norm` is, word for word, an option of another kind of choice question and not of this
        one ("contractació pública" to "are services at risk?"). Questions of the same kind (two
        yes/partly/no questions, staff and volunteers) share their everyday words and do not count."""
        if self._elsewhere is None:
            elsewhere: dict[str, list[tuple[FormSlot, frozenset[str]]]] = {}
            for form in self.domain.forms.values():
                for other in form.slots:
                    if other.type != "choice":
                        continue
                    question = self.domain.responses.get(other.question)
                    options = options_of(question)
                    for words in self.names(other, question, options).values():
                        for word in words:
                            if len(word) >= CONTENT_WORD and not word.isdigit():
                                elsewhere.setdefault(word, []).append((other, frozenset(options)))
            self._elsewhere = elsewhere
        if norm in self._everyday:
            return False  # "no gaire", "not really": an everyday answer, whatever else it names
        mine = frozenset(options_of(self.domain.responses.get(slot.question)))
        kind = self.kind_of(slot)
        return any(other.name != slot.name and options != mine and (kind is None or self.kind_of(other) != kind)
                   for other, options in self._elsewhere.get(norm, ()))

    def names(self, slot: FormSlot, question: Response | None, options: list[str]) -> dict[str, set[str]]:
        """Every way each option is named (its id, its titles in every language, its synonyms), folded; worked
        out once per question (a read would otherwise fold a thousand synonyms: a millisecond a message)."""
        key = (slot.name, id(question), tuple(options))
        cached = self._names.get(key)
        if cached is None:
            cached = self._names[key] = self._names_of(slot, question, options)
        return cached

    def _names_of(self, slot: FormSlot, question: Response | None, options: list[str]) -> dict[str, set[str]]:
        names: dict[str, set[str]] = {opt: {normalize(opt)} for opt in options if opt != DONT_KNOW}
        if question is not None:
            for button in question.buttons:
                if button.payload in names:
                    names[button.payload].update(title_names(self._expand(t, lang))
                                                 for lang, t in button.title.items())
        for opt, per_lang in slot.synonyms.items():
            if opt in names:
                for words in (per_lang or {}).values():
                    names[opt].update(normalize(str(w)) for w in words or [])
        return {opt: {w for w in words if w} for opt, words in names.items()}

    def _mapped(self, slot: FormSlot, options: list[str]) -> dict[str, Any]:
        mapping: dict[str, Any] = {opt: opt for opt in options}
        for cls, value in slot.reads.items():
            if cls not in ("kind", "explicit") and (str(value) in options or slot.type == "scale"):
                mapping[str(cls)] = value
        if slot.type == "scale":
            low, high = slot.min or 1, slot.max or 4
            mapping.update({str(n): n for n in range(low, high + 1)})
        return mapping

    def _dont_know_value(self, slot: FormSlot, options: list[str]) -> str:
        if DONT_KNOW in options:
            return DONT_KNOW
        if NOT_SURE in options:
            return NOT_SURE
        if slot.skippable or slot.type == "scale":
            return DONT_KNOW
        raise Refused("dont_know")
