"""Validation of dialogues/ and knowledge/ for content editors: each problem names its file."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from bot.config import SUPPORTED_LANGUAGES, Settings
from bot.content.domain import CHOICES_DONE, INTERVIEW_FORM, Button, ContentError, Domain, load_domain
from bot.engine.actions_client import ActionRunner
from bot.engine.engine import BUILTIN_STEPS, step_problem
from bot.engine.nlu import parse_intent_payload
from bot.engine.render import knowledge_refs, knowledge_text, placeholders
from bot.shared import yamlio

# The Telegram channel sends callback data as "<prefix>:<payload>"; the prefix takes up to 10 bytes.
MAX_PAYLOAD_BYTES = 54
ENGINE_RESPONSES = (
    "utter_fallback", "utter_offer_human", "utter_question_closed", "utter_wrong_answer", "utter_offer_skip",
    "utter_cannot_go_back", "utter_cannot_skip", "utter_something_went_wrong", "utter_button_skip",
    "utter_button_back",
)
ENGINE_INTENTS = ("non_text", "unknown_command")

# --- Language rules (README, "Editing the content": register and names) ---------------------------------
# A plain {placeholder} right after these words needs a grammar filter ({de:entity_name}): "de El Casal"
# must read "del Casal", "de Associació Àgora" "de l'Associació Àgora". Written elisions before a
# placeholder ("d'{x}", "l'{x}") are wrong as soon as the value starts with a consonant.
NEEDS_GRAMMAR = {
    "ca": re.compile(r"(?<![\w'’])(?:(de|a|per)\s+|(d|l)['’])\{([a-z_][a-z0-9_]*)\}", re.IGNORECASE),
    "es": re.compile(r"(?<![\w'’])(de|a)\s+\{([a-z_][a-z0-9_]*)\}", re.IGNORECASE),
}
# placeholders that hold numbers, dates or codes, never a name: "des del {claimed_at}", "de {count}"
NOT_NAMES = re.compile(r"^(n|count|total|target|formed|lead_id|mean|overall|.*_at|.*_count)$")

# The register: the assistant speaks to the person as tu / tú / you, and of their organisation as
# "la vostra entitat" / "vuestra entidad" / "your organisation" (the organisation as a group: "teniu",
# "us", "os"). These words belong to the other forms: formal address, the organisation as the person's
# own ("la teva entitat"), and plural imperatives opening a sentence (advice speaks to the person:
# "Parla…", "Acorda…", not "Parleu…", "Acordeu…").
REGISTER_WORDS = {
    "ca": ("vostè", "vostès", "teva entitat", "teva pròpia entitat", "teva organització", "teva associació", "teu equip"),
    "es": ("usted", "ustedes", "tu entidad", "tu propia entidad", "tu organización", "tu asociación", "tu equipo"),
    "en": ("your entity",),
}
REGISTER_OPENERS = {
    "ca": ("Acordeu", "Parleu", "Mireu", "Busqueu", "Definiu", "Penseu", "Escriviu", "Pregunteu",
           "Compartiu", "Reviseu", "Poseu", "Comenceu", "Expliqueu", "Tingueu", "Deixeu", "Demaneu",
           "Valoreu", "Prioritzeu", "Identifiqueu", "Assegureu-vos", "Fixeu-vos", "Establiu", "Escolliu",
           "Trieu", "Contesteu", "Responeu", "Proveu", "Torneu"),
    "es": ("Acordad", "Hablad", "Mirad", "Buscad", "Definid", "Haced", "Pensad", "Escribid", "Preguntad",
           "Compartid", "Revisad", "Poned", "Empezad", "Explicad", "Tened", "Dejad", "Pedid", "Valorad",
           "Priorizad", "Identificad", "Aseguraos", "Fijaos", "Estableced", "Elegid", "Contestad",
           "Responded", "Probad", "Volved"),
}
# files whose words are matched against what people write, not shown to them
NOT_SHOWN = ("motivation_cues",)


def _register_pattern(lang: str) -> re.Pattern[str] | None:
    words, openers = REGISTER_WORDS.get(lang, ()), REGISTER_OPENERS.get(lang, ())
    parts = [rf"\b{re.escape(w)}\b" for w in words]
    if openers:
        # at the start of a sentence, a line, a bullet or a quote; case-sensitive, so "feu" mid-sentence
        # (the organisation as a group: "què feu") is fine
        parts.append(r"(?:(?:^|\n)\s*(?:[•·\-]\s*)?|[.!?:…]\s+|[«\"(]\s*)(?-i:(?:"
                     + "|".join(map(re.escape, openers)) + r"))\b")
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


REGISTER = {lang: _register_pattern(lang) for lang in SUPPORTED_LANGUAGES}
_PUNCTUATION = " .!?:…«\"(•·-\n"


def check_content(settings: Settings, *, dialogues: Path | None = None, knowledge: Path | None = None,
                  actions: ActionRunner | None = None) -> list[str]:
    dialogues = dialogues or settings.dialogues_dir
    knowledge = knowledge or settings.knowledge_dir
    try:
        domain = load_domain(dialogues, knowledge)
    except ContentError as exc:
        return [str(exc)]
    return (_duplicate_keys(dialogues, knowledge) + Checker(domain, settings.languages, actions or ActionRunner()).run()
            + _objective_aims(domain, settings))


def _duplicate_keys(*folders: Path) -> list[str]:
    """A key given twice in one mapping (two `buttons:` under a response): YAML keeps the last one silently."""
    return [f"{path}: {problem}" for folder in folders for path in sorted(Path(folder).rglob("*.yml"))
            for problem in yamlio.duplicate_keys(path.read_text(encoding="utf-8"))]


def _objective_aims(domain: Domain, settings: Settings) -> list[str]:
    """Every interview objective but "other" counts towards one of the programme's aims (config.yml)."""
    mapped = set(dataclasses.asdict(settings.programme.objective_aims))
    objectives = [o.get("id") for o in (domain.knowledge.get("objectives") or {}).get("objectives") or []]
    return [f"knowledge objectives: {o!r} counts towards none of the programme's aims: add it to"
            f" programme.objective_aims (config.yml and bot/config.py)"
            for o in objectives if o and o != "other" and o not in mapped]


class Checker:
    def __init__(self, domain: Domain, languages: tuple[str, ...], actions: ActionRunner) -> None:
        self.domain = domain
        self.languages = languages
        self.actions = actions
        self.problems: list[str] = []

    def run(self) -> list[str]:
        self._responses()
        self._rules()
        self._forms()
        self._interview()
        self._answers()
        self._intents()
        self._settings()
        self._knowledge()
        return self.problems

    def add(self, where: str, problem: str) -> None:
        self.problems.append(f"{where}: {problem}")

    def _langs(self, texts: dict[str, str], where: str) -> None:
        for lang in self.languages:
            if not (texts.get(lang) or "").strip():
                self.add(where, f"missing text in {lang}")
        for lang in texts:
            if lang not in SUPPORTED_LANGUAGES:
                self.add(where, f"unknown language {lang!r}")

    def _language(self, texts: dict[str, str], where: str, *, filters: bool = True) -> None:
        """Grammar filters where a name follows a preposition, one register, the same placeholders.

        Knowledge texts are filled by actions with plain replacements ({quote}, {reasons}), which know no
        filters, so only responses are held to the grammar rule."""
        for lang, text in texts.items():
            if filters:
                self._grammar(lang, text or "", where)
            register = REGISTER.get(lang)
            for match in register.finditer(text or "") if register else ():
                word = match.group(0).strip(_PUNCTUATION)
                self.add(where, f"({lang}) {word!r} is not the assistant's register (the person as tu/tú/you, "
                                "the organisation as vosaltres/vosotros; see the README)")
        names = {lang: sorted({n for _f, n in placeholders(t or "")} | {f"k:{r}" for r in knowledge_refs(t or "")})
                 for lang, t in texts.items()}
        if len({tuple(v) for v in names.values()}) > 1:
            shown = "; ".join(f"{lang}: {', '.join(v) or '-'}" for lang, v in names.items())
            self.add(where, f"the languages have different placeholders ({shown})")

    def _grammar(self, lang: str, text: str, where: str) -> None:
        pattern = NEEDS_GRAMMAR.get(lang)
        for match in pattern.finditer(text) if pattern else ():
            name = match.groups()[-1]
            if NOT_NAMES.match(name):
                continue
            preposition = (match.group(1) or "de").lower()
            self.add(where, f"({lang}) {match.group(0)!r}: a name after a preposition needs the grammar filter, "
                            f"{{{preposition}:{name}}} (see the README, 'Editing the content')")

    def _refs(self, texts: dict[str, str], where: str) -> None:
        self._language(texts, where)
        for lang, text in texts.items():
            for path in knowledge_refs(text or ""):
                if knowledge_text(self.domain.knowledge, path, lang, lang) is None:
                    self.add(where, f"{{k:{path}}} ({lang}) is not a text in knowledge/")

    def _button(self, button: Button, where: str) -> None:
        self._langs(button.title, f"{where} button {button.payload!r}")
        self._refs(button.title, f"{where} button {button.payload!r}")
        size = len(button.payload.encode("utf-8"))
        if size > MAX_PAYLOAD_BYTES:
            self.add(where, f"button payload {button.payload!r} is {size} bytes; at most {MAX_PAYLOAD_BYTES} "
                            "fit Telegram's 64-byte callback data")
        if button.payload.startswith("/"):
            parsed = parse_intent_payload(button.payload)
            if parsed is None:
                self.add(where, f"button payload {button.payload!r} is not /intent or /intent{{json}}")
            elif not self._has_rule(parsed.intent or ""):
                self.add(where, f"button payload {button.payload!r}: no rule for intent {parsed.intent!r}")

    def _has_rule(self, intent: str) -> bool:
        return intent in self.domain.rules or f"{intent}:paused" in self.domain.rules

    def _step_exists(self, step: str) -> bool:
        name, _, _ = step.partition(":")
        if name in BUILTIN_STEPS:  # and with the argument it needs (the engine refuses to start otherwise)
            return step_problem(step, self.languages) is None
        return step in self.domain.forms or step in self.domain.responses or self.actions.known(step)

    def _responses(self) -> None:
        for name, response in self.domain.responses.items():
            where = f"{response.source}: response {name}"
            self._langs(response.text, where)
            self._refs(response.text, where)
            for button in response.buttons:
                self._button(button, where)
            if response.image and not (Path(self.domain.sources.get("root", ".")) / response.image).exists():
                root = Path(__file__).resolve().parents[2]  # the project (bot/commands/ is two below)
                if not (root / response.image).exists():
                    self.add(where, f"image {response.image!r} not found")
        for name, buttons in self.domain.menus.items():
            for button in buttons:
                self._button(button, f"menu {name}")
        for name in ENGINE_RESPONSES:
            if name not in self.domain.responses:
                self.add("dialogues", f"response {name} is needed by the engine and is missing")

    def _rules(self) -> None:
        for _key, rule in self.domain.rules.items():
            where = f"{rule.source}: rule for {rule.intent}"
            if not rule.steps:
                self.add(where, "has no steps")
            for step in rule.steps:
                if not self._step_exists(step):
                    self.add(where, f"step {step!r} is not a response, form, action or built-in step")
        for command, intent in self.domain.commands.items():
            if not self._has_rule(intent):
                self.add("dialogues", f"command /{command} maps to intent {intent!r}, which has no rule")
        for intent in ENGINE_INTENTS:
            if intent not in self.domain.rules:
                self.add("dialogues", f"a rule for intent {intent!r} is needed by the engine")

    def _forms(self) -> None:
        for name, form in self.domain.forms.items():
            where = f"{form.source}: form {name}"
            names = {s.name for s in form.slots}
            if len(names) != len(form.slots):
                self.add(where, "a slot is listed twice")
            if form.intro and form.intro not in self.domain.responses:
                self.add(where, f"intro response {form.intro!r} does not exist")
            for step in form.on_complete:
                if not self._step_exists(step):
                    self.add(where, f"on_complete step {step!r} does not exist")
            for slot in form.slots:
                if slot.name not in self.domain.slots:
                    self.add(where, f"slot {slot.name} is not declared under `slots:` (its type, for the actions)")
                question = self.domain.responses.get(slot.question)
                if question is None:
                    self.add(where, f"slot {slot.name}: question {slot.question!r} does not exist")
                    continue
                options = [b for b in question.buttons if not b.payload.startswith("/")]
                if slot.type in ("choice", "choices", "scale") and not options:
                    self.add(where, f"slot {slot.name}: a {slot.type} question needs option buttons")
                if slot.type == "choices" and CHOICES_DONE not in {b.payload for b in options}:
                    self.add(where, f"slot {slot.name}: a choices question needs a {CHOICES_DONE!r} button")
                for cond, other in slot.ask_as:
                    variant = self.domain.responses.get(other)
                    if variant is None:
                        self.add(where, f"slot {slot.name}: ask_as question {other!r} does not exist")
                    elif {b.payload for b in variant.buttons if not b.payload.startswith("/")} - {
                            b.payload for b in options}:
                        self.add(where, f"slot {slot.name}: ask_as question {other!r} has options the slot lacks")
                    if str(cond.get("slot")) not in names and str(cond.get("slot")) not in self.domain.slots:
                        self.add(where, f"slot {slot.name}: ask_as refers to unknown slot {cond.get('slot')!r}")
                if slot.otherwise:
                    if slot.type != "choice" or slot.otherwise["value"] not in {b.payload for b in options}:
                        self.add(where, f"slot {slot.name}: otherwise needs a choice with option "
                                        f"{slot.otherwise['value']!r}")
                    if slot.otherwise["keep_in"] not in names and slot.otherwise["keep_in"] not in self.domain.slots:
                        self.add(where, f"slot {slot.name}: otherwise keeps the words in unknown slot "
                                        f"{slot.otherwise['keep_in']!r}")
                if slot.ask_if:
                    ref = str(slot.ask_if.get("slot"))
                    if ref not in names and ref not in self.domain.slots:
                        self.add(where, f"slot {slot.name}: ask_if refers to unknown slot {ref!r}")
                for option in slot.bands:
                    if option not in {b.payload for b in options}:
                        self.add(where, f"slot {slot.name}: bands for unknown option {option!r}")
                if slot.bands and slot.type != "choice":
                    self.add(where, f"slot {slot.name}: bands are for choice slots")
                for option in slot.synonyms:
                    if option not in {b.payload for b in options}:
                        self.add(where, f"slot {slot.name}: synonyms for unknown option {option!r}")
                    for lang, words in (slot.synonyms.get(option) or {}).items():
                        for word in words or []:
                            if not isinstance(word, str):
                                self.add(where, f"slot {slot.name}: synonym {word!r} of {option!r} ({lang}) is not "
                                                "text; put quotes around yes, no, on, off, true, false")

    def _interview(self) -> None:
        """The interview's answers (its form's slots and `keeps`) are stored with the assessment and read by
        facilitators under a label: each a declared slot with utter_label_<slot> (its languages are checked
        with every response). actions/journey.py takes INTERVIEW_SLOTS from this form."""
        form = self.domain.forms.get(INTERVIEW_FORM)
        if form is None:
            self.add("dialogues", f"form {INTERVIEW_FORM} is missing: the journey asks it (actions/intake.py)")
            return
        where = f"{form.source}: form {form.name}"
        asked = {s.name for s in form.slots}
        for name in form.keeps:
            if name in asked:
                self.add(where, f"keeps {name!r}, which the form asks already")
            elif name not in self.domain.slots:
                self.add(where, f"keeps unknown slot {name!r}")
        for name in form.answers:
            if f"utter_label_{name}" not in self.domain.responses:
                self.add(where, f"slot {name}: no label utter_label_{name} (dialogues/handoff.yml), the words "
                                "facilitators read the answer under")

    def _answers(self) -> None:
        """Examples of kinds of answer (dialogues/nlu.yml `answers:`) must be text, in every language."""
        for kind, classes in self.domain.answers.items():
            groups = {"": classes} if set(classes) & set(SUPPORTED_LANGUAGES) else classes
            for cls, per_lang in groups.items():
                for lang in self.languages:
                    examples = (per_lang or {}).get(lang) if isinstance(per_lang, dict) else None
                    if not examples:
                        self.add("dialogues", f"answers {kind} {cls}: no examples in {lang}".replace("  ", " "))
                    for example in examples or []:
                        if not isinstance(example, str):
                            self.add("dialogues", f"answers {kind} {cls} ({lang}): {example!r} is not text; put "
                                                  "quotes around yes, no, on, off, true, false")
        for form in self.domain.forms.values():
            for slot in form.slots:
                kind = slot.reads.get("kind")
                if kind and kind != "motivation" and kind not in self.domain.answers:
                    self.add(form.source, f"slot {slot.name}: reads an unknown kind of answer {kind!r}")

    def _intents(self) -> None:
        for intent, per_lang in self.domain.intents.items():
            for lang in self.languages:
                if not per_lang.get(lang):
                    self.add("dialogues", f"intent {intent}: no examples in {lang}")
            if not self._has_rule(intent):
                self.add("dialogues", f"intent {intent} has examples but no rule")

    def _settings(self) -> None:
        progress = self.domain.settings.get("progress")
        if progress and progress not in self.domain.responses:
            self.add("dialogues settings", f"progress response {progress!r} does not exist")
        paused = self.domain.settings.get("paused_action")
        if paused and not self._step_exists(str(paused)):
            self.add("dialogues settings", f"paused_action {paused!r} does not exist")

    def _knowledge(self) -> None:
        for stem, data in self.domain.knowledge.items():
            self._walk(data, self.domain.sources.get(f"knowledge:{stem}", stem), "")

    def _walk(self, node: Any, source: str, path: str) -> None:
        if isinstance(node, dict):
            keys = set(node)
            if keys and keys & set(SUPPORTED_LANGUAGES) and keys <= set(SUPPORTED_LANGUAGES):
                texts = {k: v for k, v in node.items() if isinstance(v, str)}
                if texts and not any(f"knowledge/{stem}." in source for stem in NOT_SHOWN):
                    self._language(texts, f"{source}: {path or 'top'}", filters=False)
                for lang in self.languages:
                    value = node.get(lang)
                    if value is None or (isinstance(value, str) and not value.strip()):
                        self.add(source, f"{path or 'top'}: missing text in {lang}")
                return
            for key, value in node.items():
                self._walk(value, source, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self._walk(value, source, f"{path}[{i}]")


