"""Loads dialogues/ and knowledge/ into one Domain: responses, intents, commands, rules, forms, slots."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.shared import yamlio

DIALOGUE_SECTIONS = ("responses", "menus", "intents", "answers", "acts", "commands", "rules", "forms", "slots", "settings")
SLOT_TYPES = ("text", "choice", "choices", "scale", "number", "email", "phone", "any")
# a `choices` question: its buttons toggle options (✓), this one keeps them; typed, a list ("local i voluntaris")
CHOICES_DONE = "done"


class ContentError(Exception):
    """Content that cannot be loaded; the message names the file."""


@dataclass(frozen=True)
class Button:
    payload: str
    title: dict[str, str]
    means: str | None = None  # "yes" or "no": a typed "sí, esborra-ho" or "vale" presses this button


@dataclass(frozen=True)
class Response:
    name: str
    text: dict[str, str]
    buttons: tuple[Button, ...] = ()
    image: str | None = None
    source: str = ""


@dataclass(frozen=True)
class FormSlot:
    name: str
    type: str = "text"
    question: str = ""
    skippable: bool = False
    ask_if: dict[str, Any] | None = None
    min: int | None = None
    max: int | None = None
    synonyms: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # a choice of bands ("1 to 5", "6 to 20"...): option -> the lowest number it takes, so a typed
    # count ("3", "12 people", "250.000 €") picks its band instead of the button in that position
    bands: dict[str, float] = field(default_factory=dict)
    # how typed answers are read: {kind: yes_partly_no} and answer classes that map to another payload
    # ({partly: some}); kinds and their examples are `answers:` in dialogues/nlu.yml
    reads: dict[str, Any] = field(default_factory=dict)
    keep_text: str | None = None  # a slot that keeps the person's own words when they typed the answer
    # other wordings of the question, each with an ask_if-style condition: the first that holds is asked
    # ("You mentioned the grant cut: tight or serious?" when the opening message spoke of money)
    ask_as: tuple[tuple[dict[str, Any], str], ...] = ()
    # a choice with a "something else" option: a typed answer that is none of the options but says
    # something ("keep the youth centre open") is taken as that option, its words kept in another slot:
    # {value: other, keep_in: objective_other}
    otherwise: dict[str, str] | None = None


@dataclass(frozen=True)
class Form:
    name: str
    slots: tuple[FormSlot, ...]
    on_complete: tuple[str, ...] = ()
    intro: str | None = None
    progress: bool = True
    source: str = ""
    # answers that belong with this form's though another step asks or fills them (the interview's size
    # in volunteers, asked by the handoff form; the partner named with a yes)
    keeps: tuple[str, ...] = ()

    @property
    def answers(self) -> tuple[str, ...]:
        """The slots this form's answers are kept in: its questions, in order, then `keeps`."""
        asked = tuple(s.name for s in self.slots)
        return asked + tuple(k for k in self.keeps if k not in asked)


# The journey's interview: its answers are stored with the assessment and shown to facilitators, each under
# its label (utter_label_<slot>); actions/journey.py's INTERVIEW_SLOTS and `aliat check` read them from here.
INTERVIEW_FORM = "interview_form"


@dataclass(frozen=True)
class Rule:
    intent: str
    steps: tuple[str, ...]
    when_paused: bool = False
    ends_form: bool = False
    source: str = ""
    args: str = ""  # only for a command with these words after it (`/start ws`, a deep link)

    @property
    def key(self) -> str:
        """How the rules are looked up: intent, ?args, :paused."""
        return rule_key(self.intent, self.args, self.when_paused)


def _bands(value: Any, where: str) -> dict[str, float]:
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ContentError(f"{where}: bands must map each option to the lowest number it takes")
    try:
        return {str(option): float(low) for option, low in value.items()}
    except (TypeError, ValueError) as exc:
        raise ContentError(f"{where}: bands must map each option to a number ({exc})") from exc


def rule_key(intent: str, args: str = "", paused: bool = False) -> str:
    return intent + (f"?{args}" if args else "") + (":paused" if paused else "")


@dataclass
class Domain:
    """Everything the engine needs from YAML, plus the raw knowledge files for actions."""

    responses: dict[str, Response] = field(default_factory=dict)
    menus: dict[str, tuple[Button, ...]] = field(default_factory=dict)
    intents: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # kinds of answer (yes_partly_no, scale, finances...) -> class -> language -> examples; dont_know alone
    answers: dict[str, Any] = field(default_factory=dict)
    # what people do at a form question besides answering (dialogues/acts.yml; bot/engine/acts.py)
    acts: dict[str, Any] = field(default_factory=dict)
    commands: dict[str, str] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    forms: dict[str, Form] = field(default_factory=dict)
    slots: dict[str, dict[str, Any]] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    knowledge: dict[str, Any] = field(default_factory=dict)
    version: str = ""
    sources: dict[str, str] = field(default_factory=dict)

    def rasa_domain(self) -> dict[str, Any]:
        """The domain dict rasa-sdk actions receive (responses, slots, forms with required_slots)."""
        return {
            "version": "3.1",
            "intents": sorted(self.intents) + sorted({r.intent for r in self.rules.values()}),
            "slots": {name: {"type": spec.get("type", "any"), "mappings": [{"type": "custom"}]}
                      for name, spec in self.slots.items()},
            "forms": {name: {"required_slots": [s.name for s in form.slots]} for name, form in self.forms.items()},
            "responses": {name: [{"text": r.text.get("en") or next(iter(r.text.values()), "")}]
                          for name, r in self.responses.items()},
            "actions": [],
            # not part of Rasa's format: lets actions record which content an answer was given to
            "content_version": self.version,
        }


def _load_yaml(path: Path) -> Any:
    try:
        return yamlio.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ContentError(f"{path}: not valid YAML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ContentError(f"{path}: not UTF-8 text") from exc


def yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".yml", ".yaml") and p.is_file())


def load_domain(dialogues_dir: Path, knowledge_dir: Path) -> Domain:
    """Read every YAML file; ContentError on a file that cannot be read or a name defined twice."""
    domain = Domain()
    digest = hashlib.sha256()
    raw: dict[str, dict[str, tuple[Any, str]]] = {section: {} for section in DIALOGUE_SECTIONS}
    if not dialogues_dir.is_dir():
        raise ContentError(f"{dialogues_dir}: dialogues folder not found")
    for path in yaml_files(dialogues_dir):
        digest.update(path.read_bytes())
        data = _load_yaml(path) or {}
        rel = _rel(path, dialogues_dir.parent)
        if not isinstance(data, dict):
            raise ContentError(f"{rel}: must be a mapping of sections ({', '.join(DIALOGUE_SECTIONS)})")
        for section, items in data.items():
            if section not in DIALOGUE_SECTIONS:
                raise ContentError(f"{rel}: unknown section {section!r} (known: {', '.join(DIALOGUE_SECTIONS)})")
            if section == "rules":
                if not isinstance(items, list):
                    raise ContentError(f"{rel}: rules must be a list")
                for i, item in enumerate(items):
                    key = f"{(item or {}).get('intent', '?')}#{rel}:{i}"
                    raw["rules"][key] = (item, rel)
                continue
            if not isinstance(items, dict):
                raise ContentError(f"{rel}: {section} must be a mapping")
            for name, value in items.items():
                if name in raw[section]:
                    raise ContentError(f"{rel}: {section} {name!r} is already defined in {raw[section][name][1]}")
                raw[section][name] = (value, rel)
    if knowledge_dir.is_dir():
        for path in yaml_files(knowledge_dir):
            digest.update(path.read_bytes())
            domain.knowledge[path.stem] = _load_yaml(path) or {}
            domain.sources[f"knowledge:{path.stem}"] = _rel(path, knowledge_dir.parent)
    domain.version = digest.hexdigest()[:12]
    _parse(domain, raw)
    return domain


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _parse(domain: Domain, raw: dict[str, dict[str, tuple[Any, str]]]) -> None:
    for name, (value, _src) in raw["settings"].items():
        domain.settings[name] = value
    for name, (value, src) in raw["menus"].items():
        domain.menus[name] = _buttons(value, f"{src}: menu {name}")
    for name, (value, src) in raw["responses"].items():
        domain.responses[name] = _response(name, value, src, domain.menus)
    for name, (value, src) in raw["intents"].items():
        examples = (value or {}).get("examples", value) if isinstance(value, dict) else None
        if not isinstance(examples, dict):
            raise ContentError(f"{src}: intent {name!r} needs examples per language")
        domain.intents[name] = {lang: [str(x) for x in (items or [])] for lang, items in examples.items()}
    for name, (value, src) in raw["answers"].items():
        if not isinstance(value, dict):
            raise ContentError(f"{src}: answers {name!r} needs examples per class and language")
        domain.answers[name] = value
    for name, (value, src) in raw["acts"].items():
        if not isinstance(value, dict):
            raise ContentError(f"{src}: acts {name!r} needs cues or examples per language")
        domain.acts[name] = value
    for name, (value, _src) in raw["commands"].items():
        domain.commands[str(name).lstrip("/").lower()] = str(value)
    for _key, (value, src) in raw["rules"].items():
        if not isinstance(value, dict) or "intent" not in value:
            raise ContentError(f"{src}: each rule needs an intent and steps")
        rule = Rule(
            intent=str(value["intent"]),
            steps=tuple(str(s) for s in value.get("steps") or ()),
            when_paused=bool(value.get("when_paused", False)),
            ends_form=bool(value.get("ends_form", False)),
            source=src,
            args=" ".join(str(value.get("args") or "").split()),
        )
        if rule.key in domain.rules:
            raise ContentError(f"{src}: a rule for intent {rule.intent!r} is already defined in "
                               f"{domain.rules[rule.key].source}")
        domain.rules[rule.key] = rule
    for name, (value, src) in raw["slots"].items():
        domain.slots[name] = dict(value or {})
        domain.sources[f"slot:{name}"] = src
    for name, (value, src) in raw["forms"].items():
        domain.forms[name] = _form(name, value, src)


def _text(value: Any, where: str) -> dict[str, str]:
    if isinstance(value, str):
        raise ContentError(f"{where}: text must be given per language (ca, es, en), not as one string")
    if not isinstance(value, dict):
        raise ContentError(f"{where}: text must be a mapping of language to text")
    return {str(k): "" if v is None else str(v) for k, v in value.items()}


def _buttons(value: Any, where: str, menus: dict[str, tuple[Button, ...]] | None = None) -> tuple[Button, ...]:
    if isinstance(value, str):
        if menus is None or value not in menus:
            raise ContentError(f"{where}: unknown menu {value!r}")
        return menus[value]
    if not isinstance(value, list):
        raise ContentError(f"{where}: buttons must be a list or a menu name")
    buttons = []
    for item in value:
        if not isinstance(item, dict) or "payload" not in item or "title" not in item:
            raise ContentError(f"{where}: each button needs a payload and a title")
        means = item.get("means")
        if means not in (None, "yes", "no"):
            raise ContentError(f"{where}: a button's `means` is yes or no, not {means!r}")
        buttons.append(Button(payload=str(item["payload"]), title=_text(item["title"], f"{where} button"),
                              means=means))
    return tuple(buttons)


def _response(name: str, value: Any, src: str, menus: dict[str, tuple[Button, ...]]) -> Response:
    where = f"{src}: response {name}"
    if not isinstance(value, dict) or "text" not in value:
        raise ContentError(f"{where}: needs a text per language")
    buttons = _buttons(value["buttons"], where, menus) if value.get("buttons") else ()
    return Response(name=name, text=_text(value["text"], where), buttons=buttons,
                    image=value.get("image"), source=src)


def _ask_as(value: Any, where: str) -> tuple[tuple[dict[str, Any], str], ...]:
    if not value:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, dict) and v.get("question") and v.get("slot")
                                               for v in value):
        raise ContentError(f"{where}: ask_as is a list of {{slot, equals|in|not_in, question}}")
    return tuple(({k: v for k, v in item.items() if k != "question"}, str(item["question"])) for item in value)


def _otherwise(value: Any, where: str) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not value.get("value") or not value.get("keep_in"):
        raise ContentError(f"{where}: otherwise is {{value: <option>, keep_in: <slot>}}")
    return {"value": str(value["value"]), "keep_in": str(value["keep_in"])}


def _form(name: str, value: Any, src: str) -> Form:
    where = f"{src}: form {name}"
    if not isinstance(value, dict) or not isinstance(value.get("slots"), list):
        raise ContentError(f"{where}: needs a list of slots")
    slots = []
    for item in value["slots"]:
        item = {"name": item} if isinstance(item, str) else dict(item or {})
        if "name" not in item:
            raise ContentError(f"{where}: each slot needs a name")
        kind = item.get("type", "text")
        if kind not in SLOT_TYPES:
            raise ContentError(f"{where}: slot {item['name']}: type {kind!r} is not one of {', '.join(SLOT_TYPES)}")
        slots.append(FormSlot(
            name=str(item["name"]), type=kind, question=str(item.get("question") or f"utter_ask_{item['name']}"),
            skippable=bool(item.get("skippable", False)), ask_if=item.get("ask_if"),
            min=item.get("min"), max=item.get("max"), synonyms=item.get("synonyms") or {},
            bands=_bands(item.get("bands"), f"{where}: slot {item['name']}"),
            reads=dict(item.get("reads") or {}), keep_text=item.get("keep_text"),
            ask_as=_ask_as(item.get("ask_as"), f"{where}: slot {item['name']}"),
            otherwise=_otherwise(item.get("otherwise"), f"{where}: slot {item['name']}"),
        ))
    keeps = value.get("keeps") or ()
    if not isinstance(keeps, list | tuple) or not all(isinstance(k, str) for k in keeps):
        raise ContentError(f"{where}: keeps must be a list of slot names")
    return Form(name=name, slots=tuple(slots), on_complete=tuple(value.get("on_complete") or ()),
                intro=value.get("intro"), progress=bool(value.get("progress", True)), source=src,
                keeps=tuple(keeps))
