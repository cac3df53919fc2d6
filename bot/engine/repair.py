"""Conversation repair (issue 23): what a message typed at a form question does when it is not an answer.

The act (bot/engine/acts.py) decides; here each act gets its answer and the question is asked again, short:
a question back is answered in a line or two from knowledge/; a person asked for starts the handoff (the
answers stay, and /explore resumes); a correction clears that answer and asks it again; a wish to stop keeps
everything; small talk and frustration get a line of their own; a language asked for is switched to, and two
messages written in another language get the offer of it. Nothing typed here is ever stored as an answer.
Also here: the confirmation of a reading the answer reader is not sure of ("Ho entenc com «Poc». És així?").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from bot.content.domain import Domain, FormSlot, Response
from bot.engine.acts import (
    ABUSE,
    ANSWER,
    CORRECTION,
    HUMAN,
    LANGUAGE,
    QUESTION,
    SMALLTALK,
    STOP,
    Act,
    ActReader,
)
from bot.engine.ahead import email_in, name_said, named_after, phone_in
from bot.engine.answers import Reading, options_of
from bot.engine.glossary import Glossary
from bot.engine.grounding import says_yes_or_no
from bot.engine.learn import TextClassifier
from bot.engine.nlu import Parse, parse_intent_payload
from bot.engine.render import Renderer
from bot.engine.textnorm import normalize
from bot.engine.tracker import SKIPPED
from bot.engine.turn import Turn
from bot.engine.values import Refused, read_answer
from bot.engine.wording import band, digits_for_words, lead_clause, typed_words

if TYPE_CHECKING:
    from bot.engine.forms import FormHost, FormLoop

# Readings the classifier made below this probability are confirmed in one line rather than stored
# (measured on the everyday answers of tests/data/nlu_*.yml: it fires on 2.8 % and 1.1 % of them, and the
# last-resort reading by shared words, 0.6, is always confirmed; README, "Conversation repair").
CONFIRM_BELOW = 0.65
UNSURE_HOWS = ("classifier", "words", "fuzzy")
# another language: this many messages in a row written in it (of LANGUAGE_MIN_WORDS words or more, read
# with at least LANGUAGE_FLOOR) bring the offer to switch
LANGUAGE_STREAK = 2
LANGUAGE_MIN_WORDS = 3
LANGUAGE_FLOOR = 0.55
LANGUAGE_MARGIN = 0.25  # ... and this far ahead of the next language
# a name counts only when read this surely ("Asociación de Vecinos del Raval", 0.83, is written in Spanish; "Fundació
# Pas a Pas", read as Spanish at 0.62, is not)
NAME_LANGUAGE_FLOOR = 0.75
HANDOFF_FORM = "handoff_form"
CHANGE_BUTTONS = "utter_repair_change_buttons"  # a ✏️ button for each answer, under "what did I answer?"
SUMMARY_SLOT = "assessment_id"  # set once the summary has been given
OFFERED_SLOT = "language_offered"  # the languages offered so far: each once
# "start again" typed: a message this short the intent classifier reads as `restart` this surely is asked first
RESTART_MAX_WORDS = 7
DESCRIBED = 4  # words from which a free-text answer naming "idioma" with no language is read as the answer
RESTART_FLOOR = 0.8
AFTER_SUMMARY_FLOOR = 0.6  # after the summary, an intent read less surely than this gets a closing line
OUTSIDE = FormSlot(name="", type="outside")  # what is typed with no question pending
UNSURE_VALUES = ("not_sure", "dont_know", "other", SKIPPED)  # never taken for a question still to come
LATER_OPTION_WORDS = 3  # a free-text answer this short that names a later question's option is that answer
# "what is this?" typed outside a question, with its fillers ("me puedes explicar qué es esto?"): up to this many
# words when it names "this" ("what is the weather like" is no question about it)
OUTSIDE_WHAT_WORDS = 8
THIS = frozenset("aixo esto eso this".split())
PARTNER_SLOT, PARTNER_ASKED = "partner_name", "partner_in_mind"  # the partner named with the yes, and its question
SUMMARY_STEP = "action_summarize_journey"  # given again after an answer corrected once it was given


_NEGATED_NUMBER = re.compile(r"\b(?:no|not|ni|isn t|wasn t|aren t|weren t)\s+(?:(?:era|es|un|una|a|an|el|la|som|"
                             r"somos|son|are|were|we|erem|eramos|eren|eran|tenim|tenemos|have)\s+){0,2}(\d{1,5})\b")
_NUMBER = re.compile(r"\b(\d)\b")
_COUNT = re.compile(r"\b(\d{1,5})\b")


def _a_name(text: str) -> bool:
    """A name as typed ("Fundació Pas a Pas", "Asociación Mujeres del Raval"): two or more words with a capital
    and at least half of them so; its language is read less readily ("Fundacio Pas a Pas", typed twice, brought
    the offer of Spanish)."""
    words = [w for w in text.split() if any(ch.isalpha() for ch in w)]
    capitals = sum(w[:1].isupper() for w in words)
    return capitals >= 2 and capitals * 2 >= len(words)


def said_instead(slot: FormSlot, text: str, options: list[str] | None = None) -> Any:
    """The one answer a correction gives by a number: a score ("no era un 2, era un 3" -> 3; "era un 3, no un 2"
    -> 3), or a count's band ("m'he equivocat amb les persones contractades, som tres" -> 1_5): the numbers no
    negation comes right before; None unless exactly one."""
    if not text or not (slot.type == "scale" or slot.bands):
        return None
    norm = digits_for_words(text) if slot.bands else normalize(text)
    denied = {int(n) for n in _NEGATED_NUMBER.findall(norm)}
    if slot.bands:
        counts = {int(n) for n in _COUNT.findall(norm)} - denied
        return band(slot, options or [], str(counts.pop())) if len(counts) == 1 else None
    low, high = slot.min or 1, slot.max or 4
    said = {int(n) for n in _NUMBER.findall(norm) if low <= int(n) <= high} - denied
    return said.pop() if len(said) == 1 else None


class Repair:
    def __init__(self, *, domain: Domain, renderer: Renderer, acts: ActReader, forms: FormLoop, host: FormHost,
                 languages: tuple[str, ...] | list[str]) -> None:
        self.domain = domain
        self.renderer = renderer
        self.acts = acts
        self.forms = forms
        self.host = host
        self.languages = tuple(languages)
        self.glossary = Glossary(domain, renderer.default,
                                 (domain.acts.get(CORRECTION) or {}).get("targets") or {})
        examples: dict[str, list[str]] = {}
        for per_lang in domain.intents.values():
            for lang, texts in per_lang.items():
                examples.setdefault(lang, []).extend(texts)
        # what the flow reads besides the acts (dialogues/repair.yml `acts: repair`): read once
        self._flow: dict[str, Any] = dict(domain.acts.get("repair") or {})
        self._flow_lists = {key: [normalize(str(w)) for texts in (self._flow.get(key) or {}).values()
                                  for w in texts or []] for key in ("partner", "is", "not_names", "wrong")}
        self._language_id = TextClassifier({lang: texts for lang, texts in examples.items() if lang in self.languages})

    def warm(self) -> None:
        self._language_id.warm()

    # ------------------------------------------------------------------ typed at a question
    async def handled(self, turn: Turn, slot: FormSlot, question: Response | None, text: str) -> bool:
        """True when `text` was something other than an answer and has been dealt with."""
        tracker = turn.tracker
        if self.wants_restart(text):
            # "vull tornar a començar" in the middle of a form: asked first, the answers stay if not
            tracker.latest_message["act"] = STOP
            self.host.utter(turn, "utter_repair_restart_confirm_form")
            return True
        act = self.acts.read(slot, question, text)
        if act.kind != CORRECTION and slot.type in ("choice", "scale") and self._corrects_partner(turn.tracker, text):
            act = Act(CORRECTION, 0.9, "partner")  # "sorry, wrong organisation, it's X" is no "no" to this question
        if act.kind in (SMALLTALK, STOP) and slot.reads.get("explicit") and self._plain_yes_no(text):
            # "no thanks, let's carry on" to the consent: its no is the answer, read alone
            tracker.latest_message["act"] = ANSWER
            await self.forms.answer(turn, lead_clause(text)[0], from_button=False)
            return True
        if act.kind == LANGUAGE and act.topic is None and slot.type == "text" and len(text.split()) >= DESCRIBED:
            # "acogida de familias refugiadas y clases de idioma": a description that names the word, not a wish
            act = Act(ANSWER, act.confidence, "described")
        tracker.latest_message["act"] = act.kind
        if act.kind == ANSWER and slot.name in self._flow.get("elsewhere_at", ()) \
                and len(text.split()) <= int(self._flow.get("elsewhere_words") or 0) \
                and (await self.kept_elsewhere(turn, slot, text) or await self._only_ahead(turn, slot, text)
                     or await self._later_option(turn, slot, text)):
            # "uns 30 voluntaris més o menys" typed at "why a partnership?", "en tarragona" at "what do you do?":
            # kept for its own question, not as this answer
            return True
        if act.kind == ANSWER:
            return self._offer_language(turn, text)
        if act.kind == LANGUAGE:
            await self._language(turn, slot, act, text)
            tracker.language_streak = {}
        else:
            handler = {QUESTION: self._question, HUMAN: self._human, CORRECTION: self._correction, STOP: self._stop,
                       SMALLTALK: self._smalltalk, ABUSE: self._abuse}[act.kind]
            await handler(turn, slot, act)
            # a question back or an aside is written in a language too ("oye, esto cuesta dinero?"): it
            # counts towards the offer, after its own answer
            self._offer_language(turn, text)
        return True

    def _plain_yes_no(self, text: str) -> bool:
        """A message whose first clause is a yes or a no on its own ("no thanks", "yes please")."""
        lead, rest = lead_clause(text)
        return bool(rest) and len(lead.split()) <= 3 and self.acts.reader.yes_or_no(lead) is not None

    def _language_named(self, norm: str) -> str | None:
        """The one language a short message names ("castellano", "english"), if it is one spoken here."""
        found = self.acts.languages_named(norm)
        return found[0] if len(found) == 1 and found[0] in self.languages else None

    def wants_restart(self, text: str) -> bool:
        """Typed, not the /restart command: a short message the intent classifier is sure says "start again"."""
        if len(normalize(text).split()) > RESTART_MAX_WORDS:
            return False
        parsed = self.host.typed_intent(text)
        return bool(parsed.intent == "restart" and parsed.confidence >= RESTART_FLOOR)

    def _has_answers(self, tracker: Any) -> bool:
        return any(tracker.slots.get(s.name) not in (None, "") for f in self.domain.forms.values() for s in f.slots
                   if f.name != HANDOFF_FORM)

    async def _question(self, turn: Turn, slot: FormSlot, act: Act) -> None:
        # a question about the options ("what's the difference between efficiency and saving money?") asks what
        # they mean, whatever else its words name (its "money" had it answered with the cost)
        topic = "meaning" if act.how == "options" else act.topic or "meaning"
        text = str(turn.message.text or "")
        norm = normalize(text)
        if act.how == "classifier" and topic == "meaning" and not text.rstrip().endswith("?"):
            # only guessed a question, and no question mark: an answer to a question still to come is kept for it
            # ("uns 30 voluntaris més o menys" at "where do you work?"); a word of another question explained
            # here would answer nothing asked ("Voluntariat: ..."), so the question is asked again with its hint
            if await self.kept_elsewhere(turn, slot, text):
                return
            question = self.domain.responses.get(slot.question)
            asked = normalize(" ".join(question.text.values())) if question is not None else ""
            if not self.glossary.on_topic(norm, slot, asked):
                await self.forms.refuse(turn, slot)
                return
        # a question with no term of the glossary in it is no question about a word
        no_term = topic == "meaning" and self.glossary.meaning(norm, OUTSIDE, "ca") is None
        named = self._language_named(norm) if no_term and len(norm.split()) <= 6 else None
        if named is not None:
            await self._language(turn, slot, Act(LANGUAGE, act.confidence, "named", named))  # "podemos volver al castellano?"
            return
        if slot.reads.get("explicit") and no_term:
            topic = "privacy"  # a question at the consent ("who gets to see all this?") is about the data
        if topic == "meaning":
            said = self.glossary.meaning(norm, slot, turn.tracker.language)
            if said is not None:
                other = self.glossary.also_named(norm, said[0], turn.tracker.language, slot)
                for term, text in (said, other) if other is not None else (said,):
                    # after the colon the explanation goes on in lower case: "«Atenció integral»: oferir…"
                    self.host.utter(turn, "utter_repair_meaning", {"term": term, "meaning": text[:1].lower() + text[1:]})
            elif len(norm.split()) <= 4:
                # "què és això?" at a choice: why it is asked; at a name or a description, which need no
                # explaining: this assistant and its programme
                topic = "why" if slot.type in ("choice", "scale") else "programme"
            elif slot.type not in ("choice", "scale"):
                self.host.utter(turn, "utter_repair_how_to_answer")  # "q es lo q tengo q poner aqui?"
            else:
                self.host.utter(turn, "utter_repair_question_other")
        if topic == "answers":
            self.show_answers(turn)  # "què t'he contestat?" in the middle of a form
            await self.forms.ask(turn, reask_only=True)
            return
        if topic == "why" and not slot.skippable:
            self.host.utter(turn, "utter_repair_why_needed")  # no "you can skip it" where it cannot be
        elif topic != "meaning":
            self.host.utter(turn, f"utter_repair_{topic}")
        await self.forms.ask(turn, reask_only=True)

    async def _human(self, turn: Turn, slot: FormSlot, act: Act) -> None:
        if turn.tracker.active_form == HANDOFF_FORM:
            self.host.utter(turn, "utter_repair_human_underway")
            await self.forms.ask(turn, reask_only=True)
            return
        await self.host.handle_intent(turn, Parse(intent="human", confidence=act.confidence))

    async def _correction(self, turn: Turn, slot: FormSlot, act: Act) -> None:
        tracker = turn.tracker
        if self._about_partner(tracker, act, str(turn.message.text or "")):
            await self.correct_partner(turn, str(turn.message.text or ""))
            return
        target = act.topic
        if target is None or target == slot.name:
            if target is None and tracker.history and act.how == "cue":
                await self.forms.back(turn)  # "m'he equivocat": the latest answer, as ↩ does
                return
            if target is None and tracker.history:
                # only guessed a correction ("que t he contestat?" at a choice): nothing is cleared on a guess;
                # the answers are shown, with how to change one
                self.show_answers(turn)
                await self.forms.ask(turn, reask_only=True)
                return
            self.host.utter(turn, "utter_repair_corrected_now")
            await self.forms.ask(turn, reask_only=True)
            return
        if tracker.slots.get(target) in (None,):
            self.host.utter(turn, "utter_repair_nothing_to_correct")
            await self.forms.ask(turn, reask_only=True)
            return
        await self.correct(turn, target, str(turn.message.text or ""))

    async def correct(self, turn: Turn, target: str, text: str = "") -> None:
        """Clear one answer and ask it again: now, or when the form gets there; an answer of a form already
        finished reopens that form, whose end (reading, readiness, summary) then runs again. A score said with
        the correction ("lo de la confianza no era un 2, era un 3") is the new answer, not asked again."""
        tracker = turn.tracker
        home = next((f for f in self.domain.forms.values() if any(s.name == target for s in f.slots)), None)
        slot = next((s for s in home.slots if s.name == target), None) if home is not None else None
        ahead = self.forms.clear_answer(tracker, target)
        if home is not None:
            for name in ((self.domain.acts.get(CORRECTION) or {}).get("redo") or {}).get(home.name) or ():
                self.forms.clear_answer(tracker, str(name))  # "is the reading right?" is asked of the new one
        options = options_of(self.domain.responses.get(slot.question)) if slot is not None else []
        instead = said_instead(slot, text, options) if slot is not None else None
        if instead is not None:
            tracker.set_slot(target, instead)
            self.host.utter(turn, "utter_repair_corrected_to", {"answer": self._value_title(target, instead,
                                                                                             tracker.language)})
            if home is not None and home.name != tracker.active_form:
                await self.forms.reopen(turn, home)
            else:
                await self.forms.ask(turn)
            return
        self.host.utter(turn, "utter_repair_corrected_later" if ahead else "utter_repair_corrected_now")
        if home is not None and home.name != tracker.active_form:
            await self.forms.reopen(turn, home)
        else:
            await self.forms.ask(turn)

    def _about_partner(self, tracker: Any, act: Act, text: str) -> bool:
        """A correction about the partner named ("l'entitat no és aquesta", "the partner is wrong"), once one is."""
        if act.kind != CORRECTION:
            return False
        if act.topic not in (None, PARTNER_ASKED):
            # "the partner is wrong, it's Hope Trust": the new name holds another question's word (trust)
            return self._corrects_partner(tracker, text)
        if tracker.slots.get(PARTNER_SLOT) in (None, "") and tracker.slots.get(PARTNER_ASKED) != "yes":
            return False
        padded = f" {normalize(text)} "
        return any(f" {w} " in padded for w in self._flow_words("partner"))

    def _corrects_partner(self, tracker: Any, text: str) -> bool:
        """Whatever the act reader made of it: a message that names the partner, says it was wrong and gives
        another name, once a partner is named."""
        if tracker.slots.get(PARTNER_SLOT) in (None, ""):
            return False
        norm = normalize(text)
        padded, words = f" {norm} ", norm.split()
        if not any(f" {w} " in padded for w in self._flow_words("partner")):
            return False
        wrong = self._flow_words("wrong")
        if not any(f" {w} " in padded if " " in w else any(t.startswith(w) for t in words) for w in wrong):
            return False
        return name_said(text, self._name_said_words) is not None

    @property
    def _name_said_words(self) -> dict[str, list[str]]:
        return {"is": self._flow_words("is"), "not_names": self._flow_words("not_names"),
                "articles": self._name_words["articles"]}

    async def correct_partner(self, turn: Turn, text: str) -> None:
        """The partner's name corrected: the new one said ("..., és l'Esplai Sant Jordi") is kept and said back,
        and, after the summary, the summary (the assessment and the open lead's dossier) is given again; with no
        name said, "do you have a partner in mind?" is asked again."""
        tracker = turn.tracker
        name = name_said(text, self._name_said_words)
        if name is None:
            tracker.set_slot(PARTNER_SLOT, None)
            await self.correct(turn, PARTNER_ASKED)
            return
        tracker.set_slot(PARTNER_SLOT, name)
        self.host.utter(turn, "utter_repair_kept_partner_name", {PARTNER_SLOT: name})
        if tracker.active_form:
            await self.forms.ask(turn, reask_only=True)
        elif tracker.slots.get(SUMMARY_SLOT) is not None:
            await self.host.run_step(turn, SUMMARY_STEP)

    async def kept_elsewhere(self, turn: Turn, slot: FormSlot, text: str) -> bool:
        """An answer to a question still to come, typed at this one ("uns 30 voluntaris més o menys" at "where do
        you work?"): the question it names (by the words of dialogues/acts.yml `targets`) reads it outright, and
        it is not answered yet: kept, said back, and this question asked again."""
        tracker = turn.tracker
        target = self.acts.target_of(normalize(text))
        if target is None or target == slot.name or tracker.slots.get(target) not in (None, ""):
            return False
        other = self._slot(target)
        if other is None or other.type not in ("choice", "scale"):
            return False
        question = self.domain.responses.get(other.question)
        try:
            reading = read_answer(other, question, text, from_button=False, reader=self.acts.reader,
                                  max_text_length=self.forms.settings.conversation.max_text_length)
        except Refused:
            return False
        if reading.how in UNSURE_HOWS or reading.how == "dont_know" or reading.value in (
                "dont_know", "not_sure", SKIPPED) or str(reading.value) not in options_of(question):
            return False
        tracker.set_slot(target, reading.value)
        label = f"utter_label_{target}"
        self.host.utter(turn, "utter_repair_kept_elsewhere", {
            "label": self.renderer.text(label, tracker.language) if label in self.domain.responses else target,
            "answer": self._value_title(target, reading.value, tracker.language)})
        await self.forms.ask(turn, reask_only=True)
        return True

    async def _only_ahead(self, turn: Turn, slot: FormSlot, text: str) -> bool:
        """A free-text answer that is nothing but what a later question asks, said ahead ("en tarragona" at "what
        do you do?": only the place, with a word or two of three letters): kept for it, said back, and this
        question asked again ("fem lleure a Sabadell" says what they do, and is the answer)."""
        tracker = turn.tracker
        padded = f" {normalize(text)} "
        for rule in ((self.domain.acts.get(ANSWER) or {}).get("ahead") or {}).get(slot.name) or ():
            into = str(rule.get("into"))
            other = self._slot(into)
            if rule.get("kind") != "option" or other is None or tracker.slots.get(into) not in (None, ""):
                continue
            value = self._option_in(into, text)
            if value is None:
                continue
            question = self.domain.responses.get(other.question)
            names = self.acts.reader.names(other, question, options_of(question)).get(str(value)) or set()
            found = max((w for w in names if f" {w} " in padded), key=len, default=None)
            rest = padded.replace(f" {found} ", " ", 1).split() if found else ["?" * 4]
            if any(len(w) > 3 for w in rest):
                continue
            tracker.set_slot(into, value)
            label = f"utter_label_{into}"
            self.host.utter(turn, "utter_repair_kept_elsewhere", {
                "label": self.renderer.text(label, tracker.language) if label in self.domain.responses else into,
                "answer": self._value_title(into, value, tracker.language)})
            await self.forms.ask(turn, reask_only=True)
            return True
        return False

    async def _later_option(self, turn: Turn, slot: FormSlot, text: str) -> bool:
        """A free-text answer that is only the name of an option of a question still to come in this form
        ("atención integral" typed at "why a partnership?": the objective): kept for it, said back, asked again."""
        tracker = turn.tracker
        form = self.domain.forms.get(tracker.active_form or "")
        reader = self.acts.reader
        if form is None or len(text.split()) > LATER_OPTION_WORDS or reader.is_a_nod(text) \
                or reader.says_dont_know(normalize(text)) or text.rstrip().endswith("?"):
            return False  # "no", "vale", "no ho sé" name no option of a question still to come
        names = [s.name for s in form.slots]
        for other in form.slots[names.index(slot.name) + 1:] if slot.name in names else ():
            if other.type != "choice" or tracker.slots.get(other.name) not in (None, ""):
                continue
            question = self.domain.responses.get(other.question)
            try:
                reading = read_answer(other, question, text, from_button=False, reader=self.acts.reader,
                                      max_text_length=self.forms.settings.conversation.max_text_length)
            except Refused:
                continue
            if reading.how != "name" or reading.confidence < 1.0 or str(reading.value) not in options_of(question) \
                    or str(reading.value) in UNSURE_VALUES:
                continue  # "potser?" typed as the reason is a doubt, not the "maybe" of a question to come
            tracker.set_slot(other.name, reading.value)
            label = f"utter_label_{other.name}"
            self.host.utter(turn, "utter_repair_kept_elsewhere", {
                "label": self.renderer.text(label, tracker.language) if label in self.domain.responses else other.name,
                "answer": self._value_title(other.name, reading.value, tracker.language)})
            await self.forms.ask(turn, reask_only=True)
            return True
        return False

    def _slot(self, name: str) -> FormSlot | None:
        return next((s for f in self.domain.forms.values() for s in f.slots if s.name == name), None)

    def _flow_words(self, key: str) -> list[str]:
        return self._flow_lists[key]

    async def _stop(self, turn: Turn, slot: FormSlot, act: Act) -> None:
        if act.topic == "skip":
            await self.forms.skip(turn)
        elif act.topic == "summary":
            self.host.utter(turn, "utter_repair_summary_later")
            await self.forms.ask(turn, reask_only=True)
        else:
            self.host.utter(turn, "utter_repair_stop")  # the form stays: the next answer carries on

    async def _smalltalk(self, turn: Turn, slot: FormSlot, act: Act) -> None:
        self.host.utter(turn, "utter_repair_bot" if act.topic == "bot" else "utter_repair_smalltalk")
        await self.forms.ask(turn, reask_only=True)

    async def _abuse(self, turn: Turn, slot: FormSlot, act: Act) -> None:
        self.host.utter(turn, "utter_repair_abuse")
        await self.forms.ask(turn, reask_only=True)

    async def _language(self, turn: Turn, slot: FormSlot, act: Act, text: str = "") -> None:
        """`text` is what is read now: the message, or what is left of it after a lead already read (it was
        the whole message each time, so "perdona, podem seguir en català?" re-read itself without end)."""
        tracker = turn.tracker
        wanted = act.topic
        named = [lang for lang in self.acts.languages_named(normalize(text or str(turn.message.text or "")))
                 if lang in self.languages]
        if len(named) > 1:
            # "perdona que escrigui en castellano, es que me cuesta el catalan", "no parlo bé el català, millor en
            # castellà" name two: a wish to switch is to the one not spoken now (the first named was taken, and
            # it stayed in Catalan); with two others named, which one is asked
            others = [lang for lang in named if lang != tracker.language]
            wanted = others[0] if len(others) == 1 else None
        if wanted is None:
            self.host.utter(turn, "utter_ask_language")  # "canvia l'idioma": which one?
            return
        if wanted in self.languages:  # the one spoken already: said so all the same
            tracker.language = wanted
            self.host.utter(turn, "utter_language_changed")
        rest = lead_clause(text or str(turn.message.text or ""))[1]
        if len(rest.split()) >= 2 and self._language_named(normalize(rest)) is None:
            # "perdona que escrigui en castellà, trabajamos en lleida": the answer after it is read as one
            await self.forms.answer(turn, rest, from_button=False)
            return
        await self.forms.ask(turn)

    def _offer_language(self, turn: Turn, text: str) -> bool:
        """Two messages in a row written in another language: offer it (one button), then read on."""
        tracker = turn.tracker
        written = self.language_of(text, floor=NAME_LANGUAGE_FLOOR if _a_name(text) else LANGUAGE_FLOOR)
        if written is None:
            return False  # a name, a number, "ok": no language of its own, and no break in a streak
        if written == tracker.language:
            tracker.language_streak = {}
            return False
        count = int(tracker.language_streak.get(written, 0)) + 1
        tracker.language_streak = {written: count}
        offered = list(tracker.slots.get(OFFERED_SLOT) or [])
        if count >= LANGUAGE_STREAK and written in offered:
            return False  # offered once and not taken: they would rather carry on as they are
        if count >= LANGUAGE_STREAK:
            tracker.language_streak = {}
            tracker.set_slot(OFFERED_SLOT, [*offered, written])
            message = self.renderer.response(f"utter_repair_language_offer_{written}", written,
                                             seq=tracker.question_seq)
            turn.out.append(message)
            tracker.add_event({"event": "bot", "metadata": {"response": f"utter_repair_language_offer_{written}"}})
        return False  # the message is still read as the answer it is

    def language_of(self, text: str, floor: float = LANGUAGE_FLOOR) -> str | None:
        if len(normalize(text).split()) < LANGUAGE_MIN_WORDS:
            return None
        guess = self._language_id.guess(text)
        return guess.label if guess.label and guess.confidence >= floor and guess.margin >= LANGUAGE_MARGIN \
            else None

    # ------------------------------------------------------------------ what is said ahead
    def keep_ahead(self, turn: Turn, slot: FormSlot, value: Any, text: str) -> None:
        """An answer that also gives what a later question asks: the partner named with the yes ("sí, amb
        l'Associació X"), the phone or email typed with the contact channel. Kept, and said back. And an
        answer read from a name that is not the option's own (a town for its area: "som de terrassa") is
        said back with the person's own word, so it can be checked: "Apunto Terrassa, dins de «Barcelona»"."""
        tracker = turn.tracker
        place = self.said_as(slot, value, text)
        if place is not None and f"utter_repair_read_{slot.name}" in self.domain.responses:
            self.host.utter(turn, f"utter_repair_read_{slot.name}",
                            {"place": place, slot.name: self._value_title(slot.name, value, tracker.language)})
        for rule in ((self.domain.acts.get(ANSWER) or {}).get("ahead") or {}).get(slot.name) or ():
            into, kind = str(rule.get("into")), str(rule.get("kind"))
            if "when" in rule and str(value) not in [str(v) for v in rule["when"]]:
                continue
            if tracker.slots.get(into) not in (None, ""):
                continue
            if kind == "option":
                found = self._option_in(into, text)
            else:
                found = {"name": named_after, "phone": phone_in, "email": email_in}[kind](text, self._name_words)
            if found:
                tracker.set_slot(into, found)
                shown = self._value_title(into, found, tracker.language) if kind == "option" else found
                said = self._said_as_named(into, found, text) if kind == "option" else None
                where = self.renderer.text("utter_repair_where_named" if said else "utter_repair_where",
                                           tracker.language, {into: shown, "place": said})
                self.host.utter(turn, f"utter_repair_kept_{into}", {into: shown, "where": where})

    def said_as(self, slot: FormSlot, value: Any, text: str) -> str | None:
        """The words the person named an option with, when they are not one of its titles (a town for its
        area), as typed; else None."""
        if slot.type != "choice" or isinstance(value, list):
            return None
        question = self.domain.responses.get(slot.question)
        names = self.acts.reader.names(slot, question, options_of(question)).get(str(value)) or set()
        padded = f" {normalize(text)} "
        found = max((w for w in names if f" {w} " in padded), key=len, default=None)
        if found is None:
            return None
        titles = {normalize(str(value))} | {normalize(t) for b in (question.buttons if question else ())
                                            if b.payload == str(value) for t in b.title.values()}
        if found in titles or any(f" {found} " in f" {t} " for t in titles):
            return None
        return typed_words(text, found)

    def _said_as_named(self, name: str, value: Any, text: str) -> str | None:
        found = next((s for f in self.domain.forms.values() for s in f.slots if s.name == name), None)
        return None if found is None else self.said_as(found, value, text)

    def _option_in(self, name: str, text: str) -> Any:
        """An option of another question the text names outright, not negated ("fem lleure a Sabadell" →
        Barcelona for "where do you work?")."""
        found = next(((f, s) for f in self.domain.forms.values() for s in f.slots if s.name == name), None)
        if found is None:
            return None
        return self.acts.reader.named_in(found[1], self.domain.responses.get(found[1].question), text)

    @property
    def _name_words(self) -> dict[str, list[str]]:
        spec = (self.domain.acts.get(ANSWER) or {}).get("names") or {}
        return {key: [normalize(str(w)) for texts in (spec.get(key) or {}).values() for w in texts or []]
                for key in ("before", "articles")}

    # ------------------------------------------------------------------ outside a question
    async def outside_form(self, turn: Turn, text: str, intent: str | None) -> bool:
        """Typed with no question pending: a straight answer to "quant costa?", "qui sou?"; an apology and a
        person offered to an insult; and after the summary, nothing typed restarts the journey or loses an
        answer: a correction reopens that answer, "what did I answer?" lists them, a restart is asked first,
        and what would not be understood gets a closing line."""
        tracker = turn.tracker
        act = self.acts.read(OUTSIDE, None, text)
        tracker.latest_message["act"] = act.kind
        finished = tracker.slots.get(SUMMARY_SLOT) is not None
        if act.kind == QUESTION and act.topic == "answers" and finished:  # "que te he contestado?"
            self.show_answers(turn)
            return True
        topic = act.topic
        words = normalize(text).split()
        if topic == "meaning" and (len(words) <= 4 or (len(words) <= OUTSIDE_WHAT_WORDS and THIS.intersection(words))) \
                and self.glossary.meaning(normalize(text), OUTSIDE, tracker.language) is None:
            # "què és això?", "me puedes explicar qué es esto?" with no word of the journey in it: this, the
            # assistant and its programme
            topic = "programme"
        said = self.glossary.meaning(normalize(text), OUTSIDE, tracker.language) \
            if act.kind == QUESTION and topic == "meaning" and (act.how == "cue" or text.rstrip().endswith("?")) else None
        if said is not None:
            # "què vol dir complementarietat?" after the summary (or at the menu): the word explained, not the
            # closing line
            self.host.utter(turn, "utter_repair_meaning", {"term": said[0], "meaning": said[1][:1].lower() + said[1][1:]})
            if not finished:
                self.host.utter(turn, "utter_main_menu")
            return True
        if act.kind == QUESTION and act.how == "cue" and topic in ("cost", "programme", "erase"):
            self.host.utter(turn, f"utter_repair_{topic}")
            self.host.utter(turn, "utter_main_menu")
            return True
        if act.kind == ABUSE and act.how == "cue":
            self.host.utter(turn, "utter_repair_abuse")
            return True
        if act.kind == LANGUAGE and act.topic in self.languages:  # "can we go back to english?"
            tracker.language = str(act.topic)
            tracker.language_streak = {}
            self.host.utter(turn, "utter_language_changed")
            return True
        if intent == "restart" and self._has_answers(tracker):
            # typed, with answers given (a journey finished, or left half-way): asked first, nothing lost
            self.host.utter(turn, "utter_repair_restart_confirm")
            return True
        if not finished:
            self._offer_language(turn, text)  # two messages in another language: offered, then read on
            return False
        if self._about_partner(tracker, act, text):
            await self.correct_partner(turn, text)
            return True
        if act.kind == CORRECTION and act.topic:
            await self.correct(turn, act.topic, text)
            return True
        if act.kind == CORRECTION:
            self.show_answers(turn)
            return True
        sure = float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)
        if intent == "explore" and sure >= RESTART_FLOOR:
            self.host.utter(turn, "utter_repair_restart_confirm")
            return True
        if intent is None or (sure < AFTER_SUMMARY_FLOOR and intent not in ("thanks", "bye", "greet")):
            # "lo hablaremos en la junta" (explore at 0.50) is no wish to start again: a closing line
            self.host.utter(turn, "utter_repair_after_summary")
            return True
        return False

    def show_answers(self, turn: Turn) -> None:
        """The answers kept, one line each, with a ✏️ button to change each (after the summary) and how to say it."""
        tracker = turn.tracker
        lang = tracker.language
        labels = dict((self.domain.acts.get(CORRECTION) or {}).get("labels") or {})
        buttons = self.renderer.response(CHANGE_BUTTONS, lang).buttons if CHANGE_BUTTONS in self.domain.responses \
            else []
        by_target = {self._target_of(payload): title for title, payload in buttons}
        names = list(dict.fromkeys([*labels, *by_target]))
        lines, kept = [], []
        for name in names:
            value = tracker.slots.get(name)
            if value in (None, ""):
                continue
            per_lang = labels.get(name) or {}
            label = per_lang.get(lang) or next(iter(per_lang.values()), "") or by_target[name].lstrip("✏️ ").strip()
            lines.append(f"• {label}: {self._value_title(name, value, lang)}")
            if name in by_target:
                kept.append(name)
        # in the middle of a form the question comes next, with its own buttons; after it, a ✏️ for each answer
        name = "utter_repair_answers" if tracker.active_form or not kept else "utter_repair_answers_edit"
        message = self.renderer.response(name, lang, {**tracker.slots, "answers": "\n".join(lines)},
                                         seq=tracker.question_seq)
        if name == "utter_repair_answers_edit":
            message.buttons = [(title, payload) for title, payload in buttons if self._target_of(payload) in kept]
        turn.out.append(message)
        tracker.add_event({"event": "bot", "metadata": {"response": name}})

    @staticmethod
    def _target_of(payload: str) -> str:
        parse = parse_intent_payload(payload)
        return str((parse.entities if parse else {}).get("target") or "")

    async def edit(self, turn: Turn, target: str) -> None:
        """A ✏️ pressed under the answers: that answer is asked again, if it is one there is."""
        tracker = turn.tracker
        if tracker.slots.get(target) in (None, "") or target not in {
                s.name for f in self.domain.forms.values() for s in f.slots}:
            self.host.utter(turn, "utter_repair_nothing_to_correct")
            return
        await self.correct(turn, target)

    def _value_title(self, name: str, value: Any, lang: str) -> str:
        if value == "skipped":
            return self.renderer.text("utter_repair_skipped_value", lang)
        if value == "dont_know":
            return self.renderer.text("utter_repair_dont_know_value", lang)
        found = next(((f, s) for f in self.domain.forms.values() for s in f.slots if s.name == name), None)
        if found is not None:
            title = self._title_of(self.domain.responses.get(found[1].question), value, lang)
            if title != str(value) or found[1].type not in ("choice", "scale"):
                return title
        return str(value)

    # ------------------------------------------------------------------ unsure readings
    def unsure(self, slot: FormSlot, reading: Reading, text: str = "") -> bool:
        """A guess to confirm: read below CONFIRM_BELOW; or a yes or a no guessed from a sentence with neither in
        it ("ho parlarem a la junta" was a yes at 0.70, to "do you want to replicate a project?")."""
        if slot.type not in ("choice", "scale") or reading.how not in UNSURE_HOWS:
            return False
        if reading.confidence < CONFIRM_BELOW:
            return True
        reader = self.acts.reader
        if reading.how != "classifier" or reader.kind_of(slot) != "yes_no" or len(normalize(text).split()) < 2:
            return False
        question = self.domain.responses.get(slot.question)
        names = [w for words in reader.names(slot, question, options_of(question)).values() for w in words]
        return not says_yes_or_no(normalize(text), names)

    def doubt(self, slot: FormSlot, reading: Reading, text: str) -> str | None:
        """The "no ho sé" of a message whose reading was a guess of something else ("uf, no ho sé, ens coneixem
        poc" was kept as "Sí, és això" at 0.79; "potser... no ho sé" as a yes): that is the answer, read alone."""
        if reading.how not in UNSURE_HOWS or str(reading.value) in ("dont_know", "not_sure"):
            return None
        padded = f" {normalize(text)} "
        phrases: list[str] = getattr(self.acts.reader, "_dont_know_phrases", [])  # answers.py, longest first
        return next((p for p in phrases if f" {p} " in padded), None)

    def confirm(self, turn: Turn, slot: FormSlot, question: Response | None, reading: Reading) -> None:
        """"Ho entenc com «Poc». És així?" with ✅ / ✏️; the reading waits in the tracker meanwhile."""
        tracker = turn.tracker
        tracker.pending_reading = {"slot": slot.name, "value": reading.value, "seq": tracker.question_seq}
        self.host.utter(turn, "utter_repair_confirm", {"reading": self._title_of(question, reading.value,
                                                                                  tracker.language)})

    def _title_of(self, question: Response | None, value: Any, lang: str) -> str:
        if value == "dont_know":  # no button of its own on a yes/no question: "No ho sé", never "dont_know"
            return self.renderer.text("utter_repair_dont_know_value", lang)
        if question is not None:
            for title, payload in self.renderer.buttons(question.buttons, lang):
                if payload == str(value):
                    return title
        return str(value)

    async def confirmed(self, turn: Turn) -> None:
        """✅ under a confirmation: the waiting reading is the answer, if its question is still the pending one."""
        tracker = turn.tracker
        pending, tracker.pending_reading = tracker.pending_reading, {}
        slot = self.forms.current_slot(tracker)
        if not pending or slot is None or pending.get("slot") != slot.name \
                or pending.get("seq") != tracker.question_seq:
            self.host.utter(turn, "utter_question_closed")
            await self.forms.ask(turn)
            return
        question = self.domain.responses.get(slot.question)
        value = pending.get("value")
        if str(value) not in options_of(question) and value != "dont_know":
            await self.forms.ask(turn)
            return
        if str(value) not in options_of(question):  # "no ho sé" to a question with no button for it: kept as read
            await self.forms.keep(turn, slot, value)
            return
        await self.forms.answer(turn, str(value), from_button=True)
